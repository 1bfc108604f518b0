"""The map's scripts go out gzipped from memory under versioned URLs; map JSON is gzipped; pages are not."""

from __future__ import annotations

import gzip
import re
from typing import Any

from litestar.testing import TestClient

from web.map_assets import MAP_ASSETS, STATIC_DIR, versioned

Client = TestClient[Any]
MAPLIBRE = "/static/vendor/maplibre-gl/maplibre-gl.js"


def test_the_map_bundle_is_gzipped_once_and_cached_for_a_year_under_its_version(web: Client) -> None:
    raw = (STATIC_DIR / "vendor/maplibre-gl/maplibre-gl.js").read_bytes()
    url = versioned(MAPLIBRE)
    response = web.get(url, headers={"accept-encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert "immutable" in response.headers["cache-control"]
    assert response.headers["vary"] == "Accept-Encoding"
    assert int(response.headers["content-length"]) < len(raw) / 3, "about a quarter of 1 MB"
    assert response.content == raw, "the client undoes the gzip: the same bytes arrive"
    assert response.headers["content-type"].startswith(("text/javascript", "application/javascript"))
    # Another version (an old page) or none is checked again each time; the ETag answers 304.
    stale = web.get(f"{MAPLIBRE}?v=0000", headers={"accept-encoding": "gzip"})
    assert stale.headers["cache-control"] == "public, no-cache"
    again = web.get(url, headers={"accept-encoding": "gzip", "if-none-match": response.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    plain = web.get(url, headers={"accept-encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.content == raw
    assert "content-security-policy" in plain.headers, "the security headers still come along"


def test_every_map_document_names_its_assets_by_version(web: Client) -> None:
    page = web.get("/kaart").text
    for path in MAP_ASSETS:
        assert re.search(re.escape(path) + r"\?v=[0-9a-f]{12}", page), path


def test_map_json_is_gzipped_and_pages_are_not(web: Client) -> None:
    places = web.get(
        "/api/v1/map/places",
        params={"bbox": "4.80,52.30,5.00,52.42", "zoom": "16"},
        headers={"accept-encoding": "gzip"},
    )
    assert places.status_code == 200 and places.json()["places"]
    assert places.headers.get("content-encoding") == "gzip"
    assert len(gzip.compress(places.content)) < len(places.content)
    page = web.get("/kaart", headers={"accept-encoding": "gzip"})
    assert "content-encoding" not in page.headers, "a page with a CSRF token is never compressed (BREACH)"


def test_the_pages_styles_and_scripts_are_versioned_and_kept(web: Client) -> None:
    page = web.get("/kaart").text
    for path in ("/static/wijkgram.css", "/static/kaart.js"):
        found = re.search(re.escape(path) + r"\?v=([0-9a-f]{12})", page)
        assert found, path
        url = found.group(0)
        kept = web.get(url, headers={"accept-encoding": "gzip"})
        assert kept.status_code == 200
        assert kept.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert kept.content == (STATIC_DIR / path.removeprefix("/static/")).read_bytes()
        bare = web.get(path, headers={"accept-encoding": "gzip"})
        assert bare.headers["cache-control"] == "public, no-cache"
        assert web.get(path, headers={"if-none-match": bare.headers["etag"]}).status_code == 304
    # Whatever else lies under /static is revalidated too, never kept without asking.
    other = web.get("/static/vendor/swagger-ui/swagger-ui.css")
    assert other.status_code == 200
    assert "no-cache" in other.headers["cache-control"]


def test_the_map_page_asks_for_base_tiles_of_the_current_version(web: Client) -> None:
    from tests.web.map_data import map_data
    from tests.web.test_map_places import frame_document

    current = web.get("/tiles/base.json").json()["tiles"][0].split("?v=")[-1]
    data = map_data(frame_document(web.get("/kaart").text))
    (url,) = data["base"]["style"]["sources"]["base"]["tiles"]
    assert url == f"/tiles/base/{{z}}/{{x}}/{{y}}.mvt?v={current}"
