"""Latency of the main pages over loopback: map, reach and group forms, support search, handout.

Run: .venv/bin/python -m bench.web_pages [--requests 50] [--entries 100000]
Uses a scratch database on the test cluster (or DATABASE_URL's server) with the
demo entries and the demo's geo (street network and addresses from the shipped
cut; boundaries when ../shared/data is there), serves the app with uvicorn on 127.0.0.1 and times sequential
requests (bounded count). Prints p50/p95 per page in milliseconds. With
`--entries N` the demo is scaled to N entries (N/2 places, N/2 activities, bench/scale.py)
and it also prints the size of `/kaart` and the map's places endpoint per view.
"""

from __future__ import annotations

import argparse
import re
import statistics
import time

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


def main() -> None:
    """Serve the demo data and time the pages."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=50, help="requests per page (at most 500)")
    parser.add_argument("--entries", type=int, default=0, help="scale the demo to this many entries first")
    args = parser.parse_args()
    count = min(500, args.requests)
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
