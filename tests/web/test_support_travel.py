"""Support nearby with real travel time: minutes from geo's Reachability, the crow-fly fallback, bad input."""

from __future__ import annotations

import re
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from directory.services.entries import Actor, EntryService
from geo.geocoding.offline import OfflineGeocoder
from geo.network.profiles import PROFILES
from geo.reach import Origin, get_reachability
from tests import factories
from tests.web.conftest import csrf_token
from web.travel import whole_minutes

Client = TestClient[Any]
ALL_NEEDS = ("practical", "company", "information", "peers", "language", "money", "activity")
CARD = re.compile(
    r'<li class="card hit">\s*<h3><a href="/entries/service/([0-9a-f-]+)">.*?'
    r"<dt>(?:Reistijd|Travel time)</dt><dd>([^<]*)</dd>",
    re.S,
)


def search(web: Client, address: str, mode: str = "walk", minutes: int | str = 15, **extra: str) -> Any:
    data = {
        "_csrf_token": csrf_token(web, "/steun"),
        "address": address,
        "mode": mode,
        "minutes": str(minutes),
    }
    data.update(extra or {f"need_{n}": "on" for n in ALL_NEEDS})
    return web.post("/steun/zoeken", data=data)


def shown(html: str) -> dict[str, str]:
    """Service id -> the travel text of its card (the first card when it answers several needs)."""
    found: dict[str, str] = {}
    for service_id, travel in CARD.findall(html):
        found.setdefault(service_id, travel)
    return found


def expected_minutes(engine: Engine, lat: float, lon: float, profile: str, minutes: int) -> dict[str, int]:
    """Service id -> whole minutes to its quickest location, straight from geo (not from the page)."""
    with Session(engine) as session:
        result = get_reachability(engine).reach(session, Origin(lat, lon), PROFILES[profile], minutes)
        seconds = {r.location.id: r.seconds for r in result.locations}
        rows = session.execute(
            text(
                "SELECT sl.service_id::text, sl.location_id::text FROM service_at_location sl "
                "JOIN service s ON s.id = sl.service_id WHERE s.status = 'active'"
            )
        ).all()
    best: dict[str, float] = {}
    for service_id, location_id in rows:
        if location_id in seconds:
            best[service_id] = min(best.get(service_id, float("inf")), seconds[location_id])
    return {service_id: whole_minutes(s) for service_id, s in best.items()}


def coming_to(engine: Engine, lat: float, lon: float) -> set[str]:
    with engine.connect() as conn:
        return set(
            conn.execute(
                text(
                    "SELECT id::text FROM service WHERE status = 'active' AND "
                    "ST_Covers(service_area, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326))"
                ),
                {"lat": lat, "lon": lon},
            ).scalars()
        )


@pytest.mark.parametrize(
    ("mode", "profile", "minutes"), [("walk", "walking", 12), ("wheelchair", "wheelchair", 8)]
)
def test_minutes_on_the_page_are_geos_travel_times(
    web: Client, demo_db: Engine, mode: str, profile: str, minutes: int
) -> None:
    place = OfflineGeocoder(demo_db).geocode("1011 EC")
    assert place is not None
    response = search(web, "1011 EC", mode=mode, minutes=minutes)
    assert response.status_code == 200, response.text
    cards = shown(response.text)
    visiting = coming_to(demo_db, place.lat, place.lon)
    expected = expected_minutes(demo_db, place.lat, place.lon, profile, minutes)
    timed = {sid: travel for sid, travel in cards.items() if sid not in visiting}
    assert set(timed) == set(expected), "exactly the services reachable in time over the streets"
    assert expected, "the demo has places within reach"
    for service_id, travel in timed.items():
        number = int(re.search(r"(\d+) minu", travel)[1])  # type: ignore[index]
        assert number == expected[service_id], travel
        assert number <= minutes
    assert all(cards[sid] == "Komt bij je thuis in dit gebied" for sid in visiting & set(cards))


def test_a_place_close_as_the_crow_flies_but_far_by_street_is_left_out(web: Client, demo_db: Engine) -> None:
    place = OfflineGeocoder(demo_db).geocode("1011 EC")
    assert place is not None
    origin, walking, minutes = Origin(place.lat, place.lon), PROFILES["walking"], 3
    crow_reach_m = minutes * 60 * walking.speed_ms
    routing = get_reachability(demo_db)
    with demo_db.connect() as conn:
        nodes = conn.execute(
            text(
                "SELECT ST_Y(geom), ST_X(geom), ST_Distance(geom::geography, "
                "ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography) AS d FROM geo_network_node "
                "WHERE ST_DWithin(geom::geography, "
                "ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography, :r) "
                "ORDER BY d"
            ),
            {"lat": place.lat, "lon": place.lon, "r": crow_reach_m * 0.9},
        ).all()
    times = [
        (lat, lon, routing.travel_time(origin, (lat, lon), walking, minutes)[0]) for lat, lon, _ in nodes
    ]
    far = next(((lat, lon) for lat, lon, s in times if s > minutes * 60 + 30), None)
    near = next(((lat, lon) for lat, lon, s in times if s < minutes * 60 - 30), None)
    assert far and near, "Centrum has a street corner across the water from 1011 EC"
    with Session(demo_db) as s, s.begin():
        entries = EntryService(s, Actor("test"))
        ids = {}
        for key, (lat, lon) in (("over het water", far), ("om de hoek", near)):
            loc: Any = entries.create("location", factories.location(name=key, lat=lat, lon=lon))
            ids[key] = entries.create(
                "service", factories.service(name=f"Koffie {key}", location_ids=[str(loc.id)])
            ).id
    response = search(web, "1011 EC", minutes=minutes, need_company="on")
    assert response.status_code == 200
    cards = shown(response.text)
    assert str(ids["om de hoek"]) in cards
    assert str(ids["over het water"]) not in cards, "within the crow-fly radius, but not over the streets"


