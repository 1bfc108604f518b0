"""Migration 0100 goes down and up again on a database holding imported data."""

from __future__ import annotations

from sqlalchemy import create_engine, inspect, pool, text

from directory.db import migrate
from tests.conftest import create_database, drop_database


def test_0100_downgrade_and_upgrade() -> None:
    """Down to 0001 removes the importer tables and OSM categories (entries using them become 'other')."""
    name = "wijkgram_test_importers_migration"
    url = create_database(name)
    try:
        migrate.upgrade(url)
        engine = create_engine(url, poolclass=pool.NullPool)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO location"
                    " (id, version, status, name, languages, field_provenance, geom, category)"
                    " VALUES (gen_random_uuid(), 1, 'active', 'Kroeg', '{}', '{}',"
                    " ST_SetSRID(ST_MakePoint(4.9, 52.37), 4326), 'pub')"
                )
            )
        migrate.downgrade(url, "0001")
        assert migrate.current_revision(url) == "0001"
        tables = set(inspect(engine).get_table_names())
        assert not {"source_link", "source_suggestion"} & tables
        with engine.connect() as conn:
            assert conn.execute(text("SELECT category FROM location")).scalar_one() == "other"
            assert (
                conn.execute(text("SELECT count(*) FROM taxonomy_term WHERE code = 'pub'")).scalar_one() == 0
            )
        migrate.upgrade(url)
        assert {"source_link", "source_suggestion"} <= set(inspect(engine).get_table_names())
        engine.dispose()
    finally:
        drop_database(name)
