"""One contract, two real engines: the same queries find the same entries on both."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import pytest
from dateutil.rrule import MONTHLY, TH, rrule
from shapely.geometry import Polygon
from sqlalchemy import Engine, text

from directory.clock import AMSTERDAM, today_amsterdam
from directory.search.base import SearchEngine
from directory.search.fields import FACETS
from directory.search.grid import tile_xy
from directory.search.query import BBox, Near, SearchQuery, SearchResult
from directory.settings import SearchSettings
from tests.search.conftest import WALK_CANCELLED, ZUIDOOST

ENGINES = ["postgresql", "meilisearch"]
DAM = (52.37310, 4.89323)


@pytest.fixture(params=ENGINES)
def run(
    request: pytest.FixtureRequest,
    engines: dict[str, SearchEngine],
    contract_data: tuple[dict[str, str], SearchSettings],
) -> Any:
    """Search on one engine; returns the result and the short names of the hits' entries."""
    ids, _ = contract_data
    names = {v: k for k, v in ids.items()}
    engine = engines[request.param]

    def search(**kwargs: Any) -> tuple[SearchResult, list[str]]:
        result = engine.search(SearchQuery(**{"page_size": 100, **kwargs}))
        return result, [names[h["entry_id"]] for h in result.hits]

    search.engine = request.param  # type: ignore[attr-defined]
    return search


def both(engines: dict[str, SearchEngine], ids: dict[str, str], **kwargs: Any) -> dict[str, list[str]]:
    """The hits' entry names per engine for one query."""
    names = {v: k for k, v in ids.items()}
    out = {}
    for name, engine in engines.items():
        result = engine.search(SearchQuery(**{"page_size": 100, **kwargs}))
        assert result.total == len(result.hits)
        out[name] = [names[h["entry_id"]] for h in result.hits]
    return out


TEXT_CASES = [
    # query, the entry that must come first, every entry that must be found (and nothing else)
    ("taalmaatje", "taalmaatje", {"taalmaatje"}),
    ("gratis eten", "maaltijd", {"maaltijd"}),
    ("buurthuis", None, {"boomspijker", "dapper", "stamtafel_oost"}),
    ("buurthius", None, {"boomspijker", "dapper"}),
    ("ghanese kerk", "ghana", {"ghana"}),
    ("wandelclub", "wandel", {"wandel"}),
    ("stamtafel oost", "stamtafel_oost", {"stamtafel_oost"}),
    ("stamtafl", None, {"stamtafel_oost", "stamtafel_centrum"}),
    ("moskee", "moskee", {"moskee", "mozes", "bijlmer"}),
    # "taalmaatje" is a "language café" in its English category label
    ("café", None, {"jaren", "koffie", "taalmaatje"}),
    ("cafe", None, {"jaren", "koffie", "taalmaatje"}),
    ("Taalmaatj", "taalmaatje", {"taalmaatje"}),
]


@pytest.mark.parametrize(("q", "first", "expected"), TEXT_CASES)
def test_text_queries_find_the_right_entries(run: Any, q: str, first: str | None, expected: set[str]) -> None:
    """Misspellings, accents, synonyms and prefixes find the intended entries, best first."""
    result, hits = run(q=q)
    assert set(hits) == expected, f"{run.engine}: {q!r} found {hits}"
    if first:
        assert hits[0] == first, f"{run.engine}: {q!r} ranked {hits}"
    assert result.engine == run.engine


def test_closed_entries_are_not_found(run: Any) -> None:
    """A closed service has no document."""
    _, hits = run(q="stamtafel")
    assert "gesloten" not in hits and {"stamtafel_oost", "stamtafel_centrum"} <= set(hits)


def test_same_entries_on_both_engines_for_every_text_case(
    engines: dict[str, SearchEngine], contract_data: tuple[dict[str, str], SearchSettings]
) -> None:
    """Whatever the expectations above, the two engines agree hit for hit (as sets)."""
    ids, _ = contract_data
    for q, _first, _expected in [*TEXT_CASES, ("kerk", None, None), ("ouderen koffie", None, None)]:
        found = both(engines, ids, q=q)
        assert set(found["postgresql"]) == set(found["meilisearch"]), q


