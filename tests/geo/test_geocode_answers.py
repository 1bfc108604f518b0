"""Geocode answers that never lie: exact first, honest fallbacks, near misses and ambiguity as choices.

PDOK is replayed from its recorded real response (shared data) and from the small answers in
fixtures/pdok/ built in the same shape (see its README); the offline table is the real Centrum extract.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar.testing import TestClient
from sqlalchemy import Engine

from geo.geocoding.base import GeocodeAnswer, GeocodeResult
from geo.geocoding.chain import ChainGeocoder
from geo.geocoding.offline import OfflineGeocoder
from geo.geocoding.parse import fold
from geo.geocoding.pdok import PdokLocatieserver, read_answer
from geo.geocoding.schema import GeocodeResponse

BASE = "https://api.pdok.nl/bzk/locatieserver/search/v3_1"
FIXTURES = Path(__file__).parent / "fixtures" / "pdok"


def _recorded(shared_data: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (
            shared_data / "api-samples" / "pdok-locatieserver" / "pypi-locatieserver-0.6.0_free.json"
        ).read_text()
    )
    return data


def _fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    return data


def _pdok(body: dict[str, Any], seen: list[httpx.Request] | None = None) -> PdokLocatieserver:
    """A PDOK client whose `free` answers `body`."""

    def handler(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        return httpx.Response(200, json=body)

    return PdokLocatieserver(BASE, client=httpx.Client(transport=httpx.MockTransport(handler)))


# --- PDOK -------------------------------------------------------------------------------------------


def test_pdok_asks_for_several_rows_and_reads_the_recorded_exact_address(shared_data: Path) -> None:
    """The recorded answer for Bolstraat 1 is an exact match; PDOK is asked for more than one row."""
    seen: list[httpx.Request] = []
    answer = _pdok(_recorded(shared_data), seen).lookup("Bolstraat 1, Utrecht")
    assert int(seen[0].url.params["rows"]) >= 5
    assert answer.place is not None and answer.place.match_type == "exact"
    assert answer.place.label == "Bolstraat 1, 3581WS Utrecht"
    assert answer.num_found == 165 and not answer.ambiguous and answer.source == "pdok"


def test_pdok_another_number_on_the_right_street_is_nearest_not_exact(shared_data: Path) -> None:
    """Bolstraat 2 answered with Bolstraat 1: the street is right, the number is not."""
    answer = _pdok(_recorded(shared_data)).lookup("Bolstraat 2 Utrecht")
    assert answer.place is not None and answer.place.match_type == "house_number_nearest"
    assert answer.exact is None, "an importer would not place this"


def test_pdok_another_street_is_only_a_candidate(shared_data: Path) -> None:
    """Asked for 'Boldersstraat 1', PDOK's Bolstraat 1 is a guess: no point, one candidate."""
    answer = _pdok(_recorded(shared_data)).lookup("Boldersstraat 1")
    assert answer.usable is None and not answer.ambiguous
    assert [c.match_type for c in answer.candidates] == ["fuzzy"]


def test_pdok_same_address_in_two_towns_is_ambiguous() -> None:
    """'Achtergracht 72' is in Amsterdam (Nieuwe Achtergracht) and in Weesp: the person picks."""
    answer = _pdok(_fixture("free-achtergracht-72.json")).lookup("Achtergracht 72")
    assert answer.ambiguous and answer.usable is None
    assert {c.city for c in answer.candidates} == {"Amsterdam", "Weesp"}
    body = GeocodeResponse.of(answer).model_dump()
    assert body["ambiguous"] is True and body["lat"] is None and body["lon"] is None
    assert len(body["candidates"]) == 2


def test_pdok_the_town_typed_settles_it() -> None:
    """'Achtergracht 72, Weesp': only the Weesp address fits, and it is exact."""
    answer = _pdok(_fixture("free-achtergracht-72.json")).lookup("Achtergracht 72, Weesp")
    assert answer.place is not None and answer.place.match_type == "exact"
    assert answer.place.city == "Weesp"


def test_pdok_empty_answer_is_no_such_address() -> None:
    """numFound 0: nothing, for the reason 'not_found' (PDOK knows the whole country)."""
    answer = _pdok(_fixture("free-empty.json")).lookup("Nergensstraat 999")
    assert not answer.found and answer.reason == "not_found" and answer.num_found == 0


def test_pdok_mixed_types_street_postcode_and_addresses() -> None:
    """A street name alone finds the street; with its number the address; with the postcode the postcode."""
    mixed = _fixture("free-mixed-types.json")
    street = read_answer(mixed, "Bolstraat")
    assert street.place is not None and street.place.match_type == "street"
    assert street.place.precision == "street"
    address = read_answer(mixed, "Bolstraat 3")
    assert address.place is not None and address.place.match_type == "exact"
    assert address.place.label.startswith("Bolstraat 3,")
    postcode = read_answer(mixed, "3581 WS")
    assert postcode.place is not None and postcode.place.match_type == "postcode"


