"""POST /api/v1/wijkgram on the demo database and its street network: entries, rings, SVG, errors, privacy."""

from __future__ import annotations

import logging
import uuid
import xml.etree.ElementTree as ET
from typing import Any
from unittest.mock import ANY
from urllib.parse import parse_qs, urlsplit

import pytest
from litestar.testing import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from directory.points import COARSE_LAT_STEP, COARSE_LON_STEP
from directory.services.support import NEEDS
from directory.services.wijkgram import ring_bounds, sector_for
from geo.geocoding.offline import OfflineGeocoder
from tests.web.test_support_travel import coming_to, expected_minutes

Client = TestClient[Any]
SVG_NS = "{http://www.w3.org/2000/svg}"


def _home(engine: Engine) -> tuple[float, float]:
    place = OfflineGeocoder(engine).geocode("1011 EC")
    assert place is not None
    return place.lat, place.lon


def _ring_for(minutes: int, limit: int) -> int:
    bounds = ring_bounds(limit)
    return next((i for i, b in enumerate(bounds, start=1) if minutes <= b), len(bounds) + 1)


def _functions(engine: Engine) -> dict[str, list[str]]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id::text, support_functions FROM service")).all()
    return {row[0]: list(row[1]) for row in rows}


def test_without_entries_it_draws_the_support_search_in_rings_of_geos_minutes(
    web: Client, demo_db: Engine
) -> None:
    lat, lon = _home(demo_db)
    needs = ["company", "money", "practical"]
    response = web.post(
        "/api/v1/wijkgram", json={"lat": lat, "lon": lon, "profile": "walking", "minutes": 15, "needs": needs}
    )
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    expected = expected_minutes(demo_db, lat, lon, "walking", 15)
    visiting = coming_to(demo_db, lat, lon)
    functions = _functions(demo_db)
    wanted = {sid for sid, fs in functions.items() if set(fs) & set(needs)}
    expected_ids = (set(expected) | visiting) & wanted
    dots = body["dots"]
    assert [d["id"] for d in dots].count(dots[0]["id"]) == 1
    assert sorted(d["id"] for d in dots) == sorted(expected_ids), "each service of the search once"
    assert len(dots) >= 5, "the demo has support around 1011 EC"
    ordered_needs = tuple(n for n in NEEDS if n in needs)
    for dot in dots:
        if dot["id"] in expected and not dot["comes_to_you"]:
            assert dot["minutes"] == expected[dot["id"]]
            assert dot["ring"] == _ring_for(expected[dot["id"]], 15)
        else:
            assert dot["comes_to_you"] and dot["ring"] == 0
        assert dot["sector"] == sector_for(functions[dot["id"]], ordered_needs)[0]
    assert [r["label"] for r in body["rings"]] == [
        "komt thuis · telefoon",
        "tot 5 min",
        "tot 10 min",
        "tot 15 min",
        "verder weg",
    ]
    assert [s["code"] for s in body["sectors"]][:7] == [
        "practical",
        "company",
        "information",
        "peers",
        "language",
        "money",
        "activity",
    ]
    assert body["profile"] == "walking" and body["crow_fly"] is False


def test_with_entries_it_draws_exactly_those(web: Client, demo_db: Engine) -> None:
    lat, lon = _home(demo_db)
    with demo_db.connect() as conn:
        service_ids = (
            conn.execute(text("SELECT id::text FROM service WHERE status = 'active' ORDER BY name LIMIT 3"))
            .scalars()
            .all()
        )
        location_id = conn.execute(
            text("SELECT id::text FROM location WHERE status = 'active' ORDER BY name LIMIT 1")
        ).scalar_one()
    unknown = str(uuid.uuid4())
    asked = [*service_ids, location_id, unknown, service_ids[0]]
    body = web.post(
        "/api/v1/wijkgram",
        json={"lat": lat, "lon": lon, "profile": "wheelchair", "minutes": 10, "entries": asked},
    ).json()
    assert sorted(d["id"] for d in body["dots"]) == sorted([*service_ids, location_id])
    assert body["missing"] == [unknown]
    kinds = {d["id"]: d["kind"] for d in body["dots"]}
    assert kinds[location_id] == "location" and kinds[service_ids[0]] == "service"
    expected = expected_minutes(demo_db, lat, lon, "wheelchair", 60)
    for dot in body["dots"]:
        if dot["kind"] == "service" and not dot["comes_to_you"] and dot["id"] in expected:
            assert dot["ring"] == _ring_for(expected[dot["id"]], 10)
    assert [r["up_to_minutes"] for r in body["rings"]] == [None, 4, 7, 10, None]


