"""Ranking rules both engines keep (docs/search.md, "Ranking"), on data of this module's own.

The word as typed outranks its synonyms; among equals, places of support come
before the places around them and stale entries after fresh ones; closed entries
never show (nor services at a closed place, nor a closed organisation's entries);
an offer that serves the searched point through its area is ranked with the places
in reach, not after them.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from directory.search.meili import MeiliEngine
from directory.search.postgres import PostgresEngine
from directory.search.query import Near, SearchQuery
from geo.service_areas import read_area
from tests.search.conftest import WEST, ZUIDOOST, DataSet, MeiliServer, both_engines, indexed, writer

CENTRUM = (52.3710, 4.8975)
NOW = datetime.now(UTC)


def build(engine: Engine) -> dict[str, str]:
    """Places and offers that differ only in what each rule looks at."""
    session, entries = writer(engine)
    data = DataSet(entries)
    loc, svc = data.loc, data.svc

    with session:
        loc("soera", *WEST, name="Moskee Soera", category="place_of_worship")
        loc("taibah", *WEST, name="Masjid Taibah", category="place_of_worship")
        loc("waalse", *CENTRUM, name="Waalse kerk", category="place_of_worship")
        # Equal in every searched word; one verified last month, one three years ago.
        loc(
            "aster",
            *CENTRUM,
            name="Eettafel Aster",
            category="shared_meal",
            last_verified_at=NOW - timedelta(days=1100),
        )
        loc(
            "zonnebloem",
            *CENTRUM,
            name="Eettafel Zonnebloem",
            category="shared_meal",
            last_verified_at=NOW - timedelta(days=30),
        )
        # Step-free both; the restaurant first by name, the buurthuis first as a place of support.
        loc("restaurant", *CENTRUM, name="Aalscholver Restaurant", category="restaurant", step_free=True)
        loc("zonnehuis", *CENTRUM, name="Zonnehuis", category="community_centre", step_free=True)
        closed = loc("hoek", *CENTRUM, name="Buurthuis De Hoek", category="community_centre", status="closed")
        svc("koffie_hoek", name="Koffieochtend De Hoek", category="cafe", location_ids=[closed])
        svc("koffie_gesloten", name="Koffieochtend Gesloten", status="closed")
        stopped = data.org("opgeheven", name="Stichting Opgeheven", status="closed")
        gone = loc(
            "inloophuis",
            *CENTRUM,
            name="Inloophuis Opgeheven",
            category="drop_in_centre",
            organization_id=stopped,
        )
        svc("spreekuur", name="Spreekuur Opgeheven", organization_id=stopped, location_ids=[gone])
        zuidoost = read_area("Zuidoost, aan huis")
        svc(
            "maatje",
            name="Maatje aan huis",
            category="buddy_project",
            meetings=[],
            service_area=zuidoost.geometry,
            service_area_name=zuidoost.name,
            delivery_modes=zuidoost.modes,
        )
        near_place = loc(
            "buurtkamer",
            ZUIDOOST[0] + 0.002,
            ZUIDOOST[1],
            name="Buurtkamer Bijlmer",
            category="neighbourhood_room",
        )
        svc(
            "koffie_buurtkamer",
            name="Koffie in de buurtkamer",
            description="Ook voor wie een maatje zoekt.",
            category="cafe",
            location_ids=[near_place],
        )
        session.commit()
    return data.ids


@pytest.fixture(scope="module")
def ranked(engine: Engine, meili_server: MeiliServer) -> Iterator[dict[str, PostgresEngine | MeiliEngine]]:
    """Both real engines over this module's data."""
    _, settings = indexed(engine, meili_server, build, "ranking")
    with both_engines(engine, settings) as both:
        yield both


ENGINES = ["postgresql", "meilisearch"]


def names(engine: PostgresEngine | MeiliEngine, q: str, **kwargs: Any) -> list[str]:
    """The names of the hits of a query, in order."""
    result = engine.search(SearchQuery(q=q, facets=(), **kwargs))
    return [str(hit["name"]) for hit in result.hits]


@pytest.mark.parametrize("engine_name", ENGINES)
def test_the_word_as_typed_outranks_its_synonyms(
    ranked: dict[str, PostgresEngine | MeiliEngine], engine_name: str
) -> None:
    """ "moskee": the mosque named so, then the one named "Masjid", then other places of worship."""
    assert names(ranked[engine_name], "moskee") == ["Moskee Soera", "Masjid Taibah", "Waalse kerk"]
    assert names(ranked[engine_name], "masjid")[:2] == ["Masjid Taibah", "Moskee Soera"]


@pytest.mark.parametrize("engine_name", ENGINES)
def test_stale_entries_rank_below_fresh_equals(
    ranked: dict[str, PostgresEngine | MeiliEngine], engine_name: str
) -> None:
    """Not verified for WIJKGRAM_STALE_AFTER_MONTHS: after the fresh entry, though first by name."""
    assert names(ranked[engine_name], "eettafel") == ["Eettafel Zonnebloem", "Eettafel Aster"]


@pytest.mark.parametrize("engine_name", ENGINES)
def test_places_of_support_before_the_places_around_them(
    ranked: dict[str, PostgresEngine | MeiliEngine], engine_name: str
) -> None:
    """A search with a filter only: the buurthuis before the restaurant, though later by name."""
    found = names(ranked[engine_name], "", filters={"accessibility": ("step_free",)})
    assert found == ["Zonnehuis", "Aalscholver Restaurant"]


@pytest.mark.parametrize("engine_name", ENGINES)
def test_closed_entries_never_show(ranked: dict[str, PostgresEngine | MeiliEngine], engine_name: str) -> None:
    """A closed place, a service held only there, a closed service, a closed organisation's entries."""
    assert names(ranked[engine_name], "de hoek") == []
    assert names(ranked[engine_name], "koffieochtend") == []
    assert names(ranked[engine_name], "gesloten") == []
    assert names(ranked[engine_name], "opgeheven") == []  # the organisation of both closed


@pytest.mark.parametrize("engine_name", ENGINES)
def test_area_offers_rank_with_the_places_in_reach(
    ranked: dict[str, PostgresEngine | MeiliEngine], engine_name: str
) -> None:
    """Around a Bijlmer address: the buddy serving Zuidoost by name first, the place mentioning it next."""
    near = Near(ZUIDOOST[0], ZUIDOOST[1], 1000)
    assert names(ranked[engine_name], "maatje", near=near) == ["Maatje aan huis", "Koffie in de buurtkamer"]
    assert "Maatje aan huis" not in names(ranked[engine_name], "maatje", near=Near(*CENTRUM, 1000))
