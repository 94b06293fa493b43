"""Commercial follow-up: user-defined action types, scenarios and actions."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, DateTime, Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from microcrm.models.base import Base, Versioned


class ActionType(Versioned, Base):
    """A kind of action ("Appel", "Courrier", "Rendez-vous"…), ordered by ``position``."""

    __tablename__ = "action_type"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    color: Mapped[str] = mapped_column(String(9), default="#1976d2")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Scenario(Versioned, Base):
    """An ordered sequence of action types (a prospecting scenario)."""

    __tablename__ = "scenario"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str | None] = mapped_column(Text)


class ScenarioStep(Versioned, Base):
    """One step of a scenario: which action, in which order, how long after the previous."""

    __tablename__ = "scenario_step"

    id: Mapped[int] = mapped_column(primary_key=True)
    scenario_id: Mapped[int] = mapped_column(
        ForeignKey("scenario.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    action_type_id: Mapped[int] = mapped_column(ForeignKey("action_type.id", ondelete="RESTRICT"))
    delay_days: Mapped[int] = mapped_column(Integer, default=0)


class ActionStatus(enum.StrEnum):
    """Where an action stands."""

    PLANNED = "planned"
    DONE = "done"
    CANCELLED = "cancelled"


class Action(Versioned, Base):
    """A planned or done action: the client's history and the salesperson's agenda."""

    __tablename__ = "action"
    __table_args__ = (
        Index("ix_action_organisation_date", "organisation_id", "due_at"),
        Index("ix_action_user_status_date", "user_id", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE")
    )
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    action_type_id: Mapped[int] = mapped_column(ForeignKey("action_type.id", ondelete="RESTRICT"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    scenario_id: Mapped[int | None] = mapped_column(ForeignKey("scenario.id", ondelete="SET NULL"))
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaign.id", ondelete="SET NULL"), index=True
    )
    subject: Mapped[str] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)
    status: Mapped[ActionStatus] = mapped_column(
        Enum(
            ActionStatus,
            name="action_status",
            native_enum=False,
            length=12,
            values_callable=lambda e: [m.value for m in e],
            create_constraint=True,
        ),
        default=ActionStatus.PLANNED,
    )
    due_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    done_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
