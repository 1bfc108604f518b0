"""Migrations: up from empty, down to empty and up again, and upgrades keep data."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, pool, text

from directory.db import migrate
from tests.conftest import create_database, drop_database


@pytest.fixture
def empty_db() -> Iterator[str]:
    name = f"wijkgram_migrations_{os.getpid()}"
    yield create_database(name)
    drop_database(name)


def _tables(url: str) -> set[str]:
    engine = create_engine(url, poolclass=pool.NullPool)
    names = set(inspect(engine).get_table_names())
    engine.dispose()
    return names - {"spatial_ref_sys"}


def test_up_down_up(empty_db: str) -> None:
    migrate.upgrade(empty_db)
    assert migrate.current_revision(empty_db) == migrate.head_revision()
    assert {"organization", "location", "service", "revision", "taxonomy_term"} <= _tables(empty_db)

    migrate.downgrade(empty_db, "base")
    assert migrate.current_revision(empty_db) is None
    assert _tables(empty_db) <= {"alembic_version"}

    migrate.upgrade(empty_db)
    engine = create_engine(empty_db, poolclass=pool.NullPool)
    with engine.connect() as conn:
        categories = conn.execute(text("SELECT count(*) FROM taxonomy_term WHERE vocabulary = 'category'"))
        assert categories.scalar_one() >= 30, "the taxonomy is seeded again after down/up"
    engine.dispose()


def test_each_step_upgrades_without_losing_entries(empty_db: str) -> None:
    """A database made by the first version keeps its entries through every later migration."""
    script = ScriptDirectory.from_config(migrate.alembic_config(empty_db))
    steps = [rev.revision for rev in reversed(list(script.walk_revisions()))]
    migrate.upgrade(empty_db, steps[0])
    engine = create_engine(empty_db, poolclass=pool.NullPool)
    entry_id = uuid.uuid4()
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO location (id, version, status, name, languages, field_provenance, geom,"
                " postcode)"
                " VALUES (:id, 1, 'active', 'De Boomspijker', '{nl}', '{}',"
                " ST_SetSRID(ST_MakePoint(4.903483, 52.371958), 4326), '1011 EC')"
            ),
            {"id": entry_id},
        )
    for step in steps[1:]:
        migrate.upgrade(empty_db, step)
        with engine.connect() as conn:
            row = conn.execute(
                text("SELECT name, postcode, ST_X(geom), ST_Y(geom) FROM location WHERE id = :id"),
                {"id": entry_id},
            ).one()
        assert tuple(row) == ("De Boomspijker", "1011 EC", 4.903483, 52.371958), f"after {step}"
    engine.dispose()


def test_models_match_migrations(empty_db: str) -> None:
    """Autogenerate finds nothing to do: the models and the migrations describe one schema."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    # The metadata Alembic's env.py compares with: every table, whatever other tests imported.
    metadata = migrate.target_metadata()
    migrate.upgrade(empty_db)
    engine = create_engine(empty_db, poolclass=pool.NullPool)
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                # Only the extensions' tables are left out: a table of ours without a model fails.
                "include_object": lambda obj, name, type_, reflected, compare_to: (
                    not (
                        type_ == "table"
                        and reflected
                        and compare_to is None
                        and name in migrate.EXTENSION_TABLES
                    )
                ),
                "compare_type": True,
            },
        )
        diff = compare_metadata(context, metadata)
    engine.dispose()
    assert diff == []
