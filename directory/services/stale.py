"""Which entries need checking: never verified, or not within the last N months."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from directory.models import ENTITY_MODELS

#: The most entries of each kind the stale list shows.
STALE_LIST_LIMIT = 200


def stale_cutoff(months: int, now: datetime | None = None) -> datetime:
    """The moment before which a verification counts as stale."""
    return (now or datetime.now(UTC)) - relativedelta(months=months)


def is_stale(verified_at: datetime | None, months: int, now: datetime | None = None) -> bool:
    """True when an entry was never verified or not within the last `months` months."""
    if verified_at is None:
        return True
    return verified_at < stale_cutoff(months, now)


def stale_entries(session: Session, months: int, limit: int = STALE_LIST_LIMIT) -> list[tuple[str, Any]]:
    """Active entries to check, per kind: never verified first, then the longest ago, by name."""
    cutoff = stale_cutoff(months)
    stale: list[tuple[str, Any]] = []
    for kind, model in ENTITY_MODELS.items():
        rows = session.scalars(
            select(model)
            .where(
                model.status == "active",
                or_(model.last_verified_at.is_(None), model.last_verified_at < cutoff),
            )
            .order_by(model.last_verified_at.asc().nulls_first(), model.name)
            .limit(limit)
        )
        stale += [(str(kind), row) for row in rows]
    return stale
