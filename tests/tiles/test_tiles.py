"""Vector tiles from the real PostGIS: layers per zoom, caching, invalidation, closed places, bad input."""

from __future__ import annotations

import gzip
import math
import random
import uuid
from collections import Counter
from typing import Any

import mapbox_vector_tile
import pytest
from litestar import Request, Response, get
from litestar.testing import TestClient
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from directory.models import Location
from directory.search.grid import tile_xy
from directory.services.entries import Actor, EntryService
from directory.services.entry_tiles import CELL_LEVEL
from directory.services.tiles import MVT_MEDIA_TYPE
from tests.tiles.conftest import assert_gzip_has_an_etag_of_its_own, tile_of
from tests.web.conftest import log_in
from web.accounts.current import SAME_FOR_EVERYONE, current_user

#: De Boomspijker, Recht Boomssloot 52: a demo place in the middle of the demo base map.
BOOMSPIJKER = (4.903483, 52.371958)


def _decode(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == MVT_MEDIA_TYPE
    return dict(mapbox_vector_tile.decode(response.content))


def _url(layer: str, z: int, point: tuple[float, float] = BOOMSPIJKER, query: str = "") -> str:
    x, y = tile_of(*point, z)
    return f"/tiles/{layer}/{z}/{x}/{y}.mvt{query}"


def _names(tile: dict[str, Any], layer: str) -> set[str]:
    return {f["properties"].get("name") for f in tile.get(layer, {}).get("features", [])}


def test_tile_arithmetic_agrees_with_postgis(engine: Engine) -> None:
    with engine.connect() as conn:
        for z in (12, 14, 17):
            x, y = tile_of(*BOOMSPIJKER, z)
            inside = conn.execute(
                text(
                    "SELECT ST_Contains(ST_TileEnvelope(:z, :x, :y),"
                    " ST_Transform(ST_SetSRID(ST_MakePoint(:lon, :lat), 4326), 3857))"
                ),
                {"z": z, "x": x, "y": y, "lon": BOOMSPIJKER[0], "lat": BOOMSPIJKER[1]},
            ).scalar_one()
            assert inside, z


def test_base_tile_has_the_layers_of_its_zoom(basemap: Engine, web: TestClient[Any]) -> None:
    close = _decode(web.get(_url("base", 16)))
    assert {"streets", "water", "buildings"} <= set(close), set(close)
    assert "Recht Boomssloot" in _names(close, "streets") or "Recht Boomssloot" in _names(close, "waterways")
    classes = {f["properties"]["class"] for f in close["streets"]["features"]}
    assert classes <= {"major", "minor", "path", "service"}
    assert "path" in classes, "footways are drawn close up"

    far = _decode(web.get(_url("base", 12)))
    assert "buildings" not in far, "no buildings below zoom 14"
    far_classes = {f["properties"]["class"] for f in far["streets"]["features"]}
    assert far_classes <= {"major", "minor"}, far_classes


def test_base_tile_geometry_is_simplified_when_zoomed_out(basemap: Engine, web: TestClient[Any]) -> None:
    def vertices(tile: dict[str, Any]) -> int:
        return sum(len(ring) for f in tile["water"]["features"] for ring in _rings(f["geometry"]))

    z13, z16 = _decode(web.get(_url("base", 13))), _decode(web.get(_url("base", 16)))
    # A z13 tile covers 64 z16 tiles, yet its water needs fewer points than this one z16 tile's area.
    assert vertices(z13) < 4 * vertices(z16)


def _rings(geometry: dict[str, Any]) -> list[list[Any]]:
    coords = geometry["coordinates"]
    if geometry["type"] == "Polygon":
        return list(coords)
    return [ring for polygon in coords for ring in polygon]


def test_tile_outside_the_data_is_empty(basemap: Engine, web: TestClient[Any]) -> None:
    for layer in ("base", "entries"):
        response = web.get(_url(layer, 15, (-150.0, -40.0)))  # the South Pacific
        assert response.status_code == 204
        assert response.content == b""
        assert response.headers["etag"]


def test_entries_tile_carries_the_places_attributes(web: TestClient[Any], demo_db: Engine) -> None:
    tile = _decode(web.get(_url("entries", 16)))
    features = {f["properties"]["name"]: f["properties"] for f in tile["entries"]["features"]}
    with Session(demo_db) as s:
        place = s.scalars(select(Location).where(Location.name == "De Boomspijker")).one()
    found = features["De Boomspijker"]
    assert found["id"] == str(place.id)
    assert found["category"] == place.category
    assert found["step_free"] is place.step_free
    assert found["kitchen"] is place.kitchen_available
    assert found["cost_eur"] == pytest.approx(float(place.cost_amount_eur or 0))
    assert found["capacity"] == place.capacity


def _places_drawn(tile: dict[str, Any]) -> int:
    """The places an entries tile holds: its single points and its clusters' counts."""
    singles = len(tile.get("entries", {}).get("features", []))
    return singles + sum(int(f["properties"]["count"]) for f in tile.get("clusters", {}).get("features", []))


def _active_in_tile(engine: Engine, z: int, x: int, y: int) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                text(
                    "SELECT count(*) FROM location WHERE status = 'active' AND "
                    "ST_Intersects(ST_Transform(geom, 3857), ST_TileEnvelope(:z, :x, :y))"
                ),
                {"z": z, "x": x, "y": y},
            ).scalar_one()
        )