def test_facet_counts_agree_and_match_filtered_totals(
    engines: dict[str, SearchEngine], contract_data: tuple[dict[str, str], SearchSettings]
) -> None:
    """Every facet: both engines count alike, and filtering on a value returns exactly its count."""
    counts = {name: e.search(SearchQuery(page_size=100)).facets for name, e in engines.items()}
    assert counts["postgresql"] == counts["meilisearch"]
    assert set(counts["postgresql"]) == set(FACETS)
    for facet, values in counts["postgresql"].items():
        assert values, f"facet {facet} has no values in the contract data"
        for value, count in values.items():
            for name, engine in engines.items():
                result = engine.search(SearchQuery(filters={facet: (value,)}, page_size=100))
                assert result.total == count, f"{name}: {facet}={value}"
                assert all(
                    value in (h[facet] if isinstance(h[facet], list) else [h[facet]]) for h in result.hits
                )


def test_facets_combine(run: Any) -> None:
    """Values of one facet are alternatives; different facets (and accessibility values) must all hold."""
    _, hits = run(filters={"category": ("stamtafel", "soup_kitchen")})
    assert set(hits) == {"stamtafel_oost", "stamtafel_centrum", "maaltijd"}
    _, hits = run(filters={"category": ("stamtafel", "soup_kitchen"), "stadsdeel_code": ("M",)})
    assert set(hits) == {"stamtafel_oost"}
    _, hits = run(filters={"accessibility": ("step_free", "accessible_toilet"), "kind": ("location",)})
    assert set(hits) == {"boomspijker", "oba"}


def test_max_cost(run: Any) -> None:
    """max_cost keeps entries at or under the amount; 0 means free; unknown cost is left out."""
    _, free = run(max_cost=0)
    assert {"taalmaatje", "maaltijd", "wandel", "ghana", "boomspijker", "jaren"} == set(free)
    _, cheap = run(max_cost=3.5)
    assert set(cheap) == set(free) | {"koffie", "stamtafel_oost", "stamtafel_centrum"}


def test_open_at(run: Any) -> None:
    """Open at a time: opening hours and recurring meetings, by hour of the week."""
    wednesday_evening = datetime(2026, 11, 25, 18, 0, tzinfo=AMSTERDAM)
    _, hits = run(open_at=wednesday_evening, filters={"kind": ("service",)})
    assert "maaltijd" in hits and "taalmaatje" not in hits and "koffie" not in hits
    thursday_afternoon = datetime(2026, 11, 26, 15, 0, tzinfo=AMSTERDAM)
    _, hits = run(open_at=thursday_afternoon, filters={"kind": ("service",)})
    assert "taalmaatje" in hits and "maaltijd" not in hits
    sunday_night = datetime(2026, 11, 29, 3, 0, tzinfo=AMSTERDAM)
    _, hits = run(open_at=sunday_night)
    assert hits == []


def test_open_at_a_monthly_meeting_on_its_day_only(run: Any) -> None:
    """The Stamtafel meets on the third Thursday: found then, not on the Thursday after."""
    today = datetime.combine(today_amsterdam(), time())
    third = rrule(MONTHLY, byweekday=TH(3), dtstart=today).after(today, inc=True)
    assert third is not None
    at = third.replace(hour=18, minute=30)
    _, hits = run(open_at=at, filters={"kind": ("service",)})
    assert "stamtafel_centrum" in hits
    _, hits = run(open_at=at + timedelta(weeks=1), filters={"kind": ("service",)})
    assert "stamtafel_centrum" not in hits
    # The weekly Thursday activity is there both weeks.
    _, hits = run(open_at=at.replace(hour=15) + timedelta(weeks=1), filters={"kind": ("service",)})
    assert "taalmaatje" in hits


def test_open_at_skips_a_cancelled_date(run: Any) -> None:
    """The walking group is cancelled one Tuesday: not open that morning, open the Tuesday after."""
    at = datetime.combine(WALK_CANCELLED, time(10, 30))
    _, hits = run(open_at=at, filters={"kind": ("service",)})
    assert "wandel" not in hits
    _, hits = run(open_at=at + timedelta(weeks=1), filters={"kind": ("service",)})
    assert "wandel" in hits


