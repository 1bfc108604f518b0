"""Search benchmark: 100,000 entries made from real OpenStreetMap places, both engines, API vs direct.

Run: .venv/bin/python -m bench.search [--entries 100000] [--queries 300] [--rounds 3] [--fresh]

Entries are generated from the places in ../shared/data/osm (Amsterdam
Centrum) as the OSM importer reads them, plus community venues and services
(see bench/search_data.py for the mix): names are perturbed and points
scattered over the real Amsterdam buurten (2022 boundaries), which also give
stadsdeel / wijk / buurt codes. They are inserted in bulk (not through
EntryService: 100k revisions would take longer than the benchmark budget)
and then indexed with the same code as `wijkgram index rebuild`. The same
mixed query set is then timed four ways in one run: through the JSON API
(uvicorn on 127.0.0.1) on each engine, and straight to each engine
(Meilisearch HTTP, raw SQL through psycopg), interleaved query by query, in
`--rounds` rounds; the four paths take turns going first, so none always
finds the caches warmed by another.

The generated data set (the database in var/bench/pg and the Meilisearch
data in var/bench/meili) is kept and reused by the next run with the same
`--entries` and schema revision, so a change to the query code can be timed
in a minute; `--fresh` builds it anew (and reports the indexing time).
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import secrets
import shutil
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from sqlalchemy import Engine, create_engine, insert, text

from bench.search_data import COMMUNITY, SUPPORT, generate
from bench.servers import BENCH_DIR, MEILI_BIN, bench_database, engine_apis, meilisearch
from directory.clock import AMSTERDAM, now_amsterdam, today_amsterdam
from directory.db import migrate
from directory.models import Location, Service, service_at_location
from directory.search.fields import ONE_TYPO_FROM, TWO_TYPOS_FROM
from directory.search.meili import MeiliEngine
from directory.search.postgres import (
    SEARCH_CONNECT_ARGS,
    TYPO_SQL,
    PostgresEngine,
    driver_sql,
)
from directory.search.query import BBox, Near, SearchQuery
from directory.search.sync import ensure_index, meili_client, rebuild
from directory.search.text import query_terms
from directory.settings import SearchSettings, get_settings

console = Console()
MEILI_DIR = BENCH_DIR / "meili"
DATASET = BENCH_DIR / "search-dataset.json"
DB_NAME = "wijkgram_bench"
#: Bump when bench/search_data.py changes, so a kept data set of the old mix is not reused.
GENERATOR = 2

TEXT_QUERIES = [
    "buurthuis", "taalmaatje", "gratis eten", "ghanese kerk", "wandelclub", "buurthius",
    "stamtafel oost", "stamtafel", "repair cafe", "café", "moskee", "voedselbank", "lotgenoten",
    "eettafel", "bibliotheek", "wandelgroep zuid", "taalcafe", "buurtkamer", "maatje", "leesclub",
]  # fmt: skip


# -- services under test ------------------------------------------------------------------------


def fresh_database(admin: str, target: str) -> None:
    """Drop and recreate the benchmark database at the newest schema."""
    eng = create_engine(admin, isolation_level="AUTOCOMMIT")
    with eng.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{DB_NAME}"'))
    eng.dispose()
    migrate.upgrade(target)


def dataset_key(entries: int) -> dict[str, Any]:
    """What a kept data set must match to be reused: its size, generator and schema."""
    return {"entries": entries, "generator": GENERATOR, "schema": migrate.head_revision()}


def kept_dataset(entries: int) -> dict[str, Any] | None:
    """The kept data set's description (with its Meilisearch key) when it can be reused."""
    try:
        kept = json.loads(DATASET.read_text())
    except (OSError, ValueError):
        return None
    wanted = dataset_key(entries)
    if any(kept.get(k) != v for k, v in wanted.items()) or not MEILI_DIR.is_dir():
        return None
    return dict(kept)


# -- queries -----------------------------------------------------------------------------------


#: The kinds of query in the mix, in the order `query_set` cycles through them.
MIX = ("text", "text+facet", "text+radius", "radius by distance", "bbox+category", "text+open_at+cost")


