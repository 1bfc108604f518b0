"""Compare the OSM-based profiles with the City of Amsterdam's measured accessibility network.

The measured network (GeoPackage, EPSG:28992) has sidewalk and crossing
edges with the obstacle-free width and the kerb height at crossings. For
every OSM edge along which measured sidewalks run, it is "measured
passable" when most of that sidewalk length is wide enough for the
profile (and, for crossings, the kerb is low enough); the OSM profile says
passable when it gives the edge a finite time. The report counts how often
the two agree.

A GeoPackage is SQLite: each geometry is a small 'GP' header (with an
optional envelope) followed by standard WKB, read here with sqlite3 and
Shapely, so no GDAL is needed.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from pyproj import Transformer

from geo.network.graph import RoutingGraph
from geo.network.profiles import Profile

#: Envelope sizes in bytes by the envelope indicator in the GeoPackage header flags.
_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}
#: A measured edge belongs to an OSM edge when it lies this close (metres) ...
MATCH_DISTANCE_M = 12.0
#: ... and runs roughly along it (|cos| of the angle between them at least this).
MIN_ALIGNMENT = 0.8


def gpkg_wkb(blob: bytes) -> bytes:
    """The WKB inside a GeoPackage geometry blob (strips the 'GP' header and envelope)."""
    if blob[:2] != b"GP":
        raise ValueError("not a GeoPackage geometry")
    flags = blob[3]
    envelope = _ENVELOPE_BYTES[(flags >> 1) & 0b111]
    return blob[8 + envelope :]


@dataclass
class MeasuredEdge:
    """One edge of the measured network, in WGS84."""

    geom: Any
    path_type: str
    crossing: bool
    width_m: float | None
    curb_m: float | None
    length_m: float


def read_measured(path: Path) -> list[MeasuredEdge]:
    """All edges of the measured GeoPackage, reprojected from EPSG:28992 to WGS84."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        table, srs = db.execute(
            "SELECT table_name, srs_id FROM gpkg_contents WHERE data_type = 'features'"
        ).fetchone()
        rows = db.execute(
            "SELECT geom, path_type, crossing, obstacle_free_width_float, curb_height_max, length "
            f'FROM "{table}"'
        ).fetchall()
    to_wgs84 = Transformer.from_crs(f"EPSG:{srs}", "EPSG:4326", always_xy=True)
    geoms = shapely.from_wkb([gpkg_wkb(r[0]) for r in rows])
    geoms = shapely.transform(geoms, lambda xy: np.column_stack(to_wgs84.transform(xy[:, 0], xy[:, 1])))
    return [
        MeasuredEdge(g, r[1], r[2] == "Yes", r[3], r[4], float(r[5] or 0))
        for g, r in zip(geoms, rows, strict=True)
    ]


def measured_passable(edge: MeasuredEdge, profile: Profile) -> bool:
    """Whether the measured values let `profile` through: wide enough, and a low enough kerb."""
    if profile.min_width_m is not None and edge.width_m is not None and edge.width_m < profile.min_width_m:
        return False
    return not (
        profile.max_kerb_m is not None and edge.curb_m is not None and edge.curb_m > profile.max_kerb_m
    )


@dataclass
class Agreement:
    """How often OSM and the measured network agree on which edges a profile can use."""

    profile: str
    compared: int = 0
    agree: int = 0
    #: (osm says, measured says) -> count, e.g. (True, False): OSM passable, measured not.
    confusion: Counter[tuple[bool, bool]] = field(default_factory=Counter)
    by_highway: dict[str, Counter[bool]] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        """Share of compared edges on which both agree."""
        return self.agree / self.compared if self.compared else 0.0


def compare(graph: RoutingGraph, measured: list[MeasuredEdge], profile: Profile) -> Agreement:
    """Match measured edges to OSM edges and count agreement on passability for `profile`."""
    cost = graph.for_profile(profile).cost_s
    lines = shapely.transform(np.array([m.geom for m in measured], dtype=object), graph.projection.forward)
    tree = shapely.STRtree(graph.geoms)
    pairs = tree.query(lines, predicate="dwithin", distance=MATCH_DISTANCE_M)
    best: dict[int, tuple[float, int]] = {}
    for m_i, o_i in pairs.T:
        m_line, o_line = lines[m_i], graph.geoms[o_i]
        # Crossings cross a street rather than run along it: they count only
        # for OSM crossing ways; everything else must run along its OSM edge.
        osm_crossing = graph.tags[o_i].get("footway") == "crossing"
        if measured[m_i].crossing != osm_crossing:
            continue
        if not osm_crossing and _alignment(m_line, o_line) < MIN_ALIGNMENT:
            continue
        distance = float(shapely.distance(shapely.centroid(m_line), o_line))
        if m_i not in best or distance < best[m_i][0]:
            best[int(m_i)] = (distance, int(o_i))
    passable_len: dict[int, float] = {}
    total_len: dict[int, float] = {}
    for m_i, (_, o_i) in best.items():
        edge = measured[m_i]
        length = float(shapely.length(lines[m_i]))
        total_len[o_i] = total_len.get(o_i, 0.0) + length
        if measured_passable(edge, profile):
            passable_len[o_i] = passable_len.get(o_i, 0.0) + length
    result = Agreement(profile.name)
    for o_i, total in total_len.items():
        if total < 5.0:
            continue  # a few metres of sidewalk say little about a street
        osm_ok = bool(np.isfinite(cost[o_i]))
        measured_ok = passable_len.get(o_i, 0.0) / total >= 0.5
        result.compared += 1
        result.agree += osm_ok == measured_ok
        result.confusion[(osm_ok, measured_ok)] += 1
        highway = graph.tags[o_i].get("highway", "ferry")
        result.by_highway.setdefault(highway, Counter())[osm_ok == measured_ok] += 1
    return result


def _alignment(a: Any, b: Any) -> float:
    """|cos| of the angle between two lines' overall directions (1: parallel, 0: crossing)."""
    ca, cb = shapely.get_coordinates(a), shapely.get_coordinates(b)
    da, db = ca[-1] - ca[0], cb[-1] - cb[0]
    na, nb = np.hypot(*da), np.hypot(*db)
    if na == 0 or nb == 0:
        return 1.0
    return float(abs(np.dot(da, db)) / (na * nb))


def report(agreements: list[Agreement]) -> str:
    """A Markdown report of the comparison."""
    lines = ["| profile | compared edges | agree | OSM yes / measured no | OSM no / measured yes |",
             "|---|---|---|---|---|"]  # fmt: skip
    for a in agreements:
        lines.append(
            f"| {a.profile} | {a.compared} | {a.rate:.0%} | {a.confusion[(True, False)]} "
            f"| {a.confusion[(False, True)]} |"
        )
    lines.append("")
    for a in agreements:
        parts = ", ".join(
            f"{hw} {c[True]}/{c[True] + c[False]}"
            for hw, c in sorted(a.by_highway.items(), key=lambda kv: -sum(kv[1].values()))
        )
        lines.append(f"- {a.profile}, agreement by highway type: {parts}")
    return "\n".join(lines) + "\n"
