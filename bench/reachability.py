"""Reachability benchmark: in-process graph vs pgRouting, on the real Centrum network and a city-sized one.

    .venv/bin/python -m bench.reachability [--tiles 14] [--runs 40]

The city-sized network (about 300,000 edges, the size of Amsterdam's
pedestrian graph) is the real Centrum network tiled: copies shifted by the
extent of its nodes in a TILES x TILES grid, node ids offset per copy, and
the copies stitched with footway edges between nodes of neighbouring tiles
within STITCH_M metres (each node to its nearest node in another tile). Both networks are written to
a throwaway database `wijkgram_bench` with the same code as `wijkgram geo
build-network`, so the in-process graph and pgRouting read the same rows.

Measured per network, p50/p95 over random origins (fixed seed):
- isochrone: a 15-minute walking isochrone as the API makes it (snap,
  bounded Dijkstra, reached edge parts, polygon);
- group: a 15-origin group query end to end (candidate venues from PostGIS,
  15 bounded Dijkstras, per-venue times, ranking) over 2,000 venues;
- the same two questions answered by pgr_drivingDistance on the same edge
  table: once reading the whole table (the textbook call) and once with the
  edges limited to a box around the origins (the usual optimisation).
"""

from __future__ import annotations

import argparse
import os
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from scipy.spatial import cKDTree
from sqlalchemy import Engine, create_engine, make_url, pool, text
from sqlalchemy.orm import Session

from cli.common import ensure_database
from directory.db import migrate
from directory.db.url import database_url
from directory.settings import get_settings
from geo.network.graph import RoutingGraph
from geo.network.isochrone import isochrone_polygon
from geo.network.osm import RawEdge, RawNetwork, read_network
from geo.network.profiles import WALKING
from geo.network.store import load_network, save_network
from geo.reach import Origin, Reachability

LIMIT_S = 15 * 60
STITCH_M = 120.0
BENCH_DB = "wijkgram_bench"
VENUES = 2000
SEED = 20261123


def tile_network(network: RawNetwork, tiles: int) -> RawNetwork:
    """`tiles` x `tiles` shifted copies of `network`, stitched where copies meet."""
    lons = np.array([p[0] for p in network.nodes.values()])
    lats = np.array([p[1] for p in network.nodes.values()])
    dlon, dlat = lons.max() - lons.min(), lats.max() - lats.min()
    stride = max(network.nodes) + 1
    out = RawNetwork()
    tile_of: dict[int, int] = {}
    for tx in range(tiles):
        for ty in range(tiles):
            tile = tx * tiles + ty
            offset, sx, sy = tile * stride, tx * dlon, ty * dlat
            for node, (lon, lat) in network.nodes.items():
                out.nodes[node + offset] = (lon + sx, lat + sy)
                tile_of[node + offset] = tile
            for e in network.edges:
                out.edges.append(
                    RawEdge(
                        e.source + offset,
                        e.target + offset,
                        e.way_id,
                        [(x + sx, y + sy) for x, y in e.coords],
                        e.length_m,
                        e.tags,
                        e.max_kerb_m,
                    )
                )
    ids = np.array(list(out.nodes))
    xy = np.array([out.nodes[int(i)] for i in ids])
    scale = np.array([np.cos(np.radians(xy[:, 1].mean())) * 111_320, 110_574])
    tree = cKDTree(xy * scale)
    stitched = 0
    tiles_arr = np.array([tile_of[int(i)] for i in ids])
    distances, neighbours = tree.query(xy * scale, k=12, distance_upper_bound=STITCH_M)
    seen: set[tuple[int, int]] = set()
    for a in range(len(ids)):
        # each node joins its nearest node of another tile, if one lies within STITCH_M
        for d, b in zip(distances[a], neighbours[a], strict=True):
            if not np.isfinite(d) or tiles_arr[b] == tiles_arr[a]:
                continue
            key = (min(a, int(b)), max(a, int(b)))
            if key not in seen:
                seen.add(key)
                na, nb = int(ids[a]), int(ids[b])
                pa, pb = out.nodes[na], out.nodes[nb]
                out.edges.append(
                    RawEdge(na, nb, 0, [pa, pb], max(float(d), 0.5), {"highway": "footway", "note": "stitch"})
                )
                stitched += 1
            break
    out.ways = network.ways * tiles * tiles
    print(
        f"  tiled {tiles}x{tiles}: {len(out.nodes):,} nodes, {len(out.edges):,} edges ({stitched:,} stitches)"
    )
    return out