def query_set(n: int, rng: random.Random) -> list[SearchQuery]:
    """A mixed set: text, text + facet, text + radius, radius by distance, box + facet, open at."""
    out: list[SearchQuery] = []
    for i in range(n):
        q = rng.choice(TEXT_QUERIES)
        lat, lon = rng.uniform(52.33, 52.40), rng.uniform(4.83, 4.97)
        mix = i % len(MIX)
        if mix == 0:
            out.append(SearchQuery(q=q))
        elif mix == 1:
            out.append(SearchQuery(q=q, filters={"support_functions": (rng.choice(SUPPORT),)}))
        elif mix == 2:
            out.append(SearchQuery(q=q, near=Near(lat, lon, rng.choice([1000, 2000, 3000]))))
        elif mix == 3:
            out.append(SearchQuery(near=Near(lat, lon, 1500), sort="distance", facets=("category",)))
        elif mix == 4:
            out.append(
                SearchQuery(
                    bbox=BBox(lat - 0.01, lon - 0.015, lat + 0.01, lon + 0.015),
                    filters={"category": (rng.choice(list(COMMUNITY)),)},
                )
            )
        else:
            # Some time in the coming week, as a professional would ask.
            day = today_amsterdam() + timedelta(days=rng.randint(1, 7))
            at = datetime(day.year, day.month, day.day, rng.randint(9, 21), tzinfo=AMSTERDAM)
            out.append(SearchQuery(q=q, open_at=at, max_cost=5))
    return out


def api_params(query: SearchQuery) -> list[tuple[str, str | int | float | bool | None]]:
    """The query as API query parameters."""
    params: list[tuple[str, str | int | float | bool | None]] = [
        ("q", query.q),
        ("sort", query.sort),
        ("page_size", str(query.page_size)),
    ]
    for name, values in query.filters.items():
        params += [(name, v) for v in values]
    if query.max_cost is not None:
        params.append(("max_cost", str(query.max_cost)))
    if query.open_at is not None:
        params.append(("open_at", query.open_at.isoformat()))
    if query.near is not None:
        params.append(("near", f"{query.near.lat},{query.near.lon}"))
        if query.near.radius_m is not None:
            params.append(("radius", str(query.near.radius_m)))
    if query.bbox is not None:
        b = query.bbox
        params.append(("bbox", f"{b.south},{b.west},{b.north},{b.east}"))
    params.append(("facets", ",".join(query.facets)))
    return params


def timed(fn: Any, items: list[Any]) -> list[float]:
    """Milliseconds per call."""
    out = []
    for item in items:
        start = time.perf_counter()
        fn(item)
        out.append((time.perf_counter() - start) * 1000)
    return out


def pct(values: list[float], p: float) -> float:
    """The p-th percentile."""
    return (
        statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1] if len(values) > 1 else values[0]
    )


def arguments() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3, help="times the query set is run")
    parser.add_argument(
        "--fresh", action="store_true", help="build the data set anew, even when a kept one fits"
    )
    return parser.parse_args()


def load_entries(db: Engine, entries: int, shared: Path, t0: float) -> None:
    """Generate the entries from OpenStreetMap places and insert them."""
    console.print(f"generating {entries} entries from OpenStreetMap places ...")
    locations, services = generate(entries, shared)
    links = services.pop()["_links"]
    with db.begin() as conn:
        for model, rows in ((Location, locations), (Service, services)):
            for start in range(0, len(rows), 5000):
                conn.execute(insert(model), rows[start : start + 5000])
        conn.execute(insert(service_at_location), links)
    console.print(f"inserted in {time.perf_counter() - t0:.0f} s")


def index_entries(db: Engine, settings: SearchSettings, entries: int, key: str) -> dict[str, Any]:
    """Fill both engines' indexes and keep a note of the data set (see kept_dataset)."""
    with Progress(console=console) as progress:
        tasks = {
            "postgresql": progress.add_task("postgresql documents", total=entries),
            "meilisearch": progress.add_task("meilisearch documents", total=entries),
        }
        t1 = time.perf_counter()
        stats = rebuild(db, settings, progress=lambda stage, n: progress.advance(tasks[stage], n))
    index_s = time.perf_counter() - t1
    console.print(f"indexed {stats.documents} documents in both engines in {index_s:.0f} s")
    with db.begin() as conn:
        conn.execute(text("ANALYZE"))
    kept = {
        **dataset_key(entries),
        "meili_key": key,
        "documents": stats.documents,
        "built": now_amsterdam().isoformat(timespec="seconds"),
        "index_s": round(index_s, 1),
    }
    DATASET.write_text(json.dumps(kept, indent=1))
    return kept


