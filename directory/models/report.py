"""Reports from users that an entry is wrong: closed, moved, wrong phone (table from migration 0400)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import DateTime, Index, Integer, String, Text, func
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from directory.models.base import Base


class ReportKind(StrEnum):
    """What a user says is wrong with an entry."""

    CLOSED = "closed"
    MOVED = "moved"
    WRONG_PHONE = "wrong_phone"
    OTHER = "other"


class ReportState(StrEnum):
    """Where a report is: waiting for a broker, or handled one way or the other."""

    OPEN = "open"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


REPORT_KINDS = tuple(ReportKind)


class Report(Base):
    """One report about one entry, waiting for a broker to accept or reject it."""

    __tablename__ = "entry_report"
    __table_args__ = (Index("ix_entry_report_open", "id", postgresql_where="status = 'open'"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entity_type: Mapped[str] = mapped_column(String(20), nullable=False)
    entity_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    message: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=ReportState.OPEN)
    reported_by: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )
    handled_by: Mapped[str | None] = mapped_column(Text)
    handled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
