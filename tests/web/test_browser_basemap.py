"""The base map in Chromium: wijkgram's own vector tiles, drawn with no request leaving the server.

Every request of the page is checked: one to any host but the test server fails the
test. Screenshots at a phone's width (390 px) and a laptop's (1366 px) land in
tests/output/ (`basemap-phone.png`, `basemap-laptop.png`).
"""

from __future__ import annotations

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


def _watch(page: Any, site: str) -> list[str]:
    """Fail every request that is not for the test server; the list collects them."""
    host = urlsplit(site).netloc
    outside: list[str] = []

    def check(route: Any) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.netloc != host:
            outside.append(url)
            route.abort()
        else:
            route.continue_()

    page.route("**/*", check)
    return outside


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
    outside = _watch(page, live_server)
    tiles: list[str] = []
    page.on("request", lambda r: tiles.append(r.url) if "/tiles/base/" in r.url else None)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)[:300]))
    page.goto(f"{live_server}/kaart")
    frame = _wait_for_base(page)
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
