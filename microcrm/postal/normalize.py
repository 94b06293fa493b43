"""Public entry point of the RNVP-style normaliser: `normalize_address` (NF Z10-011 rules).

Pipeline for a French address: R3 on every field, R6-R9 (restructure.py), R10-R13 for L4
(street.py, reduce.py), R14 and R19 for the other lines, R16-R22 and R25-R26 for L6
(locality.py), and R2's 38-character check. Foreign addresses follow R23-R24 (foreign.py).
Every step is cached on its cleaned input, which keeps batch runs and the live editor fast.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Final, Literal

from microcrm.postal.clean import MAX_LINE_LENGTH, clean
from microcrm.postal.errors import (
    BLOCKING_CODES,
    CITY_MISSING,
    CORRECTION_CODES,
    LINE_TOO_LONG,
)
from microcrm.postal.foreign import foreign_tail, is_domestic
from microcrm.postal.locality import LocalityResult, abbreviate_saints, resolve_locality
from microcrm.postal.reduce import Tokens, joined, other_line_steps, reduce_tokens
from microcrm.postal.reference import PostalReference, load_reference
from microcrm.postal.restructure import Kind, classify, expand_complements, place
from microcrm.postal.street import format_street

Status = Literal["valid", "corrected", "invalid"]

_ORDER: Final = {code: rank for rank, code in enumerate((*CORRECTION_CODES, *BLOCKING_CODES))}


@dataclass(frozen=True, slots=True)
class AddressInput:
    """An address as typed: every field is free text and may be empty.

    Attributes:
        name: Person: civility, first name, surname.
        company: Raison sociale, for a company address.
        line1: First free line (street, building, BP, lieu-dit... in any order).
        line2: Second free line.
        line3: Third free line.
        postcode: Postcode (French or foreign).
        city: City, possibly with CEDEX and office number.
        country: Country; empty for France.
    """

    name: str = ""
    company: str = ""
    line1: str = ""
    line2: str = ""
    line3: str = ""
    postcode: str = ""
    city: str = ""
    country: str = ""


@dataclass(frozen=True, slots=True)
class NormalizedAddress:
    """A normalised address and its validation result (R25).

    Attributes:
        lines: The address lines, most specific first, no blank line (R1).
        status: `valid` (deliverable, only the form changed), `corrected` (deliverable after
            data corrections listed in `errors`) or `invalid` (blocking codes in `errors`).
        errors: Error codes of the rule sheet, in a fixed order.
        postcode: Postcode as printed, "" if none.
        locality: Locality as printed, without the CEDEX suffix.
        cedex: Whether the last line is a CEDEX line.
        country: Country line for a foreign address, "" for France.
    """

    lines: tuple[str, ...]
    status: Status
    errors: tuple[str, ...]
    postcode: str
    locality: str
    cedex: bool
    country: str


def _ordered(codes: list[str]) -> tuple[str, ...]:
    if len(codes) < 2:
        return tuple(codes)
    return tuple(sorted(set(codes), key=_ORDER.__getitem__))


def _reduce_free_line(tokens: list[str], expandable_from: int | None) -> tuple[str, bool]:
    line = " ".join(tokens)
    if len(line) <= MAX_LINE_LENGTH:
        return line, True
    kind: Kind = classify(line)[0]

    def keeps_class(trial: Tokens) -> bool:
        return classify(joined(trial))[0] is kind

    return reduce_tokens(tokens, other_line_steps(expandable_from), keeps_class)


@lru_cache(maxsize=1 << 15)
def format_identity(text: str) -> tuple[str, bool]:
    """R14 for an identity line (L1, or the name on a company's L2): civilities first."""
    if len(text) <= MAX_LINE_LENGTH:
        return text, True
    return reduce_tokens(text.split(), other_line_steps(None))


@lru_cache(maxsize=1 << 15)
def format_complement(name: str, elements: tuple[str, ...]) -> tuple[str, bool]:
    """R9 then R14 for L2 or L3: the person's name first, then the elements in full words.

    Args:
        name: The person's name opening a company's L2 (R6), "" otherwise.
        elements: The line's elements in input order.
    """
    name_words = name.split()
    words = [*name_words, *expand_complements(" ".join(elements)).split()]
    if name_words:
        line = " ".join(words)
        if len(line) <= MAX_LINE_LENGTH:
            return line, True
        return reduce_tokens(words, other_line_steps(len(name_words)))
    return _reduce_free_line(words, 0)


@lru_cache(maxsize=1 << 15)
def format_service(elements: tuple[str, ...]) -> tuple[str, bool]:
    """R15, R19 and R14 for L5: SAINT -> ST when another word follows, then reduction."""
    return _reduce_free_line(abbreviate_saints(" ".join(elements).split()), None)


def _street_line(text: str, formatted: bool) -> tuple[str, bool]:
    if formatted:
        return format_street(text)
    return text, len(text) <= MAX_LINE_LENGTH  # lieu-dit on L4: as written (R8)


def _line6(postcode: str, locality: str, cedex: str) -> str:
    line = f"{postcode} {locality}".strip()
    return f"{line} {cedex}".strip() if cedex else line


def _domestic_lines(addr: AddressInput) -> list[tuple[str, bool]]:
    """R6-R15: the non-empty lines among L1 to L5, as (text, fits)."""
    name, company = clean(addr.name), clean(addr.company)
    placement = place((clean(addr.line1), clean(addr.line2), clean(addr.line3)))
    person = name if company else ""
    formatted = []
    if company or name:
        formatted.append(format_identity(company or name))
    if person or placement.inside:
        formatted.append(format_complement(person, placement.inside))
    if placement.outside:
        formatted.append(format_complement("", placement.outside))
    if placement.street:
        formatted.append(_street_line(placement.street, placement.street_formatted))
    if placement.service:
        formatted.append(format_service(placement.service))
    return formatted


def _finish_domestic(
    lines: list[str], too_long: bool, locality: LocalityResult
) -> NormalizedAddress:
    """R25, R26: pick the L6 form, the status and the error list."""
    blocking = list(locality.blocking)
    if too_long:
        blocking.append(LINE_TOO_LONG)
    if not blocking:
        line6 = _line6(locality.postcode, locality.locality, locality.cedex)
        if len(line6) <= MAX_LINE_LENGTH:
            errors = _ordered(list(locality.corrections))
            return NormalizedAddress(
                lines=(*lines, line6),
                status="corrected" if errors else "valid",
                errors=errors,
                postcode=locality.postcode,
                locality=locality.locality,
                cedex=bool(locality.cedex),
                country="",
            )
        blocking.append(LINE_TOO_LONG)
    # R26: all formatting rules, no data correction.
    if locality.city_missing:
        blocking.append(CITY_MISSING)
    line6 = _line6(locality.postcode, locality.typed_locality, locality.typed_cedex)
    if len(line6) > MAX_LINE_LENGTH:
        blocking.append(LINE_TOO_LONG)
    return NormalizedAddress(
        lines=(*lines, line6) if line6 else tuple(lines),
        status="invalid",
        errors=_ordered(blocking),
        postcode=locality.postcode,
        locality=locality.typed_locality,
        cedex=bool(locality.typed_cedex),
        country="",
    )


def _foreign(addr: AddressInput) -> NormalizedAddress:
    """R24: identity (R6), free lines in input order (R3 only), `<postcode> <CITY>`, country."""
    name, company = clean(addr.name), clean(addr.company)
    identity = [format_identity(text) for text in (company, name) if text]
    tail = foreign_tail(
        (addr.line1, addr.line2, addr.line3), addr.postcode, addr.city, addr.country
    )
    errors = list(tail.errors)
    if not all(fits for _text, fits in identity):
        errors.append(LINE_TOO_LONG)
    return NormalizedAddress(
        lines=(*(text for text, _fits in identity), *tail.lines),
        status="invalid" if errors else "valid",
        errors=_ordered(errors),
        postcode=tail.postcode,
        locality=tail.locality,
        cedex=False,
        country=tail.country,
    )


def clear_caches() -> None:
    """Empty the memo caches of every normalisation step (benchmarks, reference reloads)."""
    for cached in (
        clean,
        classify,
        place,
        format_street,
        format_identity,
        format_complement,
        format_service,
        resolve_locality,
    ):
        cached.cache_clear()


def normalize_address(
    addr: AddressInput, reference: PostalReference | None = None
) -> NormalizedAddress:
    """Restructure, normalise and validate one address (rules R1-R27).

    Args:
        addr: The address as typed.
        reference: Postcode reference; the shared one (`load_reference()`) by default.

    Returns:
        The address lines (at most 6 in France, 7 abroad, each meant to hold 38 characters
        of A-Z, 0-9 and spaces) with the status and error codes.
    """
    if addr.country and not is_domestic(addr.country):
        return _foreign(addr)
    lines: list[str] = []
    too_long = False
    for text, fits in _domestic_lines(addr):
        lines.append(text)
        too_long = too_long or not fits
    locality = resolve_locality(addr.postcode, addr.city, reference or load_reference())
    return _finish_domestic(lines, too_long, locality)