def test_svg_has_a_title_a_description_and_one_dot_per_entry(web: Client, demo_db: Engine) -> None:
    lat, lon = _home(demo_db)
    payload = {"lat": lat, "lon": lon, "profile": "walking", "minutes": 15, "lang": "en"}
    response = web.post("/api/v1/wijkgram", json=payload, headers={"Accept": "image/svg+xml"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert response.headers["cache-control"] == "no-store"
    root = ET.fromstring(response.text)
    assert root.tag == f"{SVG_NS}svg" and root.get("role") == "img"
    title = root.find(f"{SVG_NS}title")
    assert title is not None and "support" in (title.text or "")
    assert root.find(f"{SVG_NS}desc") is not None
    dots = [g for g in root.iter(f"{SVG_NS}g") if g.get("class") == "dot"]
    layout = web.post("/api/v1/wijkgram", json=payload).json()
    assert [g.get("data-id") for g in dots] == [d["id"] for d in layout["dots"]]
    for g, dot in zip(dots, layout["dots"], strict=True):
        assert g.find(f"{SVG_NS}title").text.startswith(dot["name"])  # type: ignore[union-attr]
        assert g.get("data-ring") == str(dot["ring"]) and g.get("data-sector") == dot["sector"]


def test_names_are_escaped_in_the_svg(web: Client, demo_db: Engine) -> None:
    lat, lon = _home(demo_db)
    with demo_db.begin() as conn:
        service_id = conn.execute(
            text("SELECT id FROM service WHERE status = 'active' ORDER BY name LIMIT 1")
        ).scalar_one()
        conn.execute(
            text("UPDATE service SET name = '<script>alert(1)</script> & co' WHERE id = :i"),
            {"i": service_id},
        )
    response = web.post(
        "/api/v1/wijkgram",
        json={"lat": lat, "lon": lon, "entries": [str(service_id)]},
        headers={"Accept": "image/svg+xml"},
    )
    assert "<script>" not in response.text
    root = ET.fromstring(response.text)  # still well-formed
    titles = [t.text for t in root.iter(f"{SVG_NS}title")]
    assert any(t and t.startswith("<script>alert(1)</script> & co") for t in titles)


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"profile": "bike"}, "profile", "one_of"),
        ({"minutes": 0}, "minutes", "range"),
        ({"minutes": 61}, "minutes", "range"),
        ({"needs": ["hope"]}, "needs", "unknown_choice"),
        ({"needs": []}, "needs", "choose_one"),
        ({"lat": 50.85, "lon": 4.35}, "lat/lon", "outside_netherlands"),
        ({"lat": 152.0}, "lat/lon", "lat_lon_range"),
        ({"lang": "fr"}, "lang", "one_of"),
    ],
)
def test_wrong_input_is_a_422_naming_the_field_with_a_code(
    web: Client, change: dict[str, Any], field: str, code: str
) -> None:
    payload = {"lat": 52.372, "lon": 4.9, "profile": "walking", "minutes": 15, **change}
    response = web.post("/api/v1/wijkgram", json=payload)
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [(field, code)]
    assert errors[0]["message"] and isinstance(errors[0]["params"], dict)


def test_malformed_ids_and_too_many_entries_are_refused(web: Client) -> None:
    base = {"lat": 52.372, "lon": 4.9}
    wrong: Any
    for wrong in (["nope"], {}, "x", [1]):
        response = web.post("/api/v1/wijkgram", json={**base, "entries": wrong})
        assert response.status_code == 422, response.text
        error = response.json()["errors"][0]
        assert error == {"field": "entries", "message": ANY, "code": "uuid_parsing", "params": {}}
    many = [str(uuid.uuid4()) for _ in range(81)]
    response = web.post("/api/v1/wijkgram", json={**base, "entries": many})
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "entries"
    assert response.json()["errors"][0]["code"] == "too_long"
    assert response.json()["errors"][0]["params"] == {"max_length": 80}


