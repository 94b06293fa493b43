"""Write phase of a directory import: one transaction of Core bulk statements.

The ORM would build, track and flush one object per row (10 s for 10,000
rows); here rows are plain dicts inserted with ``executemany`` in chunks,
with ids allocated up front (``storage.bulk.IdAllocator``) so that children
point at their parents before anything is sent. What the ORM hooks of a
write session would have done is done by hand:

- ``version_id`` 1 and the audit columns on inserts; ``version_id + 1`` on
  every UPDATE (a trigger rejects an UPDATE that does not raise it);
- ``name_key``, ``first_name_key``/``last_name_key``, ``city_key`` (the
  models' ``@validates``) and ``search_key`` (``models.search``);
- one journal row per row inserted or updated (:mod:`.bulk`).

Every row created, every field filled and every tag link added to an
existing record is recorded as an :class:`ImportChange` for the undo: a
merge stores ``{"before": …, "after": …}`` so that the undo can leave alone
a field changed since the import.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.schema import ScalarElementColumnDefault

from microcrm.directory.clean import AddressValues
from microcrm.directory.importer.bulk import BulkInserter
from microcrm.directory.importer.plan import (
    CancelFn,
    ImportCancelledError,
    Plan,
    PlannedOrg,
    PlannedPerson,
    ProgressFn,
    join_notes,
)
from microcrm.directory.importer.report import FileReport
from microcrm.models import (
    Address,
    ImportBatch,
    ImportChange,
    Organisation,
    Person,
    Stage,
    Tag,
    organisation_tag,
    person_tag,
    utcnow,
)
from microcrm.models.search import organisation_search_key, person_search_key
from microcrm.storage.bulk import IdAllocator, audit_columns, table_of
from microcrm.text import fold

CHUNK: Final = 2000
"""Rows per ``executemany`` (and between two cancel checks)."""
LINK_OP: Final = "link"
"""``ImportChange.op`` of a tag link added to an existing record (``before`` holds the tag id)."""
_RANK: Final = {Stage.SUSPECT: 0, Stage.PROSPECT: 1, Stage.CLIENT: 2}
_ORG_KEY_FIELDS: Final = frozenset({"name", "enseigne", "siret", "phone", "email"})
_PERSON_KEY_FIELDS: Final = frozenset({"last_name", "first_name", "email", "phone", "mobile"})
_DERIVED: Final = frozenset({"search_key", "name_key", "first_name_key", "last_name_key"})
_ORG_MERGE_COLUMNS: Final = (
    "name",
    "enseigne",
    "siret",
    "siren",
    "naf_code",
    "headcount_band",
    "legal_form",
    "phone",
    "fax",
    "email",
    "emails_other",
    "website",
    "notes",
    "stage",
    "is_supplier",
    "is_organisme",
    "salesperson_id",
)
_PERSON_MERGE_COLUMNS: Final = (
    "civility",
    "first_name",
    "last_name",
    "role",
    "email",
    "phone",
    "mobile",
    "phone_home",
    "fax",
    "emails_other",
    "website",
    "notes",
)


def stage_of(base: str) -> Stage | None:
    """The lifecycle stage of a base (None for the supplier and body bases)."""
    return Stage(base) if base in ("suspect", "prospect", "client") else None


def raise_stage(current: Stage | None, wanted: Stage | None) -> Stage | None:
    """The stage after a merge: never downgraded, ``ancien_client`` kept."""
    if wanted is None:
        return current
    if current is None:
        return wanted
    if current == Stage.ANCIEN_CLIENT:
        return current
    return wanted if _RANK[wanted] > _RANK[current] else current


def json_value(value: object) -> object:
    """A column value as stored in ``ImportChange.before`` (stages by value)."""
    return value.value if isinstance(value, Stage) else value


HOME_KIND: Final = "domicile"
"""``Address.kind`` of a person's home address."""


def _person_addresses(item: PlannedPerson) -> list[tuple[AddressValues, str, bool]]:
    """(address, kind, primary) rows of a new person.

    A private person (no organisation) gets the row's address as primary, or
    failing that the home address; a contact of an organisation keeps only a home
    address, never primary (letters to a contact go to the company).
    """
    if item.org_key is not None:
        return [(item.home, HOME_KIND, False)] if item.home is not None else []
    if item.address is not None:
        rows = [(item.address, "principale", True)]
        if item.home is not None:
            rows.append((item.home, HOME_KIND, False))
        return rows
    return [(item.home, HOME_KIND, True)] if item.home is not None else []


