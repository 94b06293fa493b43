"""Publipostage: merge fields, letters, labels, envelopes."""