def test_far_adds_places_beyond_the_limit_outside_the_households_buurt(
    web: Client, demo_db: Engine, boundaries: Any
) -> None:
    lat, lon = _home(demo_db)
    base = {"lat": lat, "lon": lon, "profile": "walking", "minutes": 5}
    near = web.post("/api/v1/wijkgram", json=base).json()
    far = web.post("/api/v1/wijkgram", json={**base, "far": True}).json()
    added = [d for d in far["dots"] if d["far"]]
    assert added, "the demo has matching places more than 5 minutes away"
    assert {d["id"] for d in far["dots"] if not d["far"]} == {d["id"] for d in near["dots"]}
    far_ring = len(far["rings"]) - 1
    with demo_db.connect() as conn:
        home = conn.execute(
            text(
                "SELECT code FROM geo_boundary WHERE level = 'buurt' AND "
                "ST_Intersects(geom, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326))"
            ),
            {"lat": lat, "lon": lon},
        ).scalar_one()
        rows = conn.execute(text("SELECT id::text, buurt_code FROM location")).all()
        buurten: dict[str, str | None] = {row[0]: row[1] for row in rows}
    for dot in added:
        assert dot["ring"] == far_ring and dot["minutes"] > 5
        assert buurten[dot["location_id"]] != home
    # A removed far place stays away.
    gone = added[0]["id"]
    again = web.post("/api/v1/wijkgram", json={**base, "far": True, "exclude": [gone]}).json()
    assert gone not in {d["id"] for d in again["dots"]}


def test_the_link_holds_a_coarse_point_and_ids_only(web: Client, demo_db: Engine, caplog: Any) -> None:
    lat, lon = _home(demo_db)
    caplog.set_level(logging.DEBUG)
    body = web.post("/api/v1/wijkgram", json={"lat": lat, "lon": lon, "needs": ["company"]}).json()
    link = urlsplit(body["link"])
    assert link.path == "/wijkgram"
    query = parse_qs(link.query)
    assert set(query) <= {"o", "mode", "minutes", "needs", "e", "far", "x"}
    o_lat, o_lon = (float(v) for v in query["o"][0].split(","))
    assert (o_lat, o_lon) != (lat, lon)
    assert abs(o_lat - lat) <= COARSE_LAT_STEP / 2 + 1e-9 and abs(o_lon - lon) <= COARSE_LON_STEP / 2 + 1e-9
    assert abs(o_lat / COARSE_LAT_STEP - round(o_lat / COARSE_LAT_STEP)) < 1e-6, "on the grid"
    assert query["e"][0].split(",") == [d["id"] for d in body["dots"]]
    assert f"{lat:.4f}" not in body["link"] and f"{lon:.4f}" not in body["link"]
    assert str(lat) not in caplog.text and str(lon) not in caplog.text


def test_openapi_documents_the_wijkgram(web: Client) -> None:
    schema = web.get("/schema/openapi.json").json()
    operation = schema["paths"]["/api/v1/wijkgram"]["post"]
    assert "image/svg+xml" in operation["description"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    ref = body["$ref"].rsplit("/", 1)[-1]
    assert {"lat", "lon", "profile", "minutes", "needs", "entries"} <= set(
        schema["components"]["schemas"][ref]["properties"]
    )


def test_without_a_network_the_times_are_crow_fly_and_said_so(web: Client, no_network: Engine) -> None:
    lat, lon = _home(no_network)
    body = web.post("/api/v1/wijkgram", json={"lat": lat, "lon": lon}).json()
    assert body["crow_fly"] is True and body["network_available"] is False
    assert all(d["method"] in (None, "crow_fly") for d in body["dots"]), body["dots"]
    with Session(no_network) as s:
        assert s.execute(text("SELECT count(*) FROM service WHERE status = 'active'")).scalar_one() > 0
