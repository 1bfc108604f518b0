"""Vector tile latency: base and entries tiles per zoom 12-17, cold and cached, and the base map load.

    .venv/bin/python -m bench.tiles [--per-zoom 30] [--entries 100000] [--tiles 4] [--compare]
                                    [--keep] [--against TREE] [--rounds 1]

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
   in milliseconds and the median tile size (with `--against`, also the server
   process's CPU per request, read from /proc, which the machine's load hardly
   moves), next to a small static file from the
   same server in the same run (the floor on this machine at this moment). Figures go
   to bench/results/tiles.json.

`--keep` keeps the database (base map and places, `wijkgram_bench_tiles_<entries>`)
for the next run and reuses a kept one (steps 1 and 2 then take a second; new
migrations are applied to it). `--against TREE` compares two versions of the code
in the same run: the app of this tree and the app of TREE (say a worktree of main)
each run under uvicorn in a process of their own on the same database, and per
zoom each is timed in turn, the order alternating from zoom to zoom and round to
round (`--rounds`), so the machine's load falls on both alike.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, create_engine, make_url, pool, text

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
#: A small file that Litestar's static files serve, in every version of the app compared
#: (wijkgram.css now comes from memory, web/map_assets.py, and would flatter the newer one).
STATIC_FLOOR = "/static/vendor/swagger-ui/favicon-32x32.png"


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


def time_zoom(
    client: httpx.Client, engine: Engine, layer: str, addresses: list[tuple[int, int]], z: int
) -> dict[str, Any]:
    """Cold and cached latency of these tiles of one zoom, after emptying the set's cache."""
    with engine.begin() as conn:
        bump_version(conn, layer)  # an empty cache for this set
    # An app in another process forgets the tiles it keeps when it hears of the new version:
    # about a millisecond after the COMMIT on a quiet machine, up to 70 ms measured on this
    # shared one under load.
    time.sleep(0.5)
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
    cpu: dict[int, float] = {}
    pid = SERVER_PIDS.get(str(client.base_url).rstrip("/"))
    for rounds, bucket, expected in ((0, cold, "miss"), (1, cached, "hit")):
        cpu_start = server_cpu_ms(pid)
        for x, y in addresses:
            start = time.perf_counter()
            response = client.get(f"/tiles/{layer}/{z}/{x}/{y}.mvt")
            took = (time.perf_counter() - start) * 1000
            assert response.status_code in (200, 204), response.text
            assert response.headers["x-tile-cache"] == expected, (layer, z, x, y, rounds)
            bucket.append(took)
            if rounds == 0:
                sizes.append(len(response.content))
        cpu[rounds] = server_cpu_ms(pid) - cpu_start
    return {
        "tiles": len(addresses),
        "cold": cold,
        "cached": cached,
        "cold_cpu_ms": cpu[0],
        "cached_cpu_ms": cpu[1],
        "median_kb": round(statistics.median(sizes) / 1024, 1),
        **({"cells_recounted_ms": recount} if recount is not None else {}),
    }


def summary(timed: dict[str, Any]) -> dict[str, Any]:
    """min/p50/p95 of the cold and cached times of one zoom (the samples of all rounds)."""
    cold, cached = timed["cold"], timed["cached"]
    return {
        "tiles": timed["tiles"],
        "samples": len(cached),
        "cold_min": round(min(cold), 2),
        "cold_p50": round(statistics.median(cold), 2),
        "cold_p95": round(percentile(cold, 0.95), 2),
        "cached_min": round(min(cached), 2),
        "cached_p50": round(statistics.median(cached), 2),
        "cached_p95": round(percentile(cached, 0.95), 2),
        "median_kb": timed["median_kb"],
        # The server process's CPU per request (all its threads; 0 when it runs in this process).
        "cold_cpu_ms": round(timed["cold_cpu_ms"] / len(cold), 3),
        "cached_cpu_ms": round(timed["cached_cpu_ms"] / len(cached), 3),
        **({"cells_recounted_ms": timed["cells_recounted_ms"]} if "cells_recounted_ms" in timed else {}),
    }


