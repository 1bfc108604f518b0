"""Which active services are held at which active locations, asked either way round in one query.

The map's popups and the evening filter ask it per location (`services_at`); the
wijkgram picture asks it per service (`locations_of`) to draw a service at its
quickest place. Both read the `service_at_location` link the same way, so a rule
such as "only active entries" holds for both.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TypeVar

from sqlalchemy import Column, select
from sqlalchemy.orm import Session

from directory.models import Location, Service, service_at_location

Entry = TypeVar("Entry", Location, Service)


def services_at(session: Session, location_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[Service]]:
    """The active services held at each of these locations (for popups), by name, in one query."""
    return _held(
        session, location_ids, service_at_location.c.location_id, Service, service_at_location.c.service_id
    )


def locations_of(session: Session, service_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[Location]]:
    """The active locations each of these services is held at, by name, in one query."""
    return _held(
        session, service_ids, service_at_location.c.service_id, Location, service_at_location.c.location_id
    )


def _held(
    session: Session,
    ids: Sequence[uuid.UUID],
    by: Column[uuid.UUID],
    entry: type[Entry],
    link: Column[uuid.UUID],
) -> dict[uuid.UUID, list[Entry]]:
    """{id: its active linked entries}: `by` is the link column of the given ids, `link` the other one."""
    found: dict[uuid.UUID, list[Entry]] = {i: [] for i in ids}
    if not ids:
        return found
    rows = session.execute(
        select(by, entry)
        .join(entry, entry.id == link)
        .where(by.in_(list(ids)), entry.status == "active")
        .order_by(entry.name)
    ).all()
    for key, linked in rows:
        found[key].append(linked)
    return found
