"""Postal addresses: what the user typed, its NF Z10-011 form, geocoding and NPAI."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from microcrm.models.base import Base, Versioned
from microcrm.text import fold

if TYPE_CHECKING:
    from microcrm.models.parties import Organisation, Person


class Address(Versioned, Base):
    """One address of an organisation or of a person (exactly one owner).

    The typed fields (``line1``…``country``) are kept as entered so nothing
    typed is ever lost; ``norm_lines`` holds the normalised block (lines 2–6,
    or 2–7 abroad: line 1 is the recipient, computed at print time),
    ``norm_status`` is ``valid | corrected | invalid`` (``None`` until
    checked) and ``norm_errors`` the rule-sheet codes separated by spaces.
    ``postcode`` and ``city_key`` are the searchable forms.
    """

    __tablename__ = "address"
    __table_args__ = (
        CheckConstraint("(organisation_id IS NULL) <> (person_id IS NULL)", name="one_owner"),
        Index("ix_address_organisation", "organisation_id", "is_primary"),
        Index("ix_address_person", "person_id", "is_primary"),
        Index("ix_address_postcode", "postcode"),
        Index("ix_address_city_key", "city_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE")
    )
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16), default="principale")
    is_primary: Mapped[bool] = mapped_column(Boolean, default=True)
    # As typed (AddressInput of microcrm.postal).
    line1: Mapped[str] = mapped_column(String(200), default="")
    line2: Mapped[str] = mapped_column(String(200), default="")
    line3: Mapped[str] = mapped_column(String(200), default="")
    postcode: Mapped[str] = mapped_column(String(16), default="")
    city: Mapped[str] = mapped_column(String(120), default="")
    city_key: Mapped[str] = mapped_column(String(120), default="")
    country: Mapped[str] = mapped_column(String(64), default="")
    # Normalised (NF Z10-011), see microcrm.postal.
    norm_lines: Mapped[str | None] = mapped_column(Text)
    norm_status: Mapped[str | None] = mapped_column(String(10), index=True)
    norm_errors: Mapped[str] = mapped_column(String(200), default="")
    # Geolocation.
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    geocode_source: Mapped[str | None] = mapped_column(String(32))
    geocoded_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # "N'habite pas à l'adresse indiquée": mail came back; excluded from runs.
    npai: Mapped[bool] = mapped_column(Boolean, default=False)
    npai_on: Mapped[dt.date | None] = mapped_column(Date)

    organisation: Mapped[Organisation | None] = relationship(back_populates="addresses")
    person: Mapped[Person | None] = relationship(back_populates="addresses")

    @validates("city")
    def _keep_city_key(self, _key: str, value: str) -> str:
        self.city_key = fold(value)
        return value

    @property
    def lines(self) -> list[str]:
        """The normalised lines, or an empty list when never normalised."""
        return self.norm_lines.split("\n") if self.norm_lines else []
