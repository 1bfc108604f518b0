"""The support question: services meeting a household's needs within reach of a point, grouped by need.

Travel times come from a `TravelTimes` the caller gives (geo's street network
for the chosen travel mode, wired in web/travel.py); without one the times are
crow-fly estimates at the mode's base speed, and the results say so. The
support page, its handout and `GET /api/v1/support` all call `find_support`.
The point is only held in memory for the one question.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from geoalchemy2 import Geography
from sqlalchemy import ColumnElement, and_, cast, func, select
from sqlalchemy.orm import Session

from directory.models import Location, Service, service_at_location
from directory.services.stale import is_stale

#: Needs a professional can tick, in the order the results show them (the support functions of
#: the taxonomy, "Meedoen en activiteiten" included).
NEEDS = ("practical", "company", "information", "peers", "language", "money", "activity")

#: How a travel time was found: over the street network, or as a straight-line estimate.
Method = Literal["network", "crow_fly"]


@dataclass(frozen=True)
class Reached:
    """The places reachable in time from a point, with seconds and method each."""

    seconds: dict[uuid.UUID, tuple[float, Method]]
    #: False when the point lies too far from any street of the network.
    origin_on_network: bool = True


class TravelTimes(Protocol):
    """Travel times over the street network for one travel mode."""

    def reach(self, session: Session, lat: float, lon: float, minutes: int) -> Reached:
        """The locations reachable from the point within `minutes`."""


def whole_minutes(seconds: float) -> int:
    """Seconds as whole minutes, rounded up (never closer than it is), at least 1."""
    return max(1, math.ceil(seconds / 60.0 - 1e-9))


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

    def by_travel_time(self, count: int) -> list[SupportHit]:
        """The best `count` distinct services (as `top`), quickest first; those that come to you last."""
        return sorted(self.top(count), key=lambda h: (h.seconds is None, h.seconds or 0.0))

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


def services_meeting(needs: Sequence[str], *where: ColumnElement[bool]) -> Any:
    """A query for (service, location): active services meeting a need, at each active place they are held.

    The support question and the wijkgram's "ook verder weg" narrow it to the places they reached.
    """
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
    session: Session, query: SupportQuery, travel: TravelTimes
) -> tuple[list[SupportHit], bool]:
    """Hits at locations reachable over the street network in time, and whether the origin is on it."""
    reach = travel.reach(session, query.lat, query.lon, query.minutes)
    reached = reach.seconds
    if not reached:
        return [], reach.origin_on_network
    rows = session.execute(services_meeting(query.needs, Location.id.in_(list(reached)))).all()
    hits = [
        SupportHit(service, location, reached[location.id][0], reached[location.id][1])
        for service, location in rows
    ]
    return hits, reach.origin_on_network


def _crow_fly_hits(session: Session, query: SupportQuery, speed_ms: float) -> list[SupportHit]:
    """The fallback without a network: PostGIS distance, at the mode's base speed."""
    here = cast(func.ST_SetSRID(func.ST_MakePoint(query.lon, query.lat), 4326), Geography)
    distance = func.ST_Distance(cast(Location.geom, Geography), here)
    radius = query.minutes * 60.0 * speed_ms
    rows = session.execute(
        services_meeting(
            query.needs, func.ST_DWithin(cast(Location.geom, Geography), here, radius)
        ).add_columns(distance)
    ).all()
    return [
        SupportHit(service, location, float(metres) / speed_ms, "crow_fly", distance_m=float(metres))
        for service, location, metres in rows
    ]


def _visiting(session: Session, query: SupportQuery) -> Sequence[Service]:
    """Active services meeting a need whose service area covers the point (they come to you)."""
    point = func.ST_SetSRID(func.ST_MakePoint(query.lon, query.lat), 4326)
    return session.scalars(
        select(Service).where(
            Service.status == "active",
            Service.support_functions.overlap(list(query.needs)),
            and_(Service.service_area.is_not(None), func.ST_Covers(Service.service_area, point)),
        )
    ).all()


def find_support(
    session: Session,
    query: SupportQuery,
    *,
    travel: TravelTimes | None,
    crow_fly_speed_ms: float,
    stale_after_months: int = 12,
) -> SupportResults:
    """Active services meeting the needs, reachable in time or coming to the point, grouped by need.

    With `travel` (a built street network) travel times follow the streets for
    the query's mode and places outside the time are left out; without it the
    times are crow-fly estimates at `crow_fly_speed_ms`, and the results say so.
    """
    results = SupportResults(query, network_available=travel is not None)
    if travel is not None:
        found, results.origin_on_network = _network_hits(session, query, travel)
    else:
        found = _crow_fly_hits(session, query, crow_fly_speed_ms)
    # A service held at several places counts once, at the quickest one.
    best: dict[uuid.UUID, SupportHit] = {}
    for hit in sorted(found, key=lambda h: h.seconds or 0.0):
        best.setdefault(hit.service.id, hit)
    for service in _visiting(session, query):
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
