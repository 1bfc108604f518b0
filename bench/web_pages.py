"""Latency of the main pages over loopback: map, reach and group forms, support search, handout.

Run: .venv/bin/python -m bench.web_pages [--requests 50] [--entries 100000]
     .venv/bin/python -m bench.web_pages --map-engines [--requests 50]

Uses a scratch database on the test cluster (or DATABASE_URL's server) with the
demo entries and the demo's geo (street network and addresses from the shipped
cut; boundaries when ../shared/data is there), serves the app with uvicorn on 127.0.0.1 and times sequential
requests (bounded count). Prints p50/p95 per page in milliseconds. With
`--entries N` the demo is scaled to N entries (N/2 places, N/2 activities, bench/scale.py)
and it also prints the size of `/kaart` and the map's places endpoint per view.

`--map-engines` times only the map's places endpoint per view (whole city, a
stadsdeel, a wijk, a few streets, and the city with a filter) on **both**
engines, on the 100,000-entry data set `bench.search` builds and keeps in
var/bench (60,000 places, 40,000 activities; built there when missing, which
takes a while): one API server per engine, requests interleaved view by view
and engine by engine, next to a small static file from the same servers (the
floor on this machine at that moment) and the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import time
from typing import Any

import httpx
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from bench.scale import scale
from directory.db import migrate
from directory.demo import load_demo
from directory.search.sync import rebuild_postgres
from directory.settings import get_settings
from geo.demo import prepare_demo_geo
from tests.conftest import _start_test_cluster, create_database, drop_database
from tests.web.browser import serve

NAME = "wijkgram_bench_web"
#: Map views a kwartiermaker opens: the city on a laptop, a stadsdeel, a few streets; and a filter.
MAP_VIEWS: dict[str, dict[str, str]] = {
    "city z12": {"bbox": "4.75,52.29,5.02,52.42", "zoom": "12"},
    "centrum z14": {"bbox": "4.87,52.36,4.93,52.385", "zoom": "14"},
    "streets z17": {"bbox": "4.895,52.370,4.902,52.373", "zoom": "17"},
    "city z12 kitchen+step-free": {
        "bbox": "4.75,52.29,5.02,52.42",
        "zoom": "12",
        "facilities": "kitchen",
        "step_free": "true",
    },
}


def _timed(call: object, count: int) -> list[float]:
    times = []
    for _ in range(count):
        start = time.perf_counter()
        response = call()  # type: ignore[operator]
        response.raise_for_status()
        times.append((time.perf_counter() - start) * 1000)
    return times


#: Views of the map over the 100k search data set (Amsterdam): city, stadsdeel, wijk, streets.
ENGINE_VIEWS: dict[str, dict[str, str]] = {
    "city z12": {"bbox": "4.75,52.29,5.02,52.42", "zoom": "12"},
    "stadsdeel Centrum z14": {"bbox": "4.86,52.355,4.94,52.39", "zoom": "14"},
    "wijk Burgwallen z15": {"bbox": "4.885,52.368,4.905,52.381", "zoom": "15"},
    "streets z17": {"bbox": "4.895,52.370,4.902,52.373", "zoom": "17"},
    "city z12 community centres": {
        "bbox": "4.75,52.29,5.02,52.42",
        "zoom": "12",
        "category": "community_centre",
    },
}


def percentiles(times: list[float]) -> tuple[float, float]:
    """p50 and p95 (nearest rank) of timings."""
    ordered = sorted(times)
    return statistics.median(ordered), ordered[max(0, int(len(ordered) * 0.95 + 0.999) - 1)]


def map_engines(count: int) -> None:
    """The map's places endpoint per view on both engines, over the kept 100k search data set."""
    from bench.search import DATASET, DB_NAME, MEILI_DIR
    from bench.servers import bench_database, engine_apis, meilisearch

    if not DATASET.is_file():
        subprocess.run(
            [".venv/bin/python", "-m", "bench.search", "--queries", "10", "--rounds", "1"], check=True
        )
    kept = json.loads(DATASET.read_text())
    results: dict[tuple[str, str], list[float]] = {}
    answers: dict[tuple[str, str], dict[str, Any]] = {}
    with (
        bench_database(DB_NAME) as (_, url),
        meilisearch(MEILI_DIR, kept["meili_key"]) as meili,
    ):
        head = migrate.head_revision()
        if kept["schema"] != head:
            # The kept set predates newer migrations (an index, say); upgrade its database in place.
            # A migration that changes documents needs `bench.search --fresh` instead.
            print(f"upgrading the kept data set from {kept['schema']} to {head}", flush=True)
            migrate.upgrade(url)
        with engine_apis(url, meili.url, meili.key) as ports:
            clients = {
                name: httpx.Client(base_url=f"http://127.0.0.1:{p}", timeout=30) for name, p in ports.items()
            }
            load_before = os.getloadavg()[0]
            for label, params in {"static file (floor)": {}, **ENGINE_VIEWS}.items():
                path = "/static/wijkgram.css" if not params else "/api/v1/map/places"
                for client in clients.values():  # warm: the first request pays for connections
                    client.get(path, params=params).raise_for_status()
                for _ in range(count):
                    for name, client in clients.items():
                        start = time.perf_counter()
                        response = client.get(path, params=params)
                        took = (time.perf_counter() - start) * 1000
                        response.raise_for_status()
                        results.setdefault((label, name), []).append(took)
                        if params:
                            answers[(label, name)] = response.json()
            load_after = os.getloadavg()[0]
            for client in clients.values():
                client.close()
    print(f"GET /api/v1/map/places on {kept['documents']:,} documents, {count} requests per view and engine")
    for (label, name), times in results.items():
        p50, p95 = percentiles(times)
        answer = answers.get((label, name), {})
        shape = (
            f"total {answer['total']:6,} {'clusters' if answer['clustered'] else 'places  '} "
            f"{len(answer['clusters'] or answer['places']):4d} area services {answer['area_services_total']}"
            if answer
            else ""
        )
        print(f"{label:28s} {name:12s} p50={p50:7.1f} ms  p95={p95:7.1f} ms  {shape}")
    print(f"load average {load_before:.1f} before, {load_after:.1f} after (2 cores)")


