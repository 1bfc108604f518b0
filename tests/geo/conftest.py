"""Fixtures for geo tests: the real Centrum network and addresses in the test database."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from geo.build import build_addresses, build_network
from geo.reach import Reachability, get_reachability


@pytest.fixture(scope="session")
def centrum_pbf(shared_data: Path) -> Path:
    """The real OpenStreetMap extract of Amsterdam Centrum."""
    return shared_data / "osm" / "amsterdam-centrum.osm.pbf"


@pytest.fixture(scope="session")
def centrum_engine(engine: Engine, centrum_pbf: Path) -> Engine:
    """The test database with the Centrum network and address table built from the real extract."""
    with engine.connect() as conn:
        source = conn.execute(text("SELECT source FROM geo_network_build ORDER BY id DESC LIMIT 1")).scalar()
    if source != centrum_pbf.name:
        build_network(engine, centrum_pbf)
        build_addresses(engine, centrum_pbf)
    return engine


@pytest.fixture(scope="session")
def centrum(centrum_engine: Engine) -> Reachability:
    """The reachability service on the Centrum network."""
    return get_reachability(centrum_engine)
