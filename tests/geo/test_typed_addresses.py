"""Addresses as people type them: abbreviations, house-number forms, order, towns, conflicts.

Each test is one cause found by throwing unseen typed addresses at the chain (2026-12-04): the
offline table is the real Centrum extract, PDOK answers are documents in its recorded shape.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import Engine

from geo.geocoding.offline import OfflineGeocoder
from geo.geocoding.parse import fold, number_keys, parse_query, street_keys
from geo.geocoding.pdok import read_answer
from importers.table_values import city_in_address, first_house_number


def _exact_label(geocoder: OfflineGeocoder, typed: str) -> str | None:
    exact = geocoder.lookup(typed).exact
    return exact.label.split(",")[0] if exact else None


@pytest.mark.parametrize(
    ("typed", "street"),
    [
        ("Nw. Herengr. 7", "Nieuwe Herengracht 7"),
        ("O.Z. Voorburgwal 100", "Oudezijds Voorburgwal 100"),
        ("NZ Voorburgwal 147", "Nieuwezijds Voorburgwal 147"),
        ("St. Antoniesbreestraat 16", "Sint Antoniesbreestraat 16"),
        ("Kloveniersburgw. 14", "Kloveniersburgwal 14"),
        ("Warmoesstr 141", "Warmoesstraat 141"),
    ],
)
def test_abbreviated_streets_are_spelt_out(centrum_engine: Engine, typed: str, street: str) -> None:
    """An abbreviation spelt out to a street that exists is that street, and the label says so."""
    assert _exact_label(OfflineGeocoder(centrum_engine), typed) == street


def test_an_abbreviation_of_no_street_finds_nothing_exact(centrum_engine: Engine) -> None:
    """'Pr. Hendrikkade' spells out to streets not in the table: no point, never another street."""
    answer = OfflineGeocoder(centrum_engine).lookup("Pr. Hendrikkade 100")
    assert answer.usable is None
    assert street_keys("Pr. Hendrikkade")[1:] == ("prins hendrikkade", "prinses hendrikkade")


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("Nieuwmarkt 12 hs", "12-H"),
        ("Nieuwmarkt 12huis", "12-H"),
        ("Nieuwmarkt 12bg", "12-H"),
        ("Nieuwmarkt 12 III", "12-3"),
        ("Nieuwmarkt 12-1", "12-1"),
    ],
)
def test_house_number_forms_name_the_same_door(centrum_engine: Engine, typed: str, number: str) -> None:
    """'hs', 'huis' and 'bg' are BAG's H; a floor in Roman numerals is its digit; '12-1' stays 12-1."""
    assert _exact_label(OfflineGeocoder(centrum_engine), typed) == f"Nieuwmarkt {number}"


def test_another_way_of_writing_never_is_another_number() -> None:
    """The widened keys are the same door only: never the bare number, never another floor."""
    assert number_keys("12 hs") == ("12-hs", "12-h")
    assert number_keys("12 III") == ("12-iii", "12-3")
    assert "12" not in number_keys("12-1") and "121" not in number_keys("12-1")
    assert number_keys("12A-2") == ("12-a2",)


@pytest.mark.parametrize(
    "typed", ["Warmoesstraat 141 Ede", "Damstraat 3 Oss", "Spui 1 Den Haag", "Warmoesstraat 141 Rotterdam"]
)
def test_a_town_after_the_number_is_a_town(centrum_engine: Engine, typed: str) -> None:
    """A short town name ('Ede', 'Oss', 'Den ...') is not a house-number addition: it keeps the
    address out of Amsterdam."""
    parsed = parse_query(typed)
    assert parsed.place is not None and parsed.number is not None and parsed.number.isdigit()
    answer = OfflineGeocoder(centrum_engine).lookup(typed)
    assert answer.usable is None and answer.reason == "outside_area"


@pytest.mark.parametrize(
    "typed", ["1012 JB Amsterdam, Warmoesstraat 141", "Amsterdam, Warmoesstraat 141", "1012jb 141"]
)
def test_postcode_or_town_first_is_read(centrum_engine: Engine, typed: str) -> None:
    """The part with the street and number is the address, wherever it is written."""
    assert _exact_label(OfflineGeocoder(centrum_engine), typed) == "Warmoesstraat 141"


@pytest.mark.parametrize(
    ("typed", "not_this"), [("Warmoesstraat 141, 1017 AA", "amstel"), ("Amstel 12, 1012 JB", "warmoesstraat")]
)
def test_a_postcode_of_another_street_is_a_question(
    centrum_engine: Engine, typed: str, not_this: str
) -> None:
    """Street and postcode disagree: no point (the postcode used to win, on the wrong street);
    the typed street's address is offered to choose."""
    answer = OfflineGeocoder(centrum_engine).lookup(typed)
    assert answer.usable is None
    assert answer.candidates and all(c.match_type == "fuzzy" for c in answer.candidates)
    assert fold(answer.candidates[0].label).startswith(fold(typed.split(",")[0]))
    assert not any(fold(c.label).startswith(not_this) for c in answer.candidates[:1])


