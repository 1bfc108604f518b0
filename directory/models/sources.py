"""Tables the importers keep beside the entries: links to source objects and suggestions."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Index, String, Text, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from directory.models.base import Base


class SourceLink(Base):
    """Which source object an entry came from, when it was last seen, and its raw data.

    An entry is matched on (source, source_id) before anything else. `scope`
    names the dataset a run covers (a file, an API table), so only links of
    that scope are flagged missing when a run does not see them.
    """

    __tablename__ = "source_link"
    __table_args__ = (
        UniqueConstraint("entity_type", "source", "source_id"),
        Index("ix_source_link_entity", "entity_type", "entity_id"),
        Index("ix_source_link_scope", "source", "scope"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    entity_type: Mapped[str] = mapped_column(String(20), nullable=False)
    entity_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    source: Mapped[str] = mapped_column(Text, nullable=False)
    source_id: Mapped[str] = mapped_column(Text, nullable=False)
    scope: Mapped[str] = mapped_column(Text, nullable=False)
    fetched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_seen_run: Mapped[str | None] = mapped_column(Text)
    missing_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    raw: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, default=dict)


class SourceSuggestion(Base):
    """A source's value for a field a broker edited by hand, waiting for the broker to accept it."""

    __tablename__ = "source_suggestion"
    __table_args__ = (UniqueConstraint("entity_type", "entity_id", "field", "source"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    entity_type: Mapped[str] = mapped_column(String(20), nullable=False)
    entity_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    field: Mapped[str] = mapped_column(Text, nullable=False)
    source: Mapped[str] = mapped_column(Text, nullable=False)
    value: Mapped[Any] = mapped_column(JSONB, nullable=True)
    current: Mapped[Any] = mapped_column(JSONB, nullable=True)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolution: Mapped[str | None] = mapped_column(Text)
