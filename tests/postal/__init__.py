"""Tests of microcrm.postal: rules R1-R27 of docs/address-standard.md, data, CLI engine."""
