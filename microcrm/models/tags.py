"""Free tags on organisations and persons, used for segmentation."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column

from microcrm.models.base import Base, Versioned


class Tag(Versioned, Base):
    """A label such as "Salon 2026" or "Fidèle"."""

    __tablename__ = "tag"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    color: Mapped[str] = mapped_column(String(9), default="#607d8b")


organisation_tag = Table(
    "organisation_tag",
    Base.metadata,
    Column("organisation_id", ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True, index=True),
)

person_tag = Table(
    "person_tag",
    Base.metadata,
    Column("person_id", ForeignKey("person.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True, index=True),
)
