"""The map at city scale: a small /kaart, and its places per view from GET /api/v1/map/places."""

from __future__ import annotations

import html
import re
import uuid
from typing import Any

from litestar.testing import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from directory.models import Location
from directory.search.grid import tile_xy
from directory.search.query import BBox
from directory.search.service import search_service
from directory.services.map_places import MapFilters, map_places
from tests.web.map_data import map_data

Client = TestClient[Any]
#: The Netherlands, as a map's view.
COUNTRY = "3.3,50.7,7.3,53.6"


def frame_document(page: str) -> str:
    """The map frame's document inside a page (its `srcdoc`, unescaped)."""
    found = re.search(r'srcdoc="([^"]*)"', page)
    assert found, "the page holds a map frame"
    return html.unescape(found.group(1))


def _active(demo_db: Engine) -> dict[str, tuple[float, float]]:
    with Session(demo_db) as s:
        rows = s.execute(
            select(Location.id, Location.geom.ST_Y(), Location.geom.ST_X()).where(Location.status == "active")
        ).all()
    return {str(i): (float(lat), float(lon)) for i, lat, lon in rows}


def test_the_map_page_writes_no_places_and_asks_per_view(web: Client, demo_db: Engine) -> None:
    page = web.get("/kaart?kitchen=true&category=cafe&support=company&open_at=2026-12-08T19:30")
    assert page.status_code == 200
    data = map_data(frame_document(page.text))
    assert not [layer for layer in data["layers"] if layer["type"] == "markers"], "no place in the page"
    (source,) = [layer for layer in data["layers"] if layer["type"] == "places"]
    assert source["url"] == "/api/v1/map/places"
    assert source["params"] == {
        "lang": "nl",
        "facilities": ["kitchen"],
        "category": ["cafe"],
        "support_functions": ["company"],
        "open_at": "2026-12-08T19:30",
    }
    assert data["bounds"], "the first view shows where the places are"
    names = list(_active(demo_db))
    assert not any(location_id in page.text for location_id in names)


def test_places_come_one_by_one_with_popups_in_a_small_view(web: Client, demo_db: Engine) -> None:
    active = _active(demo_db)
    answer = web.get("/api/v1/map/places", params={"bbox": "4.895,52.368,4.905,52.374", "zoom": 17}).json()
    assert not answer["clustered"] and answer["clusters"] == []
    inside = {i for i, (lat, lon) in active.items() if 52.368 <= lat <= 52.374 and 4.895 <= lon <= 4.905}
    assert {p["id"] for p in answer["places"]} == inside and answer["total"] == len(inside) > 0
    place = answer["places"][0]
    assert place["popup"]["title"] == place["name"]
    assert place["popup"]["link"] == f"/entries/location/{place['id']}"


def test_many_places_become_counts_per_cell_that_lose_none(demo_db: Engine) -> None:
    """Above the limit the answer counts per grid cell; every place is in exactly one count."""
    active = _active(demo_db)
    search = search_service(demo_db)
    box = BBox(south=50.7, west=3.3, north=53.6, east=7.3)
    with Session(demo_db) as s:
        found = map_places(s, search, box, 13, MapFilters(), limit=3)
    assert found.clustered and not found.locations
    level = found.grid.level
    assert sum(c.count for c in found.cells) == found.grid.total >= len(active)
    expected: dict[tuple[int, int], int] = {}
    for lat, lon in active.values():
        expected[tile_xy(lat, lon, level)] = expected.get(tile_xy(lat, lon, level), 0) + 1
    counted = {(c.x, c.y): c.count for c in found.cells}
    assert all(counted.get(key, 0) >= n for key, n in expected.items())


def test_the_api_clusters_a_whole_city_and_filters_narrow_it(web: Client, demo_db: Engine) -> None:
    everything = web.get("/api/v1/map/places", params={"bbox": COUNTRY, "zoom": 6}).json()
    kitchens = web.get(
        "/api/v1/map/places", params={"bbox": COUNTRY, "zoom": 6, "facilities": "kitchen"}
    ).json()
    assert 0 < kitchens["total"] < everything["total"]
    for answer in (everything, kitchens):
        counted = (
            sum(c["count"] for c in answer["clusters"]) if answer["clustered"] else len(answer["places"])
        )
        assert counted == answer["total"], "no place is dropped"
    assert everything["engine"] == "postgresql"