def test_entries_are_clustered_when_zoomed_out(web: TestClient[Any], demo_db: Engine) -> None:
    z, (x, y) = 12, tile_of(*BOOMSPIJKER, 12)
    tile = _decode(web.get(f"/tiles/entries/{z}/{x}/{y}.mvt"))
    inside = _active_in_tile(demo_db, z, x, y)
    assert inside > 2
    assert tile.get("clusters"), "demo places share cells at zoom 12"
    assert _places_drawn(tile) == inside


def test_cache_hit_etag_and_304(basemap: Engine, web: TestClient[Any]) -> None:
    url = _url("base", 15)
    first, second = web.get(url), web.get(url)
    assert second.content == first.content
    assert second.headers["etag"] == first.headers["etag"]
    assert second.headers["x-tile-cache"] == "hit"
    assert "no-cache" in first.headers["cache-control"]
    not_modified = web.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert not_modified.status_code == 304
    assert not_modified.content == b""

    tilejson = web.get("/tiles/base.json").json()
    assert tilejson["tiles"][0].endswith(
        "/tiles/base/{z}/{x}/{y}.mvt?v=" + tilejson["tiles"][0].split("=")[-1]
    )
    version = tilejson["tiles"][0].split("v=")[-1]
    versioned = web.get(url + f"?v={version}")
    assert "max-age=31536000" in versioned.headers["cache-control"]
    assert versioned.headers["etag"] == first.headers["etag"]
    assert {layer["id"] for layer in tilejson["vector_layers"]} >= {"streets", "water", "buildings"}


def test_an_edit_invalidates_the_entries_tiles(web: TestClient[Any], demo_db: Engine) -> None:
    url = _url("entries", 16)
    before = web.get(url)
    assert web.get(url).headers["x-tile-cache"] == "hit"
    version = web.get("/tiles/entries.json").json()["tiles"][0].split("v=")[-1]
    with Session(demo_db) as s, s.begin():
        place = s.scalars(select(Location).where(Location.name == "De Boomspijker")).one()
        EntryService(s, Actor("bram")).update(
            "location", place.id, {"name": "De Boomspijker (nieuw)"}, expected_version=place.version
        )
    after = web.get(url)
    assert after.headers["x-tile-cache"] == "miss"
    assert after.headers["etag"] != before.headers["etag"]
    assert "De Boomspijker (nieuw)" in _names(_decode(after), "entries")
    assert web.get("/tiles/entries.json").json()["tiles"][0].split("v=")[-1] != version
    # The old version's URL is no longer kept for long.
    assert "no-cache" in web.get(url + f"?v={version}").headers["cache-control"]


