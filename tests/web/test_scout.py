"""The scouting map's outlines, reachable-area form and group meeting-place finder, on the real network."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from directory.services.venues import VenueFilters, find_venues
from geo.geocoding.offline import OfflineGeocoder
from geo.network.profiles import PROFILES
from geo.reach import Origin, get_reachability
from tests.web.conftest import csrf_token
from web.travel import whole_minutes

Client = TestClient[Any]
#: Three starting points in the demo area: a postcode, an address and coordinates (the Dam).
MEMBERS = ["1011 EC", "Recht Boomssloot 52", "52.37310, 4.89323"]
VENUE = re.compile(
    r'<li class="card venue">\s*<h3><a href="/entries/location/([0-9a-f-]+)">([^<]+)</a></h3>\s*<dl>\s*'
    r'(?:<dt>[^<]+</dt><dd class="travel">([^<]*)</dd>)?\s*'
    r'(?:<dt>[^<]+</dt><dd class="members">([^<]*)</dd>)?',
)


def listed(html: str) -> list[tuple[str, str, str, str]]:
    """(location id, name, travel text, per-member minutes) per card of the map's list."""
    return VENUE.findall(html)


def post_reach(web: Client, place: str, mode: str = "walk", minutes: int | str = 10, **extra: str) -> Any:
    data = {"_csrf_token": csrf_token(web, "/kaart"), "place": place, "mode": mode, "minutes": str(minutes)}
    return web.post("/kaart/bereik", data={**data, **extra})


def post_group(web: Client, origins: list[str], mode: str = "walk", minutes: int | str = 10) -> Any:
    data = {"_csrf_token": csrf_token(web, "/kaart"), "origins": "\n".join(origins), "mode": mode}
    return web.post("/kaart/groep", data={**data, "minutes": str(minutes)})


def point_of(engine: Engine, text_: str) -> Origin:
    match = re.fullmatch(r"([\d.]+), ([\d.]+)", text_)
    if match:
        return Origin(float(match[1]), float(match[2]))
    place = OfflineGeocoder(engine).geocode(text_)
    assert place is not None, text_
    return Origin(place.lat, place.lon)


def test_map_has_stadsdeel_wijk_and_buurt_outline_layers(
    web: Client, demo_db: Engine, boundaries: Path
) -> None:
    with demo_db.connect() as conn:
        buurt = conn.execute(
            text(
                "SELECT b.name FROM geo_boundary b JOIN location l ON l.buurt_code = b.code "
                "WHERE b.level = 'buurt' AND l.name = 'De Boomspijker'"
            )
        ).scalar_one()
    page = web.get("/kaart")
    assert page.status_code == 200
    document = page.text
    for layer in ("Stadsdelen", "Wijken", "Buurten"):
        assert layer in document, layer
    # The plain map fetches each level when it is switched on (GET /api/v1/map/outlines/{level}).
    assert "/api/v1/map/outlines/stadsdeel" in document and "/api/v1/map/outlines/buurt" in document
    assert len(page.content) < 150_000, f"the outlines are not in the page ({len(page.content)} bytes)"
    names = {
        level: {f["properties"]["label"] for f in web.get(f"/api/v1/map/outlines/{level}").json()["features"]}
        for level in ("stadsdeel", "wijk", "buurt")
    }
    assert "Centrum" in names["stadsdeel"] and buurt in names["buurt"] and len(names["wijk"]) > 50
    assert web.get("/api/v1/map/outlines/provincie").status_code == 422
    english = web.get("/kaart?lang=en").text
    assert "Districts (stadsdelen)" in english and "What can you reach from an address?" in english


def test_outline_names_are_escaped(demo_db: Engine, boundaries: Path) -> None:
    from tests.web.map_data import map_data, tooltips
    from web.i18n import Translator
    from web.pages.map import build_map

    with demo_db.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO geo_boundary (level, code, name, parent_code, source, geom) VALUES "
                "('stadsdeel', 'Z', '<script>alert(1)</script>`${x}`', NULL, 'test', "
                "ST_Multi(ST_MakeEnvelope(4.90, 52.37, 4.901, 52.371, 4326)))"
            )
        )
    try:
        with Session(demo_db) as s:
            document = build_map(s, Translator("nl"), [], {}).document("Kaart", "nl")
    finally:
        with demo_db.begin() as conn:
            conn.execute(text("DELETE FROM geo_boundary WHERE code = 'Z'"))
    assert "<script>alert(1)</script>" not in document
    # The name travels as JSON data (map.js shows it with textContent): exactly as typed, never as HTML.
    assert "<script>alert(1)</script>`${x}`" in tooltips(map_data(document))


