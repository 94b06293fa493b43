"""Packaged resources: postal reference data, templates, icons."""
