"""Fixtures of the importer tests: a clean database including the importers' own tables."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from tests.conftest import ENTRY_TABLES

IMPORT_TABLES = [*ENTRY_TABLES, "source_link", "source_suggestion"]


@pytest.fixture
def import_db(engine: Engine) -> Engine:
    """The test database with every entry and importer table empty."""
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {', '.join(IMPORT_TABLES)} RESTART IDENTITY CASCADE"))
    return engine


@pytest.fixture
def db(import_db: Engine) -> Iterator[Session]:
    """A session on the clean database (imports commit through it)."""
    with Session(import_db, expire_on_commit=False) as s:
        yield s


@pytest.fixture(scope="session")
def centrum_pbf(shared_data: Path) -> Path:
    """The real OSM extract of Amsterdam Centrum."""
    return shared_data / "osm" / "amsterdam-centrum.osm.pbf"