def test_closed_places_never_appear(web: TestClient[Any], demo_db: Engine) -> None:
    url = _url("entries", 16)
    assert "De Boomspijker" in _names(_decode(web.get(url)), "entries")
    with Session(demo_db) as s, s.begin():
        place = s.scalars(select(Location).where(Location.name == "De Boomspijker")).one()
        EntryService(s, Actor("bram")).update(
            "location", place.id, {"status": "closed"}, expected_version=place.version
        )
    names = _names(_decode(web.get(url)), "entries")
    assert "De Boomspijker" not in names
    assert names, "the other places stay"


def _tile_box(z: int, x: int, y: int) -> str:
    """The tile's bounds as the map API's bbox, 'west,south,east,north'."""
    n = 1 << z

    def lat(row: int) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * row / n))))

    return f"{x / n * 360 - 180},{lat(y + 1)},{(x + 1) / n * 360 - 180},{lat(y)}"


def test_a_place_under_review_is_in_the_places_answer_and_the_tiles_alike_and_says_so(
    web: TestClient[Any], demo_db: Engine
) -> None:
    """One rule for both (docs/web.md, "Which places the map shows"): shown, and marked as in doubt."""
    with Session(demo_db) as s, s.begin():
        place = s.scalars(select(Location).where(Location.name == "De Boomspijker")).one()
        EntryService(s, Actor("bram")).update(
            "location", place.id, {"status": "needs_review"}, expected_version=place.version
        )
        place_id = str(place.id)
    z, (x, y) = 16, tile_of(*BOOMSPIJKER, 16)
    answer = web.get("/api/v1/map/places", params={"bbox": _tile_box(z, x, y), "zoom": z}).json()
    listed = {p["id"]: p["popup"]["rows"] for p in answer["places"]}
    drawn = {
        f["properties"]["id"]: f["properties"]
        for f in _decode(web.get(_url("entries", z)))["entries"]["features"]
    }
    assert place_id in listed and drawn[place_id]["needs_review"] is True
    assert listed[place_id][0] == ["Status", "Moet gecontroleerd worden"]
    others = listed.keys() - {place_id}
    assert others, "the demo has active places beside it"
    assert not any(
        "needs_review" in drawn[i] or ["Status", "Moet gecontroleerd worden"] in listed[i] for i in others
    )

    # Zoomed out the tile counts it in its cells, as the answer counts it in its total.
    z, (x, y) = 12, tile_of(*BOOMSPIJKER, 12)
    in_tile = _places_drawn(_decode(web.get(f"/tiles/entries/{z}/{x}/{y}.mvt")))
    total = web.get("/api/v1/map/places", params={"bbox": _tile_box(z, x, y), "zoom": z}).json()["total"]
    assert in_tile == total == _active_in_tile(demo_db, z, x, y) + 1


def test_a_rolled_back_edit_keeps_the_cache(web: TestClient[Any], demo_db: Engine) -> None:
    url = _url("entries", 16)
    etag = web.get(url).headers["etag"]
    with Session(demo_db) as s:
        place = s.scalars(select(Location).where(Location.name == "De Boomspijker")).one()
        EntryService(s, Actor("bram")).update(
            "location", place.id, {"name": "Weg"}, expected_version=place.version
        )
        s.rollback()
    again = web.get(url)
    assert again.headers["x-tile-cache"] == "hit"
    assert again.headers["etag"] == etag


