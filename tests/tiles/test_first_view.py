"""The first view of /kaart drawn by the server (geo/basemap/view.py, GET /tiles/base-view/...svg).

The browser side (the picture shown under MapLibre until its first frame, at the view
Leaflet opens with) is tested in tests/web/test_browser_basemap.py.
"""

from __future__ import annotations

import html
import math
import re
from typing import Any

import pytest
from defusedxml import ElementTree  # type: ignore[import-untyped]
from litestar.testing import TestClient
from sqlalchemy import Engine, text

from geo.basemap.load import SCHEMA
from geo.basemap.view import SIZES, View, first_view_choices, fit_zoom_thresholds, view_svg
from tests.tiles.conftest import assert_gzip_has_an_etag_of_its_own
from web.basemap import GREEN, LAND, MAJOR, OWN_TILES, WATER, base_style

SVG = "{http://www.w3.org/2000/svg}"


def _view_urls(page: str) -> list[str]:
    """The picture URLs in /kaart's map frame (its document is the iframe's srcdoc)."""
    frame = html.unescape(re.search(r'srcdoc="([^"]*)"', page)[1])  # type: ignore[index]
    return re.findall(r'srcset="([^"]+)"', frame)


def test_kaart_offers_its_first_view_and_the_picture_is_the_base_map(
    basemap: Engine, web: TestClient[Any]
) -> None:
    urls = _view_urls(web.get("/kaart").text)
    assert urls and all(u.startswith("/tiles/base-view/") and "?v=" in u for u in urls)
    # The demo's places at a laptop's frame (958 x 538 px): Leaflet opens at zoom 12.
    url = next(u for u in urls if "/12/" in u and "/960x600.svg" in u)
    first = web.get(url)
    assert first.status_code == 200
    assert first.headers["content-type"] == "image/svg+xml"
    assert first.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert first.headers["timing-allow-origin"] == "*"
    svg = ElementTree.fromstring(first.content)
    assert (svg.get("width"), svg.get("height")) == ("960", "600")
    fills = {p.get("fill") for p in svg.iter(f"{SVG}path")} | {r.get("fill") for r in svg.iter(f"{SVG}rect")}
    strokes = {p.get("stroke") for p in svg.iter(f"{SVG}path")}
    # The style's own colours (web/basemap.py): land, water, green, major streets.
    assert {LAND, WATER, GREEN} <= fills and MAJOR in strokes
    names = ["".join(t.itertext()) for t in svg.iter(f"{SVG}text")]
    assert "Centrum" in names
    # Kept and revalidated like a tile: the same bytes again, a 304 for its ETag.
    assert web.get(url).content == first.content
    again = web.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert "no-cache" in web.get(url.split("?")[0]).headers["cache-control"]
    assert_gzip_has_an_etag_of_its_own(web, url)


@pytest.mark.parametrize(
    "path",
    [
        "/tiles/base-view/12/538629/344721/961x600.svg",  # not a size of SIZES
        "/tiles/base-view/3/538/344/960x600.svg",  # zoom too far out
        "/tiles/base-view/12/99999999/344721/960x600.svg",  # outside the world
        "/tiles/base-view/12/538629/344721/960x600.png",
    ],
)
def test_bad_view_addresses_are_404(web: TestClient[Any], path: str) -> None:
    response = web.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")


def test_no_picture_with_a_third_party_base_map(
    basemap: Engine, settings_env: pytest.MonkeyPatch, demo_db: Engine
) -> None:
    from directory.settings import get_settings
    from web.app import create_app

    settings_env.setenv("WIJKGRAM_TILE_URL", "https://tiles.example.org/{z}/{x}/{y}.png")
    get_settings.cache_clear()
    with TestClient(app=create_app(demo_db), base_url="http://testserver.local") as client:
        page = client.get("/kaart").text
    assert "first-view" not in html.unescape(page)
    assert "tiles.example.org" in html.unescape(page)


def test_choices_follow_leaflets_fit_bounds_zoom() -> None:
    """The picture a frame size gets has the zoom Leaflet's fitBounds gives that frame (Leaflet 1.9)."""
    bounds = ((52.3167, 4.892), (52.373697, 4.9553))
    choices = first_view_choices(bounds, (10, 10), (0.0, 0.0), 14)
    assert all((c.view.width, c.view.height) in SIZES for c in choices)
    # Leaflet's getBoundsZoom, as map.js runs it (zoomSnap 1, the map's zoom still unset).
    import math

    from geo.basemap.view import world_pixel

    x0, y0 = world_pixel(bounds[1][0], bounds[0][1], 0)
    x1, y1 = world_pixel(bounds[0][0], bounds[1][1], 0)

    def leaflet_zoom(width: int, height: int) -> int:
        scale = min((width - 20) / abs(x1 - x0), (height - 20) / abs(y1 - y0))
        return math.floor(round(math.log2(scale) * 100) / 100)

    def matches(media: str, width: int, height: int) -> bool:
        for key, value in re.findall(r"\((min-width|min-height|max-width|max-height): (\d+)px\)", media):
            size = width if key.endswith("width") else height
            if (key.startswith("min") and size < int(value)) or (key.startswith("max") and size > int(value)):
                return False
        return True

    for width, height in [(364, 504), (958, 538), (300, 320), (1500, 700), (2400, 1300), (387, 900)]:
        chosen = next(c for c in choices if matches(c.media, width, height))
        assert chosen.view.zoom == leaflet_zoom(width, height), (width, height, chosen)
        assert chosen.view.width >= width and chosen.view.height >= height
    # The threshold is where the zoom changes.
    w13, h13 = fit_zoom_thresholds(bounds, (10, 10), 13)
    assert leaflet_zoom(math.ceil(w13), math.ceil(h13)) == 13
    assert leaflet_zoom(math.ceil(w13) - 1, math.ceil(h13)) == 12
    # The frame's first size (300 x 150, before the page is laid out) gets no picture.
    assert not any(matches(c.media, 300, 150) for c in choices)


def test_a_hostile_street_name_in_the_first_view_is_text_never_markup(basemap: Engine) -> None:
    """OSM names are anyone's to write: in the picture they are text, however they are made."""
    lat, lon, zoom = 52.37254, 4.90153, 16  # De Boomspijker, a street-level first view
    world = 256 * 2**zoom
    x = round((lon + 180) / 360 * world)
    y = round((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * world)
    hostile = '"><svg onload=alert(1)>&amp;\x07'
    with basemap.connect() as conn, conn.begin() as transaction:
        # Every street and place name of the demo becomes the hostile one (undone afterwards):
        # the picture writes each name once, wherever it finds room for it.
        for layer in ("streets", "places"):
            conn.execute(
                text(f"UPDATE {SCHEMA}.{layer} SET name = :hostile WHERE name <> ''"), {"hostile": hostile}
            )
        svg_bytes = view_svg(conn, View(zoom, x, y, 960, 600), base_style(OWN_TILES))
        transaction.rollback()
    svg = ElementTree.fromstring(svg_bytes)  # well-formed: nothing broke out of its text
    tags = {element.tag.removeprefix(SVG) for element in svg.iter()}
    assert tags <= {"svg", "g", "path", "rect", "text", "tspan", "title", "defs", "style"}, tags
    assert not [a for e in svg.iter() for a in e.attrib if a.lower().startswith("on")]
    names = {"".join(t.itertext()) for t in svg.iter(f"{SVG}text")}
    assert '"><svg onload=alert(1)>&amp;' in names, "drawn, as text"
    assert b"\x07" not in svg_bytes
