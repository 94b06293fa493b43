"""List queries behind the base lists: ordered ids for a filter, then rows by blocks.

Following Anki's browser (docs/style.md §2): the view asks once for the ordered ids
matching the filter and sort (an honest row count, a few hundred KB for
100,000 rows), then for the display rows of one block of ids at a time.
Nothing here holds a cursor open across calls.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Final

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select
from sqlalchemy.orm import QueryableAttribute, aliased

from microcrm.crm.bases import BASES_BY_KEY, BaseKind, base_filter, count_by_base
from microcrm.crm.validation import format_phone
from microcrm.db import Database
from microcrm.models import (
    Address,
    Organisation,
    Person,
    Tag,
    User,
    organisation_tag,
    person_tag,
)
from microcrm.models.search import search_fold

MAX_NEEDLE: Final = 200
"""Characters of quick-search text kept (after folding). SQLite refuses LIKE
patterns over 50,000 bytes (« LIKE or GLOB pattern too complex »), which a
pasted page reaches; no name, address or e-mail is longer than this."""


@dataclass(frozen=True, slots=True)
class Column:
    """A list column: key, French header."""

    key: str
    header: str


ORGANISATION_COLUMNS: tuple[Column, ...] = (
    Column("name", "Raison sociale"),
    Column("enseigne", "Enseigne"),
    Column("postcode", "CP"),
    Column("city", "Ville"),
    Column("phone", "Téléphone"),
    Column("email", "E-mail"),
    Column("siret", "SIRET"),
    Column("salesperson", "Commercial"),
    Column("traite", "Traité"),
)
PERSON_COLUMNS: tuple[Column, ...] = (
    Column("last_name", "Nom"),
    Column("first_name", "Prénom"),
    Column("role", "Fonction"),
    Column("postcode", "CP"),
    Column("city", "Ville"),
    Column("phone", "Téléphone"),
    Column("email", "E-mail"),
)


@dataclass(frozen=True, slots=True)
class ListQuery:
    """What the user asked the list to show: base, quick search, filters and sort."""

    base: str
    search: str = ""
    sort_key: str = ""
    descending: bool = False
    salesperson_id: int | None = None
    departement: str = ""
    tag_id: int | None = None
    traite: bool | None = None

    def with_(self, **changes: object) -> ListQuery:
        """A copy with some fields changed."""
        return replace(self, **changes)  # type: ignore[arg-type]


def departement_condition(postcode: QueryableAttribute[str], dep: str) -> ColumnElement[bool]:
    """Postcodes of a département: ``35``, ``2A``/``2B`` (Corsica), ``971``…``976``."""
    dep = dep.strip().upper()[:MAX_NEEDLE]
    if dep == "2A":
        return or_(postcode.startswith("200"), postcode.startswith("201"))
    if dep == "2B":
        return or_(*(postcode.startswith(p) for p in ("202", "203", "204", "205", "206")))
    return postcode.startswith(dep)


def columns_for(base: str) -> tuple[Column, ...]:
    """The columns of a base's list."""
    if BASES_BY_KEY[base].kind is BaseKind.ORGANISATION:
        return ORGANISATION_COLUMNS
    return PERSON_COLUMNS


_org_addr = aliased(Address)
_person_addr = aliased(Address)


def search_needle(text: str) -> str:
    """What to look for in ``search_key``, folded like the key.

    Digits typed with spaces (``02 99 …``, ``35 000``) are joined. Only the
    first :data:`MAX_NEEDLE` characters are kept: a pasted page finds what
    contains its beginning (usually nothing) instead of failing in SQLite.
    """
    needle = search_fold(text)
    compact = needle.replace(" ", "")
    needle = compact if compact.isdigit() else needle
    return needle[:MAX_NEEDLE].rstrip()


def _org_select(query: ListQuery) -> Select[tuple[int]]:
    stmt = select(Organisation.id).where(base_filter(query.base))
    needs_address = bool(query.departement) or query.sort_key in ("postcode", "city")
    if needs_address:
        stmt = stmt.outerjoin(
            _org_addr, and_(_org_addr.organisation_id == Organisation.id, _org_addr.is_primary)
        )
    if query.salesperson_id is not None:
        stmt = stmt.where(Organisation.salesperson_id == query.salesperson_id)
    if query.departement:
        stmt = stmt.where(departement_condition(_org_addr.postcode, query.departement))
    if query.tag_id is not None:
        stmt = stmt.where(
            Organisation.id.in_(
                select(organisation_tag.c.organisation_id).where(
                    organisation_tag.c.tag_id == query.tag_id
                )
            )
        )
    if query.traite is not None:
        stmt = stmt.where(Organisation.traite.is_(query.traite))
    needle = search_needle(query.search)
    if needle:
        stmt = stmt.where(Organisation.search_key.contains(needle, autoescape=True))
    sort_columns = {
        "name": Organisation.name_key,
        "enseigne": Organisation.enseigne,
        "postcode": _org_addr.postcode,
        "city": _org_addr.city_key,
        "phone": Organisation.phone,
        "email": Organisation.email,
        "siret": Organisation.siret,
        "salesperson": Organisation.salesperson_id,
        "traite": Organisation.traite,
    }
    key = sort_columns.get(query.sort_key, Organisation.name_key)
    if key is Organisation.name_key and not query.descending:
        # Exactly the order of ix_organisation_live_search: no sort step at all (a tie on
        # name_key is broken by search_key, then rowid, so the order is still stable).
        return stmt.order_by(Organisation.name_key)
    return stmt.order_by(key.desc() if query.descending else key.asc(), Organisation.id)