@pytest.mark.parametrize(
    "path",
    [
        "/tiles/base/23/0/0.mvt",
        "/tiles/base/2/4/0.mvt",
        "/tiles/entries/2/0/4.mvt",
        "/tiles/entries/-1/0/0.mvt",
        "/tiles/base/a/0/0.mvt",
        "/tiles/base/1/0/0.png",
        "/tiles/base/1/0/0",
        "/tiles/base/99999999999999999999/0/0.mvt",
        "/tiles/roads/1/0/0.mvt",
    ],
)
def test_bad_tile_addresses_are_404(web: TestClient[Any], path: str) -> None:
    response = web.get(path)
    assert response.status_code == 404
    assert response.json()["detail"]


def test_tiles_stay_cacheable_for_a_logged_in_broker(basemap: Engine, web: TestClient[Any]) -> None:
    log_in(web, "bram")
    response = web.get(_url("base", 15))
    assert "no-store" not in response.headers["cache-control"]
    assert web.get("/beheer").headers["cache-control"] == "no-store"


def test_a_new_location_appears_in_its_tile(web: TestClient[Any], demo_db: Engine) -> None:
    point = (4.8995, 52.3702)
    with Session(demo_db) as s, s.begin():
        EntryService(s, Actor("bram")).create(
            "location",
            {
                "name": "Nieuwe buurtkamer",
                "category": "neighbourhood_room",
                "lat": point[1],
                "lon": point[0],
                "id": str(uuid.uuid4()),
            },
        )
    assert "Nieuwe buurtkamer" in _names(_decode(web.get(_url("entries", 17, point))), "entries")


def test_places_sit_where_postgis_projects_them(web: TestClient[Any], demo_db: Engine) -> None:
    """The tile's own Mercator arithmetic puts each place on the pixel ST_Transform gives."""
    z, (x, y) = 17, tile_of(*BOOMSPIJKER, 17)
    response = web.get(f"/tiles/entries/{z}/{x}/{y}.mvt")
    assert response.status_code == 200
    tile = mapbox_vector_tile.decode(response.content, default_options={"y_coord_down": True})
    found = {f["properties"]["id"]: f["geometry"]["coordinates"] for f in tile["entries"]["features"]}
    with demo_db.connect() as conn:
        expected = conn.execute(
            text(
                "SELECT id::text, ST_X(g), ST_Y(g) FROM (SELECT id, ST_AsMVTGeom(ST_Transform(geom, 3857),"
                " ST_TileEnvelope(:z, :x, :y), 4096, 64, true) AS g FROM location WHERE status = 'active') s"
                " WHERE g IS NOT NULL"
            ),
            {"z": z, "x": x, "y": y},
        ).all()
    assert expected
    assert set(found) == {row[0] for row in expected}
    for place_id, px, py in expected:
        assert found[place_id] == pytest.approx([px, py], abs=1), place_id


def test_a_cluster_on_a_tile_edge_is_the_same_in_both_tiles(web: TestClient[Any], demo_db: Engine) -> None:
    """Places in one grid cell right of a tile edge: the left tile's margin shows the same cluster."""
    z = 12
    x, y = tile_of(*BOOMSPIJKER, z)
    # Three places 20, 40 and 250 Mercator metres east of the tile's west edge: one grid cell
    # (1,223 m wide at zoom 12), their centroid inside the left tile's 64-unit (153 m) margin,
    # the farthest beyond it, so only a tile that reads the whole cell counts 3 there.
    with demo_db.connect() as conn:
        points = conn.execute(
            text(
                "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_Transform(ST_SetSRID(ST_MakePoint("
                "ST_XMin(e) + d, ST_YMin(e) + 800), 3857), 4326) AS p"
                " FROM (SELECT ST_TileEnvelope(:z, :x, :y) AS e) t, unnest(ARRAY[20, 40, 250]) d) s"
            ),
            {"z": z, "x": x, "y": y},
        ).all()
    with Session(demo_db) as s, s.begin():
        service = EntryService(s, Actor("bram"))
        for i, (lon, lat) in enumerate(points):
            service.create("location", {"name": f"Randgeval {i}", "lat": lat, "lon": lon})

    def edge_clusters(tx: int) -> list[tuple[int, int, int]]:
        """(count, x, y) of the clusters within the margin of the shared edge, in tile units."""
        tile = mapbox_vector_tile.decode(
            web.get(f"/tiles/entries/{z}/{tx}/{y}.mvt").content, default_options={"y_coord_down": True}
        )
        found = []
        for feature in tile.get("clusters", {}).get("features", []):
            px, py = feature["geometry"]["coordinates"]
            if -64 <= px < 64 or 4096 - 64 <= px <= 4096 + 64:
                found.append((feature["properties"]["count"], px, py))
        return found

    inside, left = edge_clusters(x), edge_clusters(x - 1)
    assert [n for n, _, _ in inside] == [3]
    assert [n for n, _, _ in left] == [3], "the left tile reads the whole cell across its edge"
    (_, ix, iy), (_, lx, ly) = inside[0], left[0]
    assert abs(lx - (ix + 4096)) <= 1 and abs(ly - iy) <= 1, "same place, one tile width further"