def _template(table: Table) -> dict[str, Any]:
    """Every column of ``table`` with its scalar default (None otherwise)."""
    out: dict[str, Any] = {}
    for column in table.c:
        default = column.default
        out[column.name] = default.arg if isinstance(default, ScalarElementColumnDefault) else None
    return out


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    size = CHUNK  # read at call time: tests make it small to cancel between rows
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass(slots=True)
class WriteOptions:
    """What the user chose for the whole import."""

    base: str
    update: bool
    salesperson_id: int | None
    tags: tuple[str, ...]
    user: str | None


@dataclass
class _Writer:
    session: Session
    batch_id: int
    options: WriteOptions
    cancelled: CancelFn | None
    progress: ProgressFn | None
    total: int
    now: Any = field(default_factory=utcnow)
    done: int = 0
    changes: list[tuple[str, int, str, str | None]] = field(default_factory=list)
    org_ids: dict[tuple[str, int], int] = field(default_factory=dict)
    tag_ids: dict[str, int] = field(default_factory=dict)
    city_keys: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.ids = IdAllocator(self.session)
        self.bulk = BulkInserter(self.session)
        self.stage = stage_of(self.options.base)
        self.audit = audit_columns(self.now, self.options.user)
        self.org_table = table_of(Organisation)
        self.person_table = table_of(Person)
        self.address_table = table_of(Address)
        self.org_template = _template(self.org_table)
        self.person_template = _template(self.person_table)
        self.address_template = _template(self.address_table)

    # -- bookkeeping ------------------------------------------------------------------------

    def step(self, count: int, message: str) -> None:
        if self.cancelled is not None and self.cancelled():
            raise ImportCancelledError()
        self.done += count
        if self.progress is not None:
            self.progress(min(self.done, self.total), self.total, message)

    def city_key(self, city: str) -> str:
        """``fold(city)``, once per distinct city (the model's ``@validates`` does it per row)."""
        key = self.city_keys.get(city)
        if key is None:
            key = self.city_keys[city] = fold(city)
        return key

    def tag_id_list(self, names: Iterable[str]) -> list[int]:
        return sorted({self.tag_ids[fold(name)] for name in names})

    # -- tags -------------------------------------------------------------------------------

    def ensure_tags(self, names: set[str]) -> None:
        """Folded name → id for every tag the import uses, creating the missing ones."""
        for tag_id, name in self.session.execute(select(Tag.id, Tag.name)):
            self.tag_ids.setdefault(fold(name), tag_id)
        missing: dict[str, str] = {}
        for name in sorted(names):
            key = fold(name)
            if key not in self.tag_ids:
                missing.setdefault(key, name)
        if not missing:
            return
        table = table_of(Tag)
        template = _template(table)
        ids = self.ids.take(table, len(missing))
        rows = []
        for tag_id, (key, name) in zip(ids, missing.items(), strict=True):
            self.tag_ids[key] = tag_id
            rows.append({**template, **self.audit, "id": tag_id, "name": name})
            self.changes.append(("tag", tag_id, "create", None))
        self.bulk.insert(table, rows, "tag")

    # -- addresses --------------------------------------------------------------------------

    def address_row(
        self,
        address_id: int,
        values: AddressValues,
        org_id: int | None,
        person_id: int | None,
        *,
        kind: str = "principale",
        primary: bool = True,
    ) -> dict[str, Any]:
        self.changes.append(("address", address_id, "create", None))
        return {
            **self.address_template,
            **self.audit,
            "id": address_id,
            "organisation_id": org_id,
            "person_id": person_id,
            "kind": kind,
            "is_primary": primary,
            "line1": values.line1,
            "line2": values.line2,
            "line3": values.line3,
            "postcode": values.postcode,
            "city": values.city,
            "city_key": self.city_key(values.city),
            "country": values.country,
            "norm_lines": "\n".join(values.lines) or None,
            "norm_status": values.status,
            "norm_errors": " ".join(values.errors),
        }

    # -- organisations ----------------------------------------------------------------------

    def create_orgs(self, planned: list[PlannedOrg]) -> None:
        options = self.options
        for chunk in _chunks(planned):
            ids = self.ids.take(self.org_table, len(chunk))
            with_address = [p for p in chunk if p.address is not None]
            address_ids = iter(self.ids.take(self.address_table, len(with_address)))
            orgs: list[dict[str, Any]] = []
            addresses: list[dict[str, Any]] = []
            links: list[dict[str, Any]] = []
            for org_id, item in zip(ids, chunk, strict=True):
                self.org_ids[item.key] = org_id
                values = item.values
                address = item.address
                orgs.append(
                    {
                        **self.org_template,
                        **self.audit,
                        **values,
                        "id": org_id,
                        "name_key": fold(values["name"]),
                        "search_key": organisation_search_key(
                            name=values["name"],
                            enseigne=values.get("enseigne"),
                            siret=values.get("siret"),
                            phone=values.get("phone"),
                            email=values.get("email"),
                            postcode=address.postcode if address else None,
                            city=address.city if address else None,
                        ),
                        "notes": item.notes or None,
                        "stage": self.stage,
                        "is_supplier": options.base == "fournisseur",
                        "is_organisme": options.base == "organisme",
                        "salesperson_id": options.salesperson_id,
                        "import_batch_id": self.batch_id,
                    }
                )
                self.changes.append(("organisation", org_id, "create", None))
                if address is not None:
                    addresses.append(self.address_row(next(address_ids), address, org_id, None))
                links.extend(
                    {"organisation_id": org_id, "tag_id": tag_id}
                    for tag_id in self.tag_id_list((*options.tags, *item.tags))
                )
            self.bulk.insert(self.org_table, orgs, "organisation")
            self.bulk.insert(self.address_table, addresses, "address")
            self.bulk.insert(organisation_tag, links)
            self.step(len(chunk), "Création des organisations")

    def merge_orgs(self, plan: Plan) -> None:
        """Fill the existing organisations the file matched (stage raised, never lowered)."""
        options = self.options
        wanted = sorted(set(plan.org_fills) | set(plan.org_addresses) | set(plan.org_tags))
        table = self.org_table
        columns = [table.c.id, table.c.version_id, *(table.c[c] for c in _ORG_MERGE_COLUMNS)]
        for chunk in _chunks(wanted):
            current = {
                row[0]: row
                for row in self.session.execute(select(*columns).where(table.c.id.in_(chunk)))
            }
            primary = self._primary_addresses("organisation_id", chunk)
            updates: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
            new_addresses: list[tuple[int, AddressValues]] = []
            journal_rows: list[tuple[int, int]] = []
            for org_id in chunk:
                row = current.get(org_id)
                if row is None:  # deleted meanwhile: nothing to merge into
                    continue
                old = dict(zip(_ORG_MERGE_COLUMNS, row[2:], strict=True))
                after = _filled(old, plan.org_fills.get(org_id, {}), options.update)
                new_stage = raise_stage(old["stage"], self.stage)
                if new_stage != old["stage"]:
                    after["stage"] = new_stage
                for flag, flag_base in (
                    ("is_supplier", "fournisseur"),
                    ("is_organisme", "organisme"),
                ):
                    if options.base == flag_base and not old[flag]:
                        after[flag] = True
                if options.salesperson_id is not None and old["salesperson_id"] is None:
                    after["salesperson_id"] = options.salesperson_id
                address = plan.org_addresses.get(org_id)
                add_address = address is not None and org_id not in primary
                if add_address:
                    assert address is not None
                    new_addresses.append((org_id, address))
                if after or add_address:
                    merged = {**old, **after}
                    if after.keys() & _ORG_KEY_FIELDS or add_address:
                        where = address if add_address else primary.get(org_id)
                        after["search_key"] = organisation_search_key(
                            name=merged["name"],
                            enseigne=merged["enseigne"],
                            siret=merged["siret"],
                            phone=merged["phone"],
                            email=merged["email"],
                            postcode=where.postcode if where else None,
                            city=where.city if where else None,
                        )
                    if "name" in after:
                        after["name_key"] = fold(after["name"])
                    updates[tuple(sorted(after))].append({"_id": org_id, **after})
                    journal_rows.append((org_id, row[1] + 1))
                    self._record_merge("organisation", org_id, old, after)
            self._run_updates(table, updates)
            self.bulk.journal(
                "organisation",
                [i for i, _v in journal_rows],
                "update",
                [v for _i, v in journal_rows],
            )
            address_ids = self.ids.take(self.address_table, len(new_addresses))
            self.bulk.insert(
                self.address_table,
                [
                    self.address_row(address_id, values, org_id, None)
                    for address_id, (org_id, values) in zip(address_ids, new_addresses, strict=True)
                ],
                "address",
            )
            self._link_existing(
                organisation_tag,
                "organisation",
                {org_id: plan.org_tags.get(org_id, set()) for org_id in chunk if org_id in current},
                {i for i, _v in journal_rows},
            )
            self.step(len(chunk), "Fusion des organisations")

    def _primary_addresses(self, owner: str, ids: Sequence[int]) -> dict[int, Any]:
        """Owner id → its first primary address (postcode, city) for the search key."""
        table = self.address_table
        owner_column = table.c[owner]
        stmt = (
            select(owner_column, table.c.postcode, table.c.city)
            .where(owner_column.in_(ids), table.c.is_primary.is_(True))
            .order_by(owner_column, table.c.id)
        )
        out: dict[int, Any] = {}
        for row in self.session.execute(stmt):
            out.setdefault(row[0], row)
        return out

    def _run_updates(
        self, table: Table, updates: dict[tuple[str, ...], list[dict[str, Any]]]
    ) -> None:
        for names, rows in updates.items():
            stmt = (
                update(table)
                .where(table.c.id == bindparam("_id"))
                .values(
                    {name: bindparam(name) for name in names}
                    | {
                        "version_id": table.c.version_id + 1,
                        "updated_at": self.now,
                        "updated_by": self.options.user,
                    }
                )
            )
            self.session.connection().execute(stmt, rows)

    def _record_merge(
        self, entity: str, entity_id: int, old: dict[str, Any], after: dict[str, Any]
    ) -> None:
        changed = {k: v for k, v in after.items() if k not in _DERIVED}
        if not changed:
            return
        payload = {
            "before": {k: json_value(old[k]) for k in changed},
            "after": {k: json_value(v) for k, v in changed.items()},
        }
        self.changes.append((entity, entity_id, "merge", json.dumps(payload, ensure_ascii=False)))

    def _link_existing(
        self,
        link: Table,
        entity: str,
        row_tags: dict[int, set[str]],
        journaled: set[int],
    ) -> None:
        """Add the wizard's and the rows' tags to existing records, recorded for the undo."""
        if not row_tags or not (self.options.tags or any(row_tags.values())):
            return
        owner_column = link.c[f"{entity}_id"]
        have: set[tuple[int, int]] = {
            (row[0], row[1])
            for row in self.session.execute(
                select(owner_column, link.c.tag_id).where(owner_column.in_(list(row_tags)))
            )
        }
        rows: list[dict[str, Any]] = []
        owners: set[int] = set()
        for owner_id, names in row_tags.items():
            for tag_id in self.tag_id_list((*self.options.tags, *names)):
                if (owner_id, tag_id) in have:
                    continue
                rows.append({owner_column.name: owner_id, "tag_id": tag_id})
                owners.add(owner_id)
                self.changes.append(
                    (f"{entity}_tag", owner_id, LINK_OP, json.dumps({"tag_id": tag_id}))
                )
        self.bulk.insert(link, rows)
        # Links carry no version: journal their owners so other workstations refresh
        # (as crm.tags does); owners updated above are journalled already.
        rest = sorted(owners - journaled)
        if rest:
            model = Organisation if entity == "organisation" else Person
            versions = dict(
                self.session.execute(select(model.id, model.version_id).where(model.id.in_(rest)))
                .tuples()
                .all()
            )
            self.bulk.journal(entity, rest, "update", [versions[i] for i in rest])

    # -- persons ----------------------------------------------------------------------------

    def create_persons(self, planned: list[PlannedPerson]) -> None:
        options = self.options
        for chunk in _chunks(planned):
            ids = self.ids.take(self.person_table, len(chunk))
            wanted = sum(len(_person_addresses(p)) for p in chunk)
            address_ids = iter(self.ids.take(self.address_table, wanted))
            persons: list[dict[str, Any]] = []
            addresses: list[dict[str, Any]] = []
            links: list[dict[str, Any]] = []
            for person_id, item in zip(ids, chunk, strict=True):
                values = item.values
                if isinstance(item.org_key, tuple):
                    org_id: int | None = self.org_ids[item.org_key]
                elif isinstance(item.org_key, int):
                    org_id = item.org_key
                else:
                    org_id = None
                private = org_id is None
                owned = _person_addresses(item)
                address = next((a for a, _kind, primary in owned if primary), None)
                persons.append(
                    {
                        **self.person_template,
                        **self.audit,
                        **values,
                        "id": person_id,
                        "organisation_id": org_id,
                        "first_name_key": fold(values.get("first_name")),
                        "last_name_key": fold(values["last_name"]),
                        "search_key": person_search_key(
                            last_name=values["last_name"],
                            first_name=values.get("first_name"),
                            email=values.get("email"),
                            phone=values.get("phone"),
                            mobile=values.get("mobile"),
                            postcode=address.postcode if address else None,
                            city=address.city if address else None,
                        ),
                        "notes": item.notes or None,
                        "stage": self.stage if private else None,
                        "salesperson_id": options.salesperson_id if private else None,
                        "import_batch_id": self.batch_id,
                    }
                )
                self.changes.append(("person", person_id, "create", None))
                addresses.extend(
                    self.address_row(
                        next(address_ids), owned_address, None, person_id, kind=kind,
                        primary=primary,
                    )
                    for owned_address, kind, primary in owned
                )
                links.extend(
                    {"person_id": person_id, "tag_id": tag_id}
                    for tag_id in self.tag_id_list((*options.tags, *item.tags))
                )
            self.bulk.insert(self.person_table, persons, "person")
            self.bulk.insert(self.address_table, addresses, "address")
            self.bulk.insert(person_tag, links)
            self.step(len(chunk), "Création des personnes")

    def merge_persons(self, plan: Plan) -> None:
        """Fill the existing persons the file matched."""
        options = self.options
        wanted = sorted(set(plan.person_fills) | set(plan.person_tags) | set(plan.person_homes))
        table = self.person_table
        columns = [table.c.id, table.c.version_id, *(table.c[c] for c in _PERSON_MERGE_COLUMNS)]
        for chunk in _chunks(wanted):
            current = {
                row[0]: row
                for row in self.session.execute(select(*columns).where(table.c.id.in_(chunk)))
            }
            updates: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
            journal_rows: list[tuple[int, int]] = []
            needs_key = [
                i
                for i in chunk
                if i in current and plan.person_fills.get(i, {}).keys() & _PERSON_KEY_FIELDS
            ]
            primary = self._primary_addresses("person_id", needs_key) if needs_key else {}
            for person_id in chunk:
                row = current.get(person_id)
                if row is None:
                    continue
                old = dict(zip(_PERSON_MERGE_COLUMNS, row[2:], strict=True))
                after = _filled(old, plan.person_fills.get(person_id, {}), options.update)
                if not after:
                    continue
                merged = {**old, **after}
                if after.keys() & _PERSON_KEY_FIELDS:
                    where = primary.get(person_id)
                    after["search_key"] = person_search_key(
                        last_name=merged["last_name"],
                        first_name=merged["first_name"],
                        email=merged["email"],
                        phone=merged["phone"],
                        mobile=merged["mobile"],
                        postcode=where.postcode if where else None,
                        city=where.city if where else None,
                    )
                for name in ("first_name", "last_name"):
                    if name in after:
                        after[f"{name}_key"] = fold(after[name])
                updates[tuple(sorted(after))].append({"_id": person_id, **after})
                journal_rows.append((person_id, row[1] + 1))
                self._record_merge("person", person_id, old, after)
            self._run_updates(table, updates)
            self.bulk.journal(
                "person",
                [i for i, _v in journal_rows],
                "update",
                [v for _i, v in journal_rows],
            )
            self._link_existing(
                person_tag,
                "person",
                {i: plan.person_tags.get(i, set()) for i in chunk if i in current},
                {i for i, _v in journal_rows},
            )
            self._add_homes({i: plan.person_homes[i] for i in chunk if i in plan.person_homes
                             and i in current})  # fmt: skip
            self.step(len(chunk), "Fusion des personnes")

    def _add_homes(self, homes: dict[int, AddressValues]) -> None:
        """The home address of existing persons that have none yet (never replaced)."""
        if not homes:
            return
        table = self.address_table
        having = set(
            self.session.scalars(
                select(table.c.person_id).where(
                    table.c.person_id.in_(list(homes)), table.c.kind == HOME_KIND
                )
            )
        )
        new = [(person_id, home) for person_id, home in homes.items() if person_id not in having]
        ids = self.ids.take(table, len(new))
        rows = [
            self.address_row(address_id, home, None, person_id, kind=HOME_KIND, primary=False)
            for address_id, (person_id, home) in zip(ids, new, strict=True)
        ]
        self.bulk.insert(table, rows, "address")

    def write_changes(self) -> None:
        table = table_of(ImportChange)
        ids = self.ids.take(table, len(self.changes))
        for start in range(0, len(self.changes), CHUNK * 5):
            rows = [
                {
                    "id": ids[start + offset],
                    "batch_id": self.batch_id,
                    "seq": start + offset + 1,
                    "entity": entity,
                    "entity_id": entity_id,
                    "op": op,
                    "before": before,
                }
                for offset, (entity, entity_id, op, before) in enumerate(
                    self.changes[start : start + CHUNK * 5]
                )
            ]
            self.bulk.insert(table, rows)