def bench_database() -> str:
    """A fresh, migrated database for the benchmark, with pgRouting."""
    server = make_url(database_url())
    admin = create_engine(
        server.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=pool.NullPool
    )
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{BENCH_DB}"'))
    admin.dispose()
    url = server.set(database=BENCH_DB).render_as_string(hide_password=False)
    migrate.upgrade(url)
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.begin() as conn:
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS pgrouting"))
    engine.dispose()
    return url


def add_venues(engine: Engine, graph: RoutingGraph, rng: np.random.Generator) -> None:
    """VENUES benchmark locations at random network nodes (bench database only)."""
    picks = rng.choice(graph.node_count, size=min(VENUES, graph.node_count), replace=False)
    lonlat = graph.projection.inverse(graph.node_xy[picks])
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE location CASCADE"))
        conn.execute(
            text(
                "INSERT INTO location (id, version, status, name, languages, field_provenance, geom) "
                "VALUES (:id, 1, 'active', :name, '{}', '{}', ST_SetSRID(ST_MakePoint(:lon, :lat), 4326))"
            ),
            [
                {"id": uuid.uuid4(), "name": f"venue {i}", "lon": float(x), "lat": float(y)}
                for i, (x, y) in enumerate(lonlat)
            ],
        )


def timed(runs: list[Any], call: Callable[[Any], Any]) -> list[float]:
    """Milliseconds per call, one call per item of `runs`."""
    out = []
    for item in runs:
        start = time.perf_counter()
        call(item)
        out.append((time.perf_counter() - start) * 1000)
    return out


def p(values: list[float], q: float) -> float:
    """The q-th percentile."""
    return float(np.percentile(values, q))


def central_nodes(
    graph: RoutingGraph, rng: np.random.Generator, count: int, radius_m: float
) -> np.ndarray[Any, Any]:
    """Random node indices within `radius_m` of the network's middle (so isochrones are not cut off)."""
    middle = graph.node_xy.mean(axis=0)
    near = np.flatnonzero(np.hypot(*(graph.node_xy - middle).T) < radius_m)
    return rng.choice(near, size=count, replace=len(near) < count)


