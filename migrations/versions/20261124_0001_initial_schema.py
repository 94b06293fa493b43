"""Initial schema: parties, addresses, follow-up, GED, campaigns, imports, journal.

Revision ID: 0001
Revises:
Create Date: 2026-11-24

Written from an autogenerate draft, then reviewed by hand: audit columns
factored into ``_audit()``, indexes named as in the models, the change
journal with a never-reused sequence (``sqlite_autoincrement``) and the
``version_id`` triggers of docs/storage.md §4.1 (F10), on SQLite and
PostgreSQL alike. SQLite batch operations recreate tables and lose their
triggers: later revisions that batch-alter a versioned table must call
``helpers.create_version_trigger`` again.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from microcrm.migrations.helpers import (
    VERSIONED_TABLES_0001,
    create_version_trigger,
    drop_version_function,
    drop_version_trigger,
)

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _audit() -> list[sa.Column[object]]:
    """version_id (optimistic concurrency) and who/when columns of every editable row."""
    return [
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("updated_by", sa.String(length=64), nullable=True),
    ]


def _deleted_at() -> sa.Column[object]:
    """Soft delete: the row is in the trash (Corbeille) when set."""
    return sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True)


def _create_version_triggers() -> None:
    for table in VERSIONED_TABLES_0001:
        create_version_trigger(table)


def _drop_version_triggers() -> None:
    for table in VERSIONED_TABLES_0001:
        drop_version_trigger(table)
    drop_version_function()


def upgrade() -> None:
    op.create_table(
        "action_type",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("color", sa.String(length=9), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        *_audit(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_type")),
        sa.UniqueConstraint("name", name=op.f("uq_action_type_name")),
    )
    op.create_table(
        "app_meta",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_app_meta")),
    )
    op.create_table(
        "app_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("login", sa.String(length=64), nullable=False),
        sa.Column("full_name", sa.String(length=120), nullable=False),
        sa.Column("initials", sa.String(length=8), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("is_salesperson", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        *_audit(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_user")),
        sa.UniqueConstraint("login", name=op.f("uq_app_user_login")),
    )
    op.create_table(
        "change_log",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("ts", sa.DateTime(timezone=True), nullable=False),
        sa.Column("workstation_id", sa.String(length=36), nullable=False),
        sa.Column("user_login", sa.String(length=64), nullable=True),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("op", sa.String(length=8), nullable=False),
        sa.Column("new_version", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_change_log")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_change_log_entity", "change_log", ["entity", "entity_id"])

    op.create_table(
        "import_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        sa.Column("sources", sa.Text(), nullable=False),
        sa.Column("preset", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("report", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_batch")),
    )
    op.create_table(
        "scenario",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        *_audit(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scenario")),
        sa.UniqueConstraint("name", name=op.f("uq_scenario_name")),
    )
    op.create_table(
        "tag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("color", sa.String(length=9), nullable=False),
        *_audit(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tag")),
        sa.UniqueConstraint("name", name=op.f("uq_tag_name")),
    )
    op.create_table(
        "workstation",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("hostname", sa.String(length=255), nullable=False),
        sa.Column("user_login", sa.String(length=64), nullable=True),
        sa.Column("app_version", sa.String(length=32), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workstation")),
    )
    op.create_table(
        "import_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("op", sa.String(length=8), nullable=False),
        sa.Column("before", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["import_batch.id"],
            name=op.f("fk_import_change_batch_id_import_batch"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_change")),
    )
    op.create_index("ix_import_change_batch", "import_change", ["batch_id", "seq"])

    op.create_table(
        "organisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_key", sa.String(length=200), nullable=False),
        sa.Column("enseigne", sa.String(length=200), nullable=True),
        sa.Column("reference", sa.String(length=32), nullable=True),
        sa.Column("siren", sa.String(length=9), nullable=True),
        sa.Column("siret", sa.String(length=14), nullable=True),
        sa.Column("naf_code", sa.String(length=6), nullable=True),
        sa.Column("headcount_band", sa.String(length=2), nullable=True),
        sa.Column("legal_form", sa.String(length=4), nullable=True),
        sa.Column("website", sa.String(length=254), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column(
            "stage",
            sa.Enum(
                "suspect",
                "prospect",
                "client",
                "ancien_client",
                name="stage",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=True,
        ),
        sa.Column("traite", sa.Boolean(), nullable=False),
        sa.Column("is_supplier", sa.Boolean(), nullable=False),
        sa.Column("is_organisme", sa.Boolean(), nullable=False),
        sa.Column("no_mail", sa.Boolean(), nullable=False),
        sa.Column("salesperson_id", sa.Integer(), nullable=True),
        sa.Column("import_batch_id", sa.Integer(), nullable=True),
        *_audit(),
        _deleted_at(),
        sa.CheckConstraint(
            "siren IS NULL OR length(siren) = 9", name=op.f("ck_organisation_siren_length")
        ),
        sa.CheckConstraint(
            "siret IS NULL OR length(siret) = 14", name=op.f("ck_organisation_siret_length")
        ),
        sa.ForeignKeyConstraint(
            ["import_batch_id"],
            ["import_batch.id"],
            name=op.f("fk_organisation_import_batch_id_import_batch"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["salesperson_id"],
            ["app_user.id"],
            name=op.f("fk_organisation_salesperson_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation")),
        sa.UniqueConstraint("siret", name=op.f("uq_organisation_siret")),
    )
    op.create_index("ix_organisation_base_name", "organisation", ["stage", "name_key"])
    op.create_index("ix_organisation_email", "organisation", ["email"])
    op.create_index("ix_organisation_import_batch_id", "organisation", ["import_batch_id"])
    op.create_index("ix_organisation_is_organisme", "organisation", ["is_organisme"])
    op.create_index("ix_organisation_is_supplier", "organisation", ["is_supplier"])
    op.create_index("ix_organisation_naf_code", "organisation", ["naf_code"])
    op.create_index("ix_organisation_name_key", "organisation", ["name_key"])
    op.create_index("ix_organisation_phone", "organisation", ["phone"])
    op.create_index("ix_organisation_reference", "organisation", ["reference"])
    op.create_index("ix_organisation_salesperson", "organisation", ["salesperson_id"])
    op.create_index("ix_organisation_siren", "organisation", ["siren"])

    op.create_table(
        "scenario_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scenario_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("action_type_id", sa.Integer(), nullable=False),
        sa.Column("delay_days", sa.Integer(), nullable=False),
        *_audit(),
        sa.ForeignKeyConstraint(
            ["action_type_id"],
            ["action_type.id"],
            name=op.f("fk_scenario_step_action_type_id_action_type"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["scenario_id"],
            ["scenario.id"],
            name=op.f("fk_scenario_step_scenario_id_scenario"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scenario_step")),
    )
    op.create_index("ix_scenario_step_scenario_id", "scenario_step", ["scenario_id"])

    op.create_table(
        "sector",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("departements", sa.Text(), nullable=False),
        sa.Column("salesperson_id", sa.Integer(), nullable=True),
        *_audit(),
        sa.ForeignKeyConstraint(
            ["salesperson_id"],
            ["app_user.id"],
            name=op.f("fk_sector_salesperson_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sector")),
        sa.UniqueConstraint("name", name=op.f("uq_sector_name")),
    )
    op.create_index("ix_sector_salesperson_id", "sector", ["salesperson_id"])

    op.create_table(
        "segment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("criteria", sa.Text(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        *_audit(),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["app_user.id"],
            name=op.f("fk_segment_owner_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_segment")),
        sa.UniqueConstraint("name", name=op.f("uq_segment_name")),
    )
    op.create_table(
        "campaign",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("template", sa.String(length=255), nullable=False),
        sa.Column("segment_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("letters", sa.Integer(), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("excluded", sa.Integer(), nullable=False),
        *_audit(),
        sa.ForeignKeyConstraint(
            ["segment_id"],
            ["segment.id"],
            name=op.f("fk_campaign_segment_id_segment"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign")),
    )
    op.create_table(
        "organisation_tag",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_organisation_tag_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tag_id"], ["tag.id"], name=op.f("fk_organisation_tag_tag_id_tag"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("organisation_id", "tag_id", name=op.f("pk_organisation_tag")),
    )
    op.create_index("ix_organisation_tag_tag_id", "organisation_tag", ["tag_id"])

    op.create_table(
        "person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("civility", sa.String(length=8), nullable=True),
        sa.Column("last_name", sa.String(length=120), nullable=False),
        sa.Column("first_name", sa.String(length=120), nullable=True),
        sa.Column("last_name_key", sa.String(length=120), nullable=False),
        sa.Column("first_name_key", sa.String(length=120), nullable=False),
        sa.Column("role", sa.String(length=120), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("mobile", sa.String(length=32), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("is_staff", sa.Boolean(), nullable=False),
        sa.Column(
            "stage",
            sa.Enum(
                "suspect",
                "prospect",
                "client",
                "ancien_client",
                name="stage",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=True,
        ),
        sa.Column("no_mail", sa.Boolean(), nullable=False),
        sa.Column("no_email", sa.Boolean(), nullable=False),
        sa.Column("salesperson_id", sa.Integer(), nullable=True),
        sa.Column("import_batch_id", sa.Integer(), nullable=True),
        *_audit(),
        _deleted_at(),
        sa.ForeignKeyConstraint(
            ["import_batch_id"],
            ["import_batch.id"],
            name=op.f("fk_person_import_batch_id_import_batch"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_person_organisation_id_organisation"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["salesperson_id"],
            ["app_user.id"],
            name=op.f("fk_person_salesperson_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person")),
    )
    op.create_index("ix_person_email", "person", ["email"])
    op.create_index("ix_person_import_batch_id", "person", ["import_batch_id"])
    op.create_index("ix_person_is_staff", "person", ["is_staff"])
    op.create_index("ix_person_name", "person", ["last_name_key", "first_name_key"])
    op.create_index("ix_person_organisation", "person", ["organisation_id"])

    op.create_table(
        "action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("action_type_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("scenario_id", sa.Integer(), nullable=True),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "planned",
                "done",
                "cancelled",
                name="action_status",
                native_enum=False,
                create_constraint=True,
                length=12,
            ),
            nullable=False,
        ),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        *_audit(),
        sa.ForeignKeyConstraint(
            ["action_type_id"],
            ["action_type.id"],
            name=op.f("fk_action_action_type_id_action_type"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaign.id"],
            name=op.f("fk_action_campaign_id_campaign"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_action_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_action_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["scenario_id"],
            ["scenario.id"],
            name=op.f("fk_action_scenario_id_scenario"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_action_user_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action")),
    )
    op.create_index("ix_action_campaign_id", "action", ["campaign_id"])
    op.create_index("ix_action_organisation_date", "action", ["organisation_id", "due_at"])
    op.create_index("ix_action_person_id", "action", ["person_id"])
    op.create_index("ix_action_user_status_date", "action", ["user_id", "status", "due_at"])

    op.create_table(
        "address",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("is_primary", sa.Boolean(), nullable=False),
        sa.Column("line1", sa.String(length=200), nullable=False),
        sa.Column("line2", sa.String(length=200), nullable=False),
        sa.Column("line3", sa.String(length=200), nullable=False),
        sa.Column("postcode", sa.String(length=16), nullable=False),
        sa.Column("city", sa.String(length=120), nullable=False),
        sa.Column("city_key", sa.String(length=120), nullable=False),
        sa.Column("country", sa.String(length=64), nullable=False),
        sa.Column("norm_lines", sa.Text(), nullable=True),
        sa.Column("norm_status", sa.String(length=10), nullable=True),
        sa.Column("norm_errors", sa.String(length=200), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("geocode_source", sa.String(length=32), nullable=True),
        sa.Column("geocoded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("npai", sa.Boolean(), nullable=False),
        sa.Column("npai_on", sa.Date(), nullable=True),
        *_audit(),
        sa.CheckConstraint(
            "(organisation_id IS NULL) <> (person_id IS NULL)", name=op.f("ck_address_one_owner")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_address_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_address_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_address")),
    )
    op.create_index("ix_address_city_key", "address", ["city_key"])
    op.create_index("ix_address_norm_status", "address", ["norm_status"])
    op.create_index("ix_address_organisation", "address", ["organisation_id", "is_primary"])
    op.create_index("ix_address_person", "address", ["person_id", "is_primary"])
    op.create_index("ix_address_postcode", "address", ["postcode"])

    op.create_table(
        "dossier",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        *_audit(),
        _deleted_at(),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_dossier_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["dossier.id"],
            name=op.f("fk_dossier_parent_id_dossier"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_dossier_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossier")),
    )
    op.create_index("ix_dossier_owner", "dossier", ["organisation_id", "parent_id"])
    op.create_index("ix_dossier_person_id", "dossier", ["person_id"])

    op.create_table(
        "person_tag",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_person_tag_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tag_id"], ["tag.id"], name=op.f("fk_person_tag_tag_id_tag"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("person_id", "tag_id", name=op.f("pk_person_tag")),
    )
    op.create_index("ix_person_tag_tag_id", "person_tag", ["tag_id"])

    op.create_table(
        "document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("doc_type", sa.String(length=32), nullable=False),
        sa.Column("tags", sa.String(length=255), nullable=False),
        sa.Column("doc_date", sa.Date(), nullable=True),
        sa.Column("filed_by", sa.Integer(), nullable=True),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("current_version", sa.Integer(), nullable=False),
        *_audit(),
        _deleted_at(),
        sa.ForeignKeyConstraint(
            ["dossier_id"],
            ["dossier.id"],
            name=op.f("fk_document_dossier_id_dossier"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["filed_by"],
            ["app_user.id"],
            name=op.f("fk_document_filed_by_app_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_document_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_document_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document")),
    )
    op.create_index("ix_document_dossier_id", "document", ["dossier_id"])
    op.create_index("ix_document_organisation", "document", ["organisation_id", "doc_date"])
    op.create_index("ix_document_person_id", "document", ["person_id"])

    op.create_table(
        "campaign_recipient",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("address_id", sa.Integer(), nullable=True),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["address_id"],
            ["address.id"],
            name=op.f("fk_campaign_recipient_address_id_address"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaign.id"],
            name=op.f("fk_campaign_recipient_campaign_id_campaign"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["document.id"],
            name=op.f("fk_campaign_recipient_document_id_document"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_campaign_recipient_organisation_id_organisation"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_campaign_recipient_person_id_person"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_recipient")),
    )
    op.create_index(
        "ix_campaign_recipient_campaign", "campaign_recipient", ["campaign_id", "status"]
    )
    op.create_index(
        "ix_campaign_recipient_organisation_id", "campaign_recipient", ["organisation_id"]
    )

    op.create_table(
        "document_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("mime_type", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("extraction_note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["app_user.id"],
            name=op.f("fk_document_version_created_by_app_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["document.id"],
            name=op.f("fk_document_version_document_id_document"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_version")),
    )
    op.create_index(
        "ix_document_version_doc", "document_version", ["document_id", "number"], unique=True
    )
    op.create_index("ix_document_version_sha256", "document_version", ["sha256"])

    _create_version_triggers()


def downgrade() -> None:
    _drop_version_triggers()
    op.drop_table("document_version")
    op.drop_table("campaign_recipient")
    op.drop_table("document")
    op.drop_table("person_tag")
    op.drop_table("dossier")
    op.drop_table("address")
    op.drop_table("action")
    op.drop_table("person")
    op.drop_table("organisation_tag")
    op.drop_table("campaign")
    op.drop_table("segment")
    op.drop_table("sector")
    op.drop_table("scenario_step")
    op.drop_table("organisation")
    op.drop_table("import_change")
    op.drop_table("workstation")
    op.drop_table("tag")
    op.drop_table("scenario")
    op.drop_table("import_batch")
    op.drop_table("change_log")
    op.drop_table("app_user")
    op.drop_table("app_meta")
    op.drop_table("action_type")
