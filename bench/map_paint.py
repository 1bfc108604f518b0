"""First paint of the base map of `/kaart` in headless Chromium, cold and warm, and what it is made of.

Run: .venv/bin/python -m bench.map_paint [--runs 7] [--vectorgrid PATH] [--screenshots DIR]

Serves the demo (with its base map) like bench.web_pages and opens `/kaart` at 390 px
(a phone) and 1366 px (a laptop) wide, scrolled so the map is in view.

**First paint** is the first frame MapLibre draws in which every base tile of the view
has loaded: `web/static/map.js` records it on MapLibre's `render` event when
`isStyleLoaded()` and `areTilesLoaded()` hold and at least one tile has arrived
(`wijkgramMap.base.timings.painted`). The page's map is scrolled into view as soon as
the page has its frame (until 4 Dec 2026: after the page's `load` event, which waits for
the frame's scripts; on a phone, where the map starts below the filters, that delayed
both MapLibre and the picture by the wait). It is timed from the navigation of the page
(both documents' `performance.timeOrigin`), so it holds the page, the frame, the
scripts, the worker, the tiles and the drawing. Names are drawn in that frame too
(no fade-in). `idle` (nothing left to draw) is printed beside it, and for `/kaart`
`places`: when the first places answer was drawn (`wijkgramMap.places.drawn`; the
places are asked for after the first paint).

**Picture painted**: `/kaart` puts the server's drawing of its first view
(`/tiles/base-view/...svg`, geo/basemap/view.py) under MapLibre's canvas; this is
when the frame painted it (Element Timing of its `<img elementtiming="first-view">`,
the browser's own paint time, not a script's guess). **First view visible** is per
load the sooner of the picture and MapLibre's first paint (MapLibre's first paint is
always printed beside it). `--screenshots DIR` first saves, per width, the frame
showing the picture (the base tiles held back, so it stays) and then MapLibre's
first complete frame of the same view, to compare by eye.

* **cold**: a new browser context (empty cache) per load;
* **warm**: the same context loaded again. Chromium keeps no HTTP cache for the
  sandboxed map frame (an opaque origin), so only the page around it is cached:
  the frame fetches its scripts and tiles again (see web/map_assets.py).

Two bare pages (served by the app at /__bench/, not sandboxed, no Leaflet, no places;
no Playwright routing, which would turn the HTTP cache off) show the floor:
`MapLibre, empty style` (script + worker + WebGL context in software, one frame of
background: the price of WebGL in headless Chromium) and `MapLibre, our tiles`
(the base map alone, cold and warm: here the HTTP cache does work). With
`--vectorgrid` (`Leaflet.VectorGrid.bundled.min.js` from `npm pack
leaflet.vectorgrid@1.3.0`, not vendored) the same tiles drawn by VectorGrid (no
WebGL, no names) on a bare page. Prints p50 and p90 per case and the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
from pathlib import Path
from typing import Any

from litestar import Response, get
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from directory.db import migrate
from directory.demo import load_demo
from geo.demo import prepare_demo_geo
from tests.conftest import _start_test_cluster, create_database, drop_database
from tests.web.browser import CHROMIUM, CHROMIUM_ARGS, serve
from web.basemap import OWN_TILES, base_style
from web.map_assets import versioned
from web.maps import LeafletMap

NAME = "wijkgram_bench_paint"
WIDTHS = ((390, 844), (1366, 900))
CENTRE = (52.3712, 4.8985)
BARE_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8">
<link rel="stylesheet" href="MAPLIBRE_CSS">
<style>html,body,#map{margin:0;height:100%}</style></head><body><div id="map"></div>
<script src="MAPLIBRE_JS"></script><script src="/__bench/SCRIPT"></script></body></html>"""
BARE_SCRIPT = """
var style = STYLE, tiles = 0, t = {};
Object.keys(style.sources).forEach(function (name) {
  style.sources[name].tiles = style.sources[name].tiles.map(function (u) { return location.origin + u; });
});
var gl = new maplibregl.Map({container: "map", style: style, center: [LON, LAT], zoom: ZOOM,
  interactive: false, fadeDuration: 0});
gl.on("sourcedata", function (e) { if (e.tile) { tiles += 1; } });
gl.on("render", function () {
  if (!t.painted && (tiles > 0 || !Object.keys(style.sources).length) && gl.isStyleLoaded()
      && gl.areTilesLoaded()) { t.painted = performance.now(); }
});
gl.on("idle", function () { t.idle = t.idle || performance.now(); window.timings = t; });
"""
VECTORGRID_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8">
<link rel="stylesheet" href="/static/vendor/leaflet/leaflet.css">
<style>html,body,#map{margin:0;height:100%}</style></head><body><div id="map"></div>
<script src="/static/vendor/leaflet/leaflet.js"></script><script src="/__bench/vectorgrid.js"></script>
<script src="/__bench/vg.js"></script></body></html>"""
VECTORGRID_SCRIPT = """
var map = L.map("map", {maxZoom: 19}).setView([LAT, LON], ZOOM);
var fill = function (c) { return {fill: true, fillColor: c, fillOpacity: 1, stroke: false}; };
var layer = L.vectorGrid.protobuf("/tiles/base/{z}/{x}/{y}.mvt", {maxNativeZoom: 16, vectorTileLayerStyles: {
  water: fill("#a9cfe0"), green: fill("#cfe6b4"), buildings: fill("#ded6cc"),
  streets: {color: "#ffffff", weight: 3}, waterways: {color: "#a9cfe0", weight: 2},
  railways: {color: "#999", weight: 1}, places: {radius: 0}}}).addTo(map);
