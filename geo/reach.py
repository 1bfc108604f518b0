"""Reachability of locations: travel time over the street network, isochrones and group queries.

Origins (a client's address, the homes of group members) are used for one
computation and forgotten: nothing here stores or logs them.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import shapely
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from directory.errors import InvalidInputError, ServiceUnavailableError, require_choice
from directory.points import check_lat_lon
from geo.network.graph import RoutingGraph, Snap
from geo.network.isochrone import circle_polygon, crow_fly_m, isochrone_polygon, minutes
from geo.network.profiles import PROFILES, Profile
from geo.network.store import latest_build_id, load_network

Method = Literal["network", "crow_fly"]
MAX_MINUTES = 60
MIN_GROUP, MAX_GROUP = 2, 15


@dataclass(frozen=True)
class Origin:
    """A start point; the label is the user's own (e.g. 'Anna') and is only echoed back."""

    lat: float
    lon: float
    label: str = ""


@dataclass(frozen=True)
class Candidate:
    """A location that might be reachable: id, name, category and its point."""

    id: str
    name: str
    category: str | None
    lat: float
    lon: float


@dataclass
class Reached:
    """One location with its travel time from an origin, and how that time was found."""

    location: Candidate
    seconds: float
    method: Method

    def to_json(self) -> dict[str, Any]:
        """The API shape of this result."""
        return {
            "id": self.location.id,
            "name": self.location.name,
            "category": self.location.category,
            "lat": self.location.lat,
            "lon": self.location.lon,
            "minutes": minutes(self.seconds),
            "method": self.method,
        }


@dataclass
class ReachResult:
    """Everything reachable from one origin within a time."""

    profile: str
    minutes: int
    origin_on_network: bool
    isochrone: Any  # shapely geometry in lon/lat
    locations: list[Reached]


@dataclass
class GroupVenue:
    """A venue with each member's travel time; ranked by the slowest member."""

    location: Candidate
    seconds: list[float]
    methods: list[Method]
    unreachable_for: list[str] = field(default_factory=list)

    @property
    def worst_seconds(self) -> float:
        """The slowest member's travel time (inf when someone cannot get there in time)."""
        return max(self.seconds)


def get_profile(name: str) -> Profile:
    """The profile called `name`, or a 422 naming the parameter."""
    require_choice("profile", name, tuple(PROFILES), code="one_of")
    return PROFILES[name]


def check_minutes(value: int) -> int:
    """A travel-time limit between 1 and MAX_MINUTES, or a 422."""
    if not 1 <= value <= MAX_MINUTES:
        raise InvalidInputError(
            "minutes",
            f"must be between 1 and {MAX_MINUTES}",
            code="range",
            params={"min": 1, "max": MAX_MINUTES},
        )
    return value


def check_point(lat: float, lon: float, field_name: str = "lat/lon") -> None:
    """A WGS84 point that is a number and on the globe, or a 422 (the one rule of directory.points)."""
    check_lat_lon(field_name, lat, lon)


