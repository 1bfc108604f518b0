"""The base map in Chromium: wijkgram's own vector tiles, drawn with no request leaving the server.

Every request of the page is checked: one to any host but the test server fails the
test. Screenshots at a phone's width (390 px) and a laptop's (1366 px) land in
tests/output/ (`basemap-phone.png`, `basemap-laptop.png`, and the server's picture of the
first view shown before MapLibre's first frame: `basemap-phone-first-view.png`, ...).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import Engine

from tests.tiles.conftest import basemap  # noqa: F401 (the fixture: the demo's base map loaded)

pytestmark = pytest.mark.browser

#: The frame's map: the base layer's state (web/static/map.js addBase).
BASE_STATE = (
    "() => ({kind: wijkgramMap.base.kind, loaded: wijkgramMap.base.loaded, error: wijkgramMap.base.error})"
)
#: Rendered features of the MapLibre map per source layer, in the current view.
RENDERED = """() => {
  const gl = wijkgramMap.base.layer.getMaplibreMap();
  const layers = {};
  gl.queryRenderedFeatures().forEach(f => { layers[f.sourceLayer] = (layers[f.sourceLayer] || 0) + 1; });
  const names = gl.queryRenderedFeatures({layers: ["street-names"]}).map(f => f.properties.name);
  return {layers: layers, names: names};
}"""


def _watch(page: Any, site: str, held: list[Any] | None = None) -> list[str]:
    """Fail every request that is not for the test server; the list collects them.

    With `held`, base tile requests are kept there (not answered) until the test continues them.
    """
    host = urlsplit(site).netloc
    outside: list[str] = []

    def check(route: Any) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.netloc != host:
            outside.append(url)
            route.abort()
        elif held is not None and parts.path.startswith("/tiles/base/"):
            held.append(route)
        else:
            route.continue_()

    page.route("**/*", check)
    return outside


#: The first view's picture in the frame: which view it is, its box and the frame's, whether the
#: browser painted it (Element Timing), and whether it lies in its pane over MapLibre's canvas.
FIRST_VIEW = """() => new Promise(resolve => {
  const img = document.querySelector(".first-view img");
  const box = img && img.getBoundingClientRect();
  const state = {src: img && img.currentSrc, natural: img && [img.naturalWidth, img.naturalHeight],
    box: box && [box.left, box.top, box.right, box.bottom], frame: [innerWidth, innerHeight],
    zoom: wijkgramMap.map.getZoom(), kept: wijkgramMap.base.firstView,
    over: !!img && !!img.closest(".leaflet-firstView-pane")
      && Number(getComputedStyle(img.closest(".leaflet-pane")).zIndex) > Number(getComputedStyle(
        wijkgramMap.base.layer.getMaplibreMap().getContainer().closest(".leaflet-pane")).zIndex)};
  new PerformanceObserver(list => {
    state.painted = list.getEntries().some(e => e.identifier === "first-view" && e.renderTime > 0);
    resolve(state);
  }).observe({type: "element", buffered: true});
  setTimeout(() => resolve(state), 2000);
})"""


def _wait_for_base(page: Any) -> Any:
    # On a phone the map is below the filters; Chromium paints no frame that is out of sight.
    page.locator("iframe.map-frame").scroll_into_view_if_needed()
    frame = next(f for f in page.frames if f.parent_frame is not None)
    frame.wait_for_function("() => window.wijkgramMap !== undefined", timeout=30_000)
    frame.wait_for_function("() => wijkgramMap.base.loaded || wijkgramMap.base.error", timeout=30_000)
    return frame


@pytest.mark.parametrize("width,height,name", [(390, 800, "phone"), (1366, 800, "laptop")])
def test_the_map_paints_our_own_base_map_and_nothing_leaves_the_server(
    basemap: Engine,  # noqa: F811
    live_server: str,
    chromium: Any,
    output_dir: Path,
    width: int,
    height: int,
    name: str,
) -> None:
    page = chromium.new_page(viewport={"width": width, "height": height})
    held: list[Any] = []
    outside = _watch(page, live_server, held)
    tiles: list[str] = []
    page.on("request", lambda r: tiles.append(r.url) if "/tiles/base/" in r.url else None)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)[:300]))
    page.goto(f"{live_server}/kaart")
    # While the base tiles are held back, the server's picture of the first view shows: the view
    # Leaflet opened with, covering the frame, painted, with MapLibre's canvas hidden over it.
    page.locator("iframe.map-frame").scroll_into_view_if_needed()
    frame = next(f for f in page.frames if f.parent_frame is not None)
    frame.wait_for_function(
        "() => window.wijkgramMap && wijkgramMap.base.firstView"
        " && document.querySelector('.first-view.placed img') !== null",
        timeout=30_000,
    )
    first = frame.evaluate(FIRST_VIEW)
    view = re.search(r"/tiles/base-view/(\d+)/\d+/\d+/(\d+)x(\d+)\.svg\?v=\d+$", first["src"])
    assert view and int(view[1]) == first["zoom"], first
    assert first["natural"] == [int(view[2]), int(view[3])], first
    left, top, right, bottom = first["box"]
    assert left <= 0 and top <= 0 and right >= first["frame"][0] and bottom >= first["frame"][1], first
    assert first["painted"] and first["kept"] and first["over"], first
    page.locator("iframe.map-frame").screenshot(path=str(output_dir / f"basemap-{name}-first-view.png"))
    for route in held:
        route.continue_()
    held.clear()
    _watch(page, live_server)  # from now on the tiles go through
    frame = _wait_for_base(page)
    # MapLibre's first complete frame took its place.
    assert frame.evaluate("() => [document.querySelector('.first-view'), wijkgramMap.base.firstView]") == [
        None,
        False,
    ]
    state = frame.evaluate(BASE_STATE)
    assert state == {"kind": "vector", "loaded": True, "error": None}, state
    frame.evaluate("() => wijkgramMap.map.setView([52.3712, 4.8985], 16, {animate: false})")
    frame.wait_for_function("() => wijkgramMap.base.layer.getMaplibreMap().loaded()", timeout=30_000)
    page.wait_for_timeout(500)
    drawn = frame.evaluate(RENDERED)
    assert {"streets", "buildings", "water"} <= set(drawn["layers"]), drawn["layers"]
    assert drawn["names"], "street names are drawn along the streets"
    assert tiles and all(urlsplit(u).path.startswith("/tiles/base/") for u in tiles)
    assert outside == [], f"requests left the server: {outside}"
    assert "OpenStreetMap" in frame.locator(".leaflet-control-attribution").inner_text()
    assert errors == []
    page.screenshot(path=str(output_dir / f"basemap-{name}.png"))


def test_places_load_per_view_on_pan_and_zoom(live_server: str, chromium: Any) -> None:
    """Each new view asks the places endpoint for its box and zoom; zooming inside a complete box does not."""
    page = chromium.new_page(viewport={"width": 1000, "height": 900})
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "/api/v1/map/places" in r.url else None)
    page.goto(f"{live_server}/kaart")
    frame = _wait_for_base(page)
    frame.wait_for_function("() => wijkgramMap.places.loads >= 1")
    page.wait_for_timeout(500)
    loads = frame.evaluate("() => wijkgramMap.places.loads")
    assert frame.evaluate("() => wijkgramMap.places.loaded.total") > 0 and asked
    # Out to the whole region, then over to Zuidoost: new boxes, new questions.
    frame.evaluate("() => wijkgramMap.map.setView([52.35, 4.90], 10, {animate: false})")
    frame.wait_for_function(f"() => wijkgramMap.places.loads >= {loads + 1}")
    assert "zoom=10" in asked[-1]
    region = frame.evaluate("() => wijkgramMap.places.loaded")
    assert not region["clustered"], "the demo's places all come one by one"
    # Zooming into Zuidoost stays inside that complete box: the markers stay as they are and the
    # list follows the view. Only a box that holds services without a venue asks again, for those
    # (their areas are not points the browser can filter).
    before = len(asked)
    loads = frame.evaluate("() => wijkgramMap.places.loads")
    frame.evaluate("() => wijkgramMap.map.setView([52.3167, 4.9553], 17, {animate: false})")
    page.wait_for_timeout(800)
    assert frame.evaluate("() => wijkgramMap.places.loads") == loads
    assert len(asked) == before + (1 if region["area_services_total"] else 0)
    listed = page.locator("#venue-list li h3").all_inner_texts()
    assert "Kerkzaal Bijlmerdreef" in listed and "De Boomspijker" not in listed


def test_outlines_switch_on_and_off(
    boundaries: Path, live_server: str, chromium: Any, output_dir: Path
) -> None:
    """Stadsdelen show at first; the layer control switches them off and the buurten on."""
    page = chromium.new_page(viewport={"width": 1200, "height": 900})
    page.goto(f"{live_server}/kaart")
    frame = _wait_for_base(page)
    count = "() => document.querySelectorAll('.leaflet-overlay-pane path').length"
    frame.wait_for_function(f"() => ({count})() >= 9", timeout=15_000)
    stadsdelen = frame.evaluate(count)
    frame.locator(".leaflet-control-layers").hover()
    frame.get_by_label("Stadsdelen").uncheck()
    assert frame.evaluate(count) == 0
    frame.get_by_label("Buurten").check()
    frame.wait_for_function(f"() => ({count})() > {stadsdelen}", timeout=15_000)
    page.screenshot(path=str(output_dir / "map-buurten.png"))
