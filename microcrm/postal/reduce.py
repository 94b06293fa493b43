"""Reduction of over-long lines: R13 (line 4) and R14 (lines 1, 2, 3 and 5).

Both rules go step by step, left to right, one word at a time, and stop as soon as the line
fits in 38 characters (R2). A line is a list of tokens; a step yields `Op`s that replace or
delete tokens.

Idempotence [choice]. R12 and R9 write some abbreviations in full again (`BD` -> BOULEVARD,
`APP` -> APPARTEMENT), so a reduced line fed back in is re-expanded and reduced again. If a
later step (say S7) also had to run, the second reduction could stop earlier and give a
different line. To make normalising a normalised address a no-op, the result keeps every
irreversible change of the literal run and then only the shortest prefix of its reversible
changes that makes the line fit. When the literal run stops within reversible steps (the
usual case, and both examples of R13) the result is exactly the literal one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Final

from microcrm.postal.clean import MAX_LINE_LENGTH
from microcrm.postal.tables import (
    FIRST_NAMES,
    OTHER_WORD_ABBREVIATIONS,
    STREET_TYPE_ABBREVIATIONS,
    TITLE_ABBREVIATIONS,
)

Tokens = list[str | None]
"""A line being reduced: words, or None where a word was deleted or merged."""

# R13 S5 / R19.
_SAINTS: Final = {"SAINT": "ST", "SAINTE": "STE", "SAINTS": "STS", "SAINTES": "STES"}
# R13 S4 keeps a first name after these. `S` is SAINT reduced by S7 [choice]: a first name
# kept after SAINT on the first pass must be kept when the result is normalised again.
_SAINT_WORDS: Final = frozenset({"SAINT", "SAINTE", "ST", "STE", "S"})
# R13 S6: never DE or D, which belong to surnames such as DE GAULLE.
_ARTICLES: Final = frozenset({"LE", "LA", "LES", "L", "DU", "DES", "AU", "AUX"})
# R14 step 1.
CIVILITIES: Final = {
    "MONSIEUR": "M",
    "MADAME": "MME",
    "MADEMOISELLE": "MLLE",
    "MESSIEURS": "MM",
    "MESDAMES": "MMES",
    "DOCTEUR": "DR",
    "MAITRE": "ME",
}
# R9 writes these Table C abbreviations in full again on L2/L3 (APP -> APPARTEMENT, ...).
R9_EXPANDED: Final = frozenset(
    {"APPARTEMENT", "BATIMENT", "ESCALIER", "ETAGE", "IMMEUBLE", "RESIDENCE", "LOGEMENT"}
)


@dataclass(frozen=True, slots=True)
class Op:
    """Replace `tokens[start]` by `replacement` (None deletes it) and delete up to `end`.

    Attributes:
        start: First token changed.
        end: One past the last token changed.
        replacement: New word, or None to delete.
        reversible: Whether normalising the result again writes the word in full again
            (R9, R12), which the idempotent replay must know.
    """

    start: int
    end: int
    replacement: str | None
    reversible: bool


Step = Callable[[Tokens], Iterator[Op]]


def joined(tokens: Tokens) -> str:
    """Return the line: remaining tokens joined by one space."""
    return " ".join(token for token in tokens if token)


def fits(tokens: Tokens) -> bool:
    """R2: whether the line holds in 38 characters."""
    words = [token for token in tokens if token]
    return sum(map(len, words)) + len(words) - 1 <= MAX_LINE_LENGTH


def _apply(tokens: Tokens, op: Op) -> None:
    tokens[op.start] = op.replacement
    for position in range(op.start + 1, op.end):
        tokens[position] = None


def _replay(original: Sequence[str], applied: list[Op]) -> str:
    """Keep the irreversible changes, then the fewest reversible ones (see module docstring).

    A reversible change later overwritten by an irreversible one (NOTRE DAME -> ND -> N) is
    pinned: it can no longer be undone by re-expansion.
    """
    writer: dict[int, int] = {}
    pinned: set[int] = set()
    for number, op in enumerate(applied):
        for position in range(op.start, op.end):
            previous = writer.get(position)
            if not op.reversible and previous is not None and applied[previous].reversible:
                pinned.add(previous)
            writer[position] = number
    tokens: Tokens = list(original)
    for number, op in enumerate(applied):
        if not op.reversible or number in pinned:
            _apply(tokens, op)
    for number, op in enumerate(applied):
        if fits(tokens):
            break
        if op.reversible and number not in pinned:
            _apply(tokens, op)
    return joined(tokens)


def reduce_tokens(
    tokens: Sequence[str],
    steps: Sequence[Step],
    accept: Callable[[Tokens], bool] | None = None,
) -> tuple[str, bool]:
    """Run `steps` in order until the line fits (R13, R14).

    Args:
        tokens: The line's words in full form.
        steps: Candidate generators, in rule order; each scans the current tokens left to
            right.
        accept: Optional veto on a candidate result (used to keep a free line's R7 class).

    Returns:
        (line, fits): the reduced line and whether it holds in 38 characters. When it does
        not, the line is reduced as far as the steps go (`line_too_long`).
    """
    if fits(list(tokens)):
        return " ".join(tokens), True
    current: Tokens = list(tokens)
    applied: list[Op] = []
    for step in steps:
        for op in step(current):
            if accept is not None:
                trial = list(current)
                _apply(trial, op)
                if not accept(trial):
                    continue
            _apply(current, op)
            applied.append(op)
            if fits(current):
                return _replay(tokens, applied), True
    return joined(current), False


@dataclass(frozen=True, slots=True)
class StreetLayout:
    """Where things are in an L4 token list (R13).

    Attributes:
        first: First token of the label (after the house number and index).
        last: The "mot directeur", last word of the label: never abbreviated or removed.
        type_position: Position of the street type token, None if the label has no type.
    """

    first: int
    last: int
    type_position: int | None

    def words(self, tokens: Tokens, *, keep_first: bool = False) -> Iterator[int]:
        """Yield positions of live label words, type and mot directeur excluded.

        Args:
            tokens: The current tokens (read lazily, as earlier ops change them).
            keep_first: Skip the label's first word when it has no type [choice]: reduced
                to an initial it would read as a repetition index (`10 R ...` is RUE, R11),
                and deleting an article there can expose a street type, so normalising the
                result again would not give the same line.
        """
        start = self.first + 1 if keep_first and self.type_position is None else self.first
        for position in range(start, self.last):
            if position != self.type_position and tokens[position] is not None:
                yield position


def _next_word(tokens: Tokens, position: int, last: int) -> int | None:
    for following in range(position + 1, last):
        if tokens[following] is not None:
            return following
    return None


def _previous_word(tokens: Tokens, position: int) -> str | None:
    for previous in range(position - 1, -1, -1):
        if tokens[previous] is not None:
            return tokens[previous]
    return None


def _s1_type(layout: StreetLayout, tokens: Tokens) -> Iterator[Op]:
    """S1: street type -> Table A abbreviation (RUE, QUAI, CITE, VOIE are unchanged)."""
    position = layout.type_position
    if position is not None and position != layout.last:
        word = tokens[position] or ""
        abbreviation = STREET_TYPE_ABBREVIATIONS.get(word, word)
        if abbreviation != word:
            yield Op(position, position + 1, abbreviation, reversible=True)


def _s2_titles(layout: StreetLayout, tokens: Tokens) -> Iterator[Op]:
    """S2: titles -> Table B abbreviation, NOTRE DAME -> ND."""
    for position in layout.words(tokens):
        word = tokens[position]
        if word == "NOTRE":
            following = _next_word(tokens, position, layout.last)
            if following is not None and tokens[following] == "DAME":
                yield Op(position, following + 1, "ND", reversible=True)
        elif word is not None and word in TITLE_ABBREVIATIONS:
            yield Op(position, position + 1, TITLE_ABBREVIATIONS[word], reversible=True)


def _s3_other_words(layout: StreetLayout, tokens: Tokens) -> Iterator[Op]:
    """S3: other words -> Table C abbreviation (R12 never writes them in full again)."""
    for position in layout.words(tokens):
        word = tokens[position] or ""
        if word in OTHER_WORD_ABBREVIATIONS:
            yield Op(position, position + 1, OTHER_WORD_ABBREVIATIONS[word], reversible=False)


def _s4_first_names(layout: StreetLayout, tokens: Tokens) -> Iterator[Op]:
    """S4: Table D first names -> initial, except directly after SAINT/SAINTE/ST/STE."""
    for position in layout.words(tokens, keep_first=True):
        word = tokens[position] or ""
        if word in FIRST_NAMES and _previous_word(tokens, position) not in _SAINT_WORDS:
            yield Op(position, position + 1, word[0], reversible=False)


def _s5_saints(layout: StreetLayout, tokens: Tokens) -> Iterator[Op]:
    """S5: SAINT -> ST, SAINTE -> STE, SAINTS -> STS, SAINTES -> STES."""
    for position in layout.words(tokens):
        word = tokens[position] or ""
        if word in _SAINTS:
            # R12 writes ST and STE in full again, not STS and STES (Table B).
            reversible = word in ("SAINT", "SAINTE")
            yield Op(position, position + 1, _SAINTS[word], reversible)


def _s6_articles(layout: StreetLayout, tokens: Tokens) -> Iterator[Op]:
    """S6: delete LE, LA, LES, L, DU, DES, AU, AUX (never DE or D)."""
    for position in layout.words(tokens, keep_first=True):
        if tokens[position] in _ARTICLES:
            yield Op(position, position + 1, None, reversible=False)


def _s7_initials(layout: StreetLayout, tokens: Tokens) -> Iterator[Op]:
    """S7: the remaining alphabetic words of 2+ letters (not the type) -> initial."""
    for position in layout.words(tokens, keep_first=True):
        word = tokens[position] or ""
        if len(word) >= 2 and word.isalpha():
            yield Op(position, position + 1, word[0], reversible=False)


_STREET_STEPS: Final = (
    _s1_type,
    _s2_titles,
    _s3_other_words,
    _s4_first_names,
    _s5_saints,
    _s6_articles,
    _s7_initials,
)


def street_steps(layout: StreetLayout) -> tuple[Step, ...]:
    """Return R13 steps S1-S7 for an L4 laid out as `layout`."""
    return tuple(partial(step, layout) for step in _STREET_STEPS)


def other_line_steps(expandable_from: int | None) -> tuple[Step, ...]:
    """Return R14 steps for L1, L2, L3 or L5.

    Args:
        expandable_from: Position from which R9 writes APP, BAT... in full again (L2/L3
            elements, after the person's name on a company's L2); None on L1 and L5.
    """

    def civilities(tokens: Tokens) -> Iterator[Op]:
        for position, word in enumerate(tokens):
            if word in CIVILITIES:
                yield Op(position, position + 1, CIVILITIES[word], reversible=False)

    def other_words(tokens: Tokens) -> Iterator[Op]:
        for position, word in enumerate(tokens):
            if word is not None and word in OTHER_WORD_ABBREVIATIONS:
                reversible = (
                    expandable_from is not None
                    and position >= expandable_from
                    and word in R9_EXPANDED
                )
                yield Op(position, position + 1, OTHER_WORD_ABBREVIATIONS[word], reversible)

    def first_names(tokens: Tokens) -> Iterator[Op]:
        last = max((p for p, word in enumerate(tokens) if word is not None), default=-1)
        for position in range(last):
            word = tokens[position]
            if word in FIRST_NAMES:
                yield Op(position, position + 1, word[0], reversible=False)

    return (civilities, other_words, first_names)
