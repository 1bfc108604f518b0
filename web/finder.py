"""The two questions the pages ask of the directory, behind one function each.

`find_venues` (scouting map) and `find_support` (support nearby) use the
PostGIS radius query and column filters today. They are the seams where
search (directory/search) and travel time (geo reachability) plug in later:
callers only see the dataclasses below, so swapping the engine is a change
inside these functions.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from geoalchemy2 import Geography
from opening_hours import OpeningHours
from sqlalchemy import ColumnElement, and_, cast, func, or_, select
from sqlalchemy.orm import Session

from directory.models import Location, Service, service_at_location

#: Metres per minute per travel mode, for the crow-fly estimate until reachability lands.
SPEED_M_PER_MIN = {"walk": 80.0, "slow_walk": 50.0, "wheelchair": 60.0, "scootmobiel": 150.0, "bike": 250.0}
TRAVEL_MODES = tuple(SPEED_M_PER_MIN)
#: Needs a professional can tick, in the order the results show them.
NEEDS = ("practical", "company", "information", "peers", "language", "money")
#: What counts as "low cost" on the map (euro per visit).
LOW_COST_EUR = Decimal("5.00")
#: A weekday evening: we check these times on the coming Monday to Friday.
EVENING_TIMES = ((19, 0), (20, 0))


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
    start = today or datetime.now(UTC).date()
    monday = start + timedelta(days=(7 - start.weekday()) % 7)
    for offset in range(5):
        day = monday + timedelta(days=offset)
        for hour, minute in EVENING_TIMES:
            if hours.is_open(datetime(day.year, day.month, day.day, hour, minute)):
                return True
    return False


def _service_evening(service: Service) -> bool:
    if open_on_weekday_evening(service.opening_hours):
        return True
    for meeting in service.meetings or []:
        start = str(meeting.get("start_time") or "")
        rule = str(meeting.get("rrule") or "")
        weekday = any(day in rule for day in ("MO", "TU", "WE", "TH", "FR"))
        if weekday and start[:2].isdigit() and 18 <= int(start[:2]) <= 21:
            return True
    return False


def find_venues(session: Session, filters: VenueFilters, *, limit: int = 2000) -> list[Location]:
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
    if not ids:
        return set()
    rows = session.execute(
        select(service_at_location.c.location_id, Service)
        .join(Service, Service.id == service_at_location.c.service_id)
        .where(service_at_location.c.location_id.in_(ids), Service.status == "active")
    ).all()
    return {row[0] for row in rows if _service_evening(row[1])}


def services_at(session: Session, location_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[Service]]:
    """The active services held at each of these locations (for popups), in one query."""
    found: dict[uuid.UUID, list[Service]] = {i: [] for i in location_ids}
    if not location_ids:
        return found
    rows = session.execute(
        select(service_at_location.c.location_id, Service)
        .join(Service, Service.id == service_at_location.c.service_id)
        .where(service_at_location.c.location_id.in_(location_ids), Service.status == "active")
        .order_by(Service.name)
    ).all()
    for location_id, service in rows:
        found[location_id].append(service)
    return found


@dataclass(frozen=True)
class SupportQuery:
    """One 'support nearby' question. The point is only held in memory for this request."""

    lat: float
    lon: float
    mode: str
    minutes: int
    needs: tuple[str, ...]
    languages: tuple[str, ...] = ()
    community: str | None = None

    @property
    def radius_m(self) -> float:
        """How far the client gets in the chosen minutes (crow-fly estimate)."""
        return self.minutes * SPEED_M_PER_MIN[self.mode]


@dataclass
class SupportHit:
    """A service that answers a need, where it is and how far."""

    service: Service
    location: Location | None
    distance_m: float | None
    comes_to_you: bool = False
    language_match: bool = False
    community_match: bool = False
    stale: bool = False


@dataclass
class SupportResults:
    """Hits grouped by need, in the order of `NEEDS`."""

    query: SupportQuery
    groups: dict[str, list[SupportHit]] = field(default_factory=dict)

    def minutes_for(self, hit: SupportHit) -> int | None:
        """Travel minutes to a hit at the query's mode (crow-fly estimate)."""
        if hit.distance_m is None:
            return None
        return max(1, math.ceil(hit.distance_m / SPEED_M_PER_MIN[self.query.mode]))

    def top(self, count: int) -> list[SupportHit]:
        """The best `count` distinct services over all groups (for the handout)."""
        seen: set[uuid.UUID] = set()
        chosen: list[SupportHit] = []
        queues = [list(hits) for hits in self.groups.values()]
        while len(chosen) < count and any(queues):
            for hits in queues:
                while hits:
                    hit = hits.pop(0)
                    if hit.service.id not in seen:
                        seen.add(hit.service.id)
                        chosen.append(hit)
                        break
                if len(chosen) >= count:
                    break
        return chosen


def is_stale(verified_at: datetime | None, months: int, now: datetime | None = None) -> bool:
    """True when an entry was never verified or not within the last `months` months."""
    if verified_at is None:
        return True
    return verified_at < (now or datetime.now(UTC)) - relativedelta(months=months)


def find_support(session: Session, query: SupportQuery, *, stale_after_months: int = 12) -> SupportResults:
    """Active services meeting the needs, near the point or coming to it, grouped by need."""
    here = cast(func.ST_SetSRID(func.ST_MakePoint(query.lon, query.lat), 4326), Geography)
    distance = func.ST_Distance(cast(Location.geom, Geography), here)
    needs_match = Service.support_functions.overlap(list(query.needs))
    nearby = session.execute(
        select(Service, Location, distance)
        .join(service_at_location, service_at_location.c.service_id == Service.id)
        .join(Location, Location.id == service_at_location.c.location_id)
        .where(
            Service.status == "active",
            Location.status == "active",
            needs_match,
            func.ST_DWithin(cast(Location.geom, Geography), here, query.radius_m),
        )
        .order_by(distance)
    ).all()
    point = func.ST_SetSRID(func.ST_MakePoint(query.lon, query.lat), 4326)
    visiting = session.scalars(
        select(Service).where(
            Service.status == "active",
            needs_match,
            and_(Service.service_area.is_not(None), func.ST_Covers(Service.service_area, point)),
        )
    ).all()
    best: dict[uuid.UUID, SupportHit] = {}
    for service, location, metres in nearby:
        if service.id not in best:
            best[service.id] = SupportHit(service, location, float(metres))
    for service in visiting:
        best.setdefault(service.id, SupportHit(service, None, None, comes_to_you=True))
    wanted_languages = set(query.languages)
    community = (query.community or "").strip().lower()
    for hit in best.values():
        hit.language_match = bool(wanted_languages & set(hit.service.languages or []))
        hit.community_match = bool(community) and any(
            community in c.lower() for c in hit.service.communities or []
        )
        hit.stale = is_stale(hit.service.last_verified_at, stale_after_months)

    def rank(hit: SupportHit) -> tuple[int, int, float]:
        return (
            0 if hit.community_match else 1,
            0 if hit.language_match or not wanted_languages else 1,
            hit.distance_m if hit.distance_m is not None else 0.0,
        )

    results = SupportResults(query)
    for need in NEEDS:
        if need in query.needs:
            hits = [h for h in best.values() if need in (h.service.support_functions or [])]
            results.groups[need] = sorted(hits, key=rank)
    return results
