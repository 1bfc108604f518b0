"""Migration 0500 moves each document's JSON to `search_document_body` and back, losing none."""

from __future__ import annotations

import os

from sqlalchemy import create_engine, inspect, pool, text

from directory.db import migrate
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
    """Documents written by 0500's code survive a downgrade to 0200 and the upgrade back."""
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
        assert _docs(url, "search_document") == before

        migrate.upgrade(url)
        assert _docs(url, "search_document_body") == before
        columns = {c["name"] for c in inspect(engine).get_columns("search_document")}
        engine.dispose()
        assert "doc" not in columns
    finally:
        drop_database(name)
