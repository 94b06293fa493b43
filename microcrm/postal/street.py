"""Line 4: house number (R10), repetition index (R11), full words (R12), reduction (R13).

There is no street directory (Hexavia): a street is formatted, never validated (R27).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

from microcrm.postal.reduce import StreetLayout, reduce_tokens, street_steps
from microcrm.postal.tables import STREET_TYPE_VARIANTS, TITLE_EXPANSIONS

# R10/R11: a house number, possibly glued to its index (`12TER`, `3B`).
_NUMBER: Final = re.compile(r"(\d+)([A-Z]*)")
# R10: the second number of a range (`15/17` is `15 17` after R3).
_RANGE_END: Final = re.compile(r"\d+(?:BIS|TER|QUATER|QUINQUIES|[A-Z])?")
_RANGE_WORDS: Final = frozenset({"A", "AU", "ET"})
# R11 [choice: SNA form]: the index is written as one letter.
REPETITION_INDEXES: Final = {"BIS": "B", "TER": "T", "QUATER": "Q", "QUINQUIES": "C"}
# An elided article (L', D') looks like a letter index: `1 L ESPLANADE`, `4 D ARTAGNAN`.
_ELIDED: Final = frozenset({"L", "D"})
_VOWELS: Final = frozenset("AEIOUYH")


def _drop_range(words: list[str]) -> list[str]:
    """R10: keep the first number of a range (`15 17`, `23 25`, `4 A 8`, `4 AU 8`, `4 ET 6`).

    Only numbers followed by more words are range ends, and a chain (`1 2 3 RUE X`) is
    dropped whole, so that the result reads the same when normalised again.
    """
    while True:
        if len(words) > 1 and _RANGE_END.fullmatch(words[0]):
            words = words[1:]
        elif len(words) > 2 and words[0] in _RANGE_WORDS and _RANGE_END.fullmatch(words[1]):
            words = words[2:]
        else:
            return words


def _is_index_letter(words: list[str]) -> bool:
    """R11: a single letter after the number is an index, except `R` (RUE) [and L', D']."""
    word = words[0]
    if len(word) != 1 or not word.isalpha() or word == "R":
        return False
    elided = word in _ELIDED and len(words) > 1 and words[1][0] in _VOWELS
    return not elided


def split_number(words: list[str]) -> tuple[str, str, list[str]]:
    """R10 and R11: split the house number and its repetition index off a street line.

    Args:
        words: The R3-cleaned words of a street line.

    Returns:
        (number, index, rest): number without leading zeros or "", index letter or "",
        and the remaining words (the label).
    """
    match = _NUMBER.fullmatch(words[0]) if words else None
    if match is None:
        return "", "", words
    digits, suffix = match.groups()
    rest = words[1:]
    index = ""
    if suffix in REPETITION_INDEXES:
        index = REPETITION_INDEXES[suffix]
    elif suffix == "R":
        rest = ["R", *rest]
    elif len(suffix) == 1:
        index = suffix
    elif suffix:
        return "", "", words  # 3EME, 1ER: an ordinal opening the label, not a number
    rest = _drop_range(rest)
    if not index and rest:
        if rest[0] in REPETITION_INDEXES:
            index, rest = REPETITION_INDEXES[rest[0]], rest[1:]
        elif _is_index_letter(rest):
            index, rest = rest[0], rest[1:]
    return str(int(digits)), index, rest


def split_type(words: list[str]) -> tuple[str, list[str]]:
    """R12: recognise a leading street type (Table A, one or two words), in full form."""
    if len(words) >= 2:
        full = STREET_TYPE_VARIANTS.get(f"{words[0]} {words[1]}")
        if full is not None:
            return full, words[2:]
    if words and words[0] in STREET_TYPE_VARIANTS:
        return STREET_TYPE_VARIANTS[words[0]], words[1:]
    return "", words


def expand_titles(words: list[str]) -> list[str]:
    """R12: write Table B titles in full (`GAL` -> GENERAL, `ST` -> SAINT, `ND` -> NOTRE DAME).

    The last word, the mot directeur, is left as typed [choice]: a title always precedes a
    name, and `RUE DE L AMI` must not become `RUE DE L AMIRAL`.
    """
    expanded: list[str] = []
    last = len(words) - 1
    for position, word in enumerate(words):
        full = TITLE_EXPANSIONS.get(word) if position < last else None
        if full is None:
            expanded.append(word)
        else:
            expanded.extend(full.split())
    return expanded


@lru_cache(maxsize=1 << 15)
def format_street(line: str) -> tuple[str, bool]:
    """Format an R3-cleaned street line per R10-R13.

    `5 bis av. du Gal de Gaulle` (after R3) -> `5 B AVENUE DU GENERAL DE GAULLE`;
    `15 BOULEVARD DU MARECHAL DE LATTRE DE TASSIGNY` -> `15 BD DU MAL DE LATTRE DE TASSIGNY`.

    Args:
        line: The street line, already cleaned per R3.

    Returns:
        (line, fits): the formatted L4 and whether it holds in 38 characters (R13).
    """
    number, index, rest = split_number(line.split())
    street_type, label = split_type(rest)
    tokens = [word for word in (number, index) if word]
    first = len(tokens)
    if street_type:
        tokens.append(street_type)
    tokens.extend(expand_titles(label))
    layout = StreetLayout(
        first=first,
        last=max(len(tokens) - 1, first),
        type_position=first if street_type else None,
    )
    return reduce_tokens(tokens, street_steps(layout))