def test_chain_says_the_offline_table_answered_because_pdok_was_down(centrum_engine: Engine) -> None:
    """PDOK unreachable: the table answers and the answer says PDOK was skipped."""

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("no route", request=request)

    pdok = PdokLocatieserver(BASE, client=httpx.Client(transport=httpx.MockTransport(refuse)))
    answer = ChainGeocoder([pdok, OfflineGeocoder(centrum_engine)]).lookup("Recht Boomssloot 52")
    assert answer.source == "offline" and answer.skipped == ("pdok",)
    assert answer.place is not None and answer.place.match_type == "exact"


def test_chain_pdok_no_such_address_is_not_turned_into_outside_area(centrum_engine: Engine) -> None:
    """When PDOK answered 'nothing', that reason stands even though the table says 'outside'."""
    chain = ChainGeocoder([_pdok(_fixture("free-empty.json")), OfflineGeocoder(centrum_engine)])
    answer = chain.lookup("1102 AB 12")
    assert answer.reason == "not_found" and answer.source == "pdok"


# --- the offline table -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "not_this"),
    [
        ("Damrak 1", "damraksteeg"),
        ("Rembrandtpark 1", "rembrandtplein"),
        ("Koekoeksstraat 16", "koestraat"),
    ],
)
def test_offline_never_swaps_the_street(centrum_engine: Engine, typed: str, not_this: str) -> None:
    """The three substitutions of issue 17: a similar street is at most a candidate, never the point."""
    answer = OfflineGeocoder(centrum_engine).lookup(typed)
    place = answer.usable
    if place is not None:
        assert fold(place.label).startswith(fold(typed.rsplit(" ", 1)[0]) + " ")
        assert place.match_type in ("exact", "house_number_nearest")
    assert all(c.match_type == "fuzzy" for c in answer.candidates if fold(c.label).startswith(not_this)), (
        "a similar street is only ever a guess"
    )
    assert answer.exact is None or not fold(answer.exact.label).startswith(not_this)


def test_offline_near_miss_gives_candidates_to_choose(centrum_engine: Engine) -> None:
    """'Koekoeksstraat 16' is not in the table: up to 5 candidates, Koestraat among them, no point."""
    answer = OfflineGeocoder(centrum_engine).lookup("Koekoeksstraat 16")
    assert answer.usable is None
    assert 1 <= len(answer.candidates) <= 5
    assert any(fold(c.label).startswith("koestraat 16") for c in answer.candidates)
    body = GeocodeResponse.of(answer).model_dump()
    assert body["match_type"] == "fuzzy" and body["lat"] is None


def test_offline_postcode_is_a_strong_key(centrum_engine: Engine) -> None:
    """'1011 EC 52', '1011ec52' and 'Recht Boomssloot 52' are one address; '1011EC' is its postcode."""
    geocoder = OfflineGeocoder(centrum_engine)
    by_street = geocoder.lookup("Recht Boomssloot 52").exact
    assert by_street is not None and by_street.postcode == "1011EC"
    for typed in ("1011 EC 52", "1011ec52", "1011 ec, 52"):
        found = geocoder.lookup(typed).exact
        assert found is not None, typed
        assert (found.lat, found.lon) == (by_street.lat, by_street.lon)
    area = geocoder.lookup("1011EC").usable
    assert area is not None and area.match_type == "postcode" and area.precision == "postcode"


def test_offline_unknown_number_on_a_known_street_is_nearest(centrum_engine: Engine) -> None:
    """'Recht Boomssloot 9999': the street is right, the number is not; the point is on that street."""
    answer = OfflineGeocoder(centrum_engine).lookup("Recht Boomssloot 9999")
    assert answer.place is not None and answer.place.match_type == "house_number_nearest"
    assert answer.place.label.startswith("Recht Boomssloot ")
    assert answer.exact is None


