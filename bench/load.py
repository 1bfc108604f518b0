"""Load test: concurrent clients against several app workers sharing one database, on loopback.

    ./scripts/bench.sh load                                   # public reads, demo data, wrk
    ./scripts/bench.sh load --entries 100000 --duration 60    # the same at city scale
    ./scripts/bench.sh load --scenario mix --workers 4        # the broker and page mix (Python client)

Builds (once) a private benchmark database in var/bench with the demo data
(scaled to --entries when given), serves it with uvicorn --workers, and drives it.

- `reads` (default): `wrk`, a compiled generator, so the client does not eat the CPU it
  measures, sends public reads (search with a radius, nearby locations, one entry,
  category listings) over --clients connections. In the same run and with the same
  settings it first loads a static file from the same server: that baseline is what
  uvicorn and Litestar cost without any of our code, so a noisy machine shows in both.
- `mix`: simulated users in Python with a realistic mix of requests, including pages.

Prints requests/s, p50/p95/p99 and every error; exits 1 when any request failed.
Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

from bench.scale import scale
from bench.wrk import HEADER, WrkResult, run_wrk
from directory.db import migrate
from directory.db.cluster import EmbeddedCluster
from directory.demo import load_demo
from directory.models import Location, Service
from directory.settings import REPO_ROOT
from tests.live_server import live_server

RESULTS = REPO_ROOT / "bench" / "results"
QUERIES = ["buurthuis", "taalcafé", "eettafel", "repair", "wandelclub", "kerk", "stamtafel", "inloop"]
CATEGORIES = ["community_centre", "place_of_worship", "drop_in_centre", "library", None]


@dataclass
class Stats:
    """Latencies and status codes per kind of request."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, dict[int, int]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    errors: list[str] = field(default_factory=list)

    def record(self, kind: str, seconds: float, status: int) -> None:
        self.latencies[kind].append(seconds)
        self.statuses[kind][status] += 1


