"""The GED's Whoosh index: schema, French analysis chain and the document writer.

The analysis chain is built by hand (docs/ged-search.md §2): lower case →
French stop list (accented, so before folding) → accent folding, with
``œ→oe`` and ``æ→ae`` that ``accent_map`` lacks → French Snowball stemmer.
Folding before stemming makes *élevé*, *élève* and *eleve* meet. Words are
analysed once and cached, which makes the chain about twenty times faster
than Whoosh's composed filters (one stemmer call costs ~20 µs).

Schema choices that keep searches fast at 100,000 documents:

- One ``body`` field (title ×3, file name, client, extracted text, and
  references such as ``F2025-00042`` whole) with frequencies but no
  positions: one posting list per word. Phrases are answered by ``pair``,
  which holds each pair of consecutive word terms as one term, so a phrase
  query is a term lookup instead of a positional scan.
- Client, type, dossier, tags and date (a number, plus year and month
  terms in ``period``: ``2025``, ``2025-03``) are exact terms that the
  search AND-s into the query; the body text is *not* stored: snippets are
  built from the text cache of the content store for the hits shown.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, Final

from whoosh.analysis import Composable, Token
from whoosh.fields import ID, NUMERIC, FieldType, Schema
from whoosh.formats import Frequency
from whoosh.lang import stemmer_for_language, stopwords_for_language
from whoosh.writing import IndexWriter

from microcrm.text import strip_accents

SCHEMA_VERSION: Final = 3
"""Bumped whenever the schema or the analysis changes: replicas are then rebuilt."""

TITLE_WEIGHT: Final = 3
#: Words: letters and digits; apostrophes, hyphens and underscores split them.
WORD_RE: Final = re.compile(r"[^\W_]+")
#: References written with separators: ``F2025-00042``, ``14/03/2025``, ``02.99.12.34.56``.
COMPOUND_RE: Final = re.compile(r"[^\W_]+(?:[-/.][^\W_]+)+")
#: Whoosh's French list plus what it lacks (``les``, the verb ``a``, ``cette``…).
STOP_WORDS: Final = frozenset(stopwords_for_language("fr")) | {
    "a",
    "les",
    "cet",
    "cette",
    "ces",
    "dont",
    "où",
    "si",
}
_FOLD_EXTRA: Final = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "đ": "d"})
_stem = stemmer_for_language("fr")
#: word (lower case) → term ("" for a stop word). Bounded: cleared when too big.
_CACHE: dict[str, str] = {}
_CACHE_MAX: Final = 500_000


def fold(word: str) -> str:
    """Lower-case ``word`` and strip its accents (``Œuvre`` → ``oeuvre``).

    Not :func:`microcrm.text.fold`: index terms also spell out ß, ø and đ and
    keep their white space, and changing them means rebuilding every replica
    (:data:`SCHEMA_VERSION`).
    """
    word = word.lower().translate(_FOLD_EXTRA)
    return word if word.isascii() else strip_accents(word)


def _term_of(word: str) -> str:
    """The index term of one lower-case word, or "" for a stop word."""
    if word in STOP_WORDS:
        return ""
    folded = fold(word)
    if folded in STOP_WORDS:
        return ""
    if any(ch.isdigit() for ch in folded):
        return folded  # references and numbers are never stemmed (F2025, 00042)
    return str(_stem(_feminine(folded)))


def _feminine(folded: str) -> str:
    """``facturee(s)`` → ``facture``: once folded, the stemmer no longer sees ``-ée``."""
    if len(folded) > 5 and folded.endswith(("ee", "ees")):
        return folded[: folded.rindex("ee") + 1]
    return folded


def term(word: str) -> str:
    """The index term of ``word`` (any case), or "" for a stop word; cached."""
    word = word.lower()
    found = _CACHE.get(word)
    if found is None:
        if len(_CACHE) >= _CACHE_MAX:
            _CACHE.clear()
        found = _CACHE[word] = _term_of(word)
    return found


def analyze(text: str) -> list[str]:
    """The terms of ``text``, in order, stop words removed (the French chain)."""
    cache = _CACHE
    out: list[str] = []
    append = out.append
    for word in WORD_RE.findall(text.lower()):
        found = cache.get(word)
        if found is None:
            found = term(word)
        if found:
            append(found)
    return out


def pairs(terms: list[str]) -> list[str]:
    """Consecutive term pairs (``"a b"``), the keys phrase queries look up.

    Only pairs of words, or of a word and a number of one or two digits
    (``13 novembre``, ``lot 12``): pairs with longer numbers (prices,
    phone numbers) made two thirds of the distinct pairs, and each distinct
    term costs the writer ~50 µs. References are found by :func:`compounds`;
    a phrase whose pairs are not all indexed is checked on the text of the
    hits shown.
    """
    return [f"{a} {b}" for a, b in pairwise(terms) if pairable(a, b)]


def pairable(a: str, b: str) -> bool:
    """Whether the pair of terms ``a b`` is indexed (see :func:`pairs`)."""
    if a.isalpha():
        return b.isalpha() or (b.isdigit() and len(b) <= 2)
    return b.isalpha() and a.isdigit() and len(a) <= 2


def compound(text: str) -> str:
    """The one term of a reference such as ``F2025-00042`` (``f2025-00042``), or ""."""
    if not any(ch.isdigit() for ch in text) or not COMPOUND_RE.fullmatch(text):
        return ""
    return "-".join(fold(part) for part in WORD_RE.findall(text))


def compounds(text: str) -> list[str]:
    """Terms of the references in ``text`` (words joined by ``-``, ``/`` or ``.``, with digits)."""
    out = []
    for found in COMPOUND_RE.findall(text):
        if any(ch.isdigit() for ch in found):
            out.append("-".join(fold(part) for part in WORD_RE.findall(found)))
    return out


def fold_prefix(text: str, min_length: int = 4) -> str:
    """A typed prefix as index terms begin: folded, then cut to its stem when it is one.

    ``factures*`` looks for ``factur…`` (the stem of *factures*), ``fact*``
    for ``fact…``; a stem shorter than ``min_length`` is not used
    (``garant*`` stays ``garant``, not ``gar``).
    """
    folded = fold(text)
    if not folded or any(ch.isdigit() for ch in folded):
        return folded
    stem = str(_stem(_feminine(folded)))
    return stem if folded.startswith(stem) and len(stem) >= min_length else folded


class FrenchAnalyzer(Composable):  # type: ignore[misc]
    """The French chain as a Whoosh analyser (with positions), for fields and queries.

    Stop words are dropped and positions renumbered, as ``StopFilter`` does,
    so that a phrase ignores them on both sides.
    """

    def __call__(  # noqa: PLR0917 - Whoosh's analyser signature
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        tok = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        pos = start_pos
        for match in WORD_RE.finditer(value):
            found = term(match.group())
            if not found:
                continue
            tok.text = found
            tok.boost = 1.0
            tok.stopped = False
            if keeporiginal:
                tok.original = match.group()
            if positions:
                tok.pos = pos
            if chars:
                tok.startchar = start_char + match.start()
                tok.endchar = start_char + match.end()
            pos += 1
            yield tok


class TermsFormat(Frequency):  # type: ignore[misc]
    """Term frequencies of a field whose value is a ready list of terms.

    Counting a list with :class:`collections.Counter` skips Whoosh's token
    objects: the analysis is done once per document by :func:`analyze`.
    """

    def word_values(
        self, value: str | list[str], analyzer: Any, **kwargs: Any
    ) -> Iterator[tuple[str, int, float, bytes]]:
        from whoosh.system import pack_uint

        terms = value.split() if isinstance(value, str) else value
        boost = self.field_boost
        for word, freq in Counter(terms).items():
            yield word, freq, freq * boost, pack_uint(freq)


class TermsField(FieldType):  # type: ignore[misc]
    """A field indexed from a list of terms (no positions); queried with ``Term``.

    Every indexed field is *scorable* (has a lengths column): Whoosh looks up
    field lengths while writing and scoring, and for a field without that
    column it asks the file system on every posting (measured: 40 % of a
    bulk build).
    """

    def __init__(self) -> None:
        super().__init__(format=TermsFormat(), analyzer=FrenchAnalyzer(), scorable=True)


def make_schema() -> Schema:
    """The index schema (see the module docstring for why each field is so)."""
    org = ID(stored=True)
    org.scorable = True  # see TermsField: a lengths column, or a stat() per posting
    return Schema(
        id=ID(stored=True, unique=True),
        org=org,
        client=TermsField(),
        client_name=ID(stored=True),
        dossier=TermsField(),
        type=TermsField(),
        tag=TermsField(),
        date=NUMERIC(bits=32, signed=False),
        period=TermsField(),
        body=TermsField(),
        pair=TermsField(),
    )


@dataclass(frozen=True, slots=True)
class DocRecord:
    """What the index needs of one document (read from the database and the text cache)."""

    document_id: int
    organisation_id: int | None
    client: str
    dossier: str
    title: str
    doc_type: str
    tags: str
    doc_date_key: int | None
    filename: str
    text: str


def type_terms(doc_type: str) -> list[str]:
    """Terms of a document type: its words and its collapsed code.

    ``compte_rendu`` gives ``compt``, ``rendu`` and ``compterendu``, so that
    ``type:compte-rendu`` finds it too.
    """
    collapsed = term(re.sub(r"[\W_]", "", fold(doc_type)))
    return analyze(doc_type.replace("_", " ")) + ([collapsed] if collapsed else [])


def fields_of(rec: DocRecord) -> dict[str, Any]:
    """The Whoosh field values of one document (analysis done here, once)."""
    title_terms = analyze(rec.title)
    body_terms = analyze(rec.text)
    extra = analyze(f"{rec.client} {rec.filename}")
    extra += compounds(f"{rec.title} {rec.filename} {rec.text}")
    fields: dict[str, Any] = {
        "id": str(rec.document_id),
        "org": str(rec.organisation_id) if rec.organisation_id is not None else "",
        "client": analyze(rec.client),
        "client_name": rec.client,
        "dossier": analyze(rec.dossier),
        "type": type_terms(rec.doc_type),
        "tag": analyze(rec.tags),
        # Title words count three times: the saturated term frequency of the
        # ranking (microcrm.ged.search) then puts title matches first, with
        # one posting list to read per word instead of a title/body union.
        "body": title_terms * TITLE_WEIGHT + extra + body_terms,
        "pair": pairs(title_terms) + pairs(body_terms),
    }
    if rec.doc_date_key is not None:
        fields["date"] = rec.doc_date_key
        year, month = divmod(rec.doc_date_key // 100, 100)
        fields["period"] = [str(year), f"{year}-{month:02d}"]
    return fields


def add_documents(writer: IndexWriter, records: Iterable[DocRecord], *, update: bool) -> int:
    """Add (or replace, when ``update``) each record; returns how many."""
    count = 0
    put = writer.update_document if update else writer.add_document
    for rec in records:
        put(**fields_of(rec))
        count += 1
    return count