def test_zoomed_out_tiles_add_up_the_counted_cells_and_follow_edits(
    web: TestClient[Any], demo_db: Engine
) -> None:
    """Clusters add up `tile_entry_cell`: the map grid's cells (grid.tile_xy), counted anew after a write."""
    z, (x, y) = 12, tile_of(*BOOMSPIJKER, 12)

    def shown() -> int:
        tile = _decode(web.get(f"/tiles/entries/{z}/{x}/{y}.mvt"))
        singles = len(tile.get("entries", {}).get("features", []))
        return singles + sum(
            int(f["properties"]["count"]) for f in tile.get("clusters", {}).get("features", [])
        )

    before = shown()
    with demo_db.connect() as conn:
        cells = {(cx, cy): n for cx, cy, n in conn.execute(text("SELECT x, y, n FROM tile_entry_cell"))}
        points = conn.execute(
            text("SELECT ST_Y(geom), ST_X(geom) FROM location WHERE status = 'active'")
        ).all()
        versions = conn.execute(
            text(
                "SELECT (SELECT max(version) FROM tile_entry_cell), "
                "(SELECT version FROM tile_layer_version WHERE layer = 'entries')"
            )
        ).one()
    assert cells == Counter(tile_xy(lat, lon, CELL_LEVEL) for lat, lon in points)
    assert versions[0] == versions[1]
    with Session(demo_db) as s, s.begin():
        place = s.scalars(select(Location).where(Location.name == "De Boomspijker")).one()
        EntryService(s, Actor("bram")).update(
            "location", place.id, {"status": "closed"}, expected_version=place.version
        )
    assert shown() == before - 1, "the closed place left its cluster"


def test_gzipped_and_plain_answers_have_their_own_etags(basemap: Engine, web: TestClient[Any]) -> None:
    assert_gzip_has_an_etag_of_its_own(web, _url("base", 15))


#: What a handler sends already gzipped: gzipped it is still over the app's 1 KB threshold.
_PLAIN = random.Random(7).randbytes(4096)
_PRE_GZIPPED_ETAG = '"pre-gzipped-gz"'


@get(["/tiles/test/pre-gzipped.bin", "/api/v1/map/test/pre-gzipped"], include_in_schema=False)
async def _pre_gzipped() -> Response[bytes]:
    """Under both compressed prefixes, gzipped by its handler as the tiles are (and not named `.mvt`)."""
    return Response(
        gzip.compress(_PLAIN, mtime=0),
        media_type="application/octet-stream",
        headers={"Content-Encoding": "gzip", "ETag": _PRE_GZIPPED_ETAG},
    )


