"""Tags (étiquettes) of organisations and persons: list them, set a party's tags by name.

Tag names are compared without regard to case or accents (« fidèle » is the
existing « Fidèle »); a name nobody used yet creates the tag. Setting tags
with the ``base`` the form was opened with applies only the user's additions
and removals, so tags set meanwhile on another workstation are kept.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Table, delete, insert, select
from sqlalchemy.orm import Session

from microcrm.db import Database
from microcrm.errors import ValidationError
from microcrm.models import Organisation, Person, Tag, organisation_tag, person_tag
from microcrm.storage import journal
from microcrm.text import fold

MAX_TAG_LENGTH = 80


def clean_tag_names(names: Iterable[str]) -> tuple[str, ...]:
    """Trimmed, de-duplicated (case and accents folded) names, in the order given.

    Raises:
        ValidationError: a name is longer than the column allows.
    """
    seen: dict[str, str] = {}
    for raw in names:
        name = " ".join(raw.split())
        if not name:
            continue
        if len(name) > MAX_TAG_LENGTH:
            raise ValidationError(
                "tags", f"L'étiquette « {name[:20]}… » dépasse {MAX_TAG_LENGTH} caractères."
            )
        seen.setdefault(fold(name), name)
    return tuple(seen.values())


def read_tag_names(session: Session) -> list[str]:
    """Every tag name, alphabetically (inside an open read)."""
    return sorted(session.scalars(select(Tag.name)), key=fold)


def list_tag_names(db: Database) -> list[str]:
    """Every tag name, alphabetically (accent-insensitive)."""
    with db.read() as session:
        return read_tag_names(session)


def _read_tags(session: Session, link: Table, owner_id: int) -> list[str]:
    owner_column = next(c for c in link.c if c.name != "tag_id")
    rows = session.scalars(
        select(Tag.name).join(link, link.c.tag_id == Tag.id).where(owner_column == owner_id)
    )
    return sorted(rows, key=fold)


def read_organisation_tags(session: Session, organisation_id: int) -> list[str]:
    """Names of an organisation's tags, alphabetically (inside an open read)."""
    return _read_tags(session, organisation_tag, organisation_id)


def organisation_tags(db: Database, organisation_id: int) -> list[str]:
    """Names of an organisation's tags, alphabetically."""
    with db.read() as session:
        return read_organisation_tags(session, organisation_id)


def read_person_tags(session: Session, person_id: int) -> list[str]:
    """Names of a person's tags, alphabetically (inside an open read)."""
    return _read_tags(session, person_tag, person_id)


def person_tags(db: Database, person_id: int) -> list[str]:
    """Names of a person's tags, alphabetically."""
    with db.read() as session:
        return read_person_tags(session, person_id)


def _tag_ids(session: Session, names: Iterable[str]) -> dict[str, int]:
    """Folded name → tag id, creating the tags nobody used yet."""
    wanted = {fold(n): n for n in names}
    existing = {fold(name): tag_id for tag_id, name in session.execute(select(Tag.id, Tag.name))}
    for key, name in wanted.items():
        if key not in existing:
            tag = Tag(name=name)
            session.add(tag)
            session.flush()
            existing[key] = tag.id
    return {key: existing[key] for key in wanted}


def set_organisation_tags(
    db: Database,
    organisation_id: int,
    names: Iterable[str],
    base: Iterable[str] | None = None,
) -> list[str]:
    """Give an organisation these tags; returns its tags as saved.

    Without ``base`` the organisation gets exactly ``names``. With ``base``
    (the tags the form showed), only the differences ``names − base`` (added)
    and ``base − names`` (removed) are applied to the current tags.

    Raises:
        ValidationError: a tag name is too long.
    """
    return _set_tags(db, organisation_tag, Organisation, organisation_id, names=names, base=base)


def set_person_tags(
    db: Database,
    person_id: int,
    names: Iterable[str],
    base: Iterable[str] | None = None,
) -> list[str]:
    """Give a person these tags, as :func:`set_organisation_tags` does an organisation.

    Raises:
        ValidationError: a tag name is too long.
    """
    return _set_tags(db, person_tag, Person, person_id, names=names, base=base)


def _set_tags(
    db: Database,
    link: Table,
    owner: type[Organisation] | type[Person],
    owner_id: int,
    *,
    names: Iterable[str],
    base: Iterable[str] | None,
) -> list[str]:
    mine = clean_tag_names(names)
    origin = clean_tag_names(base) if base is not None else None
    owner_column = link.c[f"{owner.__tablename__}_id"]

    def write(session: Session) -> list[str]:
        current = {fold(n) for n in _read_tags(session, link, owner_id)}
        mine_keys = {fold(n) for n in mine}
        if origin is None:
            add, remove = mine_keys - current, current - mine_keys
        else:
            origin_keys = {fold(n) for n in origin}
            add = (mine_keys - origin_keys) - current
            remove = (origin_keys - mine_keys) & current
        if add or remove:
            ids = _tag_ids(session, [n for n in mine if fold(n) in add])
            all_ids = {fold(name): i for i, name in session.execute(select(Tag.id, Tag.name))}
            if remove:
                session.execute(
                    delete(link).where(
                        owner_column == owner_id,
                        link.c.tag_id.in_([all_ids[k] for k in remove]),
                    )
                )
            if add:
                session.execute(
                    insert(link), [{owner_column.name: owner_id, "tag_id": ids[k]} for k in add]
                )
            # Association rows carry no version: journal the owner so that other
            # workstations refresh their lists (docs/storage.md §4.2).
            version = session.scalar(select(owner.version_id).where(owner.id == owner_id))
            journal.record(session, owner.__tablename__, [owner_id], "update", [version])
        return _read_tags(session, link, owner_id)

    return db.run_write(write)
