"""Duplicate matching of directory imports (docs/import-formats.md §6, rules 6–7).

Organisations are duplicates when they share a SIRET, or — when at most one
side has a SIRET — when they share a postcode and their normalised names (or
enseignes) reach ``rapidfuzz.fuzz.token_sort_ratio ≥ 90``. Two different
SIRETs are never merged: they are sister establishments.

The ratio alone merges too much on short names: ``PHARMACIE DURAND`` and
``PHARMACIE DURANT`` score 97, ``GARAGE 2000`` and ``GARAGE 2001`` 91. So a
pair that passes the ratio must also pass a *distinctive-word check*: every
word outside a small list of French particles (``DE``, ``LA``…) must be found
on the other side, exactly, or — for words of at least
:data:`TYPO_MIN_LENGTH` letters — with one typo (one insertion, deletion,
substitution or swap of neighbours). Numbers must always match exactly.
Short words carry the identity of small businesses (family names, trades)
and one letter changes them; long words survive a typo.

Persons are duplicates on the same e-mail (compared lower-cased), else on the
same normalised first and last name within the same organisation. There is
no fuzzy matching on people.

Both indexes are in memory and blocked (by SIRET, postcode, e-mail,
organisation), so matching a 100,000-row file against 100,000 organisations
takes seconds. Within-file duplicates use the same index: add each file row
once it is accepted, under a key such as ``"ligne 12"``.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final, Literal

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from microcrm.text import strip_accents

if TYPE_CHECKING:
    from microcrm.db import Database

#: Minimum ``token_sort_ratio`` of two normalised names in the same postcode.
NAME_THRESHOLD: Final = 90.0

#: Shortest word in which one typo is tolerated by the distinctive-word check.
TYPO_MIN_LENGTH: Final = 7

#: Legal forms and their abbreviations, removed by :func:`normalise_company_name`.
LEGAL_FORMS: Final = frozenset(
    {
        "SARL", "SARLU", "SAS", "SASU", "SA", "EURL", "SNC", "SCS", "SCA", "SCI", "SCP",
        "SCM", "SCOP", "SEL", "SELARL", "SELAS", "SELAFA", "SELCA", "GIE", "GAEC", "EARL",
        "EI", "EIRL", "ETS", "ETABLISSEMENT", "ETABLISSEMENTS", "STE", "SOCIETE",
    }
)  # fmt: skip

#: Particles ignored by the distinctive-word check (still part of the ratio).
PARTICLES: Final = frozenset(
    {"DE", "DU", "DES", "D", "LA", "LE", "LES", "L", "ET", "A", "AU", "AUX", "EN", "SUR"}
)

_LIGATURES: Final = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss"})
_ACRONYM: Final = re.compile(r"\b(?:[A-Z0-9]\.)+[A-Z0-9]\b\.?")
_NOT_WORD: Final = re.compile(r"[^A-Z0-9]+")
_NAME_NOT_WORD: Final = re.compile(r"[^a-z0-9]+")

MatchRule = Literal["siret", "name_postcode"]
PersonRule = Literal["email", "name_organisation"]


def normalise_company_name(text: str | None) -> str:
    """The comparison form of a company name or enseigne (docs/import-formats.md §6 rule 6).

    Accents are stripped (``œ`` → ``OE``), the text upper-cased, ``&``
    becomes ``ET``, dots inside acronyms are dropped (``S.A.R.L.`` →
    ``SARL``), any other punctuation becomes a space and legal-form words
    (:data:`LEGAL_FORMS`) are removed — unless nothing else is left, in which
    case they are kept (a company named ``SCI`` alone stays ``SCI``).

    Args:
        text: The name as found in the file or the database.

    Returns:
        The words separated by single spaces, in their original order;
        ``""`` for an empty or missing name.
    """
    if not text:
        return ""
    upper = strip_accents(text.translate(_LIGATURES)).upper().replace("&", " ET ")
    upper = _ACRONYM.sub(lambda m: m.group().replace(".", ""), upper)
    words = _NOT_WORD.sub(" ", upper).split()
    kept = [w for w in words if w not in LEGAL_FORMS]
    return " ".join(kept or words)


def _typo_apart(a: str, b: str) -> bool:
    """Whether two different words are one typo apart and long enough to tolerate it."""
    if min(len(a), len(b)) < TYPO_MIN_LENGTH or a.isdigit() or b.isdigit():
        return False
    return OSA.distance(a, b, score_cutoff=1) <= 1


def _distinctive_words_agree(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Every non-particle word of each side is on the other side, or one typo away."""
    count_a, count_b = Counter(a), Counter(b)
    only_a = [w for w in (count_a - count_b).elements() if w not in PARTICLES]
    only_b = [w for w in (count_b - count_a).elements() if w not in PARTICLES]
    if len(only_a) != len(only_b):
        return False
    remaining = list(only_b)
    for word in only_a:
        partner = next((w for w in remaining if _typo_apart(word, w)), None)
        if partner is None:
            return False
        remaining.remove(partner)
    return True


