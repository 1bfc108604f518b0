"""Values a source offered for fields a broker owns: list them, accept one, or dismiss it."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from directory.errors import NotFoundError
from directory.models import SourceSuggestion
from directory.services.entries import EntryService


def open_suggestions(session: Session, kind: str, entity_id: uuid.UUID) -> Sequence[SourceSuggestion]:
    """The unresolved suggestions for one entry, by field."""
    return session.scalars(
        select(SourceSuggestion)
        .where(
            SourceSuggestion.entity_type == kind,
            SourceSuggestion.entity_id == entity_id,
            SourceSuggestion.resolved_at.is_(None),
        )
        .order_by(SourceSuggestion.field, SourceSuggestion.source)
    ).all()


def all_open_suggestions(session: Session, limit: int = 500) -> Sequence[SourceSuggestion]:
    """Every unresolved suggestion, oldest first (the broker's work list)."""
    return session.scalars(
        select(SourceSuggestion)
        .where(SourceSuggestion.resolved_at.is_(None))
        .order_by(SourceSuggestion.created_at, SourceSuggestion.id)
        .limit(limit)
    ).all()


def count_open_suggestions(session: Session) -> int:
    """How many values from partner lists wait for a broker's decision."""
    count = session.scalar(
        select(func.count()).select_from(SourceSuggestion).where(SourceSuggestion.resolved_at.is_(None))
    )
    return int(count or 0)


def _get(session: Session, suggestion_id: int) -> SourceSuggestion:
    row = session.get(SourceSuggestion, suggestion_id)
    if row is None or row.resolved_at is not None:
        raise NotFoundError(f"suggestion {suggestion_id} does not exist or was already handled")
    return row


def accept_suggestion(entries: EntryService, suggestion_id: int, *, expected_version: int) -> None:
    """Write the suggested value as the acting broker's edit (it stays manual); close the suggestion."""
    row = _get(entries.session, suggestion_id)
    entries.update(
        row.entity_type,
        row.entity_id,
        {row.field: row.value},
        expected_version=expected_version,
        note=f"accepted the value from {row.source}",
    )
    row.resolved_at, row.resolution = datetime.now(UTC), f"accepted by {entries.actor.name}"


def dismiss_suggestion(entries: EntryService, suggestion_id: int) -> None:
    """Close a suggestion without changing the entry (a new, different value from the source reopens it)."""
    row = _get(entries.session, suggestion_id)
    row.resolved_at, row.resolution = datetime.now(UTC), f"dismissed by {entries.actor.name}"
