"""Segments: a list's filters saved under a name, shown in the navigation."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields

from sqlalchemy import select
from sqlalchemy.orm import Session

from microcrm.crm.lists import ListQuery
from microcrm.db import Database
from microcrm.errors import NotFoundError, ValidationError
from microcrm.models import Segment

#: What a segment keeps of a ListQuery (not the sort: that is a view preference).
CRITERIA = tuple(f.name for f in fields(ListQuery) if f.name not in ("sort_key", "descending"))


@dataclass(frozen=True, slots=True)
class SegmentInfo:
    """A saved segment: id, name and the query it stands for."""

    id: int
    name: str
    query: ListQuery


def _to_json(query: ListQuery) -> str:
    data = asdict(query)
    return json.dumps({k: data[k] for k in CRITERIA}, ensure_ascii=False, sort_keys=True)


def _from_json(text: str) -> ListQuery:
    data = json.loads(text or "{}")
    return ListQuery(**{k: v for k, v in data.items() if k in CRITERIA})


def save_segment(db: Database, name: str, query: ListQuery) -> SegmentInfo:
    """Save (or replace, by name) a segment.

    Raises:
        ValidationError: the name is empty.
    """
    name = name.strip()
    if not name:
        raise ValidationError("name", "Le nom du segment est obligatoire.")

    def write(session: Session) -> SegmentInfo:
        segment = session.scalar(select(Segment).where(Segment.name == name))
        if segment is None:
            segment = Segment(name=name)
            session.add(segment)
        segment.criteria = _to_json(query)
        session.flush()
        return SegmentInfo(segment.id, segment.name, _from_json(segment.criteria))

    return db.run_write(write)


def list_segments(db: Database) -> list[SegmentInfo]:
    """Every segment, by name."""
    with db.read() as session:
        return [
            SegmentInfo(s.id, s.name, _from_json(s.criteria))
            for s in session.scalars(select(Segment).order_by(Segment.name))
        ]


def get_segment(db: Database, name_or_id: str | int) -> SegmentInfo:
    """One segment by id or name.

    Raises:
        NotFoundError: no such segment.
    """
    with db.read() as session:
        if isinstance(name_or_id, int):
            cond = Segment.id == name_or_id
        else:
            cond = Segment.name == name_or_id
        s = session.scalar(select(Segment).where(cond))
        if s is None:
            raise NotFoundError("Segment", name_or_id)
        return SegmentInfo(s.id, s.name, _from_json(s.criteria))


def delete_segment(db: Database, segment_id: int) -> None:
    """Remove a segment (the records it selects are untouched)."""

    def write(session: Session) -> None:
        s = session.get(Segment, segment_id)
        if s is None:
            raise NotFoundError("Segment", segment_id)
        session.delete(s)

    db.run_write(write)
