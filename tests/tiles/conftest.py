"""Fixtures for the vector tiles: the demo base map loaded with osm2pgsql, tile arithmetic."""

from __future__ import annotations

import math
import shutil

import pytest
from sqlalchemy import Engine

from tests.conftest import running_in_ci

# The demo database and its clients, shared with the page tests.
from tests.web.conftest import (  # noqa: F401
    demo_addresses,
    demo_db,
    demo_network,
    password_hashes,
    web,
)


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    """The XYZ tile holding a point (the slippy-map formula; tests check it against PostGIS)."""
    n = 1 << z
    x = int((lon + 180.0) / 360.0 * n)
    y = int((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n)
    return x, y


@pytest.fixture(scope="session")
def basemap(engine: Engine) -> Engine:
    """The test database with the demo's base map (directory/demo/centrum-basemap.osm.pbf) loaded.

    Needs osm2pgsql (scripts/setup.sh installs it): skipped without it, failed under CI.
    """
    from geo.basemap.load import import_basemap
    from geo.demo import DEMO_BASEMAP

    if shutil.which("osm2pgsql") is None:
        message = "osm2pgsql is not installed (apt-get install osm2pgsql)"
        if running_in_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    import_basemap(engine, DEMO_BASEMAP)
    return engine