@dataclass
class Paths:
    """The four ways a query is timed: each engine through the API and directly."""

    paths: dict[tuple[str, str], tuple[Any, list[Any]]]
    #: The API's answers, read whole but decoded after the clock stops.
    answers: dict[str, list[bytes]]


def timed_paths(
    db: Engine, url: str, meili_url: str, key: str, settings: SearchSettings, ports: dict[str, int],
    queries: list[SearchQuery],
) -> Paths:  # fmt: skip
    """The query set prepared for each path, and a function per path that sends one query."""
    meili_engine = MeiliEngine(settings, db)
    meili_bodies = [meili_engine.request_body(q) for q in queries]
    pg_engine = PostgresEngine(db)
    # The direct path sends the statements PostgresEngine sends, on a connection with the
    # same settings (SEARCH_CONNECT_ARGS): the typo candidates, then the search itself.
    pg_raw = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), **SEARCH_CONNECT_ARGS)
    raw: list[tuple[str, dict[str, Any], dict[str, Any] | None]] = []
    for q in queries:
        sql, params = pg_engine.sql(pg_raw, q)
        terms = [t for t in query_terms(q.q) if len(t) >= ONE_TYPO_FROM]
        typo = {"terms": terms, "two": TWO_TYPOS_FROM} if terms else None
        raw.append((driver_sql(sql), params, typo))
    pg_engine.close()

    def direct_pg(item: tuple[str, dict[str, Any], dict[str, Any] | None]) -> None:
        sql, params, typo = item
        if typo is not None:
            pg_raw.execute(TYPO_SQL, typo).fetchall()
        pg_raw.execute(sql, params).fetchall()

    # The same HTTP client setup as MeiliEngine (one connection per request, see meili.py).
    meili_http = httpx.Client(
        base_url=meili_url,
        headers={"Authorization": f"Bearer {key}", "Connection": "close"},
        timeout=120,
    )
    api_clients = {name: httpx.Client(base_url=f"http://127.0.0.1:{port}") for name, port in ports.items()}

    # The API's answers are read whole but decoded after the clock stops, as the direct paths
    # do not decode theirs either (except psycopg's hits); every one must name its engine.
    answers: dict[str, list[bytes]] = {name: [] for name in ports}

    def via_api(name: str) -> Any:
        def call(q: SearchQuery) -> None:
            r = api_clients[name].get("/api/v1/search", params=api_params(q))
            r.raise_for_status()
            answers[name].append(r.content)

        return call

    def direct_meili(body: dict[str, Any]) -> None:
        meili_http.post("/indexes/entries/search", json=body).raise_for_status()

    return Paths(
        {
            ("meilisearch", "api"): (via_api("meilisearch"), queries),
            ("meilisearch", "direct"): (direct_meili, meili_bodies),
            ("postgresql", "api"): (via_api("postgresql"), queries),
            ("postgresql", "direct"): (direct_pg, raw),
        },
        answers,
    )


def run_paths(timing: Paths, queries: int, rounds: int) -> dict[tuple[str, str], list[float]]:
    """Warm every path, then time them interleaved per query; milliseconds per path."""
    warm = min(30, queries)
    # The engines first: with a cold disk cache Meilisearch's first searches can take longer
    # than the API's 5 s timeout, and the API would answer them from PostgreSQL.
    for which in (("meilisearch", "direct"), ("postgresql", "direct"), ("meilisearch", "api"),
                  ("postgresql", "api")):  # fmt: skip
        fn, items = timing.paths[which]
        timed(fn, items[:warm])
    # Interleaved per query, so caches, background load and warm-up hit all four paths alike.
    results: dict[tuple[str, str], list[float]] = {p: [] for p in timing.paths}
    order = list(timing.paths.items())
    for r in range(rounds):
        for i in range(queries):
            turn = (i + r) % len(order)
            for which, (fn, items) in order[turn:] + order[:turn]:
                results[which] += timed(fn, [items[i]])
    for name, bodies in timing.answers.items():
        engines = {json.loads(body)["engine"] for body in bodies}
        if engines != {name}:
            sys.exit(f"the {name} API answered from {sorted(engines)}: the numbers would mislead")
    return results


