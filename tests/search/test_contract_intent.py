"""The contract for plain questions: words that mean a filter are that filter, on both real engines.

Each case reads a question through the search service (directory/search/intent.py) and
checks the filters it was read as, the words left as text, and the entries found: the
same on PostgreSQL and Meilisearch.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, text

from directory.clock import AMSTERDAM, today_amsterdam
from directory.search.areas import AreaNames
from directory.search.base import SearchEngine
from directory.search.query import SearchQuery, SearchResult
from directory.search.service import SearchService
from directory.settings import SearchSettings
from geo.service_areas import read_area

ENGINES = ["postgresql", "meilisearch"]
#: A Wednesday afternoon within the documents' exact-hours window: the free meal is tonight.
WEDNESDAY = today_amsterdam() + timedelta(days=(2 - today_amsterdam().weekday()) % 7 or 7)
NOW = datetime(WEDNESDAY.year, WEDNESDAY.month, WEDNESDAY.day, 15, 10, tzinfo=AMSTERDAM)


@pytest.fixture(scope="module")
def outlines(engine: Engine, contract_data: tuple[dict[str, str], SearchSettings]) -> Iterator[None]:
    """Oost and Zuidoost in the boundary table (the shipped outlines), with a wijk named like a place."""
    rows = [
        ("stadsdeel", "M", "Oost", read_area("Oost").geometry),
        ("stadsdeel", "T", "Zuidoost", read_area("Zuidoost").geometry),
        ("wijk", "MA", "Dapperbuurt", read_area("Oost").geometry),
    ]
    with engine.begin() as conn:
        for level, code, name, geometry in rows:
            conn.execute(
                text(
                    "INSERT INTO geo_boundary (level, code, name, source, geom) VALUES (:l, :c, :n, 'test', "
                    "ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(:g), 4326)))"
                ),
                {"l": level, "c": code, "n": name, "g": __import__("json").dumps(geometry)},
            )
    yield
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM geo_boundary WHERE source = 'test'"))


@pytest.fixture(params=ENGINES)
def ask(
    request: pytest.FixtureRequest,
    engine: Engine,
    engines: dict[str, SearchEngine],
    contract_data: tuple[dict[str, str], SearchSettings],
    outlines: None,
) -> Any:
    """Ask a question on one engine through the service; returns the result and the hits' short names."""
    ids, _ = contract_data
    names = {v: k for k, v in ids.items()}
    service = SearchService(engines[request.param], areas=AreaNames(engine))

    def search(q: str, **kwargs: Any) -> tuple[SearchResult, list[str]]:
        result = service.search(SearchQuery(q=q, page_size=100, **kwargs), interpret=True, now=NOW)
        assert result.engine == request.param
        return result, [names[h["entry_id"]] for h in result.hits]

    search.engine = request.param  # type: ignore[attr-defined]
    return search


def read(result: SearchResult) -> list[tuple[str, str]]:
    """The filters a question was read as, as (kind, value)."""
    return [(f.kind, f.value) for f in result.interpreted.filters]


INTENT_CASES = [
    # question, the filters it is read as, the text left, the entries found (exactly)
    ("gratis eten", [("cost", "free")], "eten", {"maaltijd"}),
    ("kost niets wandelen", [("cost", "free")], "wandelen", {"wandel"}),
    ("goedkoop koffie", [("cost", "low")], "koffie", {"koffie", "jaren", "ghana"}),
    (
        "rolstoel buurthuis",
        [("accessibility", "step_free")],
        "buurthuis",
        {"boomspijker", "dapper", "stamtafel_oost"},
    ),
    ("drempelvrij bieb", [("accessibility", "step_free")], "bieb", {"oba"}),
    (
        "zaal huren",
        [("facilities", "room")],
        "",
        {"boomspijker", "dapper", "stamtafel_oost", "stamtafel_centrum", "maaltijd"},
    ),
    (
        "ruimte voor een groep met keuken",
        [("facilities", "room"), ("facilities", "kitchen")],
        "",
        {"boomspijker", "stamtafel_centrum", "maaltijd"},
    ),
    ("stamtafel oost", [("area", "stadsdeel:M")], "stamtafel", {"stamtafel_oost"}),
    ("stamtafel in de Dapperbuurt", [("area", "wijk:MA")], "stamtafel", {"stamtafel_oost"}),
    ("maatje Zuidoost", [("area", "stadsdeel:T")], "maatje", {"maatje_zo"}),
    ("koffie voor ouderen", [("target_groups", "older_people")], "koffie", {"koffie"}),
    ("Arabisch", [("languages", "ar")], "", {"moskee", "taalmaatje"}),
    ("vanavond eten", [("open", NOW.strftime("%Y-%m-%dT17:00"))], "eten", {"maaltijd"}),
    (
        "taalmaatje morgenmiddag",
        [("open", (NOW + timedelta(days=1)).strftime("%Y-%m-%dT12:00"))],
        "taalmaatje",
        {"taalmaatje"},
    ),
    (
        "taalmaatje maandag",
        [("open", (NOW + timedelta(days=5)).strftime("%Y-%m-%dT08:00"))],
        "taalmaatje",
        set(),
    ),
]