def test_a_postcode_area_alone_is_its_middle(centrum_engine: Engine) -> None:
    """'1012' is the 4-digit postcode area: its middle, said to be a postcode, not an address."""
    answer = OfflineGeocoder(centrum_engine).lookup("1012")
    assert answer.usable is not None and answer.usable.precision == "postcode"
    assert answer.usable.match_type == "postcode" and answer.usable.label.startswith("1012")
    assert OfflineGeocoder(centrum_engine).lookup("1102").reason == "outside_area"


def test_a_street_is_one_street_though_some_addresses_lack_a_town(centrum_engine: Engine) -> None:
    """'Kalverstraat' is one street, not a choice between 'Kalverstraat' and 'Kalverstraat, Amsterdam'."""
    answer = OfflineGeocoder(centrum_engine).lookup("Kalverstraat")
    assert answer.usable is not None and answer.usable.label == "Kalverstraat, Amsterdam"


def test_invisible_characters_are_not_spaces(centrum_engine: Engine) -> None:
    """A zero-width space pasted into a street name is dropped, not read as a space."""
    assert _exact_label(OfflineGeocoder(centrum_engine), "Warmoes\u200bstraat 141") == "Warmoesstraat 141"


def _doc(street: str, number: str, postcode: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "adres", "weergavenaam": f"{street} {number}, {postcode} Amsterdam", "straatnaam": street,
        "huis_nlt": number, "postcode": postcode, "woonplaatsnaam": "Amsterdam", "gemeentenaam": "Amsterdam",
        "centroide_ll": "POINT(4.8960 52.3740)", "score": 10.0, **extra,
    }  # fmt: skip


def _answer(query: str, doc: dict[str, Any]) -> Any:
    return read_answer({"response": {"numFound": 1, "docs": [doc]}}, query)


def test_pdok_abbreviations_and_short_names_are_the_street() -> None:
    """PDOK's Oudezijds Voorburgwal is 'O.Z. Voorburgwal'; its `straatnaam_verkort` counts too."""
    assert _answer("O.Z. Voorburgwal 100", _doc("Oudezijds Voorburgwal", "100", "1012GH")).exact is not None
    huygens = _doc("1e Constantijn Huygensstraat", "20", "1054BR", straatnaam_verkort="1e Const Huygensstr")
    assert _answer("1e Const Huygensstr 20", huygens).exact is not None
    assert _answer("Nieuwmarkt 12 hs", _doc("Nieuwmarkt", "12-H", "1012CR")).exact is not None


@pytest.mark.parametrize("typed", ["Warmoesstraat 141, 1017 AA", "Warmoesstraat 141 Ede"])
def test_pdok_another_postcode_or_town_is_no_point(typed: str) -> None:
    """PDOK's Warmoesstraat 141 in 1012 JB Amsterdam is a guess for another postcode or town."""
    answer = _answer(typed, _doc("Warmoesstraat", "141", "1012JB"))
    assert answer.usable is None and [c.match_type for c in answer.candidates] == ["fuzzy"]


def test_import_keeps_the_town_of_the_address_cell(centrum_engine: Engine) -> None:
    """A partner list without a city column: 'Spui 1, Den Haag' is not placed on Amsterdam's Spui,
    and a floor ('13-3') is not cut to a range's first number."""
    from importers.records import PlaceRecord
    from importers.table import row_to_record

    geocoder = OfflineGeocoder(centrum_engine)
    for address in ("Spui 1, Den Haag", "Warmoesstraat 141 Rotterdam"):
        row = {"name": "Taalcafé", "address": address, "phone": "020 626 1234"}
        record = row_to_record(row, source="test", line=2, geocoder=geocoder, categories=set())
        assert not isinstance(record, PlaceRecord), address
    assert city_in_address("Damrak 1\n1012 LG Amsterdam") == "Amsterdam"
    assert city_in_address("Recht Boomssloot 52-H") is None
    assert (first_house_number("13-3"), first_house_number("111-113")) == ("13-3", "111")
    row = {"name": "Buurtkamer", "address": "Nw. Herengr. 13-3", "phone": "020 626 1234"}
    placed = row_to_record(row, source="test", line=3, geocoder=geocoder, categories=set())
    assert isinstance(placed, PlaceRecord)


