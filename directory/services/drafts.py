"""Drafts: imported offers that still need a location before anyone can find them.

A partner list row whose address the geocoder cannot place exactly, and that
names no service area, is kept as a service with status `draft` (see
importers/table.py) instead of being thrown away. Brokers see them on /beheer
and give each a place or an area; search never shows a draft.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.models import Service

#: Drafts shown at once; the oldest first, so none waits forever.
DRAFT_LIST_LIMIT = 100


def open_drafts(session: Session, limit: int = DRAFT_LIST_LIMIT) -> Sequence[Service]:
    """Services waiting for a location, oldest first."""
    return session.scalars(
        select(Service)
        .where(Service.status == "draft")
        .order_by(Service.created_at, Service.name)
        .limit(limit)
    ).all()