def test_an_answer_gzipped_by_its_handler_is_not_gzipped_again(basemap: Engine, demo_db: Engine) -> None:
    """The app's gzip passes whatever carries a Content-Encoding already, whatever its path is called."""
    from web.app import create_app

    app = create_app(demo_db, extra_handlers=[_pre_gzipped])
    with TestClient(app=app, base_url="http://testserver.local") as web:
        for url in ("/tiles/test/pre-gzipped.bin", "/api/v1/map/test/pre-gzipped"):
            answer = web.get(url, headers={"Accept-Encoding": "gzip"})
            assert answer.headers["content-encoding"] == "gzip"
            assert answer.content == _PLAIN, f"{url}: decoded once, it is the handler's bytes"
            assert answer.headers["etag"] == _PRE_GZIPPED_ETAG
        # A base tile, gzipped by its handler: decoded once, under its own ETag.
        plain = web.get(_url("base", 15), headers={"Accept-Encoding": "identity"})
        zipped = web.get(_url("base", 15), headers={"Accept-Encoding": "gzip"})
        assert len(plain.content) >= 1024, "big enough to be gzipped"
        assert zipped.headers["content-encoding"] == "gzip"
        assert zipped.content == plain.content
        assert zipped.headers["etag"] == plain.headers["etag"][:-1] + '-gz"'
        # The map's JSON, which no handler gzips, is still gzipped here.
        places = web.get(
            "/api/v1/map/places",
            params={"bbox": "4.80,52.30,5.00,52.42", "zoom": "16"},
            headers={"Accept-Encoding": "gzip"},
        )
        assert places.headers.get("content-encoding") == "gzip"
        assert places.json()["places"]


def test_a_tile_sets_no_cookie(basemap: Engine, web: TestClient[Any]) -> None:
    """A map frame sends no cookies: a tile answer must not hand out a CSRF cookie each time."""
    web.cookies.clear()
    response = web.get(_url("base", 15))
    assert response.status_code == 200
    assert "set-cookie" not in response.headers
    assert "public" in response.headers["cache-control"]


def _who(request: Request[Any, Any, Any]) -> dict[str, Any]:
    user = current_user(request)
    return {"looked_up": "user" in request.scope, "user": user.username if user else None}


@get("/test/same-for-everyone", opt=SAME_FOR_EVERYONE, include_in_schema=False)
async def _marked(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """Marked, under no prefix that was ever left out of the session lookup."""
    return _who(request)


@get("/tiles/test/unmarked", include_in_schema=False)
async def _unmarked(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """Under /tiles/, but not marked."""
    return _who(request)


def test_the_route_marker_not_the_url_skips_the_session(demo_db: Engine) -> None:
    """Routes marked SAME_FOR_EVERYONE look up no session and set no cookie; their URL plays no part."""
    from web.app import create_app

    app = create_app(demo_db, extra_handlers=[_marked, _unmarked])
    with TestClient(app=app, base_url="http://testserver.local") as web:
        # Anonymous and without cookies: only what is not marked hands out a CSRF cookie.
        for url in (
            "/test/same-for-everyone",
            _url("entries", 14),
            "/static/vendor/swagger-ui/swagger-ui.css",
        ):
            web.cookies.clear()
            answer = web.get(url)
            assert answer.status_code == 200, url
            assert "set-cookie" not in answer.headers, url
        web.cookies.clear()
        assert "csrftoken=" in web.get("/tiles/test/unmarked").headers["set-cookie"]
        # Logged in: the marked route skips the session (and stays cacheable); the unmarked one does not.
        log_in(web, "bram")
        marked = web.get("/test/same-for-everyone")
        assert marked.json() == {"looked_up": False, "user": None}
        assert "set-cookie" not in marked.headers
        assert "no-store" not in marked.headers.get("cache-control", "")
        unmarked = web.get("/tiles/test/unmarked")
        assert unmarked.json() == {"looked_up": True, "user": "bram"}
        assert unmarked.headers["cache-control"] == "no-store"
        for url in (_url("entries", 14), "/static/vendor/swagger-ui/swagger-ui.css"):
            assert "no-store" not in web.get(url).headers["cache-control"], url
