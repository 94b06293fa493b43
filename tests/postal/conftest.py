"""Fixtures of the postal tests: the shared postcode reference."""

from __future__ import annotations

import pytest

from microcrm.postal.reference import PostalReference, load_reference


@pytest.fixture(scope="session")
def reference() -> PostalReference:
    """The reference shipped in resources/postal (loaded once per session)."""
    return load_reference()