def test_a_typed_address_is_not_logged_nor_echoed(
    client: TestClient[Any], centrum_engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    """The new ways of reading an address (spelt out, conflicting, a near miss) log nothing of it,
    at DEBUG, and a 'not found' does not repeat it. (The support form: tests/web/test_pages.py.)"""
    client.app.state.geocoder = OfflineGeocoder(centrum_engine)
    caplog.set_level(logging.DEBUG)
    spelt = client.post("/api/v1/geocode", json={"q": "Nw. Herengr. 13-3"})
    conflict = client.post("/api/v1/geocode", json={"q": "Warmoesstraat 141, 1017 AA"})
    missing = client.post("/api/v1/geocode", json={"q": "Nergensstraatweg 999"})
    assert spelt.json()["match_type"] == "exact" and conflict.json()["lat"] is None
    assert missing.status_code == 404 and "nergensstraat" not in missing.text.lower()
    for word in ("herengr", "warmoes", "nergensstraat", "1017"):
        assert word not in caplog.text.lower(), word


@pytest.mark.parametrize(
    "typed", ["Nieuwmarkt t/o 15", "Nieuwmarkt bij 15", "Nieuwmarkt 15 ong.", "Nieuwmarkt 15, ca."]
)
def test_near_an_address_is_confirmed_not_placed(centrum_engine: Engine, typed: str) -> None:
    """'t/o 15', 'bij 15', '15 ong.': Nieuwmarkt 15 is offered to confirm, never the exact point;
    an importer makes a draft with it as the candidate."""
    from importers.records import PlaceRecord
    from importers.table import row_to_record

    geocoder = OfflineGeocoder(centrum_engine)
    answer = geocoder.lookup(typed)
    assert answer.usable is None and answer.exact is None
    assert [c.label.split(",")[0] for c in answer.candidates] == ["Nieuwmarkt 15"]
    assert answer.candidates[0].match_type == "house_number_nearest"
    row = {"name": "Buurtkamer", "address": typed, "phone": "020 626 1234"}
    draft = row_to_record(row, source="test", line=2, geocoder=geocoder, categories=set())
    assert not isinstance(draft, PlaceRecord)
    assert parse_query("bij de Albert Heijn").approximate is False


@pytest.mark.parametrize(
    "typed", ["Warmoes\x00straat", "Warmoesstraat 141 Amster\x00dam", "Warmoesstraat 141 🏠"]
)
def test_control_characters_and_emoji_are_no_part_of_an_address(centrum_engine: Engine, typed: str) -> None:
    """A NUL byte once reached PostgreSQL (a 500, and the address in the error log); emoji once
    hid the number. Both are dropped before reading."""
    answer = OfflineGeocoder(centrum_engine).lookup(typed)
    assert answer.usable is not None and answer.usable.label.startswith("Warmoesstraat")


def test_database_errors_do_not_carry_the_values_of_the_statement(database_url: str) -> None:
    """The app's engine hides statement values in errors, so an error log cannot hold an address.

    (PostgreSQL's own message may still quote a value it cannot cast: typed text must never
    reach such a cast, which is why the geocoders clean it first.)"""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from directory.db.engine import pooled_engine

    engine = pooled_engine(database_url, 1, pre_ping=False)
    try:
        with pytest.raises(DBAPIError) as info, engine.connect() as conn:
            conn.execute(text("SELECT CAST(:street AS text), 1 / 0"), {"street": "Warmoesstraat 141"})
        assert "Warmoesstraat" not in str(info.value)
    finally:
        engine.dispose()


@pytest.mark.parametrize("typed", ["Warmoesstraat 141, A'dam", "Warmoesstraat 141 Amsterdam-Centrum"])
def test_other_names_of_the_town_are_the_town(centrum_engine: Engine, typed: str) -> None:
    """ "A'dam" and 'Amsterdam-Centrum' are Amsterdam, not 'outside the area we know'."""
    assert _exact_label(OfflineGeocoder(centrum_engine), typed) == "Warmoesstraat 141"


def test_pdok_den_haag_is_s_gravenhage() -> None:
    """BAG calls the town 's-Gravenhage: 'Spui 1, Den Haag' is exact there, and 'Spui 1, Amsterdam'
    is not answered with The Hague's Spui."""
    hague = {
        **_doc("Spui", "1", "2511BL"),
        "woonplaatsnaam": "'s-Gravenhage",
        "gemeentenaam": "'s-Gravenhage",
    }
    assert _answer("Spui 1, Den Haag", hague).exact is not None
    assert _answer("Spui 1, Amsterdam", hague).usable is None


def test_y_for_ij_is_offered_not_used(centrum_engine: Engine) -> None:
    """'Zeedyk 117' offers Zeedijk 117 to choose (it found nothing before); it is never the point."""
    answer = OfflineGeocoder(centrum_engine).lookup("Zeedyk 117")
    assert answer.usable is None
    assert [c.label.split(",")[0] for c in answer.candidates][:1] == ["Zeedijk 117"]
    assert answer.candidates[0].match_type == "fuzzy"