def test_without_a_network_the_page_says_it_falls_back_to_crow_fly(web: Client, no_network: Engine) -> None:
    response = search(web, "1011 EC", minutes=10)
    assert response.status_code == 200, response.text
    assert 'id="crow-fly-notice"' in response.text and "in een rechte lijn" in response.text
    assert "over de straat" not in response.text
    cards = shown(response.text)
    timed = [t for t in cards.values() if "minu" in t]
    assert timed and all("(geschat in een rechte lijn)" in t for t in timed)
    assert all(int(re.search(r"(\d+) minu", t)[1]) <= 10 for t in timed)  # type: ignore[index]


def test_the_handout_shows_the_same_minutes(web: Client) -> None:
    results = search(web, "Recht Boomssloot 52", minutes=10)
    assert results.status_code == 200
    cards = shown(results.text)
    form = dict(
        re.findall(
            r'<input type="hidden" name="([^"]+)" value="([^"]*)">',
            results.text.split("handout-form")[1].split("</form>")[0],
        )
    )
    handout = web.post("/steun/folder", data={**form, "_csrf_token": csrf_token(web, "/steun")})
    assert handout.status_code == 200
    places = re.findall(
        r'<section class="handout-place">\s*<h2>\d+\. ([^<]+)</h2>.*?'
        r"(?:<strong>Reistijd:</strong> ([^<]*)</p>|Komt bij je thuis)",
        handout.text,
        re.S,
    )
    assert places
    names = dict(re.findall(r'<a href="/entries/service/([0-9a-f-]+)">([^<]+)</a>', results.text))
    travel_by_name = {names[sid]: travel for sid, travel in cards.items()}
    for name, travel in places:
        if travel:
            assert travel_by_name[name] == travel, name


@pytest.mark.parametrize(
    ("fields", "error_id", "message"),
    [
        ({"minutes": "0"}, "error-minutes", "Kies een aantal minuten van 1 tot 60."),
        ({"minutes": "61"}, "error-minutes", "Kies een aantal minuten van 1 tot 60."),
        ({"minutes": "veel"}, "error-minutes", "Kies een aantal minuten van 1 tot 60."),
        ({"mode": "bike"}, "error-mode", "Kies hoe je reist"),
        ({"address": "Nergensstraat 999"}, "error-address", "Dit adres bestaat niet"),
    ],
)
def test_bad_input_gets_a_dutch_message_next_to_the_field(
    web: Client, fields: dict[str, str], error_id: str, message: str
) -> None:
    data = {"address": "1011 EC", "mode": "walk", "minutes": "15", **fields}
    response = search(
        web, data.pop("address"), mode=data.pop("mode"), minutes=data.pop("minutes"), need_company="on"
    )
    assert response.status_code == 422
    assert f'id="{error_id}"' in response.text and message in response.text


def test_the_page_offers_only_modes_with_a_travel_profile(web: Client) -> None:
    page = web.get("/steun").text
    modes = re.findall(r'<option value="(\w+)"', page.split('id="mode"')[1].split("</select>")[0])
    assert modes == ["walk", "slow_walk", "wheelchair", "scootmobiel"]


def test_offers_without_a_venue_say_how_they_reach_the_client(web: Client, demo_db: Engine) -> None:
    """The shipped list of area offers: city-wide ones say 'telefonisch' / 'in heel Amsterdam', no minutes."""
    from directory.demo import DEMO_DIR
    from importers.run import run_import
    from importers.table import Mapping_, TableReader
    from importers.vocabulary import Vocabulary

    with Session(demo_db) as session:
        reader = TableReader(
            DEMO_DIR / "aanbod-zonder-adres.csv",
            mapping=Mapping_(source="demo:aanbod"),
            vocabulary=Vocabulary.load(session),
        )
        report = run_import(session, list(reader), source="demo:aanbod", scope="demo")
        assert report.counts()["created"] == 6
        rows = session.execute(text("SELECT name, id::text FROM service WHERE source = 'demo:aanbod'"))
        ids: dict[str, str] = {str(name): str(entry_id) for name, entry_id in rows}
    response = search(web, "1011 EC")
    assert response.status_code == 200, response.text
    cards = shown(response.text)
    assert cards[ids["Geldvragen aan de telefoon"]] == "Telefonisch · In heel Amsterdam"
    assert cards[ids["Computerhulp online"]] == "Online · In heel Amsterdam"
    assert ids["Maatje aan huis Zuidoost"] not in cards  # serves Zuidoost, not the Nieuwmarkt
    assert ids["Burenhulp Oost"] not in cards