def test_offline_street_and_town_alone(centrum_engine: Engine) -> None:
    """A street without a number is the street's middle; a town name is the town's middle."""
    geocoder = OfflineGeocoder(centrum_engine)
    street = geocoder.lookup("Recht Boomssloot").usable
    assert street is not None and street.match_type == "street"
    town = geocoder.lookup("Amsterdam").usable
    assert town is not None and town.match_type == "town" and town.precision == "place"


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("1102 AB 12", "outside_area"),  # Zuidoost: a postcode area the Centrum table does not cover
        ("Recht Boomssloot 52, Utrecht", "outside_area"),
        ("!!", "unreadable"),
        ("12", "unreadable"),
        ("Nergensstraatweg 999", "not_found"),
    ],
)
def test_offline_says_why_nothing_was_found(centrum_engine: Engine, typed: str, reason: str) -> None:
    """Outside the area we know, we cannot read this, and no such address are three answers."""
    answer = OfflineGeocoder(centrum_engine).lookup(typed)
    assert not answer.found and answer.reason == reason


def test_answer_rules_hold() -> None:
    """An ambiguous answer has two candidates and no point; a fuzzy match is never the point."""
    a = GeocodeResult(52.0, 4.0, "A 1", "address", "t", match_type="exact")
    b = GeocodeResult(52.1, 4.1, "B 1", "address", "t", match_type="exact")
    with pytest.raises(ValueError, match="ambiguous"):
        GeocodeAnswer(source="t", place=a, candidates=(a, b), ambiguous=True)
    with pytest.raises(ValueError, match="fuzzy"):
        GeocodeAnswer(source="t", place=GeocodeResult(52.0, 4.0, "A", "address", "t", match_type="fuzzy"))
    assert GeocodeAnswer.choose("t", [a, b]).ambiguous
    assert GeocodeAnswer.choose("t", [a]).usable is None


# --- the API -----------------------------------------------------------------------------------------


def test_geocode_api_answers_every_field(
    client: TestClient[Any], centrum_engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    """An exact address: label, point, precision, match_type, source, ambiguous and candidates."""
    client.app.state.geocoder = OfflineGeocoder(centrum_engine)
    caplog.set_level(logging.DEBUG)
    body = client.get("/api/v1/geocode", params={"q": "Recht Boomssloot 52"}).json()
    assert {"label", "lat", "lon", "precision", "match_type", "source", "ambiguous", "candidates"} <= set(
        body
    )
    assert body["match_type"] == "exact" and body["ambiguous"] is False and body["lat"] is not None
    assert body["candidates"][0]["label"] == body["label"]
    assert "Boomssloot" not in caplog.text


def test_geocode_api_near_miss_and_reasons(client: TestClient[Any], centrum_engine: Engine) -> None:
    """A near miss is 200 with candidates and no point; nothing found is 404 or 422 with the reason."""
    client.app.state.geocoder = OfflineGeocoder(centrum_engine)
    near = client.get("/api/v1/geocode", params={"q": "Koekoeksstraat 16"})
    assert near.status_code == 200
    assert near.json()["lat"] is None and near.json()["match_type"] == "fuzzy" and near.json()["candidates"]
    outside = client.get("/api/v1/geocode", params={"q": "1102 AB 12"})
    assert outside.status_code == 404 and outside.json()["reason"] == "outside_area"
    missing = client.get("/api/v1/geocode", params={"q": "Nergensstraatweg 999"})
    assert missing.status_code == 404 and missing.json()["reason"] == "not_found"
    unreadable = client.get("/api/v1/geocode", params={"q": "!!"})
    assert unreadable.status_code == 422 and unreadable.json()["errors"][0]["field"] == "q"


# --- imports -----------------------------------------------------------------------------------------


def test_import_rows_are_placed_only_on_an_exact_address(centrum_engine: Engine) -> None:
    """A partner-list row is placed on an exact match only; a near miss or another number becomes a
    draft, and the geocoder's candidates travel with it as a problem the broker sees."""
    from importers.records import PlaceRecord
    from importers.table import row_to_record

    geocoder = OfflineGeocoder(centrum_engine)
    placed = row_to_record(
        {"name": "De Boomspijker", "address": "Recht Boomssloot 52", "phone": "020 626 1234"},
        source="test", line=2, geocoder=geocoder, categories=set(),
    )  # fmt: skip
    exact = geocoder.lookup("Recht Boomssloot 52").exact
    assert exact is not None and isinstance(placed, PlaceRecord)
    assert (placed.lat, placed.lon) == (exact.lat, exact.lon)
    for address in ("Koekoeksstraat 16", "Recht Boomssloot 9999", "Rembrandtpark 1"):
        draft = row_to_record(
            {"name": "Taalcafé", "address": address, "phone": "020 626 1234"},
            source="test", line=3, geocoder=geocoder, categories=set(),
        )  # fmt: skip
        assert not isinstance(draft, PlaceRecord), address
        assert draft.fields["status"] == "draft"
        candidates = [p for p in draft.problems if p.code == "address_candidates"]
        assert candidates, address
        if address == "Koekoeksstraat 16":
            assert "Koestraat 16" in candidates[0].value
