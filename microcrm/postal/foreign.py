"""International mail: destination country (R23) and foreign addresses (R24, Table E).

Foreign addresses are neither restructured nor validated against French data: their free
lines get R3 only, and only the postcode's pattern and the presence of a city are checked.
"""

from __future__ import annotations

from dataclasses import dataclass

from microcrm.postal.clean import MAX_LINE_LENGTH, clean
from microcrm.postal.errors import (
    CITY_MISSING,
    COUNTRY_UNSUPPORTED,
    LINE_TOO_LONG,
    POSTCODE_MALFORMED,
    POSTCODE_MISSING,
)
from microcrm.postal.tables import COUNTRIES, DOMESTIC_COUNTRIES, Country


def is_domestic(country: str) -> bool:
    """R23: empty, FRANCE, FR, the overseas departments... mean no country line.

    Args:
        country: The country as typed.
    """
    return clean(country) in DOMESTIC_COUNTRIES


def foreign_postcode(raw: str, country: Country) -> tuple[str, str]:
    """R24: check a foreign postcode against Table E, dropping a typed country prefix.

    `B-4000` -> `4000`, `CH-1201` -> `1201`, `D-80331` -> `80331`, `1012lg` -> `1012 LG`.

    Returns:
        (postcode as printed, error code or ""). A malformed postcode is printed R3-cleaned.
    """
    cleaned = clean(raw)
    compact = cleaned.replace(" ", "")
    if not compact:
        return "", POSTCODE_MISSING
    if country.pattern.fullmatch(compact):
        return country.format_postcode(compact), ""
    for prefix in country.prefixes:
        rest = compact.removeprefix(prefix)
        if rest != compact and country.pattern.fullmatch(rest):
            return country.format_postcode(rest), ""
    return cleaned, POSTCODE_MALFORMED


@dataclass(frozen=True, slots=True)
class ForeignTail:
    """The lines of a foreign address after its identity lines (R24).

    Attributes:
        lines: Free lines (R3 only), `<postcode> <CITY>`, and the country line.
        errors: Blocking errors; empty when the address is valid.
        postcode: The postcode as printed.
        locality: The city as printed.
        country: The country line.
    """

    lines: tuple[str, ...]
    errors: tuple[str, ...]
    postcode: str
    locality: str
    country: str


def foreign_tail(
    free_lines: tuple[str, str, str], postcode: str, city: str, country: str
) -> ForeignTail:
    """Format the free lines, postcode, city and country of a non-French address (R24).

    Args:
        free_lines: line1, line2 and line3 as typed.
        postcode: The postcode as typed.
        city: The city as typed.
        country: The country as typed (not domestic per `is_domestic`).
    """
    cleaned_country = clean(country)
    known = COUNTRIES.get(cleaned_country)
    errors: list[str] = []
    locality = clean(city)
    if known is None:
        printed = clean(postcode)
        errors.append(COUNTRY_UNSUPPORTED)
        country_line = cleaned_country
    else:
        printed, postcode_error = foreign_postcode(postcode, known)
        if postcode_error:
            errors.append(postcode_error)
        country_line = known.name
    if not locality:
        errors.append(CITY_MISSING)
    cleaned_lines = [clean(line) for line in free_lines]
    city_line = " ".join(part for part in (printed, locality) if part)
    lines = tuple(line for line in (*cleaned_lines, city_line, country_line) if line)
    if any(len(line) > MAX_LINE_LENGTH for line in lines):
        errors.append(LINE_TOO_LONG)
    return ForeignTail(lines, tuple(errors), printed, locality, country_line)
