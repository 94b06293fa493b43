"""Postal addresses per La Poste's NF Z10-011: reference data, normalisation, validation.

Pure Python, no Qt: the rules are those of docs/address-standard.md (R1-R27, Tables A-E).
"""

from microcrm.postal.errors import ERROR_MESSAGES, explain
from microcrm.postal.jsonl import normalize_stream
from microcrm.postal.normalize import AddressInput, NormalizedAddress, normalize_address
from microcrm.postal.reference import PostalReference, PostalRow, load_reference

__all__ = [
    "ERROR_MESSAGES",
    "AddressInput",
    "NormalizedAddress",
    "PostalReference",
    "PostalRow",
    "explain",
    "load_reference",
    "normalize_address",
    "normalize_stream",
]
