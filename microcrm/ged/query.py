"""The GED's search syntax, parsed into Whoosh queries.

What users can guess: words (all required), ``"a phrase"``, ``prefix*``
(at least :data:`MIN_PREFIX` letters), ``-exclusion``, ``OR`` (or ``OU``)
between two items, and the filters ``client:`` (name words or id),
``type:``, ``dossier:``, ``tag:`` and ``date:`` (``2025``, ``2025-03``,
``2025-03-14``, ``14/03/2025``, ``2025-01..2025-06``, open ranges
``..2025-06`` or ``2024..``). Accents and case are ignored and words are
stemmed (see :mod:`microcrm.ged.index`). At most :data:`MAX_WORDS` words
are accepted; a longer search is refused with a French message.

Phrases are looked up as pairs of consecutive terms (the ``pair`` field).
A phrase of three terms or more may match pairs that are not contiguous,
so :attr:`ParsedQuery.phrases` lists them for the caller to verify on the
hits it shows.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Final

from whoosh.matching import RequireMatcher
from whoosh.query import And, AndNot, Every, NumericRange, Or, Prefix, Query, Term
from whoosh.query import Require as WhooshRequire

from microcrm.errors import MicroCRMError
from microcrm.ged.index import analyze, compound, fold, fold_prefix, pairs, term

MIN_PREFIX: Final = 4
"""Shorter prefixes expand to hundreds of terms (docs/ged-search.md §2)."""
MAX_WORDS: Final = 50
"""Longer searches are refused: Whoosh nests its matchers one level per term,
so a pasted page of words ends in a RecursionError; no one types 50 words."""
FILTERS: Final = ("client", "type", "dossier", "tag", "date")
_FIELD_RE: Final = re.compile(r"([A-Za-zé]+):(?=\S)")
_DAY_RE: Final = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_FR_DAY_RE: Final = re.compile(r"^(?:(\d{1,2})/)?(\d{1,2})/(\d{4})$")
_FIELD_ALIASES: Final = {"organisation": "client", "doc": "type", "etiquette": "tag"}


class _RequireMatcher(RequireMatcher):  # type: ignore[misc]
    """Whoosh's ``RequireMatcher`` without its crash after a quality skip.

    After skipping blocks of the scored side, Whoosh re-aligns both sides
    unconditionally and asserts they differ: when the skip lands on a
    document the filter also has, it fails.
    """

    def skip_to_quality(self, minquality: float) -> int:
        skipped = int(self.a.skip_to_quality(minquality))
        if self.a.is_active() and self.b.is_active() and self.a.id() != self.b.id():
            self.child._find_next()
        return skipped


class Require(WhooshRequire):  # type: ignore[misc]
    """``a`` scored, ``b`` required but not scored (a filter)."""

    matcherclass = _RequireMatcher

    def matcher(self, searcher: Any, context: Any = None) -> _RequireMatcher:
        scored = self.a.matcher(searcher, context)
        required = self.b.matcher(searcher, searcher.boolean_context())
        return _RequireMatcher(scored, required)


class QuerySyntaxError(MicroCRMError):
    """The search text cannot be understood; the message says why, in French."""


def _check_length(count: int) -> None:
    """Refuse more than :data:`MAX_WORDS` words (whole search, one phrase or one filter)."""
    if count > MAX_WORDS:
        raise QuerySyntaxError(
            f"Recherche trop longue ({count} mots, {MAX_WORDS} au plus) : gardez les mots "
            "les plus distinctifs."
        )


@dataclass
class ParsedQuery:
    """A parsed search: the Whoosh query and what the snippets should highlight."""

    query: Query
    terms: set[str] = field(default_factory=set)
    prefixes: list[str] = field(default_factory=list)
    phrases: list[list[str]] = field(default_factory=list)
    scored: bool = True
    """False when only filters or exclusions were given (no ranking words)."""


@dataclass
class _Item:
    negated: bool
    field: str | None
    value: str
    quoted: bool


def _scan(text: str) -> list[_Item | str]:
    """Items and ``"OR"`` markers of the search text, left to right."""
    out: list[_Item | str] = []
    pos, size = 0, len(text)
    while pos < size:
        if text[pos].isspace():
            pos += 1
            continue
        negated = text[pos] == "-" and pos + 1 < size and not text[pos + 1].isspace()
        if negated:
            pos += 1
        name: str | None = None
        match = _FIELD_RE.match(text, pos)
        if match:
            candidate = fold(match.group(1))
            candidate = _FIELD_ALIASES.get(candidate, candidate)
            if candidate in FILTERS:
                name = candidate
                pos = match.end()
        if pos < size and text[pos] == '"':
            end = text.find('"', pos + 1)
            end = size if end < 0 else end
            out.append(_Item(negated, name, text[pos + 1 : end], True))
            pos = end + 1
            continue
        end = pos
        while end < size and not text[end].isspace():
            end += 1
        word = text[pos:end]
        pos = end
        if word in ("OR", "OU", "|") and not negated and name is None:
            out.append("OR")
        else:
            out.append(_Item(negated, name, word, False))
    return out


def _word_query(terms: list[str], parsed: ParsedQuery, reference: str = "") -> Query | None:
    """One word, a reference like ``F2025-00042`` (one term), or a phrase.

    A phrase is the pairs of its word terms plus its numbers as plain terms;
    unless it is exactly one pair of words, the hits shown are checked on
    their text (:attr:`ParsedQuery.phrases`).
    """
    if not terms:
        return None
    _check_length(len(terms))
    parsed.terms.update(terms)
    if reference:
        return Term("body", reference)
    if len(terms) == 1:
        return Term("body", terms[0])
    keys = pairs(terms)
    covered = {t for key in keys for t in key.split(" ")}
    alone = [t for t in terms if t not in covered]
    if len(terms) > 2 or alone:
        parsed.phrases.append(terms)
    return And([Term("pair", p) for p in keys] + [Term("body", t) for t in alone])


def _prefix_query(value: str, parsed: ParsedQuery) -> Query:
    stem = fold_prefix(value, MIN_PREFIX)
    letters = re.sub(r"[^\w]", "", stem)
    if len(letters) < MIN_PREFIX:
        raise QuerySyntaxError(
            f"Préfixe trop court : « {value}* ». Tapez au moins {MIN_PREFIX} caractères "
            "avant l'astérisque."
        )
    parsed.prefixes.append(stem)
    # Scored (not constant): the expansion's terms keep their block quality.
    prefix = Prefix("body", stem, constantscore=False)
    whole = term(value) if value.isalpha() else ""
    if whole and not whole.startswith(stem):
        # A whole word whose stem is shorter than the prefix typed (« devis* »
        # is indexed as « dev », « rennes* » as « ren »): the word itself too.
        parsed.terms.add(whole)
        return Or([prefix, Term("body", whole)])
    return prefix


def _day(text: str, *, end: bool) -> int:
    """``2025`` / ``2025-03`` / ``2025-03-14`` / ``14/03/2025`` as YYYYMMDD (first or last day)."""
    match = _DAY_RE.match(text)
    if match:
        year, month, day = match.group(1), match.group(2), match.group(3)
    else:
        fr = _FR_DAY_RE.match(text)
        if not fr:
            raise ValueError(text)
        day, month, year = fr.group(1), fr.group(2), fr.group(3)
    y = int(year)
    if month is None:
        m, d = (12, 31) if end else (1, 1)
    elif day is None:
        m = int(month)
        d = calendar.monthrange(y, m)[1] if end else 1
    else:
        m, d = int(month), int(day)
    dt.date(y, m, d)  # raises ValueError for 2025-02-30
    return y * 10000 + m * 100 + d


def date_range(value: str) -> tuple[int | None, int | None]:
    """The YYYYMMDD bounds of a ``date:`` value (None for an open end).

    Raises:
        QuerySyntaxError: the value is not a date, a month, a year or a range of them.
    """
    try:
        if ".." in value:
            low, high = value.split("..", 1)
            start = _day(low, end=False) if low else None
            stop = _day(high, end=True) if high else None
            if start is None and stop is None:
                raise ValueError(value)
            if start is not None and stop is not None and start > stop:
                raise ValueError(value)
            return start, stop
        return _day(value, end=False), _day(value, end=True)
    except ValueError:
        raise QuerySyntaxError(
            f"Date incomprise : « {value} ». Écrivez par exemple date:2025, date:2025-03, "
            "date:14/03/2025 ou date:2025-01..2025-06."
        ) from None


def date_query(start: int | None, stop: int | None) -> Query:
    """Whole years or months as ``period`` terms (one lookup each), else a numeric range."""
    if start is not None and stop is not None:
        (y1, m1, d1), (y2, m2, d2) = _split(start), _split(stop)
        if (m1, d1, m2, d2) == (1, 1, 12, 31) and y2 - y1 < 20:
            return _one(Or, [Term("period", str(y)) for y in range(y1, y2 + 1)])
        last = calendar.monthrange(y2, m2)[1]
        months = (y2 - y1) * 12 + m2 - m1
        if d1 == 1 and d2 == last and months < 36:
            terms = []
            for k in range(m1 - 1, m1 + months):
                terms.append(Term("period", f"{y1 + k // 12}-{k % 12 + 1:02d}"))
            return _one(Or, terms)
    return NumericRange("date", start or 10101, stop or 99991231)


def _split(key: int) -> tuple[int, int, int]:
    year, rest = divmod(key, 10000)
    return year, rest // 100, rest % 100


def _filter_query(item: _Item) -> Query:
    value = item.value.strip()
    if not value:
        raise QuerySyntaxError(f"Valeur manquante après « {item.field}: ».")
    if item.field == "date":
        return date_query(*date_range(value))
    if item.field == "client" and value.isdigit():
        return Term("org", value)
    name = "tag" if item.field == "tag" else str(item.field)
    terms = analyze(value.replace("_", " "))
    _check_length(len(terms))
    queries: list[Query] = [Term(name, t) for t in terms]
    if item.field == "type":
        collapsed = term(re.sub(r"[\W_]", "", fold(value)))
        if collapsed and [collapsed] != terms:
            alternative = Term("type", collapsed)
            return Or([And(queries), alternative]) if queries else alternative
    if not queries:
        raise QuerySyntaxError(f"« {item.field}:{value} » ne contient aucun mot cherchable.")
    return queries[0] if len(queries) == 1 else And(queries)


def _item_query(item: _Item, parsed: ParsedQuery, *, positive: bool) -> Query | None:
    if item.field is not None:
        return _filter_query(item)
    value = item.value
    if not item.quoted and value.endswith("*") and value.rstrip("*") and "*" not in value[:-1]:
        if not positive:
            return _prefix_query(value.rstrip("*"), ParsedQuery(Every()))
        return _prefix_query(value.rstrip("*"), parsed)
    terms = analyze(value)
    reference = "" if item.quoted else compound(value.strip(".,;:!?()[]«»"))
    return _word_query(terms, parsed if positive else ParsedQuery(Every()), reference)


def parse_query(text: str) -> ParsedQuery:
    """Parse the search text into a Whoosh query.

    Raises:
        QuerySyntaxError: empty search, more than :data:`MAX_WORDS` words, prefix
            too short, bad date or empty filter.
    """
    _check_length(sum(1 for word in text.split() if word not in ("OR", "OU", "|")))
    parsed = ParsedQuery(Every())
    groups: list[list[Query]] = []
    ranked: list[bool] = []
    excluded: list[Query] = []
    join_next = False
    for token in _scan(text):
        if token == "OR":
            join_next = bool(groups)
            continue
        assert isinstance(token, _Item)
        if token.negated:
            q = _item_query(token, parsed, positive=False)
            if q is not None:
                excluded.append(q)
            join_next = False
            continue
        q = _item_query(token, parsed, positive=True)
        if q is None:
            join_next = False
            continue
        if join_next:
            groups[-1].append(q)
            ranked[-1] = ranked[-1] or token.field is None
        else:
            groups.append([q])
            ranked.append(token.field is None)
        join_next = False
    if not groups and not excluded:
        raise QuerySyntaxError(
            "Recherche vide : tapez un ou plusieurs mots (les mots trop courants comme "
            "« le », « de » sont ignorés)."
        )
    words = [_one(Or, g) for g, r in zip(groups, ranked, strict=True) if r]
    filters = [_one(Or, g) for g, r in zip(groups, ranked, strict=True) if not r]
    query: Query
    if words and filters:
        # Filters must match but do not score: the ranking words keep their block
        # quality, so the top hits are found without scoring every match.
        query = Require(_one(And, words), _one(And, filters))
    elif words or filters:
        query = _one(And, words or filters)
    else:
        query = Every()
    if excluded:
        query = AndNot(query, _one(Or, excluded))
    parsed.query = query
    parsed.scored = bool(words)
    return parsed


def _one(kind: type[And] | type[Or], queries: list[Query]) -> Query:
    return queries[0] if len(queries) == 1 else kind(queries)