def test_services_without_a_venue_are_named_for_the_area_they_serve_never_pinned(
    web: Client, demo_db: Engine
) -> None:
    """The demo's buddy and language-buddy services serve an area and have no venue: listed, not drawn."""
    from directory.models import Service

    with Session(demo_db) as s:
        by_name = {svc.name: svc.id for svc in s.scalars(select(Service).where(Service.status == "active"))}
    centrum = web.get("/api/v1/map/places", params={"bbox": "4.895,52.368,4.905,52.374", "zoom": 17}).json()
    served = {a["name"]: a for a in centrum["area_services"]}
    assert {"Taalmaatje", "Maatje voor wandelen en koffie"} <= set(served)
    assert centrum["area_services_total"] == len(served) and centrum["area_services_limit"] >= len(served)
    for name, area_service in served.items():
        assert area_service["id"] == str(by_name[name])
        assert area_service["url"] == f"/entries/service/{by_name[name]}"
        assert "lat" not in area_service and "lon" not in area_service, "no invented point"
        assert area_service["category_label"]
    drawn = {p["id"] for p in centrum["places"]}
    assert not drawn & {str(by_name[n]) for n in served}, "an area service is no place on the map"
    # Filters hold for them too; a view their areas do not reach does not name them.
    language = web.get(
        "/api/v1/map/places",
        params={"bbox": "4.895,52.368,4.905,52.374", "zoom": 17, "support_functions": "language"},
    ).json()
    assert "Taalmaatje" in {a["name"] for a in language["area_services"]}
    assert "Maatje voor wandelen en koffie" not in {a["name"] for a in language["area_services"]}
    zuidoost = web.get("/api/v1/map/places", params={"bbox": "4.95,52.30,4.97,52.32", "zoom": 15}).json()
    assert not {"Taalmaatje", "Maatje voor wandelen en koffie"} & {
        a["name"] for a in zuidoost["area_services"]
    }
    # The whole-country view, clustered, still names them (their areas lie inside it).
    country = web.get("/api/v1/map/places", params={"bbox": COUNTRY, "zoom": 6}).json()
    assert {"Taalmaatje", "Maatje voor wandelen en koffie"} <= {a["name"] for a in country["area_services"]}


def test_bad_parameters_are_named(web: Client) -> None:
    for params, field in (
        ({"bbox": "4.9,52.4,4.8,52.3"}, "bbox"),
        ({"bbox": "vier"}, "bbox"),
        ({"bbox": COUNTRY, "facilities": "sauna"}, "facilities"),
        ({"bbox": COUNTRY, "category": "nope"}, "category"),
        ({"bbox": COUNTRY, "open_at": "morgen"}, "open_at"),
        ({"bbox": COUNTRY, "lang": "fr"}, "lang"),
    ):
        response = web.get("/api/v1/map/places", params=params)
        assert response.status_code in (400, 422), (params, response.text)
        assert field in response.text


def test_map_frames_may_read_the_answer_and_openapi_names_it(web: Client) -> None:
    response = web.get("/api/v1/map/places", params={"bbox": COUNTRY, "zoom": 8})
    assert response.headers["access-control-allow-origin"] == "*"
    schema = web.get("/schema/openapi.json").json()
    operation = schema["paths"]["/api/v1/map/places"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {
        "bbox",
        "zoom",
        "category",
        "support_functions",
        "low_cost",
        "facilities",
        "step_free",
        "open_at",
    }


def test_reach_results_are_not_capped_by_name(demo_db: Engine) -> None:
    """A reach or group answer keeps every place inside that fits, found by the same engine."""
    from directory.services.map_places import fitting_places

    active = _active(demo_db)
    ids = [uuid.UUID(i) for i in active]
    with Session(demo_db) as s:
        every = fitting_places(s, search_service(demo_db), ids, MapFilters())
        rooms = fitting_places(s, search_service(demo_db), ids, MapFilters(facilities=("room",)))
        expected = set(
            s.scalars(
                select(Location.id).where(Location.room_available.is_(True), Location.status == "active")
            )
        )
    assert len(every) == len(ids)
    assert {loc.id for loc in rooms} == expected and expected