@pytest.mark.parametrize(("q", "filters", "rest", "expected"), INTENT_CASES)
def test_intent_words_become_filters(
    ask: Any, q: str, filters: list[tuple[str, str]], rest: str, expected: set[str]
) -> None:
    """Cost, time, step-free, facilities, area, target group and language words filter; the rest is text."""
    result, hits = ask(q)
    assert read(result) == filters, f"{ask.engine}: {q!r} read as {read(result)}"
    assert result.interpreted.text == rest
    assert set(hits) == expected, f"{ask.engine}: {q!r} found {hits}"


def test_filters_hold_on_every_hit(ask: Any) -> None:
    """What a chip promises is true of every hit: cost, step-free, kitchen, area, language."""
    result, _ = ask("gratis rolstoel keuken")
    assert result.hits and all(h["cost_eur"] == 0 for h in result.hits)
    assert all("step_free" in h["accessibility"] and "kitchen" in h["facilities"] for h in result.hits)
    result, _ = ask("oost")
    assert result.hits and all(h["stadsdeel_code"] == "M" or h["service_area_name"] for h in result.hits)
    result, _ = ask("in het Turks of Arabisch")
    assert {f.value for f in result.interpreted.filters} == {"tr", "ar"}
    assert result.hits and all({"tr", "ar"} & set(h["languages"]) for h in result.hits)


def test_time_words(ask: Any) -> None:
    """Vanavond counts from now (a Wednesday afternoon), zaterdag is the coming Saturday, nu open is now."""
    result, hits = ask("vanavond")
    (tonight,) = result.interpreted.filters
    assert tonight.spans[0][0].hour == 17 and tonight.spans[0][1].hour == 23
    assert "maaltijd" in hits and "koffie" not in hits and "boomspijker" not in hits  # closes at 17:00
    _, saturday = ask("zaterdag")
    assert {"dapper", "jaren", "oba"} <= set(saturday) and "boomspijker" not in saturday
    result, now_open = ask("nu open")
    assert read(result) == [("open", "now")] and "boomspijker" in now_open and "ghana" not in now_open


def test_explicit_parameters_win(ask: Any) -> None:
    """A language or time given as a parameter overrules the question's words, which are then not searched."""
    result, hits = ask("arabisch", filters={"languages": ("en",)})
    assert read(result) == [] and result.interpreted.text == ""
    assert set(hits) == {"ghana"}
    result, hits = ask("gratis koffie", max_cost=10)
    assert read(result) == [("cost", "free")] and "koffie" not in hits


def test_a_chip_removed_leaves_the_rest_of_the_question(ask: Any) -> None:
    """Each filter knows the question without its own words (the link behind a chip's ×)."""
    result, _ = ask("gratis stamtafel in oost")
    assert [result.interpreted.without(i) for i in range(2)] == ["stamtafel in oost", "gratis stamtafel"]


def test_words_without_a_meaning_stay_text_and_closed_entries_stay_out(ask: Any) -> None:
    """'stamtafel' is text; the closed Stamtafel is never found, whatever filter."""
    result, hits = ask("stamtafel")
    assert read(result) == [] and "gesloten" not in hits
    _, hits = ask("stamtafel oost")
    assert "gesloten" not in hits


def test_both_engines_agree_on_every_question(
    engine: Engine,
    engines: dict[str, SearchEngine],
    contract_data: tuple[dict[str, str], SearchSettings],
    outlines: None,
) -> None:
    """Hit for hit (as sets), for every case above and a few combinations."""
    questions = [q for q, *_ in INTENT_CASES] + ["gratis oost", "zaterdag voor ouderen", "rolstoel zaal"]
    found: dict[str, list[set[str]]] = {}
    for name, each in engines.items():
        service = SearchService(each, areas=AreaNames(engine))
        found[name] = [
            {h["id"] for h in service.search(SearchQuery(q=q, page_size=100), interpret=True, now=NOW).hits}
            for q in questions
        ]
    assert found["postgresql"] == found["meilisearch"]
