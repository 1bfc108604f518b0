"""Geocoders: PDOK against its recorded real responses, the offline table against the real extract."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import osmium
import pytest
from sqlalchemy import Engine

from directory.errors import InvalidInputError, ServiceUnavailableError
from geo.geocoding.chain import ChainGeocoder, check_query
from geo.geocoding.offline import OfflineGeocoder
from geo.geocoding.parse import parse_query
from geo.geocoding.pdok import PdokLocatieserver, parse_point

BASE = "https://api.pdok.nl/bzk/locatieserver/search/v3_1"


def _samples(shared_data: Path) -> Path:
    return shared_data / "api-samples" / "pdok-locatieserver"


def _replay(shared_data: Path, seen: list[httpx.Request]) -> httpx.Client:
    """A client whose transport answers each endpoint with its recorded real response file."""
    folder = _samples(shared_data)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        endpoint = request.url.path.rsplit("/", 1)[-1]
        if endpoint == "lookup" and not request.url.params.get("id"):
            return httpx.Response(400, content=(folder / "pypi-locatieserver-0.6.0_error.json").read_bytes(),
                                  headers={"content-type": "application/json"})  # fmt: skip
        body = (folder / f"pypi-locatieserver-0.6.0_{endpoint}.json").read_bytes()
        return httpx.Response(200, content=body, headers={"content-type": "application/json"})

    return httpx.Client(transport=httpx.MockTransport(handler))


def test_pdok_free_search_reads_the_recorded_response(shared_data: Path) -> None:
    """free: the first document's centroide_ll, weergavenaam and type become the result."""
    seen: list[httpx.Request] = []
    pdok = PdokLocatieserver(BASE, client=_replay(shared_data, seen))
    result = pdok.geocode("Bolstraat 1 Utrecht")
    recorded = json.loads((_samples(shared_data) / "pypi-locatieserver-0.6.0_free.json").read_text())[
        "response"
    ]["docs"][0]
    assert result is not None
    assert (result.lon, result.lat) == parse_point(recorded["centroide_ll"])
    assert result.label == recorded["weergavenaam"]
    assert result.precision == "address"
    assert result.postcode == recorded["postcode"]
    assert result.source == "pdok"
    assert seen[0].url.path.endswith("/free")
    assert seen[0].url.params["q"] == "Bolstraat 1 Utrecht"


def test_pdok_suggest_then_lookup(shared_data: Path) -> None:
    """suggest gives ids without points; lookup of one gives the point."""
    seen: list[httpx.Request] = []
    pdok = PdokLocatieserver(BASE, client=_replay(shared_data, seen))
    suggestions = pdok.suggest("utreg")
    assert len(suggestions) == 10 and all("centroide_ll" not in s for s in suggestions)
    found = pdok.lookup_id(suggestions[0]["id"])
    recorded = json.loads((_samples(shared_data) / "pypi-locatieserver-0.6.0_lookup.json").read_text())
    assert found is not None
    assert found.label == recorded["response"]["docs"][0]["weergavenaam"]
    assert seen[-1].url.params["id"] == suggestions[0]["id"]


def test_pdok_solr_error_names_the_parameter(shared_data: Path) -> None:
    """The recorded Solr 400 becomes a 422-style error; the message comes from PDOK."""
    pdok = PdokLocatieserver(BASE, client=_replay(shared_data, []))
    with pytest.raises(InvalidInputError) as info:
        pdok._get("lookup", {})
    assert "Verplichte parameter 'id' ontbreekt" in info.value.message


def test_pdok_down_is_service_unavailable_without_the_query() -> None:
    """A network failure says which service is down and never repeats the address."""

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    pdok = PdokLocatieserver(BASE, client=httpx.Client(transport=httpx.MockTransport(refuse)))
    with pytest.raises(ServiceUnavailableError) as info:
        pdok.geocode("Recht Boomssloot 52")
    assert "Boomssloot" not in info.value.message


def _osm_address(pbf: Path, street: str, number: str) -> tuple[float, float]:
    for obj in osmium.FileProcessor(str(pbf), osmium.osm.NODE).with_filter(
        osmium.filter.KeyFilter("addr:housenumber")
    ):
        assert isinstance(obj, osmium.osm.Node)
        if obj.tags.get("addr:street") == street and obj.tags.get("addr:housenumber") == number:
            return obj.location.lat, obj.location.lon
    raise AssertionError(f"{street} {number} not in the extract")


def test_offline_street_and_number(centrum_engine: Engine, centrum_pbf: Path) -> None:
    """'Recht Boomssloot 52' (De Boomspijker) lands on that address point of the extract."""
    lat, lon = _osm_address(centrum_pbf, "Recht Boomssloot", "52")
    result = OfflineGeocoder(centrum_engine).geocode("Recht Boomssloot 52")
    assert result is not None and result.precision == "address" and result.source == "offline"
    assert (result.lat, result.lon) == pytest.approx((lat, lon), abs=1e-6)
    assert result.label.startswith("Recht Boomssloot 52")