layer.on("load", function () { window.timings = {painted: performance.now(), idle: performance.now()}; });
"""


#: When the frame painted the server's first view (Element Timing of its `<img elementtiming>`;
#: the answer carries Timing-Allow-Origin, so the opaque-origin frame gets the real paint time),
#: absolute like map.js's timings; NaN when it was never painted (no picture, or MapLibre first).
PICTURE_PAINTED = """() => new Promise(resolve => {
  const done = entries => {
    const e = entries.find(x => x.identifier === "first-view" && x.renderTime > 0);
    resolve(e ? performance.timeOrigin + e.renderTime : NaN);
  };
  new PerformanceObserver(list => done(list.getEntries())).observe({type: "element", buffered: true});
  setTimeout(() => done([]), 300);
})"""


def _kaart(page: Any, base: str, picture: bool = True) -> tuple[float, ...]:
    """Load /kaart; (MapLibre's first paint, idle, places drawn, picture painted) in ms since navigation.

    The map is scrolled into view as soon as the page has its frame (a phone's map starts below
    the filters, and Chromium paints no frame out of sight). `picture=False` serves the page
    without the first view's picture: MapLibre alone, as before it, from the same server.
    """
    original = LeafletMap.first_view
    if not picture:
        LeafletMap.first_view = lambda self: ""  # type: ignore[method-assign]
    try:
        page.goto(f"{base}/kaart", wait_until="commit")
        page.locator("iframe.map-frame").scroll_into_view_if_needed()
    finally:
        LeafletMap.first_view = original  # type: ignore[method-assign]
    frame = next(f for f in page.frames if f.parent_frame is not None)
    frame.wait_for_function(
        "() => window.wijkgramMap && wijkgramMap.base.timings && wijkgramMap.base.timings.idle"
        " && wijkgramMap.places.loads >= 1",
        timeout=60_000,
    )
    timings = frame.evaluate("() => wijkgramMap.base.timings")
    drawn = float(frame.evaluate("() => wijkgramMap.places.drawn || NaN"))  # NaN: a map.js from before
    shown = float(frame.evaluate(PICTURE_PAINTED))
    origin = float(page.evaluate("() => performance.timeOrigin"))
    return timings["painted"] - origin, timings["idle"] - origin, drawn - origin, shown - origin


def _holder(held: list[Any]) -> Any:
    """A route handler that keeps each request unanswered in `held`."""
    return lambda route: held.append(route)


def screenshots(browser: Any, base: str, folder: Path) -> None:
    """What a person sees of /kaart's map: the server's first view (the base tiles held back so it
    stays), then MapLibre's first complete frame of the same view, per width, into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    for width, height in WIDTHS:
        page = browser.new_context(viewport={"width": width, "height": height}).new_page()
        held: list[Any] = []
        page.route("**/tiles/base/**", _holder(held))
        page.goto(f"{base}/kaart")
        page.locator("iframe.map-frame").scroll_into_view_if_needed()
        frame = next(f for f in page.frames if f.parent_frame is not None)
        frame.wait_for_function("() => window.wijkgramMap && wijkgramMap.base.firstView", timeout=30_000)
        page.wait_for_timeout(300)
        src = frame.evaluate("() => document.querySelector('.first-view img').currentSrc")
        page.locator("iframe.map-frame").screenshot(path=str(folder / f"kaart-{width}-first-view.png"))
        page.unroute("**/tiles/base/**")  # the held tile requests go on
        frame.wait_for_function(
            "() => wijkgramMap.base.painted && !wijkgramMap.base.firstView", timeout=30_000
        )
        frame.wait_for_function("() => wijkgramMap.base.loaded", timeout=30_000)
        page.locator("iframe.map-frame").screenshot(path=str(folder / f"kaart-{width}-maplibre.png"))
        print(f"{width}px: {src.split('/tiles/')[1]} -> {folder}/kaart-{width}-{{first-view,maplibre}}.png")
        page.context.close()


def _bare(page: Any, base: str, path: str) -> tuple[float, ...]:
    """Load a bare test page served at `path` by the app (no Playwright routing: it turns the cache off)."""
    page.goto(f"{base}{path}")
    page.wait_for_function("() => window.timings", timeout=60_000)
    timings = page.evaluate("() => window.timings")
    return float(timings["painted"]), float(timings["idle"]), float("nan"), float("nan")


def _fill(text: str, style: dict[str, Any] | None = None, script: str = "", zoom: int = 12) -> str:
    return (
        text.replace("STYLE", json.dumps(style or {}))
        .replace("LAT", str(CENTRE[0]))
        .replace("LON", str(CENTRE[1]))
        .replace("ZOOM", str(zoom))
        .replace("SCRIPT", script)
        .replace("MAPLIBRE_CSS", versioned("/static/vendor/maplibre-gl/maplibre-gl.css"))
        .replace("MAPLIBRE_JS", versioned("/static/vendor/maplibre-gl/maplibre-gl.js"))
    )


def bench_files(vectorgrid: str | None) -> dict[str, tuple[str, str]]:
    """The bare test pages and their scripts, by name under /__bench/ (scripts from files: the CSP)."""
    empty = {"version": 8, "sources": {}, "layers": [{"id": "land", "type": "background"}]}
    files = {
        "empty.html": (_fill(BARE_PAGE, script="empty.js"), "text/html"),
        "empty.js": (_fill(BARE_SCRIPT, empty), "text/javascript"),
        "tiles.html": (_fill(BARE_PAGE, script="tiles.js"), "text/html"),
        "tiles.js": (_fill(BARE_SCRIPT, base_style(OWN_TILES)), "text/javascript"),
    }
    if vectorgrid is not None:
        files["vg.html"] = (_fill(VECTORGRID_PAGE), "text/html")
        files["vg.js"] = (_fill(VECTORGRID_SCRIPT), "text/javascript")
        files["vectorgrid.js"] = (vectorgrid, "text/javascript")
    return files


def bench_handler(files: dict[str, tuple[str, str]]) -> Any:
    """A route serving `files` at /__bench/{name} from the app itself (so the HTTP cache works)."""

    @get("/__bench/{name:str}", include_in_schema=False, sync_to_thread=False)
    def bench_file(name: str) -> Response[bytes]:
        body, kind = files[name]
        return Response(body.encode(), media_type=kind, headers={"cache-control": "no-cache"})

    return bench_file


def main() -> None:
    """Serve the demo with its base map and time the first paint per case, width, cold and warm."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7, help="cold and warm loads per case and width")
    parser.add_argument("--vectorgrid", type=Path, help="Leaflet.VectorGrid.bundled.min.js to compare with")
    parser.add_argument("--screenshots", type=Path, help="also save the first view and MapLibre's frame here")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    _start_test_cluster()
    url = create_database(NAME)
    results: dict[str, list[tuple[float, ...]]] = {}
    loads: list[float] = []
    try:
        migrate.upgrade(url)
        engine = create_engine(url)
        prepare_demo_geo(engine)
        with Session(engine) as session, session.begin():
            load_demo(session)
        script = args.vectorgrid.read_text(encoding="utf-8") if args.vectorgrid else None
        handler = bench_handler(bench_files(script))
        with serve(engine, extra_handlers=[handler]) as base, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            if args.screenshots:
                screenshots(browser, base, args.screenshots)
            cases: list[tuple[str, Any]] = [
                ("/kaart (MapLibre in Leaflet, places)", lambda page: _kaart(page, base)),
                ("/kaart without the picture (as before)", lambda page: _kaart(page, base, picture=False)),
                (
                    "MapLibre, empty style (WebGL floor)",
                    lambda page: _bare(page, base, "/__bench/empty.html"),
                ),
                ("MapLibre, our tiles, bare page", lambda page: _bare(page, base, "/__bench/tiles.html")),
            ]
            if args.vectorgrid:
                cases.append(
                    ("VectorGrid, our tiles, bare page", lambda page: _bare(page, base, "/__bench/vg.html"))
                )
            for width, height in WIDTHS:
                for run in range(args.runs + 1):  # the first round warms the server's tile cache
                    for label, load in cases:
                        context = browser.new_context(viewport={"width": width, "height": height})
                        page = context.new_page()
                        cold = load(page)
                        warm = load(page)
                        context.close()
                        if run:
                            results.setdefault(f"{label} {width}px cold", []).append(cold)
                            results.setdefault(f"{label} {width}px warm", []).append(warm)
                    loads.append(os.getloadavg()[0])
            browser.close()
        engine.dispose()
    finally:
        drop_database(NAME)
    print(f"load average (1 min) during the runs: {min(loads):.1f}-{max(loads):.1f}, {os.cpu_count()} cores")
    for label, times in results.items():
        painted = sorted(t[0] for t in times)
        idle = sorted(t[1] for t in times)
        places = sorted(t[2] for t in times)
        known = [t for t in places if t == t]  # not NaN
        drawn = f"   places p50={statistics.median(known):6.0f} ms" if known else ""
        print(
            f"{label:52s} n={len(times):2d}  MapLibre first paint p50={statistics.median(painted):6.0f} "
            f"p90={_p90(painted):6.0f} ms   idle p50={statistics.median(idle):6.0f} ms{drawn}"
        )
        pictures = [t[3] for t in times if t[3] == t[3]]
        if pictures:
            # First view visible: the server's picture or MapLibre's frame, whichever was on screen first.
            visible = sorted(min(t[0], t[3]) if t[3] == t[3] else t[0] for t in times)
            print(
                f"{'':52s} picture painted in {len(pictures)}/{len(times)} loads, "
                f"p50={statistics.median(pictures):6.0f} ms;  "
                f"first view visible p50={statistics.median(visible):6.0f} p90={_p90(visible):6.0f} ms"
            )


def _p90(values: list[float]) -> float:
    return values[min(len(values) - 1, round(0.9 * (len(values) - 1)))]


if __name__ == "__main__":
    main()
