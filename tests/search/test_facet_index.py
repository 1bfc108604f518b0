"""The PostgreSQL engine's in-memory facet counts follow every write, from any process."""

from __future__ import annotations

from typing import Any

import numpy as np
import psycopg
from sqlalchemy import Connection, Engine, text

from directory.search.facet_index import FacetIndex, ordinals
from directory.search.postgres import PostgresEngine
from directory.search.query import SearchQuery
from directory.search.service import SearchService
from tests import factories
from tests.search.conftest import writer


def _driver(conn: Connection) -> psycopg.Connection[Any]:
    """The psycopg connection under a SQLAlchemy one (the facet index reads through psycopg)."""
    raw = conn.connection.driver_connection
    assert isinstance(raw, psycopg.Connection)
    return raw


def _sql_counts(db: Engine, q: str, value: str = "category") -> dict[str, int]:
    """Counts per value of a text query's matches, counted by PostgreSQL itself (the reference)."""
    with db.connect() as conn:
        rows = conn.execute(
            text(
                f"SELECT v, count(*) FROM (SELECT {value} AS v FROM search_document "
                "WHERE tsv @@ to_tsquery('wijkgram_nl', :q)) AS m WHERE v IS NOT NULL GROUP BY 1"
            ),
            {"q": q},
        )
        return {r[0]: int(r[1]) for r in rows}


def test_counts_follow_creates_edits_and_deletes(clean_db: Engine) -> None:
    """Documents written after the arrays were loaded are counted; changed and deleted ones move."""
    engine = PostgresEngine(clean_db)
    session, entries = writer(clean_db)
    with session:
        first = entries.create(
            "location", factories.location(name="Buurthuis Een", category="community_centre")
        )
        session.commit()
        before = engine.search(SearchQuery(q="buurthuis")).facets
        assert before["category"] == {"community_centre": 1}

        # Another process (here: another engine) writes; this engine has its arrays loaded already.
        entries.create("location", factories.location(name="Buurthuis Twee", category="community_centre"))
        entries.create("location", factories.location(name="Buurthuis Kerk", category="place_of_worship"))
        session.commit()
        after = engine.search(SearchQuery(q="buurthuis"))
        assert after.facets["category"] == _sql_counts(clean_db, "buurthuis")
        assert after.facets["category"] == {"community_centre": 2, "place_of_worship": 1}
        assert sum(after.facets["kind"].values()) == after.total == 3

        entries.update("location", first.id, {"category": "library", "version": 1})
        session.commit()
        edited = engine.search(SearchQuery(q="buurthuis")).facets["category"]
        assert edited == {"community_centre": 1, "library": 1, "place_of_worship": 1}

        entries.delete("location", first.id, expected_version=2)
        session.commit()
        final = engine.search(SearchQuery(q="buurthuis")).facets["category"]
        assert final == _sql_counts(clean_db, "buurthuis") == {"community_centre": 1, "place_of_worship": 1}


def test_list_facets_count_each_value_once_per_document(clean_db: Engine) -> None:
    """A document with three languages adds one to each of them, and only when it matches."""
    session, entries = writer(clean_db)
    with session:
        loc = entries.create(
            "location", factories.location(name="Huiskamer Noord", languages=["nl", "en", "ar"])
        )
        entries.create(
            "location", factories.location(name="Bibliotheek", category="library", languages=["nl"])
        )
        entries.create(
            "service",
            factories.service(name="Huiskamer Taalcafé", languages=["nl", "tr"], location_ids=[str(loc.id)]),
        )
        session.commit()
    result = PostgresEngine(clean_db).search(SearchQuery(q="huiskamer"))
    assert result.total == 2  # the Huiskamer and its Taalcafé, not the library
    assert result.facets["languages"] == _sql_counts(clean_db, "huiskamer:*", "unnest(languages)")
    assert result.facets["languages"]["nl"] == 2 and result.facets["languages"]["ar"] == 1


def test_arrays_are_loaded_anew_when_mostly_stale(clean_db: Engine) -> None:
    """Rewritten documents leave old slots; past twice the documents loaded, a search reloads."""
    index = FacetIndex()
    session, entries = writer(clean_db)
    with session:
        loc = entries.create("location", factories.location(name="Buurthuis Blijft"))
        session.commit()
        with clean_db.connect() as conn:
            index.prepare(_driver(conn), ordinals(None))
        assert index.loaded == index.loaded_at_start == 1
        names = []
        for n in range(3):  # each edit writes the document anew, with a new ordinal
            names.append(f"Buurthuis Blijft {n}")
            entries.update("location", loc.id, {"name": names[-1], "version": n + 1})
            session.commit()
            with clean_db.connect() as conn:
                ords = ordinals(conn.execute(text("SELECT int4send(ord) FROM search_document")).scalar())
                index.prepare(_driver(conn), ords)
            assert index.count(ords, ["kind"]) == {"kind": {"location": 1}}
        # Four slots for one document, still within the slack of 1,024; then pretend many more.
        assert index.loaded == 4
    with clean_db.connect() as conn:
        index.loaded_at_start = 0
        index.loaded = 2_000
        index.prepare(_driver(conn), ordinals(None))
    assert index.loaded == index.loaded_at_start == 1 and len(index.ords) == 1


def test_slots_follow_documents_not_ordinals(clean_db: Engine) -> None:
    """Ordinals far apart still take one slot each, and unknown ones are read in order."""
    index = FacetIndex()
    rows: list[tuple[object, ...]] = [
        (5, "location", "cafe", None, None, None, ["company"], [], ["nl", "en"], [], []),
        (900_000, "service", "stamtafel", "T", None, None, [], ["everyone"], ["nl"], [], []),
    ]
    index._add(rows[1:])
    index._add(rows[:1])  # an older ordinal arriving later, as from a slower transaction
    assert list(index.ords) == [5, 900_000] and len(index.codes["kind"]) == 2
    counted = index.count(np.array([900_000, 5]), ["kind", "languages", "support_functions"])
    assert counted == {
        "kind": {"location": 1, "service": 1},
        "languages": {"en": 1, "nl": 2},
        "support_functions": {"company": 1},
    }
    assert index.count(np.array([900_000]), ["languages"]) == {"languages": {"nl": 1}}


def test_warm_up_loads_every_document(clean_db: Engine) -> None:
    """The server-start warm-up fills the arrays, so the first search reads no facet values."""
    session, entries = writer(clean_db)
    with session:
        loc = entries.create("location", factories.location(name="Buurthuis Warm"))
        entries.create("service", factories.service(name="Eettafel Warm", location_ids=[str(loc.id)]))
        session.commit()
    engine = PostgresEngine(clean_db)
    SearchService(engine).warm_up()
    with clean_db.connect() as conn:
        documents = conn.execute(text("SELECT count(*) FROM search_document")).scalar_one()
    assert engine.facets.loaded == documents == 2