def test_radius(run: Any) -> None:
    """Within a radius: points inside, and services whose area covers the centre."""
    result, hits = run(near=Near(*DAM, radius_m=1000))
    assert "wandel" in hits  # service area covers the Dam
    assert "dapper" not in hits and "bijlmer" not in hits
    assert {"jaren", "boomspijker", "mozes"} <= set(hits)
    assert all(h["distance_m"] is None or h["distance_m"] <= 1000 for h in result.hits)


def test_services_whose_area_covers_the_address(run: Any) -> None:
    """Near a client's address in Zuidoost: the offers serving Zuidoost and the whole city, saying how."""
    result, hits = run(near=Near(*ZUIDOOST, radius_m=500))
    assert {"maatje_zo", "geldlijn", "bijlmer"} <= set(hits)
    by_name = dict(zip(hits, result.hits, strict=True))
    maatje, geldlijn = by_name["maatje_zo"], by_name["geldlijn"]
    assert (maatje["service_area_name"], maatje["delivery_modes"]) == ("Zuidoost", ["at_home"])
    assert (geldlijn["service_area_name"], geldlijn["delivery_modes"]) == ("Heel Amsterdam", ["phone"])
    assert maatje["distance_m"] is None and maatje["location_id"] is None
    assert by_name["bijlmer"]["delivery_modes"] == [] and by_name["bijlmer"]["service_area_name"] is None
    _, at_the_dam = run(near=Near(*DAM, radius_m=500))
    assert "geldlijn" in at_the_dam and "maatje_zo" not in at_the_dam
    _, by_area_name = run(q="zuidoost")
    assert "maatje_zo" in by_area_name


def test_bbox_and_polygon(run: Any) -> None:
    """A box and a polygon (an isochrone shape) select the same places when they cover the same ground."""
    _, boxed = run(bbox=BBox(52.360, 4.920, 52.370, 4.935))
    assert set(boxed) == {"dapper", "stamtafel_oost", "geldlijn"}  # the helpline serves the whole city
    triangle = Polygon([(4.89, 52.366), (4.91, 52.366), (4.90, 52.380)])
    _, inside = run(polygon=triangle)
    assert {"mozes", "boomspijker", "wandel"} <= set(inside)
    assert "oba" not in inside and "dapper" not in inside


