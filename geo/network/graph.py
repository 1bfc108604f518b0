"""The in-process routing graph: one sparse matrix per profile, Dijkstra with a time limit.

Why in process (measured in bench/reachability.py, see docs/reachability.md):
a bounded Dijkstra over a CSR matrix (scipy.sparse.csgraph) answers a
15-minute isochrone in a few milliseconds, where pgRouting's
pgr_drivingDistance re-reads the edge table through SQL on every call.

Coordinates are projected to local metres with an equirectangular projection
around the network's centre: exact enough within a city (well under 1 %
error over 20 km) and vectorises to two multiplications.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np
import shapely
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.spatial import cKDTree

from directory.points import EARTH_RADIUS_M
from geo.network.profiles import Profile, edge_speed_ms, ferry_seconds
from geo.network.store import StoredNetwork

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
#: Spacing of the points a location is snapped to (the nearest one picks the edge).
SNAP_SPACING_M = 10.0
#: Spare source nodes appended to every profile's matrix: a query points one at the two
#: ends of its origin's edge, so one Dijkstra per origin starts exactly at the point.
VIRTUAL_SOURCES = 16
IntArray = np.ndarray[Any, np.dtype[np.int64]]


@dataclass(frozen=True)
class LocalProjection:
    """Equirectangular projection to metres around a reference latitude."""

    lon0: float
    lat0: float

    @property
    def _kx(self) -> float:
        return math.radians(1) * EARTH_RADIUS_M * math.cos(math.radians(self.lat0))

    @property
    def _ky(self) -> float:
        return math.radians(1) * EARTH_RADIUS_M

    def forward(self, lonlat: FloatArray) -> FloatArray:
        """(lon, lat) rows to (x, y) metres."""
        out = np.empty_like(lonlat, dtype=np.float64)
        out[:, 0] = (lonlat[:, 0] - self.lon0) * self._kx
        out[:, 1] = (lonlat[:, 1] - self.lat0) * self._ky
        return out

    def inverse(self, xy: FloatArray) -> FloatArray:
        """(x, y) metres rows back to (lon, lat)."""
        out = np.empty_like(xy, dtype=np.float64)
        out[:, 0] = xy[:, 0] / self._kx + self.lon0
        out[:, 1] = xy[:, 1] / self._ky + self.lat0
        return out


@dataclass(frozen=True)
class Snap:
    """Where a point joins the network: an edge, how far along it, and how far off it."""

    edge: int
    fraction: float
    distance_m: float


@dataclass
class ProfileGraph:
    """The network as one profile sees it: edge costs, the CSR matrix and a snapping index."""

    profile: Profile
    cost_s: FloatArray
    matrix: csr_matrix
    usable_edges: IntArray
    #: Sample points every SNAP_SPACING_M along the usable edges, and the edge of each.
    snap_tree: cKDTree
    snap_edges: IntArray


class RoutingGraph:
    """The whole network in memory, with a lazily built graph per profile."""

    def __init__(self, network: StoredNetwork, *, max_snap_m: float = 250.0) -> None:
        """Index the stored network; profiles are prepared on first use."""
        self.build_id = network.build_id
        self.max_snap_m = max_snap_m
        centre = network.node_lonlat.mean(axis=0)
        self.projection = LocalProjection(float(centre[0]), float(centre[1]))
        self.node_ids = network.node_ids
        self.node_xy = self.projection.forward(network.node_lonlat)
        self.edge_u = np.searchsorted(network.node_ids, network.edge_source).astype(np.int64)
        self.edge_v = np.searchsorted(network.node_ids, network.edge_target).astype(np.int64)
        self.length_m = network.length_m
        self.tags = network.tags
        self.max_kerb_m = network.max_kerb_m
        self.geoms = shapely.transform(network.geoms, self._forward_coords)
        self._profiles: dict[str, ProfileGraph] = {}
        self._lock = threading.Lock()

    def _forward_coords(self, coords: FloatArray) -> FloatArray:
        return self.projection.forward(coords)

    @property
    def node_count(self) -> int:
        """How many junction nodes the network has."""
        return len(self.node_ids)

    @property
    def edge_count(self) -> int:
        """How many edges the network has."""
        return len(self.length_m)

    def for_profile(self, profile: Profile) -> ProfileGraph:
        """The graph as `profile` sees it (built once, then cached)."""
        cached = self._profiles.get(profile.name)
        if cached is not None and cached.profile == profile:
            return cached
        graph = self._build(profile)
        self._profiles[profile.name] = graph
        return graph

    def _prepare_shared(self) -> None:
        """What every profile needs, computed once: tag-set keys and snap sample points."""
        if hasattr(self, "_tag_key"):
            return
        # Edges share their tag dicts (one per distinct tag set, see load_network):
        # a profile evaluates each (tag set, kerb) pair once, then numpy spreads it.
        index: dict[tuple[int, float | None], int] = {}
        self._tag_examples: list[tuple[dict[str, str], float | None]] = []
        keys = np.empty(self.edge_count, dtype=np.int64)
        for i, (tags, kerb) in enumerate(zip(self.tags, self.max_kerb_m, strict=True)):
            key = (id(tags), kerb)
            if key not in index:
                index[key] = len(index)
                self._tag_examples.append((tags, kerb))
            keys[i] = index[key]
        self._tag_key = keys
        self._ferries = np.array(
            [i for i, t in enumerate(self.tags) if t.get("route") == "ferry"], dtype=np.int64
        )
        self._samples, owner = shapely.get_coordinates(
            shapely.segmentize(self.geoms, SNAP_SPACING_M), return_index=True
        )
        self._sample_owner = owner.astype(np.int64)
        # Where each edge's samples start, and how far along its edge each sample lies.
        self._sample_start = np.searchsorted(owner, np.arange(self.edge_count + 1))
        step = np.hypot(*np.diff(self._samples, axis=0).T)
        along = np.concatenate([[0.0], np.cumsum(step)])
        along -= along[self._sample_start[:-1]][owner]
        total = np.maximum(along[self._sample_start[1:] - 1][owner], 1e-9)
        self._sample_fraction = np.clip(along / total, 0.0, 1.0)

    def edge_costs(self, profile: Profile) -> FloatArray:
        """Seconds per edge for `profile`; inf where it cannot pass."""
        self._prepare_shared()
        speeds = np.array(
            [edge_speed_ms(profile, tags, kerb) or 0.0 for tags, kerb in self._tag_examples], dtype=np.float64
        )
        speed = speeds[self._tag_key] if len(speeds) else np.zeros(self.edge_count)
        with np.errstate(divide="ignore"):
            cost = np.where(speed > 0, self.length_m / np.where(speed > 0, speed, 1.0), np.inf)
        for i in self._ferries:
            seconds = ferry_seconds(profile, self.tags[i], float(self.length_m[i]))
            cost[i] = np.inf if seconds is None else seconds
        # scipy would drop an explicit zero-cost edge
        result: FloatArray = np.maximum(cost, 1e-3)
        return result

    def _build(self, profile: Profile) -> ProfileGraph:
        cost = self.edge_costs(profile)
        ok = np.isfinite(cost)
        n = self.node_count
        rows = np.concatenate([self.edge_u[ok], self.edge_v[ok]])
        cols = np.concatenate([self.edge_v[ok], self.edge_u[ok]])
        data = np.concatenate([cost[ok], cost[ok]])
        # Parallel edges between the same two nodes: keep the fastest, as
        # csr_matrix would otherwise add their costs up.
        order = np.lexsort((data, cols, rows))
        rows, cols, data = rows[order], cols[order], data[order]
        first = np.ones(len(rows), dtype=bool)
        first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
        rows, cols, data = rows[first], cols[first], data[first]
        # Each virtual source owns two slots (to the two ends of an origin's edge), filled per query.
        virtual = np.repeat(np.arange(n, n + VIRTUAL_SOURCES), 2)
        placeholder = np.tile([0, min(1, max(n - 1, 0))], VIRTUAL_SOURCES)
        size = n + VIRTUAL_SOURCES
        matrix = csr_matrix(
            (np.concatenate([data, np.full(len(virtual), np.inf)]),
             (np.concatenate([rows, virtual]), np.concatenate([cols, placeholder]))),
            shape=(size, size),
        )  # fmt: skip
        matrix.indices = matrix.indices.astype(np.int32)
        matrix.indptr = matrix.indptr.astype(np.int32)
        # Snap only onto the largest connected part, so a point never lands
        # on an isolated courtyard path from which nothing can be reached.
        real = csr_matrix((data, (rows, cols)), shape=(n, n))
        _, labels = connected_components(real, directed=False)
        main = np.bincount(labels).argmax() if len(labels) else 0
        usable = np.flatnonzero(ok & (labels[self.edge_u] == main))
        usable_mask = np.zeros(self.edge_count, dtype=bool)
        usable_mask[usable] = True
        keep = usable_mask[self._sample_owner]
        return ProfileGraph(
            profile,
            cost,
            matrix,
            usable.astype(np.int64),
            cKDTree(self._samples[keep]),
            self._sample_owner[keep],
        )

    def snap_arrays(self, profile: Profile, lonlat: FloatArray) -> tuple[IntArray, FloatArray, FloatArray]:
        """Nearest usable edge per (lon, lat) row: edge index (-1 when farther than max_snap_m),
        fraction along it and distance off it, as arrays (vectorised for thousands of venues)."""
        graph = self.for_profile(profile)
        points = shapely.points(self.projection.forward(np.asarray(lonlat, dtype=np.float64).reshape(-1, 2)))
        edges = np.full(len(points), -1, dtype=np.int64)
        fractions = np.zeros(len(points))
        distances = np.full(len(points), np.inf)
        if not len(points):
            return edges, fractions, distances
        # The nearest sample point names the edge (to within half the spacing);
        # then the exact distance and position along that edge.
        _, nearest = graph.snap_tree.query(
            shapely.get_coordinates(points), k=1, distance_upper_bound=self.max_snap_m + SNAP_SPACING_M
        )
        found = np.flatnonzero(nearest < len(graph.snap_edges))
        candidate = graph.snap_edges[nearest[found]]
        lines = self.geoms[candidate]
        exact = shapely.distance(lines, points[found])
        keep = exact <= self.max_snap_m
        found, candidate, lines = found[keep], candidate[keep], lines[keep]
        edges[found] = candidate
        distances[found] = exact[keep]
        fractions[found] = shapely.line_locate_point(lines, points[found], normalized=True)
        return edges, fractions, distances

    def snap(self, profile: Profile, lonlat: FloatArray) -> list[Snap | None]:
        """Join each (lon, lat) row to its nearest usable edge; None when farther than max_snap_m."""
        edges, fractions, distances = self.snap_arrays(profile, lonlat)
        return [
            Snap(int(e), float(f), float(d)) if e >= 0 else None
            for e, f, d in zip(edges, fractions, distances, strict=True)
        ]

    def entry_offsets(self, profile: Profile, snap: Snap) -> tuple[int, int, float, float]:
        """Nodes u, v of a snap's edge and the seconds from the point to each of them."""
        graph = self.for_profile(profile)
        access = snap.distance_m / profile.speed_ms
        cost = float(graph.cost_s[snap.edge])
        return (
            int(self.edge_u[snap.edge]),
            int(self.edge_v[snap.edge]),
            access + snap.fraction * cost,
            access + (1 - snap.fraction) * cost,
        )

    def node_times(self, profile: Profile, snaps: Sequence[Snap], limit_s: float) -> FloatArray:
        """Seconds from each snapped origin to every node (rows: origins), inf beyond `limit_s`.

        Each origin gets a virtual source node joined to both ends of its edge
        by the part-edge times, so one bounded Dijkstra per origin is exact.
        """
        graph = self.for_profile(profile)
        n = self.node_count
        out = np.empty((len(snaps), n))
        matrix = graph.matrix
        for start in range(0, len(snaps), VIRTUAL_SOURCES):
            chunk = snaps[start : start + VIRTUAL_SOURCES]
            # The spare slots are shared by all requests: one query at a time fills them.
            with self._lock:
                for k, snap in enumerate(chunk):
                    u, v, off_u, off_v = self.entry_offsets(profile, snap)
                    slot = int(matrix.indptr[n + k])
                    matrix.indices[slot : slot + 2] = (u, v)
                    matrix.data[slot : slot + 2] = (max(off_u, 1e-3), max(off_v, 1e-3))
                dist = dijkstra(matrix, directed=True, indices=list(range(n, n + len(chunk))), limit=limit_s)
            out[start : start + len(chunk)] = dist[:, :n]
        return out

    def times_to(
        self, profile: Profile, node_times: FloatArray, origin: Snap, targets: Sequence[Snap]
    ) -> FloatArray:
        """Seconds from one origin (its node_times row) to each snapped target point."""
        edges = np.array([t.edge for t in targets], dtype=np.int64)
        fractions = np.array([t.fraction for t in targets])
        distances = np.array([t.distance_m for t in targets])
        result: FloatArray = self.times_to_many(
            profile, node_times[None, :], [origin], edges, fractions, distances
        )
        row: FloatArray = result[0]
        return row

    def times_to_many(
        self,
        profile: Profile,
        node_times: FloatArray,
        origins: Sequence[Snap],
        edges: IntArray,
        fractions: FloatArray,
        distances: FloatArray,
    ) -> FloatArray:
        """Seconds (origins x targets) from snapped origins (rows of node_times) to snapped targets.

        A target is reached through either end of its edge; a target on the
        origin's own edge may also be reached straight along that edge.
        """
        graph = self.for_profile(profile)
        cost = graph.cost_s[edges]
        access = distances / profile.speed_ms
        off_u = access + fractions * cost
        off_v = access + (1 - fractions) * cost
        out: FloatArray = np.minimum(
            node_times[:, self.edge_u[edges]] + off_u[None, :],
            node_times[:, self.edge_v[edges]] + off_v[None, :],
        )
        for i, origin in enumerate(origins):
            same = np.flatnonzero(edges == origin.edge)
            if len(same):
                along = np.abs(fractions[same] - origin.fraction) * cost[same]
                direct = along + (origin.distance_m / profile.speed_ms) + access[same]
                out[i, same] = np.minimum(out[i, same], direct)
        return out

    def reached_points(self, profile: Profile, node_times: FloatArray, limit_s: float) -> FloatArray:
        """Points (projected metres, every SNAP_SPACING_M) along the edge parts reachable within `limit_s`."""
        graph = self.for_profile(profile)
        cost = graph.cost_s
        tu, tv = node_times[self.edge_u], node_times[self.edge_v]
        edges = np.flatnonzero(((tu <= limit_s) | (tv <= limit_s)) & np.isfinite(cost))
        if not len(edges):
            return np.empty((0, 2))
        # The sample indices of those edges, gathered without a Python loop.
        starts = self._sample_start[edges]
        counts = self._sample_start[edges + 1] - starts
        offsets = np.repeat(starts - np.concatenate([[0], np.cumsum(counts)[:-1]]), counts)
        index = offsets + np.arange(int(counts.sum()))
        edge_of = np.repeat(edges, counts)
        fraction = self._sample_fraction[index]
        c = cost[edge_of]
        reached = (tu[edge_of] + fraction * c <= limit_s) | (tv[edge_of] + (1 - fraction) * c <= limit_s)
        points: FloatArray = self._samples[index[reached]]
        return points

    def route_edges(self, profile: Profile, from_node: int, to_node: int) -> list[int]:
        """The edges of the fastest route between two nodes (for explaining and checking a route)."""
        graph = self.for_profile(profile)
        _, predecessors = dijkstra(graph.matrix, indices=from_node, return_predecessors=True)
        nodes = [to_node]
        while nodes[-1] != from_node:
            previous = int(predecessors[nodes[-1]])
            if previous < 0:
                return []
            nodes.append(previous)
        nodes.reverse()
        edges: list[int] = []
        for a, b in pairwise(nodes):
            candidates = np.flatnonzero(
                ((self.edge_u == a) & (self.edge_v == b)) | ((self.edge_u == b) & (self.edge_v == a))
            )
            edges.append(int(candidates[np.argmin(graph.cost_s[candidates])]))
        return edges