def _person_select(query: ListQuery) -> Select[tuple[int]]:
    stmt = select(Person.id).where(base_filter(query.base))
    if query.departement or query.sort_key in ("postcode", "city"):
        stmt = stmt.outerjoin(
            _person_addr, and_(_person_addr.person_id == Person.id, _person_addr.is_primary)
        )
    if query.salesperson_id is not None:
        stmt = stmt.where(Person.salesperson_id == query.salesperson_id)
    if query.departement:
        stmt = stmt.where(departement_condition(_person_addr.postcode, query.departement))
    if query.tag_id is not None:
        stmt = stmt.where(
            Person.id.in_(select(person_tag.c.person_id).where(person_tag.c.tag_id == query.tag_id))
        )
    needle = search_needle(query.search)
    if needle:
        stmt = stmt.where(Person.search_key.contains(needle, autoescape=True))
    sort_columns = {
        "last_name": Person.last_name_key,
        "first_name": Person.first_name_key,
        "role": Person.role,
        "postcode": _person_addr.postcode,
        "city": _person_addr.city_key,
        "phone": Person.phone,
        "email": Person.email,
    }
    key = sort_columns.get(query.sort_key, Person.last_name_key)
    if key is Person.last_name_key and not query.descending:
        return stmt.order_by(Person.last_name_key, Person.first_name_key)  # index order
    return stmt.order_by(key.desc() if query.descending else key.asc(), Person.id)


def _display(values: Sequence[object]) -> tuple[object, ...]:
    """Phones shown in French form; everything else as stored."""
    return tuple(
        format_phone(v) if isinstance(v, str) and v.startswith("+") and v[1:].isdigit() else v
        for v in values
    )


class PartyListService:
    """Ordered ids and display rows for the base lists; plain tuples only."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def counts(self) -> dict[str, int]:
        """Live rows per base, for the navigation."""
        with self._db.read() as session:
            return count_by_base(session)

    def salespeople(self) -> list[tuple[int, str]]:
        """(id, full name) of active salespeople, for the filter."""
        with self._db.read() as session:
            rows = session.execute(
                select(User.id, User.full_name)
                .where(User.active.is_(True), User.is_salesperson.is_(True))
                .order_by(User.full_name)
            )
            return [(int(i), str(n)) for i, n in rows]

    def tags(self) -> list[tuple[int, str]]:
        """(id, name) of every tag, for the filter."""
        with self._db.read() as session:
            return [
                (int(i), str(n))
                for i, n in session.execute(select(Tag.id, Tag.name).order_by(Tag.name))
            ]

    def rows_in_order(
        self, base: str, ids: Sequence[int], block: int = 1000
    ) -> Iterator[tuple[object, ...]]:
        """Display rows for ``ids`` in that order, fetched block by block (export)."""
        for start in range(0, len(ids), block):
            chunk = ids[start : start + block]
            rows = self.rows(base, chunk)
            for i in chunk:
                if i in rows:
                    yield rows[i]

    def ids(self, query: ListQuery) -> list[int]:
        """Ids of the rows matching ``query``, in display order."""
        kind = BASES_BY_KEY[query.base].kind
        stmt = _org_select(query) if kind is BaseKind.ORGANISATION else _person_select(query)
        return [int(i) for i in self._db.fetch_column(stmt)]

    def rows(self, base: str, ids: Sequence[int]) -> dict[int, tuple[object, ...]]:
        """Display values (in :func:`columns_for` order) for the given ids."""
        if not ids:
            return {}
        if BASES_BY_KEY[base].kind is BaseKind.ORGANISATION:
            stmt = (
                select(
                    Organisation.id,
                    Organisation.name,
                    Organisation.enseigne,
                    _org_addr.postcode,
                    _org_addr.city,
                    Organisation.phone,
                    Organisation.email,
                    Organisation.siret,
                    User.full_name,
                    case((Organisation.traite, "Oui"), else_="Non"),
                )
                .outerjoin(
                    _org_addr,
                    and_(_org_addr.organisation_id == Organisation.id, _org_addr.is_primary),
                )
                .outerjoin(User, User.id == Organisation.salesperson_id)
                .where(Organisation.id.in_(list(ids)))
            )
        else:
            stmt = (
                select(
                    Person.id,
                    Person.last_name,
                    Person.first_name,
                    Person.role,
                    _person_addr.postcode,
                    _person_addr.city,
                    func.coalesce(Person.phone, Person.mobile),
                    Person.email,
                )
                .outerjoin(
                    _person_addr, and_(_person_addr.person_id == Person.id, _person_addr.is_primary)
                )
                .where(Person.id.in_(list(ids)))
            )
        with self._db.read() as session:
            return {row[0]: _display(row[1:]) for row in session.execute(stmt)}
