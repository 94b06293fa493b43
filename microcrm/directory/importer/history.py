"""Import history, undo of a whole import, and the organisations export used to check one.

The undo reads the batch's :class:`ImportChange` rows: it deletes what the
import created (records, addresses, tag links, tags nobody else uses) and
puts back the fields a merge filled — except a field changed since the
import (its value is no longer the one the import wrote): that one is left
as the user made it and named in :attr:`UndoResult.skipped`.

A record the import created is deleted only if it is still exactly as the
import left it (:func:`plan_undo`): one edited since (``version_id`` above
the 1 the import wrote), linked to actions, documents or folders (GED),
campaign recipients, tags or addresses added since, or to persons attached
since, is KEPT as is — its imported values are not reverted — and listed
with the reason. A kept organisation keeps its imported persons and
addresses; a kept person keeps its organisation. Documents are therefore
never removed by the ``ON DELETE CASCADE`` of an undo.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Final, cast

from sqlalchemy import Table, delete, func, select, tuple_
from sqlalchemy.orm import Session, selectinload

from microcrm.db import Database
from microcrm.directory.importer.write import LINK_OP, json_value
from microcrm.errors import NotFoundError, ValidationError
from microcrm.models import (
    Action,
    Address,
    CampaignRecipient,
    ChangeLog,
    Document,
    Dossier,
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
from microcrm.storage import journal

NORMALISATION_PRESET: Final = "normalisation"
"""``ImportBatch.preset`` of address-normalisation batches (not imports, skipped here)."""

_ENTITIES: Final[dict[str, type[Organisation] | type[Person] | type[Address]]] = {
    "organisation": Organisation,
    "person": Person,
    "address": Address,
}
_ENTITY_LABELS: Final = {"organisation": "Organisation", "person": "Personne", "address": "Adresse"}
_LINKS: Final[dict[str, tuple[Table, type[Organisation] | type[Person]]]] = {
    "organisation_tag": (organisation_tag, Organisation),
    "person_tag": (person_tag, Person),
}
_CHUNK: Final = 500


@dataclass(slots=True)
class BatchSummary:
    """One line of the import history."""

    id: int
    created_at: dt.datetime
    created_by: str | None
    sources: str
    preset: str
    status: str
    undone_at: dt.datetime | None


@dataclass(slots=True)
class UndoResult:
    """What an undo did.

    Attributes:
        undone: Changes undone (records deleted, records restored, links removed).
        skipped: French lines naming what was left alone because it changed
            since the import (``"Organisation n° 12 : « phone » modifié depuis
            l'import, non restauré."``).
    """

    undone: int = 0
    skipped: list[str] = field(default_factory=list)
    kept: list[KeptRecord] = field(default_factory=list)


@dataclass(slots=True)
class KeptRecord:
    """A record the import created that the undo keeps, and why (French)."""

    entity: str
    id: int
    label: str
    reasons: list[str]

    def text(self) -> str:
        """The French line, e.g. ``Organisation n° 12 « Dupont SA » : 2 actions.``."""
        return (
            f"{_ENTITY_LABELS[self.entity]} n° {self.id} « {self.label} » : "
            + " ; ".join(self.reasons)
            + "."
        )


@dataclass(slots=True)
class UndoPlan:
    """What :func:`undo_import` would do, shown before anything is removed.

    Attributes:
        batch_id: The import.
        delete: Ids the undo deletes, per entity (``organisation``, ``person``, ``address``).
        restored: Existing records whose fields the import filled (put back where untouched).
        links: Tag links the import added to existing records (removed).
        kept: Records the import created that are kept as is, with the reasons.
    """

    batch_id: int
    delete: dict[str, list[int]]
    restored: int
    links: int
    kept: list[KeptRecord]

    def lines(self) -> list[str]:
        """The plan in French, one line each."""
        out = [
            f"Annulation de l'import n° {self.batch_id} :",
            f"  {len(self.delete['organisation'])} organisation(s), "
            f"{len(self.delete['person'])} personne(s) et {len(self.delete['address'])} "
            "adresse(s) créées par l'import seront supprimées ;",
            f"  {self.restored} fiche(s) complétée(s) remise(s) comme avant "
            f"(sauf champs modifiés depuis), {self.links} étiquette(s) retirée(s) ;",
            f"  {len(self.kept)} fiche(s) créée(s) par l'import conservée(s) telles quelles "
            "(modifiées ou utilisées depuis) :",
        ]
        out += [f"    conservée : {k.text()}" for k in self.kept]
        return out


def _restore(
    session: Session,
    entity: str,
    payloads: dict[int, dict[str, Any]],
    result: UndoResult,
) -> None:
    """Put back the fields a merge filled, unless they changed since (ORM: keys, journal)."""
    model = _ENTITIES[entity]
    ids = sorted(payloads)
    for start in range(0, len(ids), _CHUNK):
        stmt = select(model).where(model.id.in_(ids[start : start + _CHUNK]))
        for obj in cast("list[Organisation | Person | Address]", session.scalars(stmt).all()):
            payload = payloads[obj.id]
            if set(payload) == {"before", "after"}:
                before, after = payload["before"], payload["after"]
            else:  # batches written before the skip-if-changed rule: no "after"
                before, after = payload, None
            restored = False
            for name, value in before.items():
                if after is not None and json_value(getattr(obj, name)) != after.get(name):
                    result.skipped.append(
                        f"{_ENTITY_LABELS[entity]} n° {obj.id} : « {name} » modifié depuis "
                        "l'import, non restauré."
                    )
                    continue
                setattr(obj, name, Stage(value) if name == "stage" and value else value)
                restored = True
            result.undone += restored
    session.flush()


def _delete(session: Session, entity: str, ids: list[int]) -> int:
    """Delete the rows an import created (and their tag links), in bulk, journalled."""
    model = _ENTITIES[entity]
    done = 0
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        present = list(session.scalars(select(model.id).where(model.id.in_(chunk))))
        if not present:
            continue
        if entity in ("organisation", "person"):
            link = _LINKS[f"{entity}_tag"][0]
            session.execute(delete(link).where(link.c[f"{entity}_id"].in_(present)))
        session.execute(
            delete(model).where(model.id.in_(present)).execution_options(synchronize_session=False)
        )
        journal.record(session, entity, present, "delete")
        done += len(present)
    return done


def _unlink(session: Session, kind: str, pairs: list[tuple[int, int]]) -> int:
    """Remove the tag links an import added to existing records; journal their owners."""
    link, model = _LINKS[kind]
    owner = link.c[f"{model.__tablename__}_id"]
    done = 0
    for start in range(0, len(pairs), _CHUNK):
        chunk = pairs[start : start + _CHUNK]
        result = session.execute(delete(link).where(tuple_(owner, link.c.tag_id).in_(chunk)))
        done += int(getattr(result, "rowcount", 0) or 0)
        owners = sorted({o for o, _t in chunk})
        versions = dict(
            session.execute(select(model.id, model.version_id).where(model.id.in_(owners)))
            .tuples()
            .all()
        )
        live = [o for o in owners if o in versions]
        journal.record(session, model.__tablename__, live, "update", [versions[o] for o in live])
    return done


def _delete_tags(session: Session, ids: list[int], result: UndoResult) -> None:
    """Delete the tags an import created, unless someone used them since."""
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        used = set(
            session.scalars(
                select(organisation_tag.c.tag_id).where(organisation_tag.c.tag_id.in_(chunk))
            )
        ) | set(session.scalars(select(person_tag.c.tag_id).where(person_tag.c.tag_id.in_(chunk))))
        names = dict(
            session.execute(select(Tag.id, Tag.name).where(Tag.id.in_(chunk))).tuples().all()
        )
        for tag_id in sorted(used & set(names)):
            result.skipped.append(
                f"Étiquette « {names[tag_id]} » utilisée depuis l'import, conservée."
            )
        gone = sorted(set(names) - used)
        if gone:
            session.execute(delete(Tag).where(Tag.id.in_(gone)))
            journal.record(session, "tag", gone, "delete")
            result.undone += len(gone)


def _count_by(session: Session, column: Any, ids: list[int]) -> dict[int, int]:
    """How many rows of ``column``'s table point at each of ``ids``."""
    counts: dict[int, int] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        stmt = select(column, func.count()).where(column.in_(chunk)).group_by(column)
        counts.update(session.execute(stmt).tuples().all())
    return counts


def _edited_since(session: Session, entity: str, ids: list[int]) -> set[int]:
    """Ids edited since the import: version above 1, or journalled since (e.g. tags set)."""
    model = _ENTITIES[entity]
    edited: set[int] = set()
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        edited |= set(
            session.scalars(select(model.id).where(model.id.in_(chunk), model.version_id > 1))
        )
        edited |= set(
            session.scalars(
                select(ChangeLog.entity_id).where(
                    ChangeLog.entity == entity,
                    ChangeLog.entity_id.in_(chunk),
                    ChangeLog.op.not_in(("insert", "delete")),
                )
            )
        )
    return edited


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _propagate(
    kept: dict[str, set[int]],
    live: dict[str, set[int]],
    persons: dict[int, list[int]],
    addresses: dict[int, list[int]],
    person_addresses: dict[int, list[int]],
) -> None:
    """A kept record keeps what it is linked to, and what is linked to it (in place)."""
    address_owner = {a: o for o, cs in addresses.items() for a in cs}
    address_person = {a: o for o, cs in person_addresses.items() for a in cs}
    person_org = {p: o for o, cs in persons.items() for p in cs}
    changed = True
    while changed:  # a kept record keeps what it is linked to, and what is linked to it
        before = sum(len(v) for v in kept.values())
        for a in list(kept["address"]):
            if a in address_owner and address_owner[a] in live["organisation"]:
                kept["organisation"].add(address_owner[a])
            if a in address_person and address_person[a] in live["person"]:
                kept["person"].add(address_person[a])
        for p in list(kept["person"]):
            if p in person_org and person_org[p] in live["organisation"]:
                kept["organisation"].add(person_org[p])
        for o in kept["organisation"]:
            kept["person"] |= set(persons.get(o, [])) & live["person"]
            kept["address"] |= set(addresses.get(o, [])) & live["address"]
        for p in kept["person"]:
            kept["address"] |= set(person_addresses.get(p, [])) & live["address"]
        changed = sum(len(v) for v in kept.values()) != before


def _find_kept(
    session: Session, created: dict[str, list[int]]
) -> tuple[list[KeptRecord], dict[str, set[int]]]:
    """Which created records to keep (with the reasons), and every id kept per entity."""
    live: dict[str, set[int]] = {}
    for entity in _ENTITIES:
        model = _ENTITIES[entity]
        ids = created[entity]
        live[entity] = set()
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            live[entity] |= set(session.scalars(select(model.id).where(model.id.in_(chunk))))
    reasons: dict[tuple[str, int], list[str]] = {}

    def add(entity: str, ids: Any, text: Any) -> None:
        for i in ids:
            reasons.setdefault((entity, i), []).append(text(i) if callable(text) else text)

    for entity in _ENTITIES:
        ids = sorted(live[entity])
        add(entity, _edited_since(session, entity, ids), "modifiée depuis l'import")
    for entity, action_col, doc_col, dossier_col, rec_col in (
        ("organisation", Action.organisation_id, Document.organisation_id,
         Dossier.organisation_id, CampaignRecipient.organisation_id),
        ("person", Action.person_id, Document.person_id, Dossier.person_id,
         CampaignRecipient.person_id),
    ):  # fmt: skip
        ids = sorted(live[entity])
        for column, one, many in (
            (action_col, "action", "actions"),
            (doc_col, "document (GED)", "documents (GED)"),
            (dossier_col, "dossier (GED)", "dossiers (GED)"),
            (rec_col, "envoi de campagne", "envois de campagne"),
        ):
            counts = _count_by(session, column, ids)
            add(entity, counts, lambda i, c=counts, o=one, m=many: _plural(c[i], o, m))
    org_ids = sorted(live["organisation"])
    persons = _owned(session, Person.id, Person.organisation_id, org_ids)
    addresses = _owned(session, Address.id, Address.organisation_id, org_ids)
    person_addresses = _owned(session, Address.id, Address.person_id, sorted(live["person"]))
    for owner, children in persons.items():
        extra = [c for c in children if c not in live["person"]]
        if extra:
            add(
                "organisation",
                [owner],
                _plural(
                    len(extra),
                    "personne ajoutée depuis l'import",
                    "personnes ajoutées depuis l'import",
                ),
            )
    for owners, kind in ((addresses, "organisation"), (person_addresses, "person")):
        for owner, children in owners.items():
            extra = [c for c in children if c not in live["address"]]
            if extra:
                add(
                    kind,
                    [owner],
                    _plural(
                        len(extra),
                        "adresse ajoutée depuis l'import",
                        "adresses ajoutées depuis l'import",
                    ),
                )
    used = _count_by(session, CampaignRecipient.address_id, sorted(live["address"]))
    add("address", used, "utilisée dans une campagne")
    kept = {entity: {i for e, i in reasons if e == entity} for entity in _ENTITIES}
    _propagate(kept, live, persons, addresses, person_addresses)
    for org in kept["organisation"]:  # kept for a person or address of its own
        reasons.setdefault(("organisation", org), ["fiche liée (personne, adresse) conservée"])
    labels = _labels(session, sorted(kept["organisation"]), sorted(kept["person"]))
    listed = [
        KeptRecord(entity, i, labels.get((entity, i), ""), texts)
        for (entity, i), texts in sorted(
            reasons.items(), key=lambda r: (list(_ENTITIES).index(r[0][0]), r[0][1])
        )
        if entity != "address"
    ]
    return listed, kept


def _owned(session: Session, child: Any, owner: Any, ids: list[int]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for start in range(0, len(ids), _CHUNK):
        stmt = select(owner, child).where(owner.in_(ids[start : start + _CHUNK]))
        for o, c in session.execute(stmt).tuples():
            out.setdefault(o, []).append(c)
    return out


def _labels(session: Session, orgs: list[int], persons: list[int]) -> dict[tuple[str, int], str]:
    out: dict[tuple[str, int], str] = {}
    for start in range(0, len(orgs), _CHUNK):
        stmt = select(Organisation.id, Organisation.name).where(
            Organisation.id.in_(orgs[start : start + _CHUNK])
        )
        out.update((("organisation", i), n or "") for i, n in session.execute(stmt).tuples())
    for start in range(0, len(persons), _CHUNK):
        pstmt = select(Person.id, Person.first_name, Person.last_name).where(
            Person.id.in_(persons[start : start + _CHUNK])
        )
        out.update(
            (("person", i), " ".join(x for x in (f, last) if x))
            for i, f, last in session.execute(pstmt).tuples()
        )
    return out


@dataclass(slots=True)
class _Changes:
    created: dict[str, list[int]]
    merged: dict[str, dict[int, dict[str, Any]]]
    links: dict[str, list[tuple[int, int]]]
    kept_listed: list[KeptRecord]
    kept: dict[str, set[int]]


def _read_changes(session: Session, batch_id: int) -> tuple[ImportBatch, _Changes]:
    batch = session.get(ImportBatch, batch_id)
    if batch is None or batch.preset == NORMALISATION_PRESET:
        raise NotFoundError("import", batch_id)
    if batch.status == "undone":
        raise ValidationError("batch", f"L'import n° {batch_id} a déjà été annulé.")
    rows = session.execute(
        select(ImportChange.entity, ImportChange.entity_id, ImportChange.op, ImportChange.before)
        .where(ImportChange.batch_id == batch_id)
        .order_by(ImportChange.seq)
    ).tuples()
    created: dict[str, list[int]] = {name: [] for name in (*_ENTITIES, "tag")}
    merged: dict[str, dict[int, dict[str, Any]]] = {name: {} for name in _ENTITIES}
    links: dict[str, list[tuple[int, int]]] = {name: [] for name in _LINKS}
    for entity, entity_id, op, before in rows:
        if op == "create":
            created[entity].append(entity_id)
        elif op == LINK_OP:
            links[entity].append((entity_id, int(json.loads(before or "{}")["tag_id"])))
        else:
            merged[entity][entity_id] = json.loads(before or "{}")
    listed, kept = _find_kept(session, created)
    return batch, _Changes(created, merged, links, listed, kept)


def _to_delete(changes: _Changes) -> dict[str, list[int]]:
    return {
        entity: [i for i in changes.created[entity] if i not in changes.kept[entity]]
        for entity in _ENTITIES
    }


def plan_undo(db: Database, batch_id: int) -> UndoPlan:
    """What :func:`undo_import` would delete, put back and keep (nothing is written).

    Raises:
        NotFoundError: no such import.
        ValidationError: the import was already undone.
    """
    with db.read() as session:
        _batch, changes = _read_changes(session, batch_id)
        delete_ids = _to_delete(changes)
        # ids still present only: one deleted by hand since is not counted
        for entity, ids in delete_ids.items():
            model = _ENTITIES[entity]
            present: list[int] = []
            for start in range(0, len(ids), _CHUNK):
                present += session.scalars(
                    select(model.id).where(model.id.in_(ids[start : start + _CHUNK]))
                )
            delete_ids[entity] = sorted(present)
        return UndoPlan(
            batch_id,
            delete_ids,
            sum(len(p) for p in changes.merged.values()),
            sum(len(p) for p in changes.links.values()),
            changes.kept_listed,
        )


def undo_import(db: Database, batch_id: int) -> UndoResult:
    """Undo an import: delete what it created, restore what it filled, mark it undone.

    A merged field whose value is no longer the one the import wrote was
    changed by someone since: it is left alone and listed in ``skipped``.
    A created record edited or used since is kept as is (see :func:`plan_undo`),
    listed in ``kept`` and in ``skipped``.

    Returns:
        The number of changes undone and what was left alone.

    Raises:
        NotFoundError: no such import.
        ValidationError: the import was already undone.
    """

    def undo(session: Session) -> UndoResult:
        batch, changes = _read_changes(session, batch_id)
        result = UndoResult(kept=changes.kept_listed)
        result.skipped += [f"{k.text()} Conservée." for k in changes.kept_listed]
        for entity, payloads in changes.merged.items():
            _restore(session, entity, payloads, result)
        for kind, pairs in changes.links.items():
            result.undone += _unlink(session, kind, pairs)
        delete_ids = _to_delete(changes)
        for entity in ("person", "address", "organisation"):  # children first
            result.undone += _delete(session, entity, delete_ids[entity])
        _delete_tags(session, changes.created["tag"], result)
        batch.status = "undone"
        batch.undone_at = utcnow()
        return result

    return db.run_write(undo)


def import_history(db: Database) -> list[BatchSummary]:
    """Every import batch, newest first (address normalisations excluded)."""
    with db.read() as session:
        batches = session.scalars(
            select(ImportBatch)
            .where(ImportBatch.preset != NORMALISATION_PRESET)
            .order_by(ImportBatch.id.desc())
        ).all()
        return [
            BatchSummary(
                b.id, b.created_at, b.created_by, b.sources, b.preset, b.status, b.undone_at
            )
            for b in batches
        ]


def export_organisations(db: Database) -> Iterator[dict[str, Any]]:
    """Every live organisation with its live persons and normalised address lines."""
    with db.read() as session:
        stmt = (
            select(Organisation)
            .where(Organisation.deleted_at.is_(None))
            .order_by(Organisation.id)
            .options(selectinload(Organisation.addresses), selectinload(Organisation.persons))
            .execution_options(yield_per=500)
        )
        for org in session.scalars(stmt):
            yield {
                "id": org.id,
                "name": org.name,
                "enseigne": org.enseigne,
                "siret": org.siret,
                "naf_code": org.naf_code,
                "phone": org.phone,
                "email": org.email,
                "emails_other": org.emails_other,
                "fax": org.fax,
                "website": org.website,
                "stage": json_value(org.stage),
                "is_supplier": org.is_supplier,
                "is_organisme": org.is_organisme,
                "addresses": [
                    {"primary": a.is_primary, "lines": a.lines, "status": a.norm_status}
                    for a in sorted(org.addresses, key=lambda a: a.id)
                ],
                "persons": [
                    {
                        "id": p.id,
                        "civility": p.civility,
                        "first_name": p.first_name,
                        "last_name": p.last_name,
                        "role": p.role,
                        "email": p.email,
                        "phone": p.phone,
                        "mobile": p.mobile,
                        "phone_home": p.phone_home,
                        "fax": p.fax,
                        "emails_other": p.emails_other,
                        "website": p.website,
                    }
                    for p in sorted(org.persons, key=lambda p: p.id)
                    if p.deleted_at is None
                ],
            }