class Reachability:
    """Answers reach and group questions on one loaded routing graph."""

    def __init__(self, graph: RoutingGraph) -> None:
        """Wrap a loaded graph."""
        self.graph = graph

    def _lonlat(self, geom: Any) -> Any:
        return shapely.transform(geom, self.graph.projection.inverse)

    def candidates(self, session: Session, origins: Sequence[Origin], profile: Profile, limit_s: float,
                   category: str | None = None) -> list[Candidate]:  # fmt: skip
        """Active locations close enough to any origin that they might be reachable in time."""
        fastest = max(profile.speed_kmh, profile.cycleway_speed_kmh or 0, profile.ferry_speed_kmh) / 3.6
        radius = limit_s * fastest + self.graph.max_snap_m
        # A box around all origins, widened by the farthest anyone could get: it uses the
        # spatial index; exact times come from the network afterwards.
        lat_pad = radius / 110_574
        lon_pad = radius / (111_320 * max(np.cos(np.radians(max(abs(o.lat) for o in origins))), 0.01))
        rows = session.execute(
            text(
                """
                SELECT l.id::text, l.name, l.category, ST_Y(l.geom), ST_X(l.geom)
                FROM location l
                WHERE l.status = 'active'
                  AND (CAST(:category AS text) IS NULL OR l.category = :category)
                  AND l.geom && ST_MakeEnvelope(:west, :south, :east, :north, 4326)
                ORDER BY l.id
                """
            ),
            {
                "category": category,
                "west": min(o.lon for o in origins) - lon_pad,
                "east": max(o.lon for o in origins) + lon_pad,
                "south": min(o.lat for o in origins) - lat_pad,
                "north": max(o.lat for o in origins) + lat_pad,
            },
        ).all()
        return [Candidate(r[0], r[1], r[2], float(r[3]), float(r[4])) for r in rows]

    def _times(
        self, profile: Profile, origins: Sequence[Origin], limit_s: float, candidates: Sequence[Candidate]
    ) -> tuple[np.ndarray[Any, Any], list[list[Method]], list[Snap | None], np.ndarray[Any, Any]]:
        """Seconds (origins x candidates), how each was found, the origin snaps and node times."""
        graph = self.graph
        origin_ll = np.array([(o.lon, o.lat) for o in origins], dtype=np.float64)
        cand_ll = np.array([(c.lon, c.lat) for c in candidates], dtype=np.float64).reshape(-1, 2)
        origin_snaps = graph.snap(profile, origin_ll)
        edges, fractions, distances = graph.snap_arrays(profile, cand_ll)
        on_net = [i for i, s in enumerate(origin_snaps) if s is not None]
        node_times = np.full((len(origins), graph.node_count), np.inf)
        snapped = [s for s in origin_snaps if s is not None]
        if on_net:
            node_times[on_net] = graph.node_times(profile, snapped, limit_s)
        # Crow-fly at the profile's base speed: the explicit fallback for points off the network.
        crow = crow_fly_m(graph.projection.forward(origin_ll)[:, None, :],
                          graph.projection.forward(cand_ll)[None, :, :]) / profile.speed_ms  # fmt: skip
        seconds = np.array(crow, dtype=np.float64)
        on_network = np.zeros(seconds.shape, dtype=bool)
        target_ok = edges >= 0
        if on_net and target_ok.any():
            network_times = graph.times_to_many(
                profile,
                node_times[on_net],
                snapped,
                edges[target_ok],
                fractions[target_ok],
                distances[target_ok],
            )
            rows = np.array(on_net)[:, None]
            cols = np.flatnonzero(target_ok)[None, :]
            seconds[rows, cols] = network_times
            on_network[rows, cols] = True
        methods: list[list[Method]] = [
            ["network" if ok else "crow_fly" for ok in row] for row in on_network.tolist()
        ]
        return seconds, methods, origin_snaps, node_times

    def travel_time(
        self, origin: Origin, target: tuple[float, float], profile: Profile, limit_min: int = MAX_MINUTES
    ) -> tuple[float, Method]:
        """Seconds from `origin` to a (lat, lon) target and how it was found; inf beyond the limit."""
        candidate = Candidate("target", "target", None, target[0], target[1])
        seconds, methods, _, _ = self._times(profile, [origin], limit_min * 60.0, [candidate])
        return float(seconds[0, 0]), methods[0][0]

    def reach(self, session: Session, origin: Origin, profile: Profile, limit_min: int,
              category: str | None = None) -> ReachResult:  # fmt: skip
        """Locations reachable from `origin` within `limit_min`, fastest first, with the isochrone."""
        limit_s = check_minutes(limit_min) * 60.0
        check_point(origin.lat, origin.lon)
        candidates = self.candidates(session, [origin], profile, limit_s, category)
        seconds, methods, snaps, node_times = self._times(profile, [origin], limit_s, candidates)
        if snaps[0] is not None:
            polygon = isochrone_polygon(self.graph.reached_points(profile, node_times[0], limit_s))
        else:
            x, y = self.graph.projection.forward(np.array([[origin.lon, origin.lat]]))[0]
            polygon = circle_polygon(float(x), float(y), limit_s * profile.speed_ms)
        reached = [
            Reached(c, float(seconds[0, j]), methods[0][j])
            for j, c in enumerate(candidates)
            if seconds[0, j] <= limit_s
        ]
        reached.sort(key=lambda r: (r.seconds, r.location.name))
        return ReachResult(profile.name, limit_min, snaps[0] is not None, self._lonlat(polygon), reached)

    def group(self, session: Session, origins: Sequence[Origin], profile: Profile, limit_min: int,
              category: str | None = None) -> tuple[list[GroupVenue], list[bool]]:  # fmt: skip
        """Venues reachable by at least one member, those reachable for all first, by worst time.

        Returns the venues and, per origin, whether it lies on the network.
        """
        limit_s = check_minutes(limit_min) * 60.0
        if not MIN_GROUP <= len(origins) <= MAX_GROUP:
            raise InvalidInputError(
                "origins",
                f"give between {MIN_GROUP} and {MAX_GROUP} origins",
                code="group_size",
                params={"min": MIN_GROUP, "max": MAX_GROUP},
            )
        for i, origin in enumerate(origins):
            check_point(origin.lat, origin.lon, f"origins[{i}]")
        candidates = self.candidates(session, origins, profile, limit_s, category)
        seconds, methods, snaps, _ = self._times(profile, origins, limit_s, candidates)
        labels = [o.label or f"#{i + 1}" for i, o in enumerate(origins)]
        venues: list[GroupVenue] = []
        for j, candidate in enumerate(candidates):
            column = seconds[:, j]
            if not (column <= limit_s).any():
                continue
            venue = GroupVenue(
                candidate,
                [float(t) for t in column],
                [methods[i][j] for i in range(len(origins))],
                [labels[i] for i in range(len(origins)) if column[i] > limit_s],
            )
            venues.append(venue)
        venues.sort(key=lambda v: (len(v.unreachable_for), v.worst_seconds, v.location.name))
        return venues, [s is not None for s in snaps]


