"""Import history, undo of a whole import, and the organisations export used to check one.

The undo reads the batch's :class:`ImportChange` rows: it deletes what the
import created (records, addresses, tag links, tags nobody else uses) and
puts back the fields a merge filled — except a field changed since the
import (its value is no longer the one the import wrote): that one is left
as the user made it and named in :attr:`UndoResult.skipped`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Final, cast

from sqlalchemy import Table, delete, select, tuple_
from sqlalchemy.orm import Session, selectinload

from microcrm.db import Database
from microcrm.directory.importer.write import LINK_OP, json_value
from microcrm.errors import NotFoundError, ValidationError
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


def undo_import(db: Database, batch_id: int) -> UndoResult:
    """Undo an import: delete what it created, restore what it filled, mark it undone.

    A merged field whose value is no longer the one the import wrote was
    changed by someone since: it is left alone and listed in ``skipped``.

    Returns:
        The number of changes undone and what was left alone.

    Raises:
        NotFoundError: no such import.
        ValidationError: the import was already undone.
    """

    def undo(session: Session) -> UndoResult:
        batch = session.get(ImportBatch, batch_id)
        if batch is None or batch.preset == NORMALISATION_PRESET:
            raise NotFoundError("import", batch_id)
        if batch.status == "undone":
            raise ValidationError("batch", f"L'import n° {batch_id} a déjà été annulé.")
        rows = session.execute(
            select(
                ImportChange.entity, ImportChange.entity_id, ImportChange.op, ImportChange.before
            )
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
        result = UndoResult()
        for entity, payloads in merged.items():
            _restore(session, entity, payloads, result)
        for kind, pairs in links.items():
            result.undone += _unlink(session, kind, pairs)
        for entity in ("person", "address", "organisation"):  # children first
            result.undone += _delete(session, entity, created[entity])
        _delete_tags(session, created["tag"], result)
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
