"""The entries of a wijkgram: which places and services, in which ring of travel time and which sector.

Without a list of entries the picture starts from the support question
(`find_support`: the needs, within the minutes, plus what comes to the home),
so "Bekijk als wijkgram" shows what the /steun results show. With a list
(`entries`: the professional removed or added some) exactly those are drawn.
"Ook verder weg" (`far`) adds matching places beyond the minutes and outside
the household's own buurt: help from further away can be welcome because it is
more anonymous. The point is only held in memory for the one question.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from geoalchemy2 import Geography
from geoalchemy2.shape import to_shape
from sqlalchemy import cast, func, select
from sqlalchemy.orm import Session

from directory.models import Location, Service, service_at_location
from directory.services.held_at import locations_of, services_at
from directory.services.support import (
    NEEDS,
    Method,
    SupportQuery,
    TravelTimes,
    find_support,
    services_meeting,
    whole_minutes,
)

#: The sectors, in the order of the support-function vocabulary (the taxonomy's sort order).
SECTORS = ("practical", "company", "information", "peers", "language", "money", "activity")
#: A sector only drawn when an entry has no support function at all (a place without services).
OTHER_SECTOR = "other"
#: At most this many entries per sector when the picture starts from the support question.
DEFAULT_PER_SECTOR = 8
#: At most this many entries per sector in the "verder weg" ring added by the toggle.
FAR_PER_SECTOR = 3
#: At most this many entries in one picture (more would not stay readable on A4).
MAX_ENTRIES = 80
#: Delivery modes that reach a household without a trip: such a service sits in the inner circle.
REMOTE_MODES = frozenset({"at_home", "phone", "online"})

Kind = Literal["service", "location"]


def ring_bounds(minutes: int) -> list[int]:
    """The travel-time rings for a limit: thirds of it, rounded up (15 -> 5, 10, 15), no duplicates."""
    return sorted({math.ceil(minutes * k / 3) for k in (1, 2, 3)})


def wide_minutes(minutes: int, max_minutes: int = 60) -> int:
    """How far "verder weg" looks: twice the limit, at least 15 minutes more, at most `max_minutes`."""
    return min(max_minutes, max(2 * minutes, minutes + 15))


@dataclass(frozen=True)
class WijkgramQuery:
    """One picture's question. The point is only held in memory for this request."""

    lat: float
    lon: float
    mode: str
    minutes: int
    needs: tuple[str, ...] = NEEDS
    #: Exactly these entries (services or locations); None: start from the support question.
    entries: tuple[uuid.UUID, ...] | None = None
    far: bool = False
    exclude: tuple[uuid.UUID, ...] = ()
    #: The household's buurt (for "verder weg": outside it); None when no boundaries are imported.
    home_buurt: str | None = None


@dataclass
class WijkgramEntry:
    """One dot: an entry, its sector, its ring and how it is reached."""

    id: uuid.UUID
    kind: Kind
    name: str
    sector: str
    #: The entry's other support functions (it is drawn once, in `sector`).
    also: list[str]
    #: 0 = comes to the home or works by phone; 1..len(bounds) = travel rings; len(bounds) + 1 = verder weg.
    ring: int
    seconds: float | None = None
    method: Method | None = None
    comes_to_you: bool = False
    #: Added by "ook verder weg".
    far: bool = False
    service: Service | None = None
    location: Location | None = None

    @property
    def minutes(self) -> int | None:
        """Whole travel minutes, rounded up; None when it comes to the home or lies beyond the wide limit."""
        return None if self.seconds is None else whole_minutes(self.seconds)


@dataclass
class WijkgramEntries:
    """Everything one picture shows, and what it left out."""

    query: WijkgramQuery
    bounds: list[int]
    wide_minutes: int
    entries: list[WijkgramEntry] = field(default_factory=list)
    #: Asked-for ids that are no active service or location.
    missing: list[uuid.UUID] = field(default_factory=list)
    #: Support results beyond DEFAULT_PER_SECTOR, not drawn.
    left_out: int = 0
    network_available: bool = True
    origin_on_network: bool = True

    @property
    def far_ring(self) -> int:
        """The index of the outer ring, "verder weg"."""
        return len(self.bounds) + 1

    @property
    def sectors(self) -> list[str]:
        """The sectors to draw: every support function, and "other" only when an entry needs it."""
        extra = [OTHER_SECTOR] if any(e.sector == OTHER_SECTOR for e in self.entries) else []
        return [*SECTORS, *extra]

    @property
    def crow_fly(self) -> bool:
        """True when travel times are straight-line estimates."""
        return not (self.network_available and self.origin_on_network)


def sector_for(functions: Sequence[str], needs: Sequence[str]) -> tuple[str, list[str]]:
    """The sector an entry is drawn in (its first function among the needs, else its first), and the rest."""
    known = [f for f in SECTORS if f in functions]
    if not known:
        return OTHER_SECTOR, []
    chosen = next((n for n in needs if n in known), known[0])
    return chosen, [f for f in known if f != chosen]


