"""Fixtures for the vector tiles: the demo base map loaded with osm2pgsql, tile arithmetic."""

from __future__ import annotations

import math
import shutil
from typing import Any

import pytest
from litestar.testing import TestClient
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


def assert_gzip_has_an_etag_of_its_own(client: TestClient[Any], url: str) -> None:
    """The gzipped and the plain answer of `url` carry ETags of their own, each revalidating only itself."""
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    zipped = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in plain.headers
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.content == plain.content  # the client unzipped it
    assert plain.headers["etag"] != zipped.headers["etag"]
    assert zipped.headers["etag"] == plain.headers["etag"][:-1] + '-gz"'
    for answer in (plain, zipped):
        assert "accept-encoding" in answer.headers["vary"].lower()

    def status(encoding: str, etag: str) -> int:
        return client.get(url, headers={"Accept-Encoding": encoding, "If-None-Match": etag}).status_code

    # Each answer's ETag revalidates its own kind only: a cache never swaps the two.
    assert status("gzip", zipped.headers["etag"]) == 304
    assert status("identity", plain.headers["etag"]) == 304
    assert status("gzip", plain.headers["etag"]) == 200
    assert status("identity", zipped.headers["etag"]) == 200
