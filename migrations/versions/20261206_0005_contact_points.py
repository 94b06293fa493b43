"""Typed contact points: fax and further e-mails for organisations; home phone, fax, further
e-mails and an own web site for persons.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06

Directory files and address books carry them (vCard, Outlook, Google, LinkedIn
exports); without columns the importer had nowhere to keep them. Plain nullable
columns: SQLite adds them in place (no table rebuild), and the version_id guard
triggers of revision 0001 are untouched. A person's home address needs no column:
it is an ``address`` row of the person with ``kind = 'domicile'``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_ORGANISATION = (("fax", sa.String(32)), ("emails_other", sa.Text()))
_PERSON = (
    ("phone_home", sa.String(32)),
    ("fax", sa.String(32)),
    ("emails_other", sa.Text()),
    ("website", sa.String(254)),
)


def upgrade() -> None:
    for name, type_ in _ORGANISATION:
        op.add_column("organisation", sa.Column(name, type_, nullable=True))
    for name, type_ in _PERSON:
        op.add_column("person", sa.Column(name, type_, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("person") as batch:
        for name, _ in reversed(_PERSON):
            batch.drop_column(name)
    with op.batch_alter_table("organisation") as batch:
        for name, _ in reversed(_ORGANISATION):
            batch.drop_column(name)
