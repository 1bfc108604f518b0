"""Vector tile latency: base and entries tiles per zoom 12-17, cold and cached, and the base map load.

    .venv/bin/python -m bench.tiles [--per-zoom 30] [--entries 100000] [--tiles 4] [--compare]

On a scratch database of the test cluster (or DATABASE_URL's server):

1. loads the base map with `wijkgram geo import-basemap`'s code (osm2pgsql) from the
   Centrum extract and from an N x N tiled copy of it (bench.import_osm's tiling),
   printing seconds and rows; `--compare` also times the same layers loaded by one
   pyosmium pass and COPY (bench.basemap_pyosmium), the alternative the issue asked
   to measure. The tiled base map stays for step 3;
2. adds `--entries` locations spread over Amsterdam (bench.scale);
3. serves the app with uvicorn on 127.0.0.1 and, per tile set and zoom 12-17, asks
   `--per-zoom` distinct tiles holding data (under random streets or places) once with
   an empty cache (cold: made by PostGIS; for clustered entries tiles the places per
   cell are counted anew first and timed apart, as the first tile after a write
   does once for all) and once more (cached), sequentially over
   loopback, printing min/p50/p95
   in milliseconds and the median tile size, next to a small static file from the
   same server in the same run (the floor on this machine at this moment). Figures go
   to bench/results/tiles.json.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, create_engine, text

from bench.scale import scale
from directory.db import migrate
from directory.services.entry_tiles import CLUSTER_MAX_ZOOM, count_cells
from directory.services.tiles import bump_version
from directory.settings import REPO_ROOT, get_settings
from geo.basemap.load import import_basemap
from geo.demo import DEMO_BASEMAP

NAME = "wijkgram_bench_tiles"
ZOOMS = range(12, 18)
RESULTS = REPO_ROOT / "bench" / "results" / "tiles.json"


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    """The XYZ tile holding a point."""
    n = 1 << z
    x = int((lon + 180.0) / 360.0 * n)
    y = int((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n)
    return x, y


def sample_tiles(points: list[tuple[float, float]], z: int, count: int, seed: int) -> list[tuple[int, int]]:
    """Up to `count` distinct tiles of zoom z holding some of the points (lon, lat), in random order."""
    rng = random.Random(seed * 100 + z)
    tiles = sorted({tile_of(lon, lat, z) for lon, lat in points})
    rng.shuffle(tiles)
    return tiles[:count]


def data_points(engine: Engine, sql: str) -> list[tuple[float, float]]:
    """(lon, lat) of up to 2,000 random features: tiles are sampled where the data is."""
    with engine.connect() as conn:
        rows = conn.execute(text(sql)).all()
    return [(float(lon), float(lat)) for lon, lat in rows]


#: Points along the base map's streets, and the places themselves.
BASE_POINTS = (
    "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_Transform(ST_LineInterpolatePoint(geom, 0.5), 4326) AS p "
    "FROM basemap.streets ORDER BY random() LIMIT 2000) s"
)
ENTRY_POINTS = "SELECT ST_X(geom), ST_Y(geom) FROM location ORDER BY random() LIMIT 2000"


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(len(ordered) * share) - 1)]


def load_basemaps(engine: Engine, tiles: int, compare: bool) -> dict[str, Any]:
    """Time the base map load on Centrum and the tiled file; the tiled one stays loaded."""
    from bench.basemap_pyosmium import load_with_pyosmium
    from bench.import_osm import tile

    figures: dict[str, Any] = {}
    centrum = get_settings().data.shared_dir / "osm" / "amsterdam-centrum.osm.pbf"
    with tempfile.TemporaryDirectory() as tmp:
        files = [("demo cut", DEMO_BASEMAP)]
        if centrum.is_file():
            tiled = Path(tmp) / f"centrum-{tiles}x{tiles}.osm.pbf"
            tile(centrum, tiled, tiles)
            files += [("Centrum", centrum), (f"Centrum {tiles}x{tiles}", tiled)]
        for label, path in files:
            summary = import_basemap(engine, path)
            row: dict[str, Any] = {
                "file": path.name,
                "bytes": path.stat().st_size,
                "osm2pgsql_s": round(summary.osm2pgsql_seconds, 2),
                "import_s": round(summary.seconds, 2),
                "rows": summary.rows,
            }
            line = (
                f"{label:14s} osm2pgsql import {summary.seconds:6.2f} s  rows {sum(summary.rows.values()):8,}"
            )
            if compare:
                seconds, rows = load_with_pyosmium(engine, path)
                row |= {"pyosmium_s": round(seconds, 2), "pyosmium_rows": rows}
                line += f"   pyosmium+COPY {seconds:6.2f} s  rows {sum(rows.values()):8,}"
            print(line, flush=True)
            figures[label] = row
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS basemap_pyosmium CASCADE"))
    return figures


def time_tiles(
    client: httpx.Client, engine: Engine, layer: str, points: list[tuple[float, float]], per_zoom: int
) -> dict[str, Any]:
    """Cold and cached latency per zoom for one tile set."""
    figures: dict[str, Any] = {}
    for z in ZOOMS:
        addresses = sample_tiles(points, z, per_zoom, seed=7)
        with engine.begin() as conn:
            bump_version(conn, layer)  # an empty cache for this set
        recount = None
        if layer == "entries" and z <= CLUSTER_MAX_ZOOM:
            # What the first clustered tile after a write pays once for all of them, timed apart
            # so the cold figures are the tiles' own.
            with engine.connect() as conn:
                start = time.perf_counter()
                count_cells(conn)
                recount = round((time.perf_counter() - start) * 1000, 1)
        cold: list[float] = []
        cached: list[float] = []
        sizes: list[int] = []
        for rounds, bucket, expected in ((0, cold, "miss"), (1, cached, "hit")):
            for x, y in addresses:
                start = time.perf_counter()
                response = client.get(f"/tiles/{layer}/{z}/{x}/{y}.mvt")
                took = (time.perf_counter() - start) * 1000
                assert response.status_code in (200, 204), response.text
                assert response.headers["x-tile-cache"] == expected, (layer, z, x, y, rounds)
                bucket.append(took)
                if rounds == 0:
                    sizes.append(len(response.content))
        figures[str(z)] = {
            "tiles": len(addresses),
            "cold_min": round(min(cold), 2),
            "cold_p50": round(statistics.median(cold), 2),
            "cold_p95": round(percentile(cold, 0.95), 2),
            "cached_min": round(min(cached), 2),
            "cached_p50": round(statistics.median(cached), 2),
            "cached_p95": round(percentile(cached, 0.95), 2),
            "median_kb": round(statistics.median(sizes) / 1024, 1),
            **({"cells_recounted_ms": recount} if recount is not None else {}),
        }
        f = figures[str(z)]
        print(
            f"{layer:8s} z{z:<3d} n={len(addresses):3d}  "
            f"cold min {f['cold_min']:6.1f} p50 {f['cold_p50']:6.1f} p95 {f['cold_p95']:6.1f} ms   "
            f"cached min {f['cached_min']:5.1f} p50 {f['cached_p50']:5.1f} p95 {f['cached_p95']:5.1f} ms   "
            f"{f['median_kb']:5.1f} KB"
            + (f"   (cells recounted after the write: {recount:.0f} ms)" if recount else ""),
            flush=True,
        )
    return figures


def static_baseline(client: httpx.Client, count: int) -> dict[str, float]:
    """A small static file from the same server, the floor under a cached tile on this machine now."""
    times = []
    for _ in range(count):
        start = time.perf_counter()
        client.get("/static/wijkgram.css").raise_for_status()
        times.append((time.perf_counter() - start) * 1000)
    figures = {"p50": round(statistics.median(times), 2), "p95": round(percentile(times, 0.95), 2)}
    print(f"static file (baseline)   p50 {figures['p50']:6.1f} p95 {figures['p95']:6.1f} ms", flush=True)
    return figures


def main() -> None:
    """Load, scale, serve and time."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--per-zoom", type=int, default=30, help="distinct tiles per zoom level (default 30)")
    parser.add_argument("--entries", type=int, default=100_000, help="locations spread over Amsterdam")
    parser.add_argument(
        "--tiles", type=int, default=4, help="N for the N x N tiled base map file (default 4)"
    )
    parser.add_argument("--compare", action="store_true", help="also time the pyosmium + COPY load")
    args = parser.parse_args()
    from tests.conftest import _start_test_cluster, create_database, drop_database
    from tests.web.browser import serve

    _start_test_cluster()
    url = create_database(NAME)
    report: dict[str, Any] = {"load_average": os.getloadavg()[0]}
    try:
        migrate.upgrade(url)
        engine = create_engine(url, pool_size=5)
        report["basemap_load"] = load_basemaps(engine, args.tiles, args.compare)
        print(f"scaling to {args.entries:,} locations ...", flush=True)
        scale(engine, args.entries)
        with engine.begin() as conn:
            conn.execute(text("ANALYZE location"))
        with serve(engine) as base, httpx.Client(base_url=base, timeout=60) as client:
            report["static_baseline"] = static_baseline(client, args.per_zoom * 2)
            base_points = data_points(engine, BASE_POINTS)
            report["base"] = time_tiles(client, engine, "base", base_points, args.per_zoom)
            entry_points = data_points(engine, ENTRY_POINTS)
            report["entries"] = time_tiles(client, engine, "entries", entry_points, args.per_zoom)
        report["entries_count"] = args.entries
        report["load_average_after"] = os.getloadavg()[0]
        engine.dispose()
    finally:
        drop_database(NAME)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2), encoding="utf-8")
    after = report.get("load_average_after", 0)
    print(f"load average {report['load_average']:.1f} before, {after:.1f} after (2 cores); "
          f"figures in {RESULTS.relative_to(REPO_ROOT)}")  # fmt: skip


if __name__ == "__main__":
    main()