def test_offline_typos_and_case(centrum_engine: Engine) -> None:
    """Case and accents do not matter; a misspelt street is offered as a candidate, not used."""
    exact = OfflineGeocoder(centrum_engine).geocode("Recht Boomssloot 52")
    lower = OfflineGeocoder(centrum_engine).geocode("RECHT BOÖMSSLOOT 52")
    misspelt = OfflineGeocoder(centrum_engine).lookup("recht boomsloot 52")
    assert exact is not None and lower is not None and (lower.lat, lower.lon) == (exact.lat, exact.lon)
    assert misspelt.usable is None
    assert [(c.lat, c.lon) for c in misspelt.candidates][:1] == [(exact.lat, exact.lon)]


def test_offline_postcode_and_postcode_with_number(centrum_engine: Engine) -> None:
    """'1011 EC' is the middle of its addresses; '1011 EC 52'-style input finds the address itself."""
    geocoder = OfflineGeocoder(centrum_engine)
    boomspijker = geocoder.geocode("Recht Boomssloot 52")
    assert boomspijker is not None and boomspijker.postcode
    postcode = boomspijker.postcode
    area = geocoder.geocode(f"{postcode[:4]} {postcode[4:]}")
    assert area is not None and area.precision == "postcode" and area.postcode == postcode
    # The middle of one postcode lies within a few hundred metres of each of its addresses.
    assert abs(area.lat - boomspijker.lat) < 0.003 and abs(area.lon - boomspijker.lon) < 0.005
    exact = geocoder.geocode(f"{postcode[:4]} {postcode[4:].lower()} 52")
    assert exact is not None and (exact.lat, exact.lon) == (boomspijker.lat, boomspijker.lon)


def test_offline_outside_the_extract_is_none(centrum_engine: Engine) -> None:
    """Zuidoost addresses ('1102 AB 12', 'Bijlmerdreef 101') are not in the Centrum table."""
    geocoder = OfflineGeocoder(centrum_engine)
    assert geocoder.geocode("1102 AB 12") is None
    assert geocoder.geocode("Bijlmerdreef 101") is None


def test_chain_falls_back_to_offline_when_pdok_is_down(centrum_engine: Engine) -> None:
    """PDOK unreachable: the offline table answers, and PDOK is skipped on the next query."""
    calls: list[httpx.Request] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        raise httpx.ConnectError("no route", request=request)

    pdok = PdokLocatieserver(BASE, client=httpx.Client(transport=httpx.MockTransport(refuse)))
    chain = ChainGeocoder([pdok, OfflineGeocoder(centrum_engine)])
    first = chain.geocode("Recht Boomssloot 52")
    second = chain.geocode("Recht Boomssloot 52")
    assert first is not None and first.source == "offline" and second == first
    assert len(calls) == 1


def test_chain_prefers_pdok_when_it_answers(shared_data: Path, centrum_engine: Engine) -> None:
    """With PDOK up, its answer wins (here: the recorded response)."""
    chain = ChainGeocoder(
        [PdokLocatieserver(BASE, client=_replay(shared_data, [])), OfflineGeocoder(centrum_engine)]
    )
    answer = chain.lookup("Bolstraat 1, Utrecht")
    assert answer.source == "pdok" and answer.place is not None and answer.place.source == "pdok"


@pytest.mark.parametrize(
    ("query", "postcode", "number", "street"),
    [
        ("1102 AB 12", "1102AB", "12", None),
        ("1102ab12", "1102AB", "12", None),
        ("1011 EC", "1011EC", None, None),
        ("Recht Boomssloot 52", None, "52", "Recht Boomssloot"),
        ("Bijlmerdreef 101", None, "101", "Bijlmerdreef"),
        ("Bijlmerdreef 101-H, Amsterdam", None, "101-H", "Bijlmerdreef"),
        ("2e Jan Steenstraat 5", None, "5", "2e Jan Steenstraat"),
    ],
)
def test_dutch_queries_parse(
    query: str, postcode: str | None, number: str | None, street: str | None
) -> None:
    """Postcode, number and street come out of what people type."""
    parsed = parse_query(query)
    assert (parsed.postcode, parsed.number, parsed.street) == (postcode, number, street)


def test_query_check_names_q() -> None:
    """Empty or huge queries are refused naming `q`."""
    for bad in ("", " ", "x" * 201):
        with pytest.raises(InvalidInputError) as info:
            check_query(bad)
        assert info.value.field == "q"
