"""Quick-search keys on organisations and persons, in partial covering indexes.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24

Written by hand. ``search_key`` is derived (accent-folded name, enseigne,
SIRET, phones, e-mail, postcode, city of the primary address): the list's
quick search scans it in an index that also holds the sort key, so a
keystroke on 100,000 rows needs no table lookup and no join. The backfill
uses a frozen copy of the key functions (microcrm.models.search at this
revision) and runs with the version triggers lifted: a derived column is
not a user's edit and must not look like one to other workstations.
"""

from __future__ import annotations

import re
import unicodedata

import sqlalchemy as sa
from alembic import op
from microcrm.migrations.helpers import create_version_trigger, drop_version_trigger

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

BATCH = 2000


def _fold(text: str | None) -> str:
    if not text:
        return ""
    text = text.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    decomposed = unicodedata.normalize("NFKD", text)
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).lower().split())


_PUNCTUATION = re.compile(r"[^\w@.]+")


def _sfold(text: str | None) -> str:
    return " ".join(_PUNCTUATION.sub(" ", _fold(text)).replace("_", " ").split())


def _phone(phone: str | None) -> str:
    if not phone:
        return ""
    digits = "".join(ch for ch in phone if ch.isdigit())
    return f"{digits} 0{digits[2:]}" if phone.startswith("+33") and len(digits) > 2 else digits


def _join(*parts: str | None) -> str:
    return " | ".join(p for p in parts if p)


def _backfill(conn: sa.Connection, table: str, sql: str, key: object) -> None:
    rows = conn.execute(sa.text(sql)).all()
    update = sa.text(f"UPDATE {table} SET search_key = :k WHERE id = :i")
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        conn.execute(update, [{"k": key(r), "i": r.id} for r in chunk])  # type: ignore[operator]


def upgrade() -> None:
    for table in ("organisation", "person"):
        op.add_column(
            table, sa.Column("search_key", sa.Text(), nullable=False, server_default=sa.text("''"))
        )
    conn = op.get_bind()
    for table in ("organisation", "person"):
        drop_version_trigger(table)
    _backfill(
        conn,
        "organisation",
        "SELECT o.id, o.name, o.enseigne, o.siret, o.phone, o.email, a.postcode, a.city "
        "FROM organisation o LEFT JOIN address a ON a.organisation_id = o.id AND a.is_primary",
        lambda r: _join(_sfold(r.name), _sfold(r.enseigne), r.siret, _phone(r.phone),
                        _sfold(r.email), r.postcode, _sfold(r.city)),
    )
    _backfill(
        conn,
        "person",
        "SELECT p.id, p.last_name, p.first_name, p.email, p.phone, p.mobile, a.postcode, a.city "
        "FROM person p LEFT JOIN address a ON a.person_id = p.id AND a.is_primary",
        lambda r: _join(_sfold(r.last_name), _sfold(r.first_name), _sfold(r.email),
                        _phone(r.phone), _phone(r.mobile), r.postcode, _sfold(r.city)),
    )
    for table in ("organisation", "person"):
        create_version_trigger(table)
    live = sa.text("deleted_at IS NULL")
    op.drop_index("ix_organisation_base_name", "organisation")  # superseded, and it misled the planner
    op.create_index(
        "ix_organisation_live_search", "organisation", ["stage", "name_key", "search_key"],
        sqlite_where=live, postgresql_where=live,
    )
    op.create_index(
        "ix_person_live_search", "person",
        ["is_staff", "organisation_id", "last_name_key", "first_name_key", "search_key"],
        sqlite_where=live, postgresql_where=live,
    )


def downgrade() -> None:
    op.drop_index("ix_person_live_search", "person")
    op.drop_index("ix_organisation_live_search", "organisation")
    op.create_index("ix_organisation_base_name", "organisation", ["stage", "name_key"])
    for table in ("organisation", "person"):
        drop_version_trigger(table)
        with op.batch_alter_table(table) as batch:
            batch.drop_column("search_key")
        create_version_trigger(table)
