"""The entries linked to one entry: its organisation, the places of a service, what happens at a place."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.models import EntryKind, Location, Organization, Service, service_at_location


@dataclass
class Related:
    """What an entry page lists beside the entry itself."""

    organization: Organization | None = None
    locations: list[Location] = field(default_factory=list)
    services: list[Service] = field(default_factory=list)


def related_entries(
    session: Session,
    kind: str,
    entry_id: uuid.UUID,
    *,
    organization_id: uuid.UUID | None = None,
    location_ids: list[uuid.UUID] | None = None,
) -> Related:
    """The organisation, the places of a service, and the activities at a place or of an organisation."""
    related = Related()
    if organization_id is not None:
        related.organization = session.get(Organization, organization_id)
    if kind == EntryKind.SERVICE and location_ids:
        related.locations = list(session.scalars(select(Location).where(Location.id.in_(location_ids))))
    if kind == EntryKind.LOCATION:
        related.services = list(
            session.scalars(
                select(Service)
                .join(service_at_location, service_at_location.c.service_id == Service.id)
                .where(service_at_location.c.location_id == entry_id)
                .order_by(Service.name)
            )
        )
    if kind == EntryKind.ORGANIZATION:
        related.services = list(
            session.scalars(select(Service).where(Service.organization_id == entry_id).order_by(Service.name))
        )
        related.locations = list(
            session.scalars(
                select(Location).where(Location.organization_id == entry_id).order_by(Location.name)
            )
        )
    return related