def test_reach_form_lists_the_places_inside_with_geos_minutes(
    web: Client, demo_db: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    response = post_reach(web, "1011 EC", mode="scootmobiel", minutes=6)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    origin = point_of(demo_db, "1011 EC")
    with Session(demo_db) as s:
        result = get_reachability(demo_db).reach(s, origin, PROFILES["scootmobiel"], 6)
    expected = [(r.location.id, whole_minutes(r.seconds)) for r in result.locations]
    cards = listed(response.text)
    assert [c[0] for c in cards] == [e[0] for e in expected], "the places inside, quickest first"
    assert len(cards) > 0
    with demo_db.connect() as conn:
        active = conn.execute(text("SELECT count(*) FROM location WHERE status = 'active'")).scalar_one()
    assert len(cards) < active, "places outside the area are left out"
    for (_, _, travel, _), (_, minutes) in zip(cards, expected, strict=True):
        assert re.search(rf"\b{minutes} minu", travel), travel
    assert "Bereikbaar in 6 minuten met scootmobiel" in response.text, "the area is a layer of the map"
    assert f"{len(cards)} plekken bereik je in 6 minuten met scootmobiel" in response.text
    assert "1011 EC" not in caplog.text


def test_reach_form_keeps_the_map_filters(web: Client, demo_db: Engine) -> None:
    everything = {c[0] for c in listed(post_reach(web, "Recht Boomssloot 52", minutes=20).text)}
    kitchen = {c[0] for c in listed(post_reach(web, "Recht Boomssloot 52", minutes=20, kitchen="true").text)}
    with Session(demo_db) as s:
        with_kitchen = {str(loc.id) for loc in find_venues(s, VenueFilters(kitchen=True))}
    assert kitchen == everything & with_kitchen
    assert 0 < len(kitchen) < len(everything)


def test_group_finder_lists_only_places_everyone_reaches_by_the_slowest(web: Client, demo_db: Engine) -> None:
    with demo_db.connect() as conn:
        before = conn.execute(text("SELECT count(*) FROM revision")).scalar_one()
    response = post_group(web, MEMBERS, minutes=12)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    origins = [point_of(demo_db, m) for m in MEMBERS]
    with Session(demo_db) as s:
        venues, _ = get_reachability(demo_db).group(s, origins, PROFILES["walking"], 12)
    for_all = [v for v in venues if not v.unreachable_for]
    assert for_all and len(for_all) < len(venues), "some places are too far for someone"
    cards = listed(response.text)
    assert [c[0] for c in cards] == [v.location.id for v in for_all]
    for (_, _, travel, members), venue in zip(cards, for_all, strict=True):
        assert f"langste reistijd ongeveer {whole_minutes(venue.worst_seconds)} minu" in travel
        assert members == " · ".join(f"{i}: {whole_minutes(s)} min" for i, s in enumerate(venue.seconds, 1))
    worst = [v.worst_seconds for v in for_all]
    assert worst == sorted(worst)
    assert f"{len(for_all)} plekken kan iedereen (3 mensen) bereiken" in response.text
    assert 'id="group-partly"' in response.text
    for member in MEMBERS:
        assert member not in response.text.split("</textarea>")[1], "members are shown by number only"
    with demo_db.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM revision")).scalar_one() == before


@pytest.mark.parametrize(
    ("origins", "minutes", "error_id", "message"),
    [
        (MEMBERS[:1], 10, "error-origins", "Vul 2 tot 15 adressen in, één per regel. Nu staan er 1."),
        (MEMBERS * 5 + ["1011 EC"], 10, "error-origins", "Nu staan er 16."),
        (
            [MEMBERS[0], "Nergensstraat 999", MEMBERS[1]],
            10,
            "error-origins",
            "Deze regels vinden we niet: 2.",
        ),
        (["1011 EC", "0.0, 0.0"], 10, "error-origins", "Deze regels vinden we niet: 2."),
        (MEMBERS, 0, "group-error-minutes", "Kies een aantal minuten van 1 tot 60."),
        (MEMBERS, 61, "group-error-minutes", "Kies een aantal minuten van 1 tot 60."),
    ],
)
def test_group_finder_bad_input_gets_a_dutch_message(
    web: Client, origins: list[str], minutes: int, error_id: str, message: str
) -> None:
    response = post_group(web, origins, minutes=minutes)
    assert response.status_code == 422
    assert f'id="{error_id}"' in response.text and message in response.text
    assert '<details class="scout no-print" id="group" open>' in response.text


def test_reach_form_bad_input_gets_a_dutch_message(web: Client) -> None:
    unknown = post_reach(web, "Nergensstraat 999")
    assert unknown.status_code == 422 and "Dit adres bestaat niet" in unknown.text
    too_long = post_reach(web, "1011 EC", minutes=90)
    assert too_long.status_code == 422 and 'id="reach-error-minutes"' in too_long.text
    bad_mode = post_reach(web, "1011 EC", mode="bike")
    assert bad_mode.status_code == 422 and "Kies hoe je reist" in bad_mode.text


def test_without_a_network_the_forms_say_travel_times_are_unavailable(
    web: Client, no_network: Engine
) -> None:
    for response in (post_reach(web, "1011 EC"), post_group(web, MEMBERS)):
        assert response.status_code == 503
        assert (
            'id="scout-error"' in response.text
            and "de kaart met straten is nog niet geladen" in response.text
        )
        assert "/api/v1/map/places" in response.text, "the map itself still works (it loads its places)"


def test_addresses_are_not_stored(web: Client, demo_db: Engine) -> None:
    def row_counts() -> dict[str, int]:
        with demo_db.connect() as conn:
            tables = conn.execute(
                text(
                    "SELECT tablename FROM pg_tables "
                    "WHERE schemaname = 'public' AND tablename <> 'spatial_ref_sys'"
                )
            ).scalars()
            return {t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one() for t in tables}

    before = row_counts()
    assert post_reach(web, "Recht Boomssloot 52").status_code == 200
    assert post_group(web, MEMBERS).status_code == 200
    assert row_counts() == before