def print_zoom(label: str, layer: str, z: int, f: dict[str, Any]) -> None:
    recount = f.get("cells_recounted_ms")
    print(
        f"{label}{layer:8s} z{z:<3d} n={f['samples']:3d}  "
        f"cold min {f['cold_min']:6.1f} p50 {f['cold_p50']:6.1f} p95 {f['cold_p95']:6.1f} ms   "
        f"cached min {f['cached_min']:5.1f} p50 {f['cached_p50']:5.1f} p95 {f['cached_p95']:5.1f} ms   "
        f"{f['median_kb']:5.1f} KB"
        + (
            f"   server CPU cold {f['cold_cpu_ms']:5.2f} cached {f['cached_cpu_ms']:5.2f} ms"
            if f["cached_cpu_ms"]
            else ""
        )
        + (f"   (cells recounted after the write: {recount:.0f} ms)" if recount else ""),
        flush=True,
    )


def time_tiles(
    clients: dict[str, httpx.Client],
    engine: Engine,
    layer: str,
    points: list[tuple[float, float]],
    per_zoom: int,
    rounds: int = 1,
) -> dict[str, dict[str, Any]]:
    """Cold and cached latency per zoom for one tile set, per server ({label: {zoom: figures}})."""
    figures: dict[str, dict[str, Any]] = {label: {} for label in clients}
    labels = list(clients)
    for z in ZOOMS:
        addresses = sample_tiles(points, z, per_zoom, seed=7)
        merged: dict[str, dict[str, Any]] = {}
        for r in range(rounds):
            # Alternate who goes first, so a busy moment of the machine does not favour one.
            order = labels if (z + r) % 2 == 0 else labels[::-1]
            for label in order:
                timed = time_zoom(clients[label], engine, layer, addresses, z)
                if label in merged:
                    merged[label]["cold"] += timed["cold"]
                    merged[label]["cached"] += timed["cached"]
                    merged[label]["cold_cpu_ms"] += timed["cold_cpu_ms"]
                    merged[label]["cached_cpu_ms"] += timed["cached_cpu_ms"]
                else:
                    merged[label] = timed
        for label in labels:
            figures[label][str(z)] = summary(merged[label])
            print_zoom(f"{label:7s} " if len(labels) > 1 else "", layer, z, figures[label][str(z)])
    return figures


def static_baseline(client: httpx.Client, count: int, label: str = "") -> dict[str, float]:
    """A small static file from the same server, the floor under a cached tile on this machine now."""
    times = []
    for _ in range(count):
        start = time.perf_counter()
        client.get(STATIC_FLOOR).raise_for_status()
        times.append((time.perf_counter() - start) * 1000)
    figures = {"p50": round(statistics.median(times), 2), "p95": round(percentile(times, 0.95), 2)}
    print(
        f"{label}static file (baseline)   p50 {figures['p50']:6.1f} p95 {figures['p95']:6.1f} ms", flush=True
    )
    return figures


#: The process of each server started by `serve_tree`, by base URL.
SERVER_PIDS: dict[str, int] = {}


def server_cpu_ms(pid: int | None) -> float:
    """CPU milliseconds the process has used so far, all its threads (0 without a process)."""
    if pid is None:
        return 0.0
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        with contextlib.suppress(OSError):  # a thread that just ended
            total += int(Path(f"/proc/{pid}/task/{task}/schedstat").read_text().split()[0])
    return total / 1e6


#: Serves the app of the tree on PYTHONPATH (argv[1]: port) on DATABASE_URL's database.
SERVER = (
    "import sys, uvicorn; from web.app import create_app; "
    "uvicorn.run(create_app(), host='127.0.0.1', port=int(sys.argv[1]), "
    "access_log=False, log_level='warning')"
)