def prepare(entries: int, database_url: str | None) -> str:
    """A migrated benchmark database holding the demo data scaled to `entries`."""
    if database_url is None:
        # One database per size, so the demo-sized run never meets a scaled data set.
        cluster = EmbeddedCluster(REPO_ROOT / "var" / "bench", db_name=f"wijkgram_bench_{entries or 'demo'}")
        cluster.start()
        database_url = cluster.url()
    migrate.upgrade(database_url)
    engine = create_engine(database_url)
    with Session(engine) as session, session.begin():
        load_demo(session)
    with engine.connect() as conn:
        have = conn.execute(text("SELECT count(*) FROM location WHERE source = 'bench'")).scalar_one()
    if entries and have != entries:
        print(f"scaling demo data to {entries} locations + {entries} services ...", flush=True)
        print(f"  {scale(engine, entries)}", flush=True)
        rebuild = subprocess.run(
            [str(Path(sys.executable).with_name("wijkgram")), "index", "rebuild"],
            env={"DATABASE_URL": database_url, "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
        )
        if rebuild.returncode == 0:
            print("  search index rebuilt", flush=True)
        # What autovacuum does for a real import a minute or so later, done before measuring:
        # without it the first run met tables without statistics or visibility map, a GIN
        # index with its fresh entries still in the pending list, and autovacuum itself
        # working through 400,000 new rows on the same two cores (docs/reliability.md).
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM (ANALYZE)"))
        print("  vacuumed and analysed", flush=True)
    engine.dispose()
    return database_url


def sample_ids(database_url: str) -> tuple[list[str], list[str]]:
    """Ids of locations and services the clients will open."""
    engine = create_engine(database_url)
    with Session(engine) as session:
        locations = [str(i) for i in session.scalars(select(Location.id).order_by(func.random()).limit(2000))]
        services = [str(i) for i in session.scalars(select(Service.id).order_by(func.random()).limit(2000))]
    engine.dispose()
    return locations, services


def request_mix(paths: set[str], locations: list[str], services: list[str]) -> list[tuple[str, int, Any]]:
    """(kind, weight, function building a request) for every endpoint the app offers."""
    rng = random.Random()

    def near() -> tuple[str, str, dict[str, Any]]:
        lat, lon = rng.uniform(52.33, 52.39), rng.uniform(4.85, 4.95)
        params: dict[str, Any] = {"near": f"{lat:.5f},{lon:.5f}", "radius_m": rng.choice([500, 1000, 2000])}
        if (category := rng.choice(CATEGORIES)) is not None:
            params["category"] = category
        return "GET", "/api/v1/locations", params

    mix: list[tuple[str, int, Any]] = [
        ("nearby", 20, near),
        ("location", 15, lambda: ("GET", f"/api/v1/locations/{rng.choice(locations)}", {})),
        ("service", 10, lambda: ("GET", f"/api/v1/services/{rng.choice(services)}", {})),
        ("taxonomy", 5, lambda: ("GET", "/api/v1/taxonomy", {})),
    ]
    if "/api/v1/search" in paths:

        def search() -> tuple[str, str, dict[str, Any]]:
            params: dict[str, Any] = {"q": rng.choice(QUERIES)}
            if rng.random() < 0.5:
                params["lat"], params["lon"], params["radius_m"] = 52.3725, 4.9003, 3000
            return "GET", "/api/v1/search", params

        mix.append(("search", 35, search))
    return mix


async def client_loop(
    client: httpx.AsyncClient,
    mix: list[tuple[str, int, Any]],
    stats: Stats,
    stop_at: float,
    budget: list[int],
) -> None:
    """One simulated user: pick a request from the mix, send it, record it, until time or budget runs out."""
    kinds = [m[0] for m in mix]
    weights = [m[1] for m in mix]
    builders = {m[0]: m[2] for m in mix}
    while time.monotonic() < stop_at and budget[0] > 0:
        budget[0] -= 1
        kind = random.choices(kinds, weights)[0]
        method, path, params = builders[kind]()
        start = time.perf_counter()
        try:
            response = await client.request(method, path, params=params)
            stats.record(kind, time.perf_counter() - start, response.status_code)
            if response.status_code >= 500:
                stats.errors.append(f"{kind} {response.status_code} {response.text[:120]}")
        except httpx.HTTPError as exc:
            stats.record(kind, time.perf_counter() - start, 0)
            stats.errors.append(f"{kind} transport error {type(exc).__name__}")


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def drive(
    base: str, clients: int, duration: float, max_requests: int, mix: list[Any]
) -> tuple[Stats, float]:
    """Run the clients; return their stats and the wall time."""
    stats = Stats()
    budget = [max_requests]
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:
        start = time.monotonic()
        stop_at = start + duration
        await asyncio.gather(*(client_loop(client, mix, stats, stop_at, budget) for _ in range(clients)))
        return stats, time.monotonic() - start


def report(stats: Stats, wall: float, args: argparse.Namespace) -> dict[str, Any]:
    """Print and return the numbers."""
    everything = [x for values in stats.latencies.values() for x in values]
    five_xx = sum(n for codes in stats.statuses.values() for code, n in codes.items() if code >= 500)
    print(
        f"\n{len(everything)} requests in {wall:.1f} s = {len(everything) / wall:.1f} req/s "
        f"({args.clients} clients, {args.workers} workers, {args.entries} entries)"
    )
    print(f"{'kind':<10} {'n':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}  statuses")
    rows = {}
    for kind, values in sorted(stats.latencies.items()):
        row = {
            "n": len(values),
            "p50_ms": round(_percentile(values, 0.50), 1),
            "p95_ms": round(_percentile(values, 0.95), 1),
            "p99_ms": round(_percentile(values, 0.99), 1),
            "statuses": dict(stats.statuses[kind]),
        }
        rows[kind] = row
        cells = f"{row['n']:>7} {row['p50_ms']:>8} {row['p95_ms']:>8} {row['p99_ms']:>8}"
        print(f"{kind:<10} {cells}  {row['statuses']}")
    overall = {
        "requests": len(everything),
        "seconds": round(wall, 1),
        "rps": round(len(everything) / wall, 1),
        "p50_ms": round(_percentile(everything, 0.50), 1),
        "p95_ms": round(_percentile(everything, 0.95), 1),
        "p99_ms": round(_percentile(everything, 0.99), 1),
        "5xx": five_xx,
        "transport_errors": sum(codes.get(0, 0) for codes in stats.statuses.values()),
    }
    print(
        f"{'all':<10} {overall['requests']:>7} {overall['p50_ms']:>8} {overall['p95_ms']:>8} "
        f"{overall['p99_ms']:>8}  5xx={five_xx} transport errors={overall['transport_errors']}"
    )
    for line in stats.errors[:10]:
        print("  error:", line)
    return {"overall": overall, "by_kind": rows, "settings": vars(args)}


def read_paths(locations: list[str], services: list[str], n: int = 4000) -> list[str]:
    """Public read requests in the proportions a busy morning of professionals sends them."""
    rng = random.Random(20)
    paths: list[str] = []
    for _ in range(n):
        lat, lon = rng.uniform(52.355, 52.385), rng.uniform(4.875, 4.925)
        roll = rng.random()
        if roll < 0.35:  # search with a radius, words or only a category
            word = rng.choice([*QUERIES, ""])
            radius = rng.choice([500, 1000, 2000])
            query = urlencode({"q": word, "near": f"{lat:.5f},{lon:.5f}", "radius": radius})
            paths.append(f"/api/v1/search?{query}")
        elif roll < 0.60:  # nearby locations
            category = rng.choice(CATEGORIES)
            extra = f"&category={category}" if category else ""
            radius = rng.choice([500, 1000])
            paths.append(f"/api/v1/locations?near={lat:.5f},{lon:.5f}&radius_m={radius}{extra}")
        elif roll < 0.80:
            paths.append(f"/api/v1/locations/{rng.choice(locations)}")
        elif roll < 0.90:
            paths.append(f"/api/v1/services/{rng.choice(services)}")
        elif roll < 0.95:  # a category listing
            category = rng.choice([c for c in CATEGORIES if c])
            paths.append(f"/api/v1/locations?category={category}&page_size=20")
        else:
            paths.append("/api/v1/taxonomy?vocabulary=category")
    return paths


def run_reads(base: str, args: argparse.Namespace, locations: list[str], services: list[str]) -> int:
    """The `reads` scenario: a static-file baseline, then the public reads, both with wrk."""
    seconds = max(5, int(args.duration))
    # Warm every worker: the first requests load the search's facet arrays and the taxonomy.
    for _ in range(args.workers * 4):
        httpx.get(f"{base}/api/v1/search", params={"q": "buurthuis"}, timeout=60)
    runs: dict[str, WrkResult] = {
        "static (base)": run_wrk(base, ["/static/wijkgram.css"], connections=args.clients, seconds=seconds),
        "public reads": run_wrk(
            base, read_paths(locations, services), connections=args.clients, seconds=seconds
        ),
    }
    print(
        f"\nwrk, {args.clients} connections, {seconds} s each, {args.workers} workers, "
        f"{args.entries or 'demo'} entries"
    )
    print(HEADER)
    for name, run in runs.items():
        print(run.row(name))
    reads, static = runs["public reads"], runs["static (base)"]
    print(f"public reads reach {reads.rps / static.rps:.0%} of the static baseline's req/s")
    summary: dict[str, Any] = {
        "scenario": "reads",
        "settings": vars(args),
        "runs": {name: {**vars(r), "rps": round(r.rps, 1)} for name, r in runs.items()},
    }
    out = RESULTS / f"load-reads-{time.strftime('%Y%m%dT%H%M%S')}.json"
    out.write_text(json.dumps(summary, indent=2))
    print(f"written {out}")
    return 1 if reads.errors else 0


def main(argv: list[str] | None = None) -> int:
    """Run the load test and print its numbers."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--scenario",
        choices=["reads", "mix"],
        default="reads",
        help="reads: public reads driven by wrk (default); mix: pages and API in Python",
    )
    parser.add_argument(
        "--entries",
        type=int,
        default=0,
        help="locations (and as many services) to scale to; 0 keeps the demo data as it is",
    )
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds to run (each wrk run)")
    parser.add_argument("--max-requests", type=int, default=200_000, help="stop after this many requests")
    parser.add_argument("--workers", type=int, default=2, help="app worker processes")
    parser.add_argument("--database-url", default=None, help="use this database instead of var/bench")
    parser.add_argument(
        "--skip", action="append", default=[], help="leave a kind of request out of the mix (repeatable)"
    )
    args = parser.parse_args(argv)

    url = prepare(args.entries, args.database_url)
    locations, services = sample_ids(url)
    RESULTS.mkdir(parents=True, exist_ok=True)
    with live_server(url, workers=args.workers, log_file=RESULTS / "load-server.log") as base:
        if args.scenario == "reads":
            return run_reads(base, args, locations, services)
        paths = set(httpx.get(f"{base}/schema/openapi.json", timeout=30).json()["paths"])
        mix = [m for m in request_mix(paths, locations, services) if m[0] not in args.skip]
        print(f"driving {base} with {args.clients} clients for {args.duration:.0f} s: {[m[0] for m in mix]}")
        stats, wall = asyncio.run(drive(base, args.clients, args.duration, args.max_requests, mix))
    result = report(stats, wall, args)
    out = RESULTS / f"load-{time.strftime('%Y%m%dT%H%M%S')}.json"
    out.write_text(json.dumps(result, indent=2))
    print(f"written {out}")
    return 1 if result["overall"]["5xx"] else 0


if __name__ == "__main__":
    sys.exit(main())