@dataclass(frozen=True, slots=True)
class OrgCandidate:
    """An organisation to match or to index.

    Attributes:
        key: Opaque identifier given back in :class:`Match` (a database id,
            ``"ligne 12"``…).
        name: Company name as found.
        enseigne: Trade name, if any.
        siret: Valid 14-digit SIRET (rule 1 already applied), if any.
        postcode: Postcode of the (primary) address, if any.
    """

    key: object
    name: str
    enseigne: str | None = None
    siret: str | None = None
    postcode: str | None = None


@dataclass(frozen=True, slots=True)
class Match:
    """The organisation a candidate duplicates, and why.

    Attributes:
        key: Key of the indexed organisation.
        rule: ``"siret"`` or ``"name_postcode"``.
        score: 100 for a SIRET, else the best ``token_sort_ratio`` (0–100).
    """

    key: object
    rule: MatchRule
    score: float


@dataclass(slots=True)
class _OrgEntry:
    key: object
    siret: str | None
    words: tuple[tuple[str, ...], ...]  # one tuple of words per name/enseigne


@dataclass(slots=True)
class _LengthBucket:
    """Names of one postcode and one length: sorted-word strings and their owners."""

    sorted_names: list[str] = field(default_factory=list)
    owners: list[tuple[int, _OrgEntry, tuple[str, ...]]] = field(default_factory=list)


def _length_window(length: int) -> range:
    """Lengths ``m`` for which ``fuzz.ratio`` of ``length`` and ``m`` characters can pass.

    ``ratio = 2·matches / (length + m) ≤ 2·min(length, m) / (length + m)``, so
    at :data:`NAME_THRESHOLD` 90 a 20-character name is only compared with
    names of 17 to 24 characters.
    """
    t = NAME_THRESHOLD / 100
    low = math.ceil(length * t / (2 - t) - 1e-9)
    high = math.floor(length * (2 - t) / t + 1e-9)
    return range(low, high + 1)


def _clean_siret(siret: str | None) -> str | None:
    digits = "".join(ch for ch in siret if ch.isdigit()) if siret else ""
    return digits or None


def _clean_postcode(postcode: str | None) -> str | None:
    return "".join(postcode.split()).upper() or None if postcode else None


def _name_words(candidate: OrgCandidate) -> tuple[tuple[str, ...], ...]:
    """The word tuples of the name and enseigne, without empties or repeats."""
    result: list[tuple[str, ...]] = []
    for raw in (candidate.name, candidate.enseigne):
        words = tuple(normalise_company_name(raw).split())
        if words and words not in result:
            result.append(words)
    return tuple(result)


class OrganisationIndex:
    """In-memory index of organisations, blocked by SIRET and by postcode.

    ``match`` looks up the SIRET first, then compares names and enseignes
    with those of the same postcode only, and there only with names of a
    length that can reach the threshold (``rapidfuzz.process.extract`` on
    pre-sorted words, so ``fuzz.ratio`` there equals ``token_sort_ratio``).
    """

    def __init__(self, candidates: Iterable[OrgCandidate] = ()) -> None:
        self._by_siret: dict[str, _OrgEntry] = {}
        self._by_postcode: dict[str, dict[int, _LengthBucket]] = {}
        self._size = 0
        for candidate in candidates:
            self.add(candidate)

    def __len__(self) -> int:
        return self._size

    def release(self) -> None:
        """Empty the index piece by piece.

        Dropping a 100,000-organisation index in one go frees its objects in a
        single C-level cascade that holds the GIL for ~0.3 s and freezes the GUI
        thread; popping entries from Python lets the interpreter switch threads.
        """
        by_postcode, self._by_postcode = self._by_postcode, {}
        while by_postcode:
            by_postcode.popitem()
        by_siret, self._by_siret = self._by_siret, {}
        while by_siret:
            by_siret.popitem()
        self._size = 0

    def add(self, candidate: OrgCandidate) -> None:
        """Index an organisation (an existing one, or a file row just accepted).

        Args:
            candidate: The organisation; a SIRET already indexed keeps its
                first owner.
        """
        siret = _clean_siret(candidate.siret)
        entry = _OrgEntry(candidate.key, siret, _name_words(candidate))
        order = self._size
        self._size += 1
        if siret is not None:
            self._by_siret.setdefault(siret, entry)
        postcode = _clean_postcode(candidate.postcode)
        if postcode is None:
            return
        block = self._by_postcode.setdefault(postcode, {})
        for words in entry.words:
            sorted_name = " ".join(sorted(words))
            bucket = block.setdefault(len(sorted_name), _LengthBucket())
            bucket.sorted_names.append(sorted_name)
            bucket.owners.append((order, entry, words))

    def match(self, candidate: OrgCandidate) -> Match | None:
        """The indexed organisation that ``candidate`` duplicates, if any.

        Args:
            candidate: The organisation to look up.

        Returns:
            A SIRET match; else the best name/enseigne match in the same
            postcode (ties go to the organisation indexed first), never with
            an organisation of another SIRET; else ``None``.
        """
        siret = _clean_siret(candidate.siret)
        if siret is not None and (found := self._by_siret.get(siret)) is not None:
            return Match(found.key, "siret", 100.0)
        postcode = _clean_postcode(candidate.postcode)
        block = self._by_postcode.get(postcode) if postcode else None
        if block is None:
            return None
        best: tuple[float, int, _OrgEntry] | None = None
        for words in _name_words(candidate):
            query = " ".join(sorted(words))
            for length in _length_window(len(query)):
                bucket = block.get(length)
                if bucket is None:
                    continue
                hits = process.extract(
                    query,
                    bucket.sorted_names,
                    scorer=fuzz.ratio,
                    processor=None,
                    score_cutoff=NAME_THRESHOLD,
                    limit=None,
                )
                for _choice, score, position in hits:
                    order, entry, other_words = bucket.owners[position]
                    if siret is not None and entry.siret is not None and entry.siret != siret:
                        continue
                    if best is not None and (
                        score < best[0] or (score == best[0] and order > best[1])
                    ):
                        continue
                    if _distinctive_words_agree(words, other_words):
                        best = (score, order, entry)
        if best is None:
            return None
        return Match(best[2].key, "name_postcode", round(best[0], 1))


