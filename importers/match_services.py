"""Finding the same venue-less service in another source: same name, same area, a shared contact.

Two partners often list the same offer: the volunteer centre and the
municipality both know the debt-help line in Zuidoost. Without an address there
is no distance to compare, so a service of another source is the same offer
when its name scores at least `NAME_THRESHOLD` (as for places), it serves the
area of the same name, and it shares a phone number, e-mail address or website.
The contact is what makes it safe: two buddy projects in Oost with similar
names but different phone numbers stay two offers.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.models import Service, SourceLink, service_at_location


def _contacts(phone: str | None, email: str | None, website: str | None) -> set[str]:
    found: set[str] = set()
    if phone:
        found.add("tel:" + "".join(c for c in phone if c.isdigit()))
    if email:
        found.add("mail:" + email.strip().lower())
    if website:
        parts = urlsplit(website if "//" in website else f"//{website}")
        host = (parts.hostname or "").removeprefix("www.")
        found.add("web:" + host + parts.path.rstrip("/").lower())
    return found


def find_same_service(
    session: Session,
    source: str,
    fields: dict[str, Any],
    *,
    similarity: Any,
    threshold: float,
) -> Service | None:
    """A venue-less service of another source that is this record's offer (name + area + contact), or None."""
    area_name = fields.get("service_area_name")
    name = fields.get("name")
    mine = _contacts(fields.get("phone"), fields.get("email"), fields.get("website"))
    if not area_name or not name or not mine:
        return None
    own = select(SourceLink.entity_id).where(SourceLink.entity_type == "service", SourceLink.source == source)
    placed = select(service_at_location.c.service_id)
    candidates = session.scalars(
        select(Service).where(
            Service.service_area_name == area_name,
            Service.status != "closed",
            Service.id.not_in(own),
            Service.id.not_in(placed),
        )
    ).all()
    best: tuple[float, Service] | None = None
    for service in candidates:
        score = float(similarity(name, service.name))
        if score < threshold or not mine & _contacts(service.phone, service.email, service.website):
            continue
        if best is None or score > best[0]:
            best = (score, service)
    return best[1] if best else None
