"""Helpers shared by the postal tests."""

from __future__ import annotations

from microcrm.postal.clean import clean
from microcrm.postal.normalize import AddressInput, NormalizedAddress, normalize_address


def norm(**fields: str) -> NormalizedAddress:
    """Normalise an address given as keyword fields (`line1="…"`, `postcode="…"`)."""
    return normalize_address(AddressInput(**fields))


def lines(**fields: str) -> tuple[str, ...]:
    """The normalised lines of an address given as keyword fields."""
    return norm(**fields).lines


def feed_back(source: AddressInput, result: NormalizedAddress) -> AddressInput:
    """Turn a normalised address back into an input, the way a user would re-enter it.

    The identity lines go back to `company`/`name` (the person's name opens a company's L2,
    R6), the last line(s) to postcode and city (and country abroad), the rest to line1-line3.
    """
    out = list(result.lines)
    company = out.pop(0) if clean(source.company) and out else ""
    name = out.pop(0) if clean(source.name) and out else ""
    country = ""
    if result.country:
        country = out.pop()
    postcode, city = "", ""
    if result.postcode or result.locality or result.cedex:
        last = out.pop()
        postcode = result.postcode
        city = last[len(postcode) :].strip() if postcode else last
    free = [*out, "", "", ""][:3]
    if len(out) > 3:
        msg = f"more free lines than input slots: {out}"
        raise AssertionError(msg)
    return AddressInput(
        name=name,
        company=company,
        line1=free[0],
        line2=free[1],
        line3=free[2],
        postcode=postcode,
        city=city,
        country=country,
    )