def report_results(
    results: dict[tuple[str, str], list[float]], report: dict[str, Any], queries: int, rounds: int
) -> None:
    """Print the latency tables and the overhead ratios, and add them to `report`."""
    out = Table(
        title=f"search latency, {report['documents']} documents, {queries} mixed queries x {rounds} (ms)"
    )
    for col in ("engine", "path", "p50", "p95", "p99", "target p95"):
        out.add_column(col)
    for (engine_name, path), values in results.items():
        row = {p: round(pct(values, p), 2) for p in (50, 95, 99)}
        report[f"{engine_name}_{path}"] = row
        target = ("30" if engine_name == "meilisearch" else "60") if path == "api" else ""
        out.add_row(engine_name, path, *(f"{row[p]:.1f}" for p in (50, 95, 99)), target)
    console.print(out)
    kinds = [i % len(MIX) for i in range(queries)] * rounds  # as query_set cycles
    by_mix = Table(title="p50 / p95 per kind of query (ms)")
    by_mix.add_column("kind")
    for which in results:
        by_mix.add_column(" ".join(which))
    for m, mix_name in enumerate(MIX):
        cells = []
        for which in results:
            values = [v for v, kind in zip(results[which], kinds, strict=True) if kind == m]
            cells.append(f"{pct(values, 50):.1f} / {pct(values, 95):.1f}")
            report.setdefault("by_kind", {}).setdefault(mix_name, {})["_".join(which)] = [
                round(pct(values, 50), 2),
                round(pct(values, 95), 2),
            ]
        by_mix.add_row(mix_name, *cells)
    console.print(by_mix)
    for engine_name in ("meilisearch", "postgresql"):
        api, direct = report[f"{engine_name}_api"], report[f"{engine_name}_direct"]
        ratio = {p: round(api[p] / direct[p], 2) for p in (50, 95)}
        report[f"{engine_name}_overhead_ratio"] = ratio
        console.print(
            f"{engine_name}: overhead ratio API/direct p50 {ratio[50]:.2f}x, p95 {ratio[95]:.2f}x "
            "(target < 1.5x)"
        )


def main() -> None:
    """Build, index, time, report."""
    args = arguments()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    shared = get_settings().data.shared_dir
    if not (shared / "osm" / "amsterdam-centrum.osm.pbf").is_file():
        sys.exit(f"shared data not found at {shared} (set WIJKGRAM_SHARED_DATA)")
    if not MEILI_BIN.is_file():
        sys.exit(f"{MEILI_BIN} missing: run scripts/install-meilisearch.sh")
    t0 = time.perf_counter()
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    with bench_database(DB_NAME) as (admin, url):
        kept = None if args.fresh else kept_dataset(args.entries)
        if kept is None:
            DATASET.unlink(missing_ok=True)
            shutil.rmtree(MEILI_DIR, ignore_errors=True)
            fresh_database(admin, url)
        db = create_engine(url, pool_size=4)
        try:
            if kept is None:
                load_entries(db, args.entries, shared, t0)
                key = secrets.token_hex(16)
            else:
                key = kept["meili_key"]
                built = f"{kept['built']} ({kept['documents']} documents; --fresh rebuilds)"
                console.print(f"reusing the data set built {built}")
            with meilisearch(MEILI_DIR, key) as meili:
                meili_url = meili.url
                settings = SearchSettings(
                    meili_url=meili_url, meili_key=key, index_name="entries", timeout_s=5
                )
                index_s: float | None = None
                if kept is None:
                    kept = index_entries(db, settings, args.entries, key)
                    index_s = float(kept["index_s"])
                else:
                    # The kept index gets today's settings, as `wijkgram index sync` would give it.
                    ensure_index(meili_client(settings), settings.index_name)
                with engine_apis(url, meili_url, key) as ports:
                    queries = query_set(args.queries, random.Random(11))
                    results = run_paths(
                        timed_paths(db, url, meili_url, key, settings, ports, queries),
                        len(queries),
                        args.rounds,
                    )
        finally:
            db.dispose()
    report: dict[str, Any] = {
        "documents": int(kept["documents"]),
        "queries": len(queries),
        "rounds": args.rounds,
        "index_s": index_s or kept.get("index_s"),
    }
    report_results(results, report, len(queries), args.rounds)
    (BENCH_DIR / "search.json").write_text(json.dumps(report, indent=1))
    console.print(f"total {time.perf_counter() - t0:.0f} s; numbers in {BENCH_DIR / 'search.json'}")


if __name__ == "__main__":
    main()
