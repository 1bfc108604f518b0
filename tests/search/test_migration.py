"""Search schema migrations keep what was there, and an upgrade from before search fills the index."""

from __future__ import annotations

import os

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, inspect, pool, text

from cli.main import cli
from directory.db import get_engine, migrate
from directory.search.grid import CELL_LEVELS
from directory.search.postgres import PostgresEngine
from directory.search.query import SearchQuery
from tests import factories
from tests.conftest import create_database, drop_database
from tests.search.conftest import writer


def _docs(url: str, table: str) -> dict[str, dict[str, object]]:
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as conn:
        rows = {r[0]: r[1] for r in conn.execute(text(f"SELECT id, doc FROM {table}"))}
    engine.dispose()
    return rows


def test_0500_keeps_documents_down_and_up() -> None:
    """Documents written by 0500's code survive a downgrade to 0200 and the upgrade back.

    The upgrade back recomputes 2026_12_04_0500's cells in SQL: they equal what the code writes.
    """
    name = f"wijkgram_test_search_migration_{os.getpid()}"
    url = create_database(name)
    try:
        migrate.upgrade(url)
        engine = create_engine(url, poolclass=pool.NullPool)
        session, entries = writer(engine)
        with session:
            loc = entries.create("location", factories.location(name="Buurthuis Migratie"))
            entries.create("service", factories.service(name="Taalcafé", location_ids=[str(loc.id)]))
            session.commit()
        engine.dispose()
        before = _docs(url, "search_document_body")
        assert len(before) == 2

        migrate.downgrade(url, "0200")
        engine = create_engine(url, poolclass=pool.NullPool)
        assert "search_document_body" not in inspect(engine).get_table_names()
        # 2026_12_04_0500 takes back the map's cells and puts them back below.
        added = {f"cell_{level}" for level in CELL_LEVELS}
        older = {key: {k: v for k, v in doc.items() if k not in added} for key, doc in before.items()}
        assert _docs(url, "search_document") == older

        migrate.upgrade(url)
        assert _docs(url, "search_document_body") == before
        columns = {c["name"] for c in inspect(engine).get_columns("search_document")}
        engine.dispose()
        assert "doc" not in columns
    finally:
        drop_database(name)


def test_0300_capacity_fills_documents_written_before_it() -> None:
    """Documents written before 2026_12_07_0300 get their place's capacity, in the table and the JSON.

    A service held at the place gets it too; a place of unknown capacity gets null. The database
    is taken down to 2026_12_06_0300 with documents in it (stripped of the key, as that code wrote
    them), and the upgrade must give back exactly the documents today's code writes.
    """
    name = f"wijkgram_test_search_capacity_{os.getpid()}"
    url = create_database(name)
    try:
        migrate.upgrade(url)
        engine = create_engine(url, poolclass=pool.NullPool)
        session, entries = writer(engine)
        with session:
            hall = entries.create("location", factories.location(name="Buurthuis Groot", capacity=40))
            entries.create("location", factories.location(factories.CENTRAAL, name="Café Onbekend"))
            entries.create("service", factories.service(name="Stamtafel", location_ids=[str(hall.id)]))
            session.commit()
        engine.dispose()
        before = _docs(url, "search_document_body")
        assert sorted(str(d["capacity"]) for d in before.values()) == ["40", "40", "None"]

        migrate.downgrade(url, "2026_12_06_0300")
        engine = create_engine(url, poolclass=pool.NullPool)
        assert "capacity" not in {c["name"] for c in inspect(engine).get_columns("search_document")}
        with engine.begin() as conn:
            conn.execute(text("UPDATE search_document_body SET doc = doc - 'capacity'"))
        engine.dispose()

        migrate.upgrade(url)
        assert _docs(url, "search_document_body") == before
        engine = create_engine(url, poolclass=pool.NullPool)
        with engine.connect() as conn:
            stored = {r[0]: r[1] for r in conn.execute(text("SELECT name, capacity FROM search_document"))}
        engine.dispose()
        assert stored == {"Buurthuis Groot": 40, "Stamtafel": 40, "Café Onbekend": None}
        found = PostgresEngine(get_engine(url)).search(SearchQuery(min_capacity=50))
        assert sorted(h["name"] for h in found.hits) == ["Café Onbekend"]
        get_engine(url).dispose()
    finally:
        drop_database(name)


def test_upgrade_from_before_search_builds_the_documents(settings_env: pytest.MonkeyPatch) -> None:
    """A database made before search existed finds its entries after `wijkgram db upgrade`."""
    name = f"wijkgram_test_search_upgrade_{os.getpid()}"
    url = create_database(name)
    try:
        migrate.upgrade(url, "0100")  # the last revision without search documents
        engine = create_engine(url, poolclass=pool.NullPool)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO location (id, version, status, name, languages, field_provenance, geom)"
                    " VALUES (gen_random_uuid(), 1, 'active', 'Buurthuis Van Vroeger', '{}', '{}',"
                    " ST_SetSRID(ST_MakePoint(4.9035, 52.3720), 4326))"
                )
            )
        engine.dispose()
        settings_env.setenv("DATABASE_URL", url)
        settings_env.setenv("MEILI_URL", "")
        result = CliRunner().invoke(cli, ["db", "upgrade"])
        assert result.exit_code == 0, result.output
        assert "1 documents for 1 entries" in result.output
        hits = PostgresEngine(get_engine(url)).search(SearchQuery(q="van vroeger"))
        assert [h["name"] for h in hits.hits] == ["Buurthuis Van Vroeger"]
        get_engine(url).dispose()
    finally:
        drop_database(name)
