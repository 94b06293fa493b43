"""Segments (saved criteria) and publipostage campaigns with their recipients."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from microcrm.models.base import Base, Versioned


class Segment(Versioned, Base):
    """A named, saved filter; ``criteria`` is JSON understood by crm.segments."""

    __tablename__ = "segment"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    criteria: Mapped[str] = mapped_column(Text, default="{}")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))


class Campaign(Versioned, Base):
    """One publipostage run: template, segment, when, and how many letters."""

    __tablename__ = "campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    template: Mapped[str] = mapped_column(String(255))
    segment_id: Mapped[int | None] = mapped_column(ForeignKey("segment.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16), default="draft")
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    letters: Mapped[int] = mapped_column(Integer, default=0)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    excluded: Mapped[int] = mapped_column(Integer, default=0)


class CampaignRecipient(Base):
    """What one recipient got (or why they were left out) in a campaign."""

    __tablename__ = "campaign_recipient"
    __table_args__ = (Index("ix_campaign_recipient_campaign", "campaign_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True
    )
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    address_id: Mapped[int | None] = mapped_column(ForeignKey("address.id", ondelete="SET NULL"))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16), default="sent")
    reason: Mapped[str | None] = mapped_column(String(64))
