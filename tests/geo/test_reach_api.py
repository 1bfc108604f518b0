"""The reach, group and geocode API on the real Centrum network, with entries made through EntryService."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from litestar.testing import TestClient
from shapely.geometry import Point, shape
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from directory.services.entries import Actor, EntryService
from geo.geocoding.offline import OfflineGeocoder
from tests import factories

NIEUWMARKT = Point(4.900297, 52.372446)  # by the Waag
WATERLOOPLEIN = Point(4.901145, 52.369490)  # Sint Antoniesluis
DAM = factories.DAM
BOOMSPIJKER = factories.BOOMSPIJKER


@pytest.fixture
def places(centrum_engine: Engine, session: Session) -> dict[str, str]:
    """Three locations in Centrum: De Boomspijker (near Nieuwmarkt), one at the Dam, one at Waterlooplein."""
    service = EntryService(session, Actor("test"))
    ids = {}
    for key, point in (("boomspijker", BOOMSPIJKER), ("dam", DAM), ("waterlooplein", WATERLOOPLEIN)):
        ids[key] = str(service.create("location", factories.location(point, name=key)).id)
    session.commit()
    return ids


def _reach(client: TestClient[Any], point: Point, **params: Any) -> dict[str, Any]:
    response = client.get("/api/v1/reach", params={"lat": point.y, "lon": point.x, **params})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_reach_lists_reachable_locations_fastest_first(
    client: TestClient[Any], places: dict[str, str]
) -> None:
    """5 minutes from Nieuwmarkt reaches De Boomspijker, not the Dam; 15 minutes reaches both, in order."""
    short = _reach(client, NIEUWMARKT, minutes=5)
    names = [r["name"] for r in short["locations"]]
    assert "boomspijker" in names and "dam" not in names
    assert all(r["method"] == "network" and r["minutes"] <= 5 for r in short["locations"])
    long = _reach(client, NIEUWMARKT, minutes=15)
    minutes = [r["minutes"] for r in long["locations"]]
    assert minutes == sorted(minutes)
    assert {"boomspijker", "dam"} <= {r["name"] for r in long["locations"]}
    assert long["origin_on_network"] is True
    assert "OpenStreetMap" in long["attribution"]


def test_isochrone_covers_the_origin_and_grows_with_time(
    client: TestClient[Any], places: dict[str, str]
) -> None:
    """The polygon holds the origin and the reached locations; 10 minutes covers more than 5."""
    five = _reach(client, NIEUWMARKT, minutes=5)
    ten = _reach(client, NIEUWMARKT, minutes=10)
    area5, area10 = shape(five["isochrone"]["geometry"]), shape(ten["isochrone"]["geometry"])
    assert area5.contains(NIEUWMARKT)
    assert area10.area > area5.area
    for reached in five["locations"]:
        assert area5.buffer(0.0003).contains(Point(reached["lon"], reached["lat"]))


def test_wheelchair_reaches_no_more_than_walking(client: TestClient[Any], places: dict[str, str]) -> None:
    """Same origin and time: the wheelchair area is no larger than the walking area."""
    walk = shape(_reach(client, WATERLOOPLEIN, minutes=5)["isochrone"]["geometry"])
    chair = shape(_reach(client, WATERLOOPLEIN, minutes=5, profile="wheelchair")["isochrone"]["geometry"])
    assert chair.area < walk.area


def test_origin_off_the_network_is_marked_crow_fly(client: TestClient[Any], places: dict[str, str]) -> None:
    """An origin far from any street of the network: a circle, and crow-fly times, said so."""
    body = _reach(client, Point(4.9085, 52.3790), minutes=60)  # in the IJ, no street within reach
    assert body["origin_on_network"] is False
    assert body["isochrone"]["properties"]["method"] == "crow_fly"
    assert body["locations"] and all(r["method"] == "crow_fly" for r in body["locations"])


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"lon": 4.9}, "lat"),
        ({"lat": 52.37}, "lon"),
        ({"lat": 95, "lon": 4.9}, "lat/lon"),
        ({"lat": 52.37, "lon": 4.9, "profile": "bike"}, "profile"),
        ({"lat": 52.37, "lon": 4.9, "minutes": 0}, "minutes"),
        ({"lat": 52.37, "lon": 4.9, "minutes": 61}, "minutes"),
        ({"lat": "abc", "lon": 4.9}, "lat"),
    ],
)
def test_reach_validation_names_the_parameter(
    client: TestClient[Any], centrum_engine: Engine, params: dict[str, Any], field: str
) -> None:
    """Bad input gets a 422 that names what to fix."""
    response = client.get("/api/v1/reach", params=params)
    assert response.status_code == 422
    assert field in {e["field"] for e in response.json()["errors"]}


def _group(client: TestClient[Any], origins: list[tuple[str, Point]], **extra: Any) -> Any:
    return client.post(
        "/api/v1/reach/group",
        json={"origins": [{"label": label, "lat": p.y, "lon": p.x} for label, p in origins], **extra},
    )


def test_group_ranks_by_the_slowest_member_and_names_who_cannot(
    client: TestClient[Any], places: dict[str, str], engine: Engine
) -> None:
    """Venues for all come first by worst time; a venue out of someone's reach names that member."""
    origins = [
        ("Anna", NIEUWMARKT),
        ("Bram", Point(4.9010, 52.3718)),
        ("Cem", Point(4.9025, 52.3712)),
        ("Dewi", Point(4.8995, 52.3730)),
        ("Eva", WATERLOOPLEIN),
    ]
    with engine.connect() as conn:
        revisions_before = conn.execute(text("SELECT count(*) FROM revision")).scalar_one()
    response = _group(client, origins, minutes=8)
    assert response.status_code == 200, response.text
    body = response.json()
    assert [m["label"] for m in body["members"]] == ["Anna", "Bram", "Cem", "Dewi", "Eva"]
    venues = body["venues"]
    by_name = {v["name"]: v for v in venues}
    assert by_name["boomspijker"]["reachable_for_all"] is True
    worst = [v["worst_minutes"] for v in venues if v["reachable_for_all"]]
    assert worst == sorted(worst)
    for venue in venues:
        late = {m["label"] for m in venue["members"] if m["minutes"] is None or m["minutes"] > 8}
        assert set(venue["unreachable_for"]) == late
        if venue["reachable_for_all"]:
            assert venue["worst_minutes"] == max(m["minutes"] for m in venue["members"])
    if "dam" in by_name:
        assert by_name["dam"]["unreachable_for"]
    # Labels and origins are used, not stored.
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM revision")).scalar_one() == revisions_before


