"""The pages' questions as JSON: venue filters and support by need answer what the pages answer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from directory.services.held_at import services_at
from directory.services.stale import is_stale
from directory.services.venues import VenueFilters, find_venues
from geo.geocoding.offline import OfflineGeocoder
from tests.web.test_support_travel import coming_to, expected_minutes

Client = TestClient[Any]
FLAGS = ("low_cost", "kitchen", "room", "step_free", "weekday_evening")


def _venue_ids(client: Client, **params: Any) -> list[str]:
    response = client.get("/api/v1/venues", params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == len(body["items"])
    return [item["location"]["id"] for item in body["items"]]


@pytest.mark.parametrize("flag", FLAGS)
def test_each_venue_filter_answers_what_the_map_answers(web: Client, demo_db: Engine, flag: str) -> None:
    with Session(demo_db) as s:
        everything = [str(loc.id) for loc in find_venues(s, VenueFilters())]
        flags: dict[str, Any] = {flag: True}
        expected = [str(loc.id) for loc in find_venues(s, VenueFilters(**flags))]
    assert _venue_ids(web, **{flag: "true"}) == expected
    assert expected, f"the demo has places with {flag}"
    assert len(expected) < len(everything), f"{flag} narrows the list"
    if flag == "weekday_evening":
        return  # the map asks "open at" a moment instead (GET /api/v1/map/places?open_at=)
    params: dict[str, Any] = {"bbox": "3.3,50.7,7.3,53.6", "zoom": 17}
    params |= {"facilities": flag} if flag in ("kitchen", "room") else {flag: "true"}
    answer = web.get("/api/v1/map/places", params=params).json()
    assert not answer["clustered"]
    on_map = {place["id"] for place in answer["places"]}
    # The map also shows a place where a low-cost activity is held; the venue's own facts agree.
    assert set(expected) <= on_map if flag == "low_cost" else set(expected) == on_map


def test_venue_filters_combine_with_a_category_and_list_the_services_held_there(
    web: Client, demo_db: Engine
) -> None:
    with Session(demo_db) as s:
        found = find_venues(s, VenueFilters())
        category = next(loc.category for loc in found if loc.category)
        expected = find_venues(s, VenueFilters(kitchen=True, category=category))
        held = services_at(s, [loc.id for loc in found])
        busiest = max(found, key=lambda loc: len(held[loc.id]))
        names = [service.name for service in held[busiest.id]]
    assert _venue_ids(web, kitchen="true", category=category) == [str(loc.id) for loc in expected]
    assert names, "the demo holds activities at some place"
    items = web.get("/api/v1/venues").json()["items"]
    shown = next(item for item in items if item["location"]["id"] == str(busiest.id))
    assert [service["name"] for service in shown["services"]] == names


def test_support_api_groups_by_need_with_geos_minutes(web: Client, demo_db: Engine) -> None:
    place = OfflineGeocoder(demo_db).geocode("1011 EC")
    assert place is not None
    response = web.get(
        "/api/v1/support",
        params={"lat": place.lat, "lon": place.lon, "needs": ["money", "company"], "minutes": 12},
    )
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert list(body["groups"]) == ["company", "money"], "in the order of the needs, as on the page"
    assert body["crow_fly"] is False
    visiting = coming_to(demo_db, place.lat, place.lon)
    expected = expected_minutes(demo_db, place.lat, place.lon, "walking", 12)
    company = body["groups"]["company"]
    assert company, "the demo has company within reach"
    timed = [hit for hit in company if not hit["comes_to_you"]]
    assert [hit["minutes"] for hit in timed] == sorted(hit["minutes"] for hit in timed), "quickest first"
    for hit in company:
        service_id = hit["service"]["id"]
        assert "company" in hit["service"]["support_functions"]
        if hit["comes_to_you"]:
            assert service_id in visiting and hit["minutes"] is None
        else:
            assert hit["minutes"] == expected[service_id] and hit["method"] == "network"
        verified = hit["service"]["last_verified_at"]
        expected_stale = is_stale(datetime.fromisoformat(verified) if verified else None, 12)
        assert hit["stale"] is expected_stale, "stale only when not verified in the last 12 months"
    assert {hit["stale"] for hit in company} == {True, False}, "the demo has fresh and stale entries"


def test_support_api_and_page_list_the_same_services(web: Client, demo_db: Engine) -> None:
    from tests.web.test_support_travel import search, shown

    place = OfflineGeocoder(demo_db).geocode("1011 EC")
    assert place is not None
    needs = ["practical", "company", "information", "peers", "language", "money"]
    body = web.get("/api/v1/support", params={"lat": place.lat, "lon": place.lon, "needs": needs}).json()
    listed = {hit["service"]["id"] for hits in body["groups"].values() for hit in hits}
    page = shown(search(web, "1011 EC").text)
    assert listed == set(page)
    assert listed


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"lat": 52.37, "lon": 4.9}, "needs"),
        ({"lat": 52.37, "lon": 4.9, "needs": "hope"}, "needs"),
        ({"lat": 152.37, "lon": 4.9, "needs": "company"}, "lat/lon"),
        ({"lat": 50.85, "lon": 4.35, "needs": "company"}, "lat/lon"),
        ({"lat": 52.37, "lon": 4.9, "needs": "company", "mode": "bike"}, "mode"),
        ({"lat": 52.37, "lon": 4.9, "needs": "company", "minutes": 0}, "minutes"),
        ({"lat": 52.37, "lon": 4.9, "needs": "company", "languages": "Nederlands"}, "languages"),
    ],
)
def test_support_api_names_the_wrong_parameter(web: Client, params: dict[str, Any], field: str) -> None:
    response = web.get("/api/v1/support", params=params)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == field


def test_openapi_documents_both_questions(web: Client) -> None:
    paths = web.get("/schema/openapi.json").json()["paths"]
    venue_params = {p["name"] for p in paths["/api/v1/venues"]["get"]["parameters"]}
    assert set(FLAGS) | {"category"} <= venue_params
    support_params = {p["name"] for p in paths["/api/v1/support"]["get"]["parameters"]}
    assert {"lat", "lon", "needs", "mode", "minutes", "languages", "community"} <= support_params
