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
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np
import shapely
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra
from shapely.ops import substring

from geo.network.osm import EARTH_RADIUS_M
from geo.network.profiles import Profile, edge_speed_ms, ferry_seconds
from geo.network.store import StoredNetwork

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
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
    tree: shapely.STRtree


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

    def edge_costs(self, profile: Profile) -> FloatArray:
        """Seconds per edge for `profile`; inf where it cannot pass."""
        cost = np.full(self.edge_count, np.inf)
        for i, tags in enumerate(self.tags):
            length = float(self.length_m[i])
            if tags.get("route") == "ferry":
                seconds = ferry_seconds(profile, tags, length)
            else:
                speed = edge_speed_ms(profile, tags, self.max_kerb_m[i])
                seconds = None if speed is None else length / speed
            if seconds is not None:
                cost[i] = max(seconds, 1e-3)  # scipy would drop an explicit zero-cost edge
        return cost

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
        matrix = csr_matrix((data[first], (rows[first], cols[first])), shape=(n, n))
        matrix.indices = matrix.indices.astype(np.int32)
        matrix.indptr = matrix.indptr.astype(np.int32)
        # Snap only onto the largest connected part, so a point never lands
        # on an isolated courtyard path from which nothing can be reached.
        _, labels = connected_components(matrix, directed=False)
        main = np.bincount(labels).argmax() if len(labels) else 0
        usable = np.flatnonzero(ok & (labels[self.edge_u] == main))
        tree = shapely.STRtree(self.geoms[usable])
        return ProfileGraph(profile, cost, matrix, usable.astype(np.int64), tree)

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
        found, dist = graph.tree.query_nearest(
            points, max_distance=self.max_snap_m, return_distance=True, all_matches=False
        )
        point_i, tree_i = found
        edges[point_i] = graph.usable_edges[tree_i]
        distances[point_i] = dist
        fractions[point_i] = shapely.line_locate_point(
            self.geoms[edges[point_i]], points[point_i], normalized=True
        )
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

        One Dijkstra call from both ends of every origin's edge; each origin's
        row is the best of its two ends plus the time to reach that end.
        """
        graph = self.for_profile(profile)
        ends: list[int] = []
        offsets: list[float] = []
        for snap in snaps:
            u, v, off_u, off_v = self.entry_offsets(profile, snap)
            ends += [u, v]
            offsets += [off_u, off_v]
        dist = dijkstra(graph.matrix, directed=True, indices=ends, limit=limit_s)
        dist += np.asarray(offsets)[:, None]
        times: FloatArray = np.minimum(dist[0::2], dist[1::2])
        times[times > limit_s] = np.inf
        return times

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

    def reached_lines(self, profile: Profile, node_times: FloatArray, limit_s: float) -> list[Any]:
        """The parts of edges reachable within `limit_s` (projected metres), for drawing an isochrone."""
        graph = self.for_profile(profile)
        cost = graph.cost_s
        tu, tv = node_times[self.edge_u], node_times[self.edge_v]
        candidates = np.flatnonzero(((tu <= limit_s) | (tv <= limit_s)) & np.isfinite(cost))
        if not len(candidates):
            return []
        c, a, b = cost[candidates], tu[candidates], tv[candidates]
        from_u = np.clip((limit_s - a) / c, 0, 1)
        from_v = np.clip((limit_s - b) / c, 0, 1)
        full = from_u + from_v >= 1
        lines: list[Any] = list(self.geoms[candidates[full]])
        for edge, fu, fv in zip(candidates[~full], from_u[~full], from_v[~full], strict=True):
            geom = self.geoms[edge]
            if fu > 0:
                lines.append(substring(geom, 0, float(fu), normalized=True))
            if fv > 0:
                lines.append(substring(geom, 1 - float(fv), 1, normalized=True))
        return lines

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
