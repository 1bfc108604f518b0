"""Write the network into PostGIS and read it back (one transaction, COPY for speed)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from sqlalchemy import Connection, text

from geo.network.osm import RawNetwork
from geo.network.profiles import WALKING, edge_speed_ms, ferry_seconds

#: Cost pgRouting sees for edges the walking profile cannot use (it skips negative costs).
CLOSED = -1.0


def walk_cost_s(tags: dict[str, str], length_m: float, max_kerb_m: float | None) -> float:
    """Seconds at the walking profile for one edge; CLOSED when walkers cannot use it."""
    if tags.get("route") == "ferry":
        seconds = ferry_seconds(WALKING, tags, length_m)
    else:
        speed = edge_speed_ms(WALKING, tags, max_kerb_m)
        seconds = None if speed is None else length_m / speed
    return CLOSED if seconds is None else seconds


def _wkt_line(coords: list[tuple[float, float]]) -> str:
    return "SRID=4326;LINESTRING(" + ",".join(f"{x:.7f} {y:.7f}" for x, y in coords) + ")"


def save_network(conn: Connection, network: RawNetwork, source: str) -> int:
    """Replace the stored network with `network` inside the caller's transaction; returns the build id."""
    conn.execute(text("TRUNCATE geo_network_edge, geo_network_node"))
    raw = conn.connection.driver_connection
    assert raw is not None
    with raw.cursor() as cur:
        with cur.copy("COPY geo_network_node (id, geom) FROM STDIN") as copy:
            for node_id, (lon, lat) in network.nodes.items():
                copy.write_row((node_id, f"SRID=4326;POINT({lon:.7f} {lat:.7f})"))
        with cur.copy(
            "COPY geo_network_edge (id, source, target, osm_way_id, kind, length_m, max_kerb_m, tags, "
            "walk_cost_s, geom) FROM STDIN"
        ) as copy:
            for i, edge in enumerate(network.edges, start=1):
                kind = "ferry" if edge.tags.get("route") == "ferry" else edge.tags.get("highway", "")
                copy.write_row(
                    (
                        i, edge.source, edge.target, edge.way_id, kind, edge.length_m, edge.max_kerb_m,
                        json.dumps(edge.tags, ensure_ascii=False),
                        walk_cost_s(edge.tags, edge.length_m, edge.max_kerb_m), _wkt_line(edge.coords),
                    )
                )  # fmt: skip
    build_id = conn.execute(
        text("INSERT INTO geo_network_build (source, nodes, edges) VALUES (:s, :n, :e) RETURNING id"),
        {"s": source, "n": len(network.nodes), "e": len(network.edges)},
    ).scalar_one()
    return int(build_id)


@dataclass
class StoredNetwork:
    """The stored network as arrays, ready to become a routing graph."""

    build_id: int
    node_ids: np.ndarray[Any, np.dtype[np.int64]]
    node_lonlat: np.ndarray[Any, np.dtype[np.float64]]
    edge_source: np.ndarray[Any, np.dtype[np.int64]]
    edge_target: np.ndarray[Any, np.dtype[np.int64]]
    length_m: np.ndarray[Any, np.dtype[np.float64]]
    max_kerb_m: list[float | None]
    tags: list[dict[str, str]]
    geoms: np.ndarray[Any, np.dtype[np.object_]]


def latest_build_id(conn: Connection) -> int | None:
    """The id of the newest network build, or None when no network was built yet."""
    value = conn.execute(text("SELECT max(id) FROM geo_network_build")).scalar()
    return None if value is None else int(value)


def load_network(conn: Connection) -> StoredNetwork | None:
    """Read the stored network; None when it is empty."""
    build_id = latest_build_id(conn)
    if build_id is None:
        return None
    nodes = conn.execute(text("SELECT id, ST_X(geom), ST_Y(geom) FROM geo_network_node ORDER BY id")).all()
    if not nodes:
        return None
    edges = conn.execute(
        text(
            "SELECT source, target, length_m, max_kerb_m, tags, ST_AsBinary(geom) "
            "FROM geo_network_edge ORDER BY id"
        )
    ).all()
    return StoredNetwork(
        build_id=build_id,
        node_ids=np.array([r[0] for r in nodes], dtype=np.int64),
        node_lonlat=np.array([(r[1], r[2]) for r in nodes], dtype=np.float64),
        edge_source=np.array([r[0] for r in edges], dtype=np.int64),
        edge_target=np.array([r[1] for r in edges], dtype=np.int64),
        length_m=np.array([r[2] for r in edges], dtype=np.float64),
        max_kerb_m=[r[3] for r in edges],
        tags=[r[4] for r in edges],
        geoms=shapely.from_wkb([bytes(r[5]) for r in edges]),
    )


def stored_from_raw(network: RawNetwork, build_id: int = 0) -> StoredNetwork:
    """The same arrays `load_network` gives, straight from a read OSM file (no database)."""
    ids = np.array(sorted(network.nodes), dtype=np.int64)
    return StoredNetwork(
        build_id=build_id,
        node_ids=ids,
        node_lonlat=np.array([network.nodes[int(i)] for i in ids], dtype=np.float64).reshape(-1, 2),
        edge_source=np.array([e.source for e in network.edges], dtype=np.int64),
        edge_target=np.array([e.target for e in network.edges], dtype=np.int64),
        length_m=np.array([e.length_m for e in network.edges], dtype=np.float64),
        max_kerb_m=[e.max_kerb_m for e in network.edges],
        tags=[e.tags for e in network.edges],
        geoms=np.array([shapely.LineString(e.coords) for e in network.edges], dtype=object),
    )