def _ring(bounds: Sequence[int], seconds: float | None) -> int:
    if seconds is None:
        return len(bounds) + 1
    whole = whole_minutes(seconds)
    return next((i for i, bound in enumerate(bounds, start=1) if whole <= bound), len(bounds) + 1)


def _wide_times(
    session: Session, query: WijkgramQuery, travel: TravelTimes | None, speed_ms: float, minutes: int
) -> tuple[dict[uuid.UUID, tuple[float, Method]], bool]:
    """Seconds to every active location within `minutes`: over the streets, or crow-fly without a network."""
    if travel is not None:
        reached = travel.reach(session, query.lat, query.lon, minutes)
        return dict(reached.seconds), reached.origin_on_network
    here = cast(func.ST_SetSRID(func.ST_MakePoint(query.lon, query.lat), 4326), Geography)
    distance = func.ST_Distance(cast(Location.geom, Geography), here)
    rows = session.execute(
        select(Location.id, distance).where(
            Location.status == "active",
            func.ST_DWithin(cast(Location.geom, Geography), here, minutes * 60.0 * speed_ms),
        )
    ).all()
    return {loc_id: (float(metres) / speed_ms, "crow_fly") for loc_id, metres in rows}, True


def _covers(session: Session, service_ids: Sequence[uuid.UUID], lat: float, lon: float) -> set[uuid.UUID]:
    """The services among these whose service area covers the point."""
    if not service_ids:
        return set()
    point = func.ST_SetSRID(func.ST_MakePoint(lon, lat), 4326)
    return set(
        session.scalars(
            select(Service.id).where(
                Service.id.in_(list(service_ids)),
                Service.service_area.is_not(None),
                func.ST_Covers(Service.service_area, point),
            )
        )
    )


def _service_entry(
    service: Service,
    locations: Sequence[Location],
    times: dict[uuid.UUID, tuple[float, Method]],
    covered: bool,
    result: WijkgramEntries,
) -> WijkgramEntry:
    """A service's dot: at its quickest location within the limit, else at the home when it comes there."""
    query = result.query
    sector, also = sector_for(service.support_functions or [], query.needs)
    timed = sorted(
        ((times[loc.id], loc) for loc in locations if loc.id in times), key=lambda t: (t[0][0], t[1].name)
    )
    entry = WijkgramEntry(service.id, "service", service.name, sector, also, result.far_ring, service=service)
    if timed and whole_minutes(timed[0][0][0]) <= query.minutes:
        (entry.seconds, entry.method), entry.location = timed[0]
    elif covered or (not locations and REMOTE_MODES & set(service.delivery_modes or [])):
        entry.comes_to_you = True
    elif timed:
        (entry.seconds, entry.method), entry.location = timed[0]
    elif locations:
        entry.location = min(locations, key=lambda loc: loc.name)
    entry.ring = 0 if entry.comes_to_you else _ring(result.bounds, entry.seconds)
    return entry


