"""The two questions the pages ask of the directory, behind one function each.

`find_venues` (scouting map) filters on columns; `find_support` (support
nearby) takes travel times over the street network from geo's
`Reachability` for the chosen mode, and falls back to a crow-fly radius
(said so on the page) when no network has been built. Callers only see the
dataclasses below, so swapping an engine is a change inside these functions.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from geoalchemy2 import Geography
from opening_hours import OpeningHours
from sqlalchemy import ColumnElement, and_, cast, func, or_, select
from sqlalchemy.orm import Session

from directory.clock import today_amsterdam
from directory.models import Location, Service, service_at_location
from directory.services.stale import is_stale
from geo.reach import Method, Origin, Reachability
from web.travel import crow_fly_minutes_to_metres, profile_for, whole_minutes

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
    start = today or today_amsterdam()
    monday = start + timedelta(days=(7 - start.weekday()) % 7)
    for offset in range(5):
        day = monday + timedelta(days=offset)
        for hour, minute in EVENING_TIMES:
            # Opening hours are Amsterdam wall-clock times: the library takes them naive.
            if hours.is_open(datetime(day.year, day.month, day.day, hour, minute)):  # noqa: DTZ001
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


@dataclass
class SupportHit:
    """A service that answers a need, where it is and how long the trip takes."""

    service: Service
    location: Location | None
    seconds: float | None
    method: Method = "network"
    distance_m: float | None = None  # only for crow-fly estimates, where metres mean something
    comes_to_you: bool = False
    language_match: bool = False
    community_match: bool = False
    stale: bool = False


@dataclass
class SupportResults:
    """Hits grouped by need, in the order of `NEEDS`, and how the travel times were found."""

    query: SupportQuery
    groups: dict[str, list[SupportHit]] = field(default_factory=dict)
    #: False when no street network is built: every time is then a crow-fly estimate.
    network_available: bool = True
    #: False when the address lies too far from any street of the network (crow-fly too).
    origin_on_network: bool = True

    def minutes_for(self, hit: SupportHit) -> int | None:
        """Whole travel minutes to a hit (rounded up), None for services that come to you."""
        return None if hit.seconds is None else whole_minutes(hit.seconds)

    @property
    def crow_fly(self) -> bool:
        """True when the times on this page are straight-line estimates, not street routes."""
        return not (self.network_available and self.origin_on_network)

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


def _active_services_at(needs: Sequence[str], *where: ColumnElement[bool]) -> Any:
    """Active services meeting a need, with the active location they are held at."""
    return (
        select(Service, Location)
        .join(service_at_location, service_at_location.c.service_id == Service.id)
        .join(Location, Location.id == service_at_location.c.location_id)
        .where(
            Service.status == "active",
            Location.status == "active",
            Service.support_functions.overlap(list(needs)),
            *where,
        )
    )


def _network_hits(
    session: Session, query: SupportQuery, routing: Reachability
) -> tuple[list[SupportHit], bool]:
    """Hits at locations reachable over the street network in time, and whether the origin is on it."""
    reach = routing.reach(session, Origin(query.lat, query.lon), profile_for(query.mode), query.minutes)
    reached = {uuid.UUID(r.location.id): r for r in reach.locations}
    if not reached:
        return [], reach.origin_on_network
    rows = session.execute(_active_services_at(query.needs, Location.id.in_(list(reached)))).all()
    hits = [
        SupportHit(service, location, reached[location.id].seconds, reached[location.id].method)
        for service, location in rows
    ]
    return hits, reach.origin_on_network


def _crow_fly_hits(session: Session, query: SupportQuery) -> list[SupportHit]:
    """The fallback without a network: PostGIS distance, at the profile's base speed."""
    here = cast(func.ST_SetSRID(func.ST_MakePoint(query.lon, query.lat), 4326), Geography)
    distance = func.ST_Distance(cast(Location.geom, Geography), here)
    radius = crow_fly_minutes_to_metres(query.mode, query.minutes)
    rows = session.execute(
        _active_services_at(
            query.needs, func.ST_DWithin(cast(Location.geom, Geography), here, radius)
        ).add_columns(distance)
    ).all()
    speed = profile_for(query.mode).speed_ms
    return [
        SupportHit(service, location, float(metres) / speed, "crow_fly", distance_m=float(metres))
        for service, location, metres in rows
    ]


def find_support(
    session: Session,
    query: SupportQuery,
    *,
    routing: Reachability | None = None,
    stale_after_months: int = 12,
) -> SupportResults:
    """Active services meeting the needs, reachable in time or coming to the point, grouped by need.

    With `routing` (a built street network) travel times follow the streets for
    the query's mode and places outside the time are left out; without it the
    times are crow-fly estimates, and the results say so.
    """
    results = SupportResults(query, network_available=routing is not None)
    if routing is not None:
        found, results.origin_on_network = _network_hits(session, query, routing)
    else:
        found = _crow_fly_hits(session, query)
    point = func.ST_SetSRID(func.ST_MakePoint(query.lon, query.lat), 4326)
    visiting = session.scalars(
        select(Service).where(
            Service.status == "active",
            Service.support_functions.overlap(list(query.needs)),
            and_(Service.service_area.is_not(None), func.ST_Covers(Service.service_area, point)),
        )
    ).all()
    # A service held at several places counts once, at the quickest one.
    best: dict[uuid.UUID, SupportHit] = {}
    for hit in sorted(found, key=lambda h: h.seconds or 0.0):
        best.setdefault(hit.service.id, hit)
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
            hit.seconds if hit.seconds is not None else 0.0,
        )

    for need in NEEDS:
        if need in query.needs:
            hits = [h for h in best.values() if need in (h.service.support_functions or [])]
            results.groups[need] = sorted(hits, key=rank)
    return results
