"""Fixtures of the importer tests: a clean database including the importers' own tables."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from importers.merge import ImportReport
from importers.osm.reader import read_places
from importers.osm.tags import SOURCE
from importers.records import PlaceRecord
from importers.run import run_import
from tests.conftest import ENTRY_TABLES, empty_tables

IMPORT_TABLES = list(dict.fromkeys([*ENTRY_TABLES, "source_link", "source_suggestion"]))


@pytest.fixture
def import_db(engine: Engine) -> Engine:
    """The test database with every entry and importer table empty."""
    with engine.begin() as conn:
        empty_tables(conn, IMPORT_TABLES)
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


#: De Boomspijker, Recht Boomssloot 52 (from the OSM node).
BOOMSPIJKER = (52.3719578, 4.9034827)


def osm_records_near(pbf: Path, lat: float, lon: float, metres: float) -> list[PlaceRecord]:
    """The real OSM places of a file within `metres` of a point (a small, fast slice for merge tests)."""
    degrees_lat = metres / 111_320
    degrees_lon = metres / (111_320 * math.cos(math.radians(lat)))
    return [
        r for r in read_places(pbf) if abs(r.lat - lat) <= degrees_lat and abs(r.lon - lon) <= degrees_lon
    ]


def import_osm_slice(session: Session, records: list[PlaceRecord]) -> ImportReport:
    """Import a slice of OSM places the way `import_osm_file` does (source osm, one scope)."""
    return run_import(session, list(records), source=SOURCE, scope="slice")


def import_osm_slice_iter(session: Session, records: Iterator[PlaceRecord]) -> ImportReport:
    """Like `import_osm_slice`, consuming records as they come (to interrupt it midway)."""
    return run_import(session, records, source=SOURCE, scope="slice")
