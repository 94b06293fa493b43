"""Restructuration: classifying free lines (R7), placing them on L2-L5 (R8), merging (R9).

A free line is never split: each one is a single element of one output line. Lines and
elements are R3-cleaned before they get here.
"""

from __future__ import annotations

import re
from enum import Enum
from functools import lru_cache
from typing import Final, NamedTuple

from microcrm.postal.tables import STREET_TYPE_VARIANTS


class Kind(Enum):
    """R7 classes of a free line."""

    SERVICE = "service"
    """Postal service (BP, TSA, CS, POSTE RESTANTE): L5."""
    LIEU_DIT = "lieu_dit"
    """Lieu-dit, marker dropped: L5, or L4 when there is no street."""
    INSIDE = "inside"
    """Delivery point inside the building: L2."""
    OUTSIDE = "outside"
    """Delivery point outside the building: L3."""
    STREET = "street"
    """Number and street: L4."""
    OTHER = "other"
    """Unclassified."""


# R7.3. SCE and DIR, Table C abbreviations of SERVICE and DIRECTION, are also recognised
# [choice] so that a line reduced by R14 is classified the same when normalised again.
INSIDE_WORDS: Final = frozenset(
    {
        "APPARTEMENT", "APPART", "APPT", "APT", "APP", "ETAGE", "ETG", "ESCALIER", "ESC",
        "COULOIR", "PORTE", "CHEZ", "SERVICE", "DIRECTION", "LOGEMENT", "LOG", "SCE", "DIR",
    }
)  # fmt: skip
INSIDE_PHRASES: Final = (("A", "L", "ATTENTION", "DE"), ("BOITE", "AUX", "LETTRES"))
# R7.4, plus ENT and CTRE COMMERCIAL (Table C forms of ENTREE, CENTRE) for the same reason.
OUTSIDE_WORDS: Final = frozenset(
    {
        "BATIMENT", "BAT", "IMMEUBLE", "IMM", "RESIDENCE", "RES", "ENTREE", "TOUR", "ZI",
        "ZA", "ZAC", "ZAE", "ZUP", "ENT",
    }
)  # fmt: skip
OUTSIDE_PHRASES: Final = (
    ("ZONE", "INDUSTRIELLE"),
    ("ZONE", "ARTISANALE"),
    ("ZONE", "D", "ACTIVITES"),
    ("ZONE", "D", "ACTIVITE"),
    ("CENTRE", "COMMERCIAL"),
    ("CTRE", "COMMERCIAL"),
)
_ORDINAL: Final = re.compile(r"\d+(?:ER|ERE|E|EME|IEME|ND|NDE)")
_SERVICE_WORDS: Final = frozenset({"BP", "TSA", "CS"})

# R9: written in full in L2/L3 elements; ZI, ZA, ZAC, ZAE, ZUP stay acronyms.
COMPLEMENT_EXPANSIONS: Final = {
    "APT": "APPARTEMENT",
    "APPT": "APPARTEMENT",
    "APP": "APPARTEMENT",
    "APPART": "APPARTEMENT",
    "BAT": "BATIMENT",
    "ESC": "ESCALIER",
    "ETG": "ETAGE",
    "IMM": "IMMEUBLE",
    "RES": "RESIDENCE",
    "RESID": "RESIDENCE",
    "LOG": "LOGEMENT",
}


def _starts_with(words: list[str], phrases: tuple[tuple[str, ...], ...]) -> bool:
    return any(tuple(words[: len(phrase)]) == phrase for phrase in phrases)


def _is_complement(
    words: list[str], markers: frozenset[str], phrases: tuple[tuple[str, ...], ...]
) -> bool:
    """R7.3/R7.4: marker word first, or a marker phrase, possibly after an ordinal (`3EME`)."""
    if words[0] in markers or _starts_with(words, phrases):
        return True
    rest = words[1:]
    return (
        bool(rest)
        and _ORDINAL.fullmatch(words[0]) is not None
        and (rest[0] in markers or _starts_with(rest, phrases))
    )


def _service(words: list[str]) -> str | None:
    """R7.1: `BOITE POSTALE` and `B P` are written `BP`."""
    if words[:2] == ["BOITE", "POSTALE"] or words[:2] == ["B", "P"]:
        return " ".join(["BP", *words[2:]])
    if words[0] in _SERVICE_WORDS or words[:2] == ["POSTE", "RESTANTE"]:
        return " ".join(words)
    return None