def run(label: str, engine: Engine, runs: int, pg_runs: int, rows: list[list[str]]) -> None:
    """Benchmark one stored network: in-process vs pgRouting."""
    rng = np.random.default_rng(SEED)
    with engine.connect() as conn:
        start = time.perf_counter()
        network = load_network(conn)
        assert network is not None
        graph = RoutingGraph(network)
        graph.for_profile(WALKING)
        load_s = time.perf_counter() - start
    print(f"  {label}: graph loaded from PostGIS and prepared in {load_s:.1f} s")
    service = Reachability(graph)
    add_venues(engine, graph, rng)
    radius = min(1500.0, float(np.ptp(graph.node_xy[:, 0])) / 4)
    origins_idx = central_nodes(graph, rng, runs, radius)
    origin_ll = graph.projection.inverse(graph.node_xy[origins_idx])

    def isochrone(ll: np.ndarray[Any, Any]) -> Any:
        snap = graph.snap(WALKING, ll.reshape(1, 2))[0]
        assert snap is not None
        times = graph.node_times(WALKING, [snap], LIMIT_S)[0]
        return isochrone_polygon(graph.reached_points(WALKING, times, LIMIT_S))

    iso = timed(list(origin_ll), isochrone)
    groups = []
    for i in range(max(runs // 2, 5)):
        centre = graph.node_xy[origins_idx[i % len(origins_idx)]]
        near = np.flatnonzero(np.hypot(*(graph.node_xy - centre).T) < 600)
        picks = rng.choice(near, size=15, replace=len(near) < 15)
        ll = graph.projection.inverse(graph.node_xy[picks])
        groups.append([Origin(float(y), float(x), f"m{j}") for j, (x, y) in enumerate(ll)])
    with Session(engine) as session:
        grp = timed(groups, lambda g: service.group(session, g, WALKING, 15))
    rows.append(
        [label, "in-process", "isochrone 15 min", f"{p(iso, 50):.1f}", f"{p(iso, 95):.1f}", str(len(iso))]
    )
    rows.append(
        [label, "in-process", "group 15 origins", f"{p(grp, 50):.1f}", f"{p(grp, 95):.1f}", str(len(grp))]
    )

    node_ids = graph.node_ids
    full_sql = (
        "SELECT id, source, target, walk_cost_s AS cost, walk_cost_s AS reverse_cost FROM geo_network_edge"
    )
    box_sql = (
        "SELECT id, source, target, walk_cost_s AS cost, walk_cost_s AS reverse_cost FROM geo_network_edge "
        "WHERE geom && ST_Expand(ST_SetSRID(ST_MakePoint({lon}, {lat}), 4326), {dlon}, {dlat})"
    )
    with engine.connect() as conn:

        def pgr_single(args: tuple[int, str]) -> int:
            vid, sql = args
            return len(
                conn.execute(
                    text("SELECT * FROM pgr_drivingDistance(:sql, :vid, :d, false)"),
                    {"sql": sql, "vid": vid, "d": LIMIT_S},
                ).all()
            )

        def pgr_many(args: tuple[list[int], str]) -> int:
            vids, sql = args
            return len(
                conn.execute(
                    text("SELECT * FROM pgr_drivingDistance(:sql, :vids, :d, false, false)"),
                    {"sql": sql, "vids": vids, "d": LIMIT_S},
                ).all()
            )

        # 15 minutes at 4.5 km/h is 1,125 m: a box of 1.3 km around the origin(s) holds every reachable edge.
        dlat, dlon = 1300 / 110_574, 1300 / (111_320 * np.cos(np.radians(float(origin_ll[0, 1]))))
        sample = list(range(min(pg_runs, len(origins_idx))))
        single_full = timed([(int(node_ids[origins_idx[i]]), full_sql) for i in sample], pgr_single)
        single_box = timed(
            [
                (
                    int(node_ids[origins_idx[i]]),
                    box_sql.format(lon=origin_ll[i, 0], lat=origin_ll[i, 1], dlon=dlon, dlat=dlat),
                )
                for i in sample
            ],
            pgr_single,
        )
        many = []
        for g in groups[: max(pg_runs // 2, 3)]:
            ll = np.array([[o.lon, o.lat] for o in g])
            # the origins were drawn from nodes: find them back as pgRouting vertex ids
            xy = graph.projection.forward(ll)
            vids = [int(node_ids[int(np.argmin(np.hypot(*(graph.node_xy - pt).T)))]) for pt in xy]
            many.append((vids, ll))
        group_full = timed([(v, full_sql) for v, _ in many], pgr_many)
        group_box = timed(
            [
                (
                    v,
                    box_sql.format(
                        lon=ll[:, 0].mean(), lat=ll[:, 1].mean(), dlon=dlon * 1.5, dlat=dlat * 1.5
                    ),
                )
                for v, ll in many
            ],
            pgr_many,
        )
    for name, values in (
        ("isochrone 15 min (distances only)", single_full),
        ("group 15 origins (distances only)", group_full),
    ):
        rows.append(
            [
                label,
                "pgr_drivingDistance, whole table",
                name,
                f"{p(values, 50):.1f}",
                f"{p(values, 95):.1f}",
                str(len(values)),
            ]
        )
    for name, values in (
        ("isochrone 15 min (distances only)", single_box),
        ("group 15 origins (distances only)", group_box),
    ):
        rows.append(
            [
                label,
                "pgr_drivingDistance, edges in a box",
                name,
                f"{p(values, 50):.1f}",
                f"{p(values, 95):.1f}",
                str(len(values)),
            ]
        )


def main() -> None:
    """Build both networks, run both engines, print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--tiles", type=int, default=14, help="tiles per side of the city-sized network")
    parser.add_argument("--runs", type=int, default=40, help="isochrones per network (group queries: half)")
    parser.add_argument("--pg-runs", type=int, default=10, help="pgRouting calls per question")
    parser.add_argument("--osm", type=Path, default=None, help="the Centrum extract (default: shared data)")
    args = parser.parse_args()
    started = time.perf_counter()
    osm = args.osm or get_settings().data.shared_dir / "osm" / "amsterdam-centrum.osm.pbf"
    print(f"reading {osm}")
    centrum = read_network(osm)
    ensure_database(upgrade=False)
    url = bench_database()
    engine = create_engine(url, poolclass=pool.NullPool)
    rows: list[list[str]] = []
    for label, network in (("Centrum (real)", centrum), ("city-sized (tiled)", None)):
        if network is None:
            network = tile_network(centrum, args.tiles)
        start = time.perf_counter()
        with engine.begin() as conn:
            save_network(conn, network, label)
        print(f"  {label}: {len(network.edges):,} edges stored in {time.perf_counter() - start:.1f} s")
        run(label, engine, args.runs, args.pg_runs, rows)
    engine.dispose()
    header = ["network", "engine", "question", "p50 ms", "p95 ms", "runs"]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    print()
    for r in [header, ["-" * w for w in widths], *rows]:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)))
    minutes = (time.perf_counter() - started) / 60
    load = os.getloadavg()
    print(
        f"\nbenchmark took {minutes:.1f} min; load average {load[0]:.1f} on {os.cpu_count()} CPUs "
        "(other work on the machine skews the numbers)"
    )


if __name__ == "__main__":
    main()
