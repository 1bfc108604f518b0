"""Declarative base and the columns every directory entry shares."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import (
    Boolean,
    DateTime,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: Lifecycle of an entry. `needs_review` is set when a source stops listing it; `draft` is an
#: imported offer that still needs a location before anyone can find it.
ENTRY_STATUSES = ("active", "closed", "needs_review", "draft")


class Base(DeclarativeBase):
    """Base of all mapped classes; constraint names follow one convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSONB, list[str]: ARRAY(Text)}


class EntryColumns:
    """Identity, locking, lifecycle, verification and provenance of an entry.

    `version` implements optimistic locking: every write must name the version
    it was based on. `field_provenance` records, per field, where its value
    came from (`{"phone": {"source": "manual", "by": "anna", "at": "..."}}`);
    importers never overwrite a field whose source is `manual`.
    """

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="active")
    name: Mapped[str] = mapped_column(Text, nullable=False)
    alternate_name: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(Text)
    website: Mapped[str | None] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(Text)
    languages: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False, default=list)

    last_verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    verified_by: Mapped[str | None] = mapped_column(Text)
    verification_method: Mapped[str | None] = mapped_column(Text)

    source: Mapped[str | None] = mapped_column(Text)
    source_id: Mapped[str | None] = mapped_column(Text)
    fetched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    field_provenance: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, default=dict)

    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )


class CostColumns:
    """What taking part costs: free, or an amount in euro with a note ("per meal")."""

    cost_free: Mapped[bool | None] = mapped_column(Boolean)
    cost_amount_eur: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    cost_note: Mapped[str | None] = mapped_column(Text)