@pytest.mark.parametrize("count", [1, 16])
def test_group_size_is_checked(client: TestClient[Any], centrum_engine: Engine, count: int) -> None:
    """A group query needs 2..15 origins; the error names `origins`."""
    response = _group(client, [(f"m{i}", NIEUWMARKT) for i in range(count)])
    assert response.status_code == 422
    assert any(e["field"].startswith("origins") for e in response.json()["errors"])


def test_geocode_offline_and_no_logging(
    client: TestClient[Any], centrum_engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    """The geocode endpoint answers from the offline table, and neither query nor point reaches the logs."""
    client.app.state.geocoder = OfflineGeocoder(centrum_engine)
    caplog.set_level(logging.DEBUG)
    response = client.get("/api/v1/geocode", params={"q": "Recht Boomssloot 52"})
    assert response.status_code == 200
    body = response.json()
    assert body["precision"] == "address" and body["source"] == "offline"
    assert response.headers["cache-control"] == "no-store"
    reach = client.get("/api/v1/reach", params={"lat": body["lat"], "lon": body["lon"], "minutes": 5})
    assert reach.status_code == 200
    assert "Boomssloot" not in caplog.text and f"{body['lat']:.4f}" not in caplog.text
    assert client.get("/api/v1/geocode", params={"q": ""}).json()["errors"][0]["field"] == "q"
    assert client.get("/api/v1/geocode", params={"q": "Nergensstraat 999"}).status_code == 404


def test_profiles_endpoint_lists_the_tunable_parameters(client: TestClient[Any]) -> None:
    """Every profile is listed with its speed and rules."""
    profiles = {p["name"]: p for p in client.get("/api/v1/reach/profiles").json()}
    assert set(profiles) == {"walking", "slow_walking", "wheelchair", "scootmobiel"}
    assert profiles["walking"]["speed_kmh"] == 4.5 and profiles["wheelchair"]["steps_allowed"] is False


def test_category_narrows_the_results(client: TestClient[Any], places: dict[str, str]) -> None:
    """Only locations of the asked category are returned."""
    everything = _reach(client, NIEUWMARKT, minutes=15)
    assert everything["locations"]
    category = everything["locations"][0]["category"]
    same = _reach(client, NIEUWMARKT, minutes=15, category=category)
    other = _reach(client, NIEUWMARKT, minutes=15, category="no_such_category")
    assert len(same["locations"]) == len(everything["locations"])
    assert other["locations"] == []


def test_warm_up_prepares_every_profile(centrum_engine: Engine) -> None:
    """warm_up loads the graph once and builds all four profiles (other tests may add tuned ones)."""
    from geo.reach import get_reachability, warm_up

    assert warm_up(centrum_engine) is True
    assert set(get_reachability(centrum_engine).graph._profiles) >= {
        "walking",
        "slow_walking",
        "wheelchair",
        "scootmobiel",
    }