def _lieu_dit(words: list[str]) -> str | None:
    """R7.2: the text after the marker `LIEU DIT`, `LIEUDIT` or `LD`, which is dropped."""
    if words[:2] == ["LIEU", "DIT"]:
        return " ".join(words[2:])
    if words[0] in ("LIEUDIT", "LD"):
        return " ".join(words[1:])
    return None


def _plain_kind(words: list[str]) -> Kind:
    """R7.3-R7.6, once postal services and lieux-dits are ruled out."""
    if _is_complement(words, INSIDE_WORDS, INSIDE_PHRASES):
        return Kind.INSIDE
    if _is_complement(words, OUTSIDE_WORDS, OUTSIDE_PHRASES):
        return Kind.OUTSIDE
    two_words = " ".join(words[:2]) if len(words) > 1 else ""
    if words[0][0].isdigit() or words[0] in STREET_TYPE_VARIANTS:
        return Kind.STREET
    return Kind.STREET if two_words in STREET_TYPE_VARIANTS else Kind.OTHER


@lru_cache(maxsize=1 << 15)
def classify(line: str) -> tuple[Kind, str]:
    """R7: classify an R3-cleaned free line, on whole words, in the rule's order.

    Returns:
        (kind, element): the class and the element's text (`BOITE POSTALE 12` -> `BP 12`,
        the lieu-dit marker dropped).
    """
    words = line.split()
    if not words:
        return Kind.OTHER, ""
    service = _service(words)
    if service is not None:
        return Kind.SERVICE, service
    lieu_dit = _lieu_dit(words)
    if lieu_dit is not None:
        return Kind.LIEU_DIT, lieu_dit
    return _plain_kind(words), line


def expand_complements(text: str) -> str:
    """R9: APT, APPT, APP, APPART -> APPARTEMENT, BAT -> BATIMENT, ESC -> ESCALIER..."""
    return " ".join(COMPLEMENT_EXPANSIONS.get(word, word) for word in text.split())


class Placement(NamedTuple):
    """Free-line elements placed on their lines (R8), in input order within each line.

    Attributes:
        inside: L2 elements.
        outside: L3 elements.
        street: L4 text, "" if none.
        street_formatted: Whether L4 is a street line, formatted by R10-R13; a lieu-dit or
            unclassified line on L4 is kept as written.
        service: L5 elements, postal services first.
    """

    inside: tuple[str, ...]
    outside: tuple[str, ...]
    street: str
    street_formatted: bool
    service: tuple[str, ...]


def _pick_l4(elements: list[tuple[Kind, str]]) -> tuple[int | None, bool]:
    """R8: the first street line; else the first lieu-dit; else the last unclassified line."""
    kinds = [kind for kind, _text in elements]
    for wanted in (Kind.STREET, Kind.LIEU_DIT):
        if wanted in kinds:
            return kinds.index(wanted), wanted is Kind.STREET
    others = [position for position, kind in enumerate(kinds) if kind is Kind.OTHER]
    return (others[-1], False) if others else (None, False)


@lru_cache(maxsize=1 << 15)
def place(lines: tuple[str, ...]) -> Placement:
    """R7 and R8: classify the R3-cleaned free lines and place them on L2-L5.

    Args:
        lines: line1, line2, line3 after R3 (empty ones are ignored).
    """
    elements = [classify(line) for line in lines if line]
    elements = [(kind, text) for kind, text in elements if text]
    l4, formatted = _pick_l4(elements)
    inside: list[str] = []
    outside: list[str] = []
    services: list[str] = []
    others: list[str] = []
    for position, (kind, text) in enumerate(elements):
        if position == l4:
            continue
        if kind is Kind.INSIDE:
            inside.append(text)
        elif kind is Kind.OUTSIDE:
            outside.append(text)
        elif kind is Kind.SERVICE:
            services.append(text)
        elif kind is Kind.LIEU_DIT and formatted:
            others.append(text)
        elif l4 is not None and position < l4:
            outside.append(text)  # unclassified (or a further street line) before L4
        else:
            others.append(text)
    return Placement(
        inside=tuple(inside),
        outside=tuple(outside),
        street=elements[l4][1] if l4 is not None else "",
        street_formatted=formatted,
        service=(*services, *others),
    )