def test_sort_by_distance_and_pagination(
    engines: dict[str, SearchEngine], contract_data: tuple[dict[str, str], SearchSettings]
) -> None:
    """Nearest first, identical order on both engines; pages cover the result exactly once."""
    ids, _ = contract_data
    near = Near(*DAM, radius_m=20_000)
    orders = both(engines, ids, near=near, sort="distance")
    # Entries at the same place tie; their order within the tie may differ.
    ranked = {
        name: [
            (round(h["distance_m"] or -1), h["id"])
            for h in e.search(SearchQuery(near=near, sort="distance", page_size=100)).hits
        ]
        for name, e in engines.items()
    }
    assert sorted(ranked["postgresql"]) == sorted(ranked["meilisearch"])
    assert [d for d, _ in ranked["postgresql"]] == [d for d, _ in ranked["meilisearch"]]
    assert set(orders["postgresql"]) == set(orders["meilisearch"])
    for engine in engines.values():
        result = engine.search(SearchQuery(near=near, sort="distance", page_size=100))
        distances = [h["distance_m"] for h in result.hits if h["distance_m"] is not None]
        assert distances == sorted(distances) and len(distances) >= 10
        pages: list[str] = []
        for page in range(1, -(-result.total // 3) + 1):
            part = engine.search(SearchQuery(near=near, sort="distance", page=page, page_size=3))
            assert part.total == result.total
            pages += [h["id"] for h in part.hits]
        assert pages == [h["id"] for h in result.hits]
    relevance = {}
    for name, e in engines.items():
        total = e.search(SearchQuery(q="stamtafel")).total
        relevance[name] = [
            h["id"]
            for page in range(1, total + 2)
            for h in e.search(SearchQuery(q="stamtafel", page=page, page_size=1)).hits
        ]
        assert len(set(relevance[name])) == len(relevance[name]) == total >= 3
    assert set(relevance["postgresql"]) == set(relevance["meilisearch"])


# -- the map's places per view (directory/search/grid.py, SearchEngine.place_grid) --------------

CITY = BBox(52.28, 4.75, 52.43, 5.03)


def _grid(engines: dict[str, SearchEngine], query: SearchQuery, level: int, limit: int) -> dict[str, Any]:
    return {name: e.place_grid(query, level, limit) for name, e in engines.items()}


def test_place_grid_lists_each_place_once_on_both_engines(
    engines: dict[str, SearchEngine], contract_data: tuple[dict[str, str], SearchSettings]
) -> None:
    """Below the limit every venue comes once (with its activities folded in), the same on both engines."""
    ids, _ = contract_data
    grids = _grid(engines, SearchQuery(bbox=CITY, facets=()), 14, 500)
    pg, meili = grids["postgresql"], grids["meilisearch"]
    assert pg.places == meili.places and pg.total == meili.total == len(pg.places) > 5
    assert not pg.cells and not meili.cells
    names = {v: k for k, v in ids.items()}
    listed = {names[location_id] for location_id, _, _ in pg.places}
    assert {"boomspijker", "dapper", "oba", "bijlmer"} <= listed
    assert "geldlijn" not in listed, "a service known only by its area is no place on the map"


def test_place_grid_counts_cells_alike_and_loses_no_place(
    engines: dict[str, SearchEngine], contract_data: tuple[dict[str, str], SearchSettings]
) -> None:
    """Above the limit: counts per cell, identical on both engines, adding up to the total."""
    listed = engines["postgresql"].place_grid(SearchQuery(bbox=CITY, facets=()), 14, 500)
    for level in (12, 14, 16):
        grids = _grid(engines, SearchQuery(bbox=CITY, facets=()), level, 2)
        pg, meili = grids["postgresql"], grids["meilisearch"]
        assert pg.cells == meili.cells and not pg.places
        assert sum(c.count for c in pg.cells) == pg.total == meili.total == listed.total
        # Every place lies in the cell that counts it.
        expected: dict[tuple[int, int], int] = {}
        for _, lat, lon in listed.places:
            key = tile_xy(lat, lon, level)
            expected[key] = expected.get(key, 0) + 1
        assert {(c.x, c.y): c.count for c in pg.cells} == expected
        for cell in pg.cells:
            west, south, east, north = cell.bounds
            assert west < cell.centre[1] < east and south < cell.centre[0] < north


def test_place_grid_cells_add_up_to_the_places_postgis_finds_in_the_box(
    engine: Engine,
    engines: dict[str, SearchEngine],
    contract_data: tuple[dict[str, str], SearchSettings],
) -> None:
    """Whole city and a part of it, with and without filters: each place counted once, in its cell.

    The engines take different roads by the view's size and filters (a probe, a GROUP BY
    or a facet count, `distinct` only with filters); all must end at the same places.
    """
    ids, _ = contract_data
    centrum = BBox(52.355, 4.86, 52.39, 4.95)
    filters: list[dict[str, tuple[str, ...]]] = [
        {},
        {"facilities": ("room",)},
        {"support_functions": ("company",)},
    ]
    for box in (CITY, centrum):
        with engine.connect() as conn:
            in_box = set(
                conn.execute(
                    text(
                        "SELECT id::text FROM location WHERE status IN ('active', 'needs_review') "
                        "AND ST_Intersects(geom, ST_MakeEnvelope(:w, :s, :e, :n, 4326))"
                    ),
                    {"w": box.west, "s": box.south, "e": box.east, "n": box.north},
                ).scalars()
            )
        assert len(in_box) >= 3, box
        for wanted in filters:
            query = SearchQuery(bbox=box, filters=wanted, facets=())
            listed = _grid(engines, query, 14, 1000)
            places = {i for i, _, _ in listed["postgresql"].places}
            assert listed["postgresql"].places == listed["meilisearch"].places, (box, wanted)
            assert places <= in_box and len(places) == listed["meilisearch"].total
            if not wanted:
                assert places == in_box, "without filters, every place in the box"
            if len(places) < 2:
                continue
            # Exactly at the limit: still listed (one engine counts documents first, and a
            # place with a matching activity has more documents than places).
            at_limit = _grid(engines, query, 14, len(places))
            for name, grid in at_limit.items():
                assert {i for i, _, _ in grid.places} == places and not grid.cells, (name, wanted)
            for level in (12, 16):
                counted = _grid(engines, query, level, 1)
                expected: dict[tuple[int, int], int] = {}
                for _, lat, lon in listed["postgresql"].places:
                    key = tile_xy(lat, lon, level)
                    expected[key] = expected.get(key, 0) + 1
                for name, grid in counted.items():
                    assert not grid.places and grid.total == len(places), (name, box, wanted)
                    assert {(c.x, c.y): c.count for c in grid.cells} == expected, (name, box, wanted)
    assert {ids["boomspijker"], ids["dapper"]} <= in_box


def test_services_without_a_venue_are_found_in_a_view_their_area_meets(
    engines: dict[str, SearchEngine], contract_data: tuple[dict[str, str], SearchSettings]
) -> None:
    """`without_venue`: only services known by their area, those whose area meets the box, on both engines."""
    ids, _ = contract_data
    names = {v: k for k, v in ids.items()}
    lat, lon = ZUIDOOST
    zuidoost = BBox(lat - 0.003, lon - 0.005, lat + 0.003, lon + 0.005)
    centrum = BBox(52.370, 4.890, 52.375, 4.900)
    cases: list[tuple[BBox, dict[str, tuple[str, ...]], set[str]]] = [
        (zuidoost, {}, {"maatje_zo", "geldlijn"}),
        (centrum, {}, {"wandel", "geldlijn"}),
        (zuidoost, {"support_functions": ("money",)}, {"geldlijn"}),
        (BBox(53.2, 6.5, 53.25, 6.6), {}, set()),  # Groningen: no area reaches it
    ]
    for box, filters, expected in cases:
        for name, e in engines.items():
            found = e.search(
                SearchQuery(bbox=box, filters=filters, without_venue=True, page_size=50, facets=())
            )
            assert found.total == len(found.hits), (name, box)
            assert {names[h["service_id"]] for h in found.hits} == expected, (name, box, filters)
            assert all(h["location_id"] is None and h["lat"] is None for h in found.hits)


def test_place_grid_filters_like_search(
    engines: dict[str, SearchEngine], contract_data: tuple[dict[str, str], SearchSettings]
) -> None:
    """Facilities, step-free, cost, support functions: the places of matching documents, on both engines."""
    ids, _ = contract_data
    names = {v: k for k, v in ids.items()}
    cases: list[tuple[dict[str, tuple[str, ...]], float | None, set[str]]] = [
        ({"facilities": ("kitchen", "room")}, None, {"boomspijker"}),
        ({"facilities": ("room",)}, None, {"boomspijker", "dapper"}),
    ]
    for filters, max_cost, expected in cases:
        query = SearchQuery(bbox=CITY, filters=filters, max_cost=max_cost, facets=())
        grids = _grid(engines, query, 14, 500)
        assert grids["postgresql"].places == grids["meilisearch"].places
        assert {names[i] for i, _, _ in grids["postgresql"].places} == expected, filters
    # A support function only activities have finds the venues where they happen.
    query = SearchQuery(bbox=CITY, filters={"support_functions": ("company",)}, facets=())
    grids = _grid(engines, query, 14, 500)
    assert grids["postgresql"].places == grids["meilisearch"].places
    search = engines["postgresql"].search(
        SearchQuery(bbox=CITY, filters={"support_functions": ("company",)}, page_size=100, facets=())
    )
    venues = {h["location_id"] for h in search.hits if h["location_id"]}
    assert {i for i, _, _ in grids["postgresql"].places} == venues and venues