@contextmanager
def serve_tree(tree: Path, url: str) -> Iterator[str]:
    """The app of the source tree `tree` under uvicorn in a process of its own; yields its base URL."""
    from tests.web.browser import free_port

    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(tree), "DATABASE_URL": url}
    process = subprocess.Popen([sys.executable, "-c", SERVER, str(port)], cwd=tree, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=5).status_code < 500:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the app of {tree} did not start")
            time.sleep(0.2)
        SERVER_PIDS[base] = process.pid
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def kept(name: str) -> bool:
    """True when a kept benchmark database of this name is complete (its load finished)."""
    from tests.conftest import _admin_url

    engine = create_engine(_admin_url(name), poolclass=pool.NullPool)
    try:
        with engine.connect() as conn:
            return bool(conn.execute(text("SELECT to_regclass('bench_tiles_ready') IS NOT NULL")).scalar())
    except Exception:  # no such database
        return False
    finally:
        engine.dispose()


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
    parser.add_argument("--keep", action="store_true", help="keep the database, and reuse a kept one")
    parser.add_argument(
        "--against", type=Path, default=None, help="also time the app of this source tree, interleaved"
    )
    parser.add_argument("--rounds", type=int, default=1, help="passes per zoom and server (default 1)")
    args = parser.parse_args()
    from tests.conftest import _start_test_cluster, create_database, drop_database
    from tests.web.browser import serve

    _start_test_cluster()
    name = f"{NAME}_{args.entries}" if args.keep else NAME
    reuse = args.keep and kept(name)
    url = _admin_url_of(name) if reuse else create_database(name)
    report: dict[str, Any] = {"load_average": os.getloadavg()[0]}
    try:
        migrate.upgrade(url)
        engine = create_engine(url, pool_size=5)
        if reuse:
            print(f"reusing the kept database {name}", flush=True)
        else:
            report["basemap_load"] = load_basemaps(engine, args.tiles, args.compare)
            print(f"scaling to {args.entries:,} locations ...", flush=True)
            scale(engine, args.entries)
            with engine.begin() as conn:
                conn.execute(text("ANALYZE location"))
                conn.execute(text("CREATE TABLE bench_tiles_ready (entries integer)"))
        with contextlib.ExitStack() as stack:
            if args.against is None:
                servers = {"": stack.enter_context(serve(engine))}
            else:
                plain = make_url(url).render_as_string(hide_password=False)
                servers = {
                    "this": stack.enter_context(serve_tree(REPO_ROOT, plain)),
                    "against": stack.enter_context(serve_tree(args.against.resolve(), plain)),
                }
            clients = {
                label: stack.enter_context(httpx.Client(base_url=base, timeout=60))
                for label, base in servers.items()
            }
            report["servers"] = {label: str(args.against or REPO_ROOT) if label == "against" else
                                 str(REPO_ROOT) for label in clients}  # fmt: skip
            report["static_baseline"] = {
                label: static_baseline(client, args.per_zoom * 2, f"{label:7s} " if label else "")
                for label, client in clients.items()
            }
            base_points = data_points(engine, BASE_POINTS)
            report["base"] = time_tiles(clients, engine, "base", base_points, args.per_zoom, args.rounds)
            entry_points = data_points(engine, ENTRY_POINTS)
            report["entries"] = time_tiles(
                clients, engine, "entries", entry_points, args.per_zoom, args.rounds
            )
        report["entries_count"] = args.entries
        report["load_average_after"] = os.getloadavg()[0]
        engine.dispose()
    finally:
        if not args.keep:
            drop_database(name)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2), encoding="utf-8")
    after = report.get("load_average_after", 0)
    print(f"load average {report['load_average']:.1f} before, {after:.1f} after (2 cores); "
          f"figures in {RESULTS.relative_to(REPO_ROOT)}")  # fmt: skip


def _admin_url_of(name: str) -> str:
    from tests.conftest import _admin_url

    return str(_admin_url(name))


if __name__ == "__main__":
    main()
