"""The scouting map's question: which places fit a small group (cost, kitchen, room, step-free, evening).

`find_venues` filters on columns, then on opening hours and the meetings held
there for "open on a weekday evening"; `held_at.services_at` gives the activities
at each place for the popups. The map page and `GET /api/v1/venues` both call them.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from opening_hours import OpeningHours
from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from directory.clock import today_amsterdam
from directory.models import Location, Service
from directory.services.held_at import services_at

#: What counts as "low cost" on the map (euro per visit).
LOW_COST_EUR = Decimal("5.00")
#: A weekday evening: we check these times on the coming Monday to Friday.
EVENING_TIMES = ((19, 0), (20, 0))
#: A meeting that starts in these hours (inclusive) is an evening meeting.
EVENING_START_HOURS = (18, 21)
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR")
#: The most places one answer lists.
VENUE_LIMIT = 2000


@dataclass(frozen=True)
class VenueFilters:
    """What a kwartiermaker filters the map on."""

    low_cost: bool = False
    kitchen: bool = False
    room: bool = False
    step_free: bool = False
    weekday_evening: bool = False
    category: str | None = None


def open_on_weekday_evening(expression: str | None, today: date | None = None) -> bool:
    """True when OSM opening hours say the place is open at 19:00 or 20:00 on some weekday."""
    if not expression:
        return False
    try:
        hours = OpeningHours(expression)
    except (SyntaxError, ValueError):
        return False
    start = today or today_amsterdam()
    monday = start + timedelta(days=(7 - start.weekday()) % 7)
    for offset in range(5):
        day = monday + timedelta(days=offset)
        for hour, minute in EVENING_TIMES:
            # Opening hours are Amsterdam wall-clock times: the library takes them naive.
            if hours.is_open(datetime(day.year, day.month, day.day, hour, minute)):  # noqa: DTZ001
                return True
    return False


def meets_on_weekday_evening(service: Service) -> bool:
    """True when a service is open, or has a meeting, on a weekday evening."""
    if open_on_weekday_evening(service.opening_hours):
        return True
    for meeting in service.meetings or []:
        start = str(meeting.get("start_time") or "")
        rule = str(meeting.get("rrule") or "")
        weekday = any(day in rule for day in WEEKDAYS)
        first, last = EVENING_START_HOURS
        if weekday and start[:2].isdigit() and first <= int(start[:2]) <= last:
            return True
    return False


def find_venues(session: Session, filters: VenueFilters, *, limit: int = VENUE_LIMIT) -> list[Location]:
    """Active locations matching the map filters, by name."""
    where: list[ColumnElement[bool]] = [Location.status == "active"]
    if filters.low_cost:
        where.append(or_(Location.cost_free.is_(True), Location.cost_amount_eur <= LOW_COST_EUR))
    if filters.kitchen:
        where.append(Location.kitchen_available.is_(True))
    if filters.room:
        where.append(Location.room_available.is_(True))
    if filters.step_free:
        where.append(Location.step_free.is_(True))
    if filters.category:
        where.append(Location.category == filters.category)
    rows = list(session.scalars(select(Location).where(*where).order_by(Location.name).limit(limit)))
    if filters.weekday_evening:
        evening_services = _evening_locations(session, [r.id for r in rows])
        rows = [r for r in rows if open_on_weekday_evening(r.opening_hours) or r.id in evening_services]
    return rows


def _evening_locations(session: Session, ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
    """Locations where some service meets on a weekday evening."""
    return {
        location_id
        for location_id, services in services_at(session, ids).items()
        if any(meets_on_weekday_evening(s) for s in services)
    }
