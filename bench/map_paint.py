"""First paint of the base map in Chromium: MapLibre GL JS (what the maps use) against Leaflet.VectorGrid.

Run: .venv/bin/python -m bench.map_paint [--runs 5] [--vectorgrid PATH]
Serves the demo (with its base map) like bench.web_pages, opens `/kaart` at 390 px
(a phone) and 1366 px (a laptop) wide, and times from navigation to the base map
being drawn (MapLibre's `idle`). With `--vectorgrid` (the file
`Leaflet.VectorGrid.bundled.min.js` from `npm pack leaflet.vectorgrid@1.3.0`, not
vendored) it also times the same tiles drawn by VectorGrid on a test page the
browser is handed directly (its tile layer's `load` event). Prints p50 per width.
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from directory.db import migrate
from directory.demo import load_demo
from geo.demo import prepare_demo_geo
from tests.conftest import _start_test_cluster, create_database, drop_database
from tests.web.browser import CHROMIUM, CHROMIUM_ARGS, serve

NAME = "wijkgram_bench_paint"
WIDTHS = ((390, 800), (1366, 800))
VECTORGRID_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8">
<link rel="stylesheet" href="/static/vendor/leaflet/leaflet.css">
<style>html,body,#map{margin:0;height:100%}</style></head><body><div id="map"></div>
<script src="/static/vendor/leaflet/leaflet.js"></script><script src="/__vectorgrid.js"></script>
<script src="/__vectorgrid-start.js"></script></body></html>"""
VECTORGRID_START = """
window.started = performance.now();
var map = L.map("map", {maxZoom: 19}).setView([52.3712, 4.8985], 16);
var fill = function (c) { return {fill: true, fillColor: c, fillOpacity: 1, stroke: false}; };
var layer = L.vectorGrid.protobuf("/tiles/base/{z}/{x}/{y}.mvt", {maxNativeZoom: 16, vectorTileLayerStyles: {
  water: fill("#a9cfe0"), green: fill("#cfe6b4"), buildings: fill("#ded6cc"),
  streets: {color: "#ffffff", weight: 3}, waterways: {color: "#a9cfe0", weight: 2},
  railways: {color: "#999", weight: 1}, places: {radius: 0}}}).addTo(map);
layer.on("load", function () { window.painted = performance.now(); });
"""


def _maplibre(page: Any, base: str) -> float:
    page.goto(f"{base}/kaart")
    page.locator("iframe.map-frame").scroll_into_view_if_needed()
    frame = next(f for f in page.frames if f.parent_frame is not None)
    frame.wait_for_function("() => window.wijkgramMap && wijkgramMap.base.loaded", timeout=60_000)
    return float(page.evaluate("() => performance.now()"))


def _vectorgrid(page: Any, base: str, script: str) -> float:
    page.route("**/__vg", lambda r: r.fulfill(body=VECTORGRID_PAGE, content_type="text/html"))
    page.route("**/__vectorgrid.js", lambda r: r.fulfill(body=script, content_type="text/javascript"))
    page.route(
        "**/__vectorgrid-start.js", lambda r: r.fulfill(body=VECTORGRID_START, content_type="text/javascript")
    )
    page.goto(f"{base}/__vg")
    page.wait_for_function("() => window.painted", timeout=60_000)
    return float(page.evaluate("() => window.painted"))


def main() -> None:
    """Serve the demo with its base map and time the first paint per renderer and width."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5, help="page loads per renderer and width")
    parser.add_argument("--vectorgrid", type=Path, help="Leaflet.VectorGrid.bundled.min.js to compare with")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    _start_test_cluster()
    url = create_database(NAME)
    results: dict[str, list[float]] = {}
    try:
        migrate.upgrade(url)
        engine = create_engine(url)
        prepare_demo_geo(engine)
        with Session(engine) as session, session.begin():
            load_demo(session)
        with serve(engine) as base, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            script = args.vectorgrid.read_text(encoding="utf-8") if args.vectorgrid else None
            for width, height in WIDTHS:
                for run in range(args.runs + 1):  # the first run warms the server's tile cache
                    context = browser.new_context(viewport={"width": width, "height": height})
                    page = context.new_page()
                    painted = _maplibre(page, base)
                    if run:
                        results.setdefault(f"MapLibre /kaart {width}px", []).append(painted)
                    context.close()
                    if script is not None:
                        context = browser.new_context(viewport={"width": width, "height": height})
                        page = context.new_page()
                        painted = _vectorgrid(page, base, script)
                        if run:
                            results.setdefault(f"VectorGrid test page {width}px", []).append(painted)
                        context.close()
            browser.close()
        engine.dispose()
    finally:
        drop_database(NAME)
    for label, times in results.items():
        print(f"{label:32s} n={len(times):3d}  first paint p50={statistics.median(times):7.0f} ms")


if __name__ == "__main__":
    main()