def _functions_at(session: Session, location_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    """The support functions of the active services held at each location, each once."""
    return {
        location_id: list(dict.fromkeys(f for service in services for f in service.support_functions or []))
        for location_id, services in services_at(session, location_ids).items()
    }


def _explicit(
    session: Session,
    ids: Sequence[uuid.UUID],
    times: dict[uuid.UUID, tuple[float, Method]],
    result: WijkgramEntries,
) -> list[WijkgramEntry]:
    """The asked-for entries, in the order asked; ids that are no active service or location are noted."""
    services = {
        s.id: s
        for s in session.scalars(select(Service).where(Service.id.in_(ids), Service.status == "active"))
    }
    locations = {
        loc.id: loc
        for loc in session.scalars(select(Location).where(Location.id.in_(ids), Location.status == "active"))
    }
    held = locations_of(session, list(services))
    covered = _covers(session, list(services), result.query.lat, result.query.lon)
    functions = _functions_at(session, list(locations))
    entries = []
    for entry_id in ids:
        if entry_id in services:
            entries.append(
                _service_entry(services[entry_id], held[entry_id], times, entry_id in covered, result)
            )
        elif entry_id in locations:
            loc = locations[entry_id]
            sector, also = sector_for(functions[entry_id], result.query.needs)
            seconds, method = times.get(entry_id, (None, None))
            entries.append(
                WijkgramEntry(
                    loc.id,
                    "location",
                    loc.name,
                    sector,
                    also,
                    _ring(result.bounds, seconds),
                    seconds,
                    method,
                    location=loc,
                )
            )
        else:
            result.missing.append(entry_id)
    return entries


def _from_support(
    session: Session,
    query: WijkgramQuery,
    travel: TravelTimes | None,
    speed_ms: float,
    result: WijkgramEntries,
) -> list[WijkgramEntry]:
    """The support question's services, each once, at most DEFAULT_PER_SECTOR per sector (best first)."""
    support = find_support(
        session,
        SupportQuery(query.lat, query.lon, query.mode, query.minutes, query.needs),
        travel=travel,
        crow_fly_speed_ms=speed_ms,
    )
    result.network_available = support.network_available
    result.origin_on_network = support.origin_on_network
    seen: set[uuid.UUID] = set(query.exclude)
    per_sector: dict[str, int] = {}
    entries = []
    for hits in support.groups.values():
        for hit in hits:
            if hit.service.id in seen:
                continue
            seen.add(hit.service.id)
            sector, also = sector_for(hit.service.support_functions or [], query.needs)
            if per_sector.get(sector, 0) >= DEFAULT_PER_SECTOR:
                result.left_out += 1
                continue
            per_sector[sector] = per_sector.get(sector, 0) + 1
            entry = WijkgramEntry(
                hit.service.id,
                "service",
                hit.service.name,
                sector,
                also,
                0,
                hit.seconds,
                None if hit.comes_to_you else hit.method,
                hit.comes_to_you,
                service=hit.service,
                location=hit.location,
            )
            entry.ring = 0 if hit.comes_to_you else _ring(result.bounds, hit.seconds)
            entries.append(entry)
    return entries


def _far_away(
    session: Session,
    query: WijkgramQuery,
    times: dict[uuid.UUID, tuple[float, Method]],
    present: set[uuid.UUID],
    result: WijkgramEntries,
) -> list[WijkgramEntry]:
    """Matching services beyond the limit, outside the household's buurt: the nearest few per sector."""
    beyond = [lid for lid, (seconds, _) in times.items() if whole_minutes(seconds) > query.minutes]
    if not beyond:
        return []
    outside_home = [Location.buurt_code.is_distinct_from(query.home_buurt)] if query.home_buurt else []
    rows = session.execute(services_meeting(query.needs, Location.id.in_(beyond), *outside_home)).all()
    skip = present | set(query.exclude)
    best: dict[uuid.UUID, tuple[float, Service, Location]] = {}
    for service, location in rows:
        if service.id in skip:
            continue
        seconds = times[location.id][0]
        if service.id not in best or (seconds, location.name) < (
            best[service.id][0],
            best[service.id][2].name,
        ):
            best[service.id] = (seconds, service, location)
    per_sector: dict[str, int] = {}
    entries = []
    for seconds, service, location in sorted(best.values(), key=lambda t: (t[0], t[1].name, str(t[1].id))):
        sector, also = sector_for(service.support_functions or [], query.needs)
        if per_sector.get(sector, 0) >= FAR_PER_SECTOR:
            continue
        per_sector[sector] = per_sector.get(sector, 0) + 1
        entries.append(
            WijkgramEntry(
                service.id,
                "service",
                service.name,
                sector,
                also,
                result.far_ring,
                seconds,
                times[location.id][1],
                far=True,
                service=service,
                location=location,
            )
        )
    return entries


def gather(
    session: Session,
    query: WijkgramQuery,
    *,
    travel: TravelTimes | None,
    crow_fly_speed_ms: float,
    max_minutes: int = 60,
) -> WijkgramEntries:
    """The entries of one picture with their rings and sectors (see the module's docstring)."""
    result = WijkgramEntries(query, ring_bounds(query.minutes), wide_minutes(query.minutes, max_minutes))
    result.network_available = travel is not None
    times: dict[uuid.UUID, tuple[float, Method]] = {}
    if query.entries is not None or query.far:
        times, result.origin_on_network = _wide_times(
            session, query, travel, crow_fly_speed_ms, result.wide_minutes
        )
    if query.entries is None:
        entries = _from_support(session, query, travel, crow_fly_speed_ms, result)
    else:
        wanted = [i for i in dict.fromkeys(query.entries) if i not in set(query.exclude)]
        entries = _explicit(session, wanted, times, result)
    if query.far:
        entries += _far_away(session, query, times, {e.id for e in entries}, result)
    result.entries = entries
    return result


def place_point(db: Session, entry_id: uuid.UUID) -> tuple[float, float] | None:
    """The (lat, lon) of an active location, or of the first active location of an active service.

    The point a link from an entry's page starts the picture at (`/wijkgram?plek=ID`).
    """
    location = db.scalars(
        select(Location)
        .outerjoin(service_at_location, service_at_location.c.location_id == Location.id)
        .outerjoin(Service, Service.id == service_at_location.c.service_id)
        .where(Location.status == "active")
        .where((Location.id == entry_id) | ((Service.id == entry_id) & (Service.status == "active")))
        .order_by(Location.name)
        .limit(1)
    ).first()
    if location is None:
        return None
    shape = to_shape(location.geom)
    return float(shape.y), float(shape.x)