def main() -> None:
    """Serve the demo data and time the pages."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=50, help="requests per page (at most 500)")
    parser.add_argument("--entries", type=int, default=0, help="scale the demo to this many entries first")
    parser.add_argument(
        "--map-engines",
        action="store_true",
        help="time only the map's places per view on both engines, on bench.search's kept 100k data set",
    )
    args = parser.parse_args()
    count = min(500, args.requests)
    if args.map_engines:
        map_engines(count)
        return
    _start_test_cluster()
    url = create_database(NAME)
    try:
        migrate.upgrade(url)
        engine = create_engine(url)
        prepare_demo_geo(engine, boundaries_dir=get_settings().data.shared_dir / "boundaries")
        with Session(engine) as session, session.begin():
            load_demo(session)
        if args.entries:
            print(f"scaling to {args.entries} entries: {scale(engine, args.entries // 2)}", flush=True)
            started = time.perf_counter()
            rebuild_postgres(engine)
            print(f"search documents rebuilt in {time.perf_counter() - started:.0f} s", flush=True)
        with serve(engine) as base, httpx.Client(base_url=base, timeout=30) as client:
            page = client.get("/steun").text
            token = re.search(r'name="_csrf_token" value="([^"]+)"', page)
            assert token
            form = {"_csrf_token": token[1], "address": "1011 EC", "mode": "walk", "minutes": "15"}
            form |= {f"need_{n}": "on" for n in ("company", "money", "practical")}
            handout = {**form, "lat": "52.3722", "lon": "4.9031"}
            reach = {"_csrf_token": token[1], "place": "1011 EC", "mode": "walk", "minutes": "15"}
            members = "\n".join(["1011 EC", "Recht Boomssloot 52", "52.37310, 4.89323", "1012 JS", "1011 HB"])
            group = {**reach, "origins": members}
            client.post("/steun/zoeken", data=form).raise_for_status()  # builds the address table once
            kaart = client.get("/kaart")
            print(f"GET /kaart: {len(kaart.content):,} bytes", flush=True)
            results = {
                **{
                    f"GET /api/v1/map/places {label}": _timed(
                        lambda params=params: client.get("/api/v1/map/places", params=params), count
                    )
                    for label, params in MAP_VIEWS.items()
                },
                "GET /kaart": _timed(lambda: client.get("/kaart"), count),
                "GET /kaart?kitchen=true": _timed(lambda: client.get("/kaart?kitchen=true"), count),
                "POST /kaart/bereik": _timed(lambda: client.post("/kaart/bereik", data=reach), count),
                "POST /kaart/groep (5)": _timed(lambda: client.post("/kaart/groep", data=group), count),
                "POST /steun/zoeken": _timed(lambda: client.post("/steun/zoeken", data=form), count),
                "POST /steun/folder": _timed(lambda: client.post("/steun/folder", data=handout), count),
            }
        engine.dispose()
    finally:
        drop_database(NAME)
    for label, times in results.items():
        times.sort()
        p95 = times[max(0, int(len(times) * 0.95) - 1)]
        print(f"{label:28s} n={len(times):4d}  p50={statistics.median(times):7.1f} ms  p95={p95:7.1f} ms")


if __name__ == "__main__":
    main()