def _filled(old: dict[str, Any], fills: dict[str, Any], update_all: bool) -> dict[str, Any]:
    """The columns a merge changes: empty ones filled, or every different one with ``update``."""
    after: dict[str, Any] = {}
    for name, value in fills.items():
        current = old[name]
        if name == "notes" and current and value and not update_all:
            joined = join_notes(current, value)  # notes add up: never one lost for the other
            if joined != current:
                after[name] = joined
            continue
        if current == value or (current and not update_all):
            continue
        after[name] = value
    return after


def write_plan(
    session: Session,
    plan: Plan,
    *,
    options: WriteOptions,
    sources: str,
    preset: str,
    reports: list[FileReport],
    cancelled: CancelFn | None,
    progress: ProgressFn | None,
) -> int:
    """Write a plan as one import batch; returns the batch id.

    Runs inside the caller's write transaction: an exception (a cancel
    included) rolls everything back.
    """
    batch = ImportBatch(created_by=options.user, sources=sources, preset=preset, status="done")
    session.add(batch)
    session.flush()
    total = (
        len(plan.new_orgs)
        + len(set(plan.org_fills) | set(plan.org_addresses) | set(plan.org_tags))
        + len(plan.new_persons)
        + len(set(plan.person_fills) | set(plan.person_tags))
    )
    writer = _Writer(session, batch.id, options, cancelled, progress, total)
    writer.step(0, "Écriture")
    names: set[str] = set(options.tags)
    for org in plan.new_orgs.values():
        names.update(org.tags)
    for person in plan.new_persons.values():
        names.update(person.tags)
    for tags in (*plan.org_tags.values(), *plan.person_tags.values()):
        names.update(tags)
    writer.ensure_tags(names)
    writer.create_orgs(list(plan.new_orgs.values()))
    writer.merge_orgs(plan)
    writer.create_persons(list(plan.new_persons.values()))
    writer.merge_persons(plan)
    writer.write_changes()
    for report in reports:
        report.batch_id = batch.id
    batch.report = json.dumps(
        {
            "files": [r.to_dict() for r in reports],
            "base": options.base,
            "update": options.update,
            "salesperson_id": options.salesperson_id,
            "tags": list(options.tags),
        },
        ensure_ascii=False,
    )
    session.flush()
    return batch.id


__all__ = ["LINK_OP", "WriteOptions", "json_value", "raise_stage", "stage_of", "write_plan"]