class RoutingCache:
    """The street network of one database, loaded once and reloaded when a newer one is built.

    The app holds one (create_app); the CLI and tests reach the same one through
    `routing_cache`, so a city-sized graph is never loaded twice in one process.
    """

    def __init__(self, engine: Engine, *, max_snap_m: float = 250.0) -> None:
        """Nothing is loaded until the first question (or `warm_up`)."""
        self.engine = engine
        self.max_snap_m = max_snap_m
        self._lock = threading.Lock()
        self._service: Reachability | None = None

    def get(self) -> Reachability:
        """The reachability service, (re)loading the graph when a new network was built."""
        with self.engine.connect() as conn:
            build_id = latest_build_id(conn)
        if build_id is None:
            raise ServiceUnavailableError(
                "no street network has been built yet; run `wijkgram geo build-network FILE` first"
            )
        with self._lock:
            cached = self._service
            if cached is not None and cached.graph.build_id == build_id:
                return cached
            with self.engine.connect() as conn:
                network = load_network(conn)
            if network is None:
                raise ServiceUnavailableError(
                    "the street network is empty; run `wijkgram geo build-network FILE`"
                )
            self._service = Reachability(RoutingGraph(network, max_snap_m=self.max_snap_m))
            return self._service

    def available(self) -> Reachability | None:
        """The service, or None when no network has been built (pages then fall back to crow-fly)."""
        try:
            return self.get()
        except ServiceUnavailableError:
            return None

    def warm_up(self) -> bool:
        """Load the graph and prepare every profile now (server start); False when no network is built."""
        service = self.available()
        if service is None:
            return False
        for profile in PROFILES.values():
            service.graph.for_profile(profile)
        return True


_caches_lock = threading.Lock()
_caches: dict[str, RoutingCache] = {}


def routing_cache(engine: Engine, *, max_snap_m: float = 250.0) -> RoutingCache:
    """The one routing cache of this database in this process."""
    key = engine.url.render_as_string(hide_password=True)
    with _caches_lock:
        cache = _caches.get(key)
        if cache is None:
            cache = _caches[key] = RoutingCache(engine, max_snap_m=max_snap_m)
        return cache


def get_reachability(engine: Engine, *, max_snap_m: float = 250.0) -> Reachability:
    """The reachability service for this database (see `RoutingCache.get`)."""
    return routing_cache(engine, max_snap_m=max_snap_m).get()


def warm_up(engine: Engine, *, max_snap_m: float = 250.0) -> bool:
    """Load the graph and prepare every profile now (e.g. at server start); False when no network is built."""
    return routing_cache(engine, max_snap_m=max_snap_m).warm_up()