def load_organisation_index(db: Database) -> OrganisationIndex:
    """Index every live organisation of the database, keyed by its id.

    One query over columns (no ORM objects): id, name, enseigne, SIRET and the
    postcode of the primary address.

    Args:
        db: The open database.

    Returns:
        The index; the keys of its matches are ``Organisation.id`` values.
    """
    from sqlalchemy import and_, select

    from microcrm.models.addresses import Address
    from microcrm.models.parties import Organisation

    stmt = (
        select(
            Organisation.id,
            Organisation.name,
            Organisation.enseigne,
            Organisation.siret,
            Address.postcode,
        )
        .outerjoin(
            Address,
            and_(Address.organisation_id == Organisation.id, Address.is_primary.is_(True)),
        )
        .where(Organisation.deleted_at.is_(None))
        .order_by(Organisation.id, Address.id)
    )
    with db.read() as session:
        rows = session.execute(stmt).tuples().all()
    index = OrganisationIndex()
    seen: set[int] = set()
    for org_id, name, enseigne, siret, postcode in rows:
        if org_id in seen:  # several primary addresses: the first one counts
            continue
        seen.add(org_id)
        index.add(OrgCandidate(org_id, name, enseigne, siret, postcode))
    return index


def normalise_person_name(text: str | None) -> str:
    """The comparison form of a first or last name: no accents, lower case, words only.

    ``"Jean-François"`` → ``"jean francois"``, ``"D'Arcy"`` → ``"d arcy"``.
    """
    if not text:
        return ""
    plain = strip_accents(text.translate(_LIGATURES)).lower()
    return " ".join(_NAME_NOT_WORD.sub(" ", plain).split())


def _clean_email(email: str | None) -> str | None:
    return email.strip().lower() or None if email else None


@dataclass(frozen=True, slots=True)
class PersonCandidate:
    """A person to match or to index.

    Attributes:
        key: Opaque identifier given back in :class:`PersonMatch`.
        last_name: Last name as found.
        first_name: First name, if any.
        email: E-mail address, if any.
        organisation_key: Key of the person's organisation (database id or
            file-row key, as in :class:`OrgCandidate`), ``None`` for a
            private customer.
    """

    key: object
    last_name: str
    first_name: str | None = None
    email: str | None = None
    organisation_key: object = None


@dataclass(frozen=True, slots=True)
class PersonMatch:
    """The person a candidate duplicates, and why (``"email"`` or ``"name_organisation"``)."""

    key: object
    rule: PersonRule


class PersonIndex:
    """In-memory index of persons by e-mail and by (organisation, first, last name)."""

    def __init__(self, candidates: Iterable[PersonCandidate] = ()) -> None:
        self._by_email: dict[str, object] = {}
        self._by_name: dict[tuple[object, str, str], object] = {}
        for candidate in candidates:
            self.add(candidate)

    @staticmethod
    def _name_key(candidate: PersonCandidate) -> tuple[object, str, str] | None:
        last = normalise_person_name(candidate.last_name)
        if candidate.organisation_key is None or not last:
            return None
        return (candidate.organisation_key, normalise_person_name(candidate.first_name), last)

    def add(self, candidate: PersonCandidate) -> None:
        """Index a person; an e-mail or name already indexed keeps its first owner."""
        email = _clean_email(candidate.email)
        if email is not None:
            self._by_email.setdefault(email, candidate.key)
        name_key = self._name_key(candidate)
        if name_key is not None:
            self._by_name.setdefault(name_key, candidate.key)

    def match(self, candidate: PersonCandidate) -> PersonMatch | None:
        """The indexed person that ``candidate`` duplicates, if any.

        Args:
            candidate: The person to look up.

        Returns:
            A match on the same e-mail (case-insensitive); else on the same
            normalised first and last name within the same organisation
            (never for persons without organisation); else ``None``.
        """
        email = _clean_email(candidate.email)
        if email is not None and email in self._by_email:
            return PersonMatch(self._by_email[email], "email")
        name_key = self._name_key(candidate)
        if name_key is not None and name_key in self._by_name:
            return PersonMatch(self._by_name[name_key], "name_organisation")
        return None
