"""Organisations and persons: one database of suspects, clients, suppliers, staff."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, CheckConstraint, Enum, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from microcrm.models.base import Base, SoftDeleted, Versioned
from microcrm.text import fold

if TYPE_CHECKING:
    from microcrm.models.addresses import Address
    from microcrm.models.tags import Tag


class Stage(enum.StrEnum):
    """The customer lifecycle: suspect → prospect → client → ancien client."""

    SUSPECT = "suspect"
    PROSPECT = "prospect"
    CLIENT = "client"
    ANCIEN_CLIENT = "ancien_client"


STAGE_LABELS: dict[Stage, str] = {
    Stage.SUSPECT: "Suspect",
    Stage.PROSPECT: "Prospect",
    Stage.CLIENT: "Client",
    Stage.ANCIEN_CLIENT: "Ancien client",
}

# native_enum=False: a VARCHAR with a CHECK, identical on SQLite and PostgreSQL,
# and new stages need no ALTER TYPE.
_stage_type = Enum(
    Stage,
    name="stage",
    native_enum=False,
    length=16,
    values_callable=lambda e: [m.value for m in e],
    create_constraint=True,
)


class Organisation(Versioned, SoftDeleted, Base):
    """A company or public body.

    ``stage`` places it in the customer lifecycle (``None`` when it is only a
    supplier or a body); ``is_supplier`` and ``is_organisme`` put it in the
    other bases, so one row can be client and supplier at once. ``traite``
    marks a suspect whose contacts were identified: ticking it makes the
    suspect a prospect (crm.lifecycle).
    """

    __tablename__ = "organisation"
    __table_args__ = (
        # The base lists and their quick search, answered from the index alone.
        Index(
            "ix_organisation_live_search",
            "stage",
            "name_key",
            "search_key",
            sqlite_where=text("deleted_at IS NULL"),
            postgresql_where=text("deleted_at IS NULL"),
        ),
        Index("ix_organisation_salesperson", "salesperson_id"),
        Index(
            "ix_organisation_trash",
            "deleted_at",
            sqlite_where=text("deleted_at IS NOT NULL"),
            postgresql_where=text("deleted_at IS NOT NULL"),
        ),
        Index("ix_organisation_siren", "siren"),
        CheckConstraint("siret IS NULL OR length(siret) = 14", name="siret_length"),
        CheckConstraint("siren IS NULL OR length(siren) = 9", name="siren_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200), index=True, default="")
    search_key: Mapped[str] = mapped_column(Text, default="", server_default=text("''"))
    enseigne: Mapped[str | None] = mapped_column(String(200))
    reference: Mapped[str | None] = mapped_column(String(32), index=True)
    siren: Mapped[str | None] = mapped_column(String(9))
    siret: Mapped[str | None] = mapped_column(String(14), unique=True)
    naf_code: Mapped[str | None] = mapped_column(String(6), index=True)
    headcount_band: Mapped[str | None] = mapped_column(String(2))
    legal_form: Mapped[str | None] = mapped_column(String(4))
    website: Mapped[str | None] = mapped_column(String(254))
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    phone: Mapped[str | None] = mapped_column(String(32), index=True)
    fax: Mapped[str | None] = mapped_column(String(32))
    emails_other: Mapped[str | None] = mapped_column(Text)
    """Further e-mail addresses, one per line (a directory card often has several)."""
    notes: Mapped[str | None] = mapped_column(Text)
    stage: Mapped[Stage | None] = mapped_column(_stage_type)
    traite: Mapped[bool] = mapped_column(Boolean, default=False)
    is_supplier: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    is_organisme: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    no_mail: Mapped[bool] = mapped_column(Boolean, default=False)
    salesperson_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL")
    )
    import_batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_batch.id", ondelete="SET NULL"), index=True
    )

    persons: Mapped[list[Person]] = relationship(back_populates="organisation")
    addresses: Mapped[list[Address]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan"
    )
    tags: Mapped[list[Tag]] = relationship(secondary="organisation_tag")

    @validates("name")
    def _keep_name_key(self, _key: str, value: str) -> str:
        self.name_key = fold(value)
        return value


class Civility(enum.StrEnum):
    """Civilities as printed on letters (NF Z10-011 R14 abbreviations at print time)."""

    M = "M."
    MME = "Mme"
    MLLE = "Mlle"
    DR = "Dr"
    ME = "Me"


class Person(Versioned, SoftDeleted, Base):
    """A contact person, a private customer (no organisation) or a staff member.

    Private customers (*particuliers*) carry their own ``stage``; contacts of
    an organisation follow the organisation's.
    """

    __tablename__ = "person"
    __table_args__ = (
        Index("ix_person_name", "last_name_key", "first_name_key"),
        Index(
            "ix_person_live_search",
            "is_staff",
            "organisation_id",
            "last_name_key",
            "first_name_key",
            "search_key",
            sqlite_where=text("deleted_at IS NULL"),
            postgresql_where=text("deleted_at IS NULL"),
        ),
        Index("ix_person_organisation", "organisation_id"),
        Index(
            "ix_person_trash",
            "deleted_at",
            sqlite_where=text("deleted_at IS NOT NULL"),
            postgresql_where=text("deleted_at IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL")
    )
    civility: Mapped[str | None] = mapped_column(String(8))
    last_name: Mapped[str] = mapped_column(String(120))
    first_name: Mapped[str | None] = mapped_column(String(120))
    last_name_key: Mapped[str] = mapped_column(String(120), default="")
    first_name_key: Mapped[str] = mapped_column(String(120), default="")
    search_key: Mapped[str] = mapped_column(Text, default="", server_default=text("''"))
    role: Mapped[str | None] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    phone: Mapped[str | None] = mapped_column(String(32))
    mobile: Mapped[str | None] = mapped_column(String(32))
    phone_home: Mapped[str | None] = mapped_column(String(32))
    fax: Mapped[str | None] = mapped_column(String(32))
    emails_other: Mapped[str | None] = mapped_column(Text)
    """Further e-mail addresses, one per line."""
    website: Mapped[str | None] = mapped_column(String(254))
    """The person's own site or profile (LinkedIn…), never the company's."""
    notes: Mapped[str | None] = mapped_column(Text)
    is_staff: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    stage: Mapped[Stage | None] = mapped_column(_stage_type)
    no_mail: Mapped[bool] = mapped_column(Boolean, default=False)
    no_email: Mapped[bool] = mapped_column(Boolean, default=False)
    salesperson_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL")
    )
    import_batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_batch.id", ondelete="SET NULL"), index=True
    )

    organisation: Mapped[Organisation | None] = relationship(back_populates="persons")
    addresses: Mapped[list[Address]] = relationship(
        back_populates="person", cascade="all, delete-orphan"
    )
    tags: Mapped[list[Tag]] = relationship(secondary="person_tag")

    @validates("last_name", "first_name")
    def _keep_name_keys(self, key: str, value: str | None) -> str | None:
        setattr(self, f"{key}_key", fold(value))
        return value

    @property
    def display_name(self) -> str:
        """Civility, first and last name, as shown in lists (« Mme Claire Martin »)."""
        return " ".join(p for p in (self.civility, self.first_name, self.last_name) if p)
