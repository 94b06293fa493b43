"""Users of the CRM (salespeople, assistants) and the geographic sectors they cover."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from microcrm.models.base import Base, Versioned


class User(Versioned, Base):
    """A person who logs actions and may be assigned organisations as salesperson."""

    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    initials: Mapped[str] = mapped_column(String(8), default="")
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
    is_salesperson: Mapped[bool] = mapped_column(Boolean, default=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Sector(Versioned, Base):
    """A geographic sector: a set of départements assigned to one salesperson.

    ``departements`` holds codes separated by spaces ("35 22 29 56"), the
    form users type; segmentation expands it to postcode prefixes.
    """

    __tablename__ = "sector"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    departements: Mapped[str] = mapped_column(Text, default="")
    salesperson_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL"), index=True
    )
