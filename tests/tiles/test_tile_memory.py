"""Tiles kept in the app's memory: answered without the database, forgotten when the data changes.

directory/services/tiles.py `TileMemory`: a trigger on `tile_layer_version` announces each
new version (pg_notify, directory/reference.py's listener); an import in another process
must show in the next tile the app serves after the announcement.
"""

from __future__ import annotations

import gzip
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import mapbox_vector_tile
import pytest
from litestar.testing import TestClient
from sqlalchemy import Engine, create_engine, pool
from sqlalchemy.orm import Session

from directory.services.tiles import Tile, TileAddress, TileMemory, bump_version, topic_of
from importers.records import PlaceRecord
from importers.run import run_import
from tests.tiles.conftest import tile_of
from tests.web.conftest import log_in
from tests.web.test_reference_cache import listening_cache, statements, wait_for_announcement

#: De Boomspijker, Recht Boomssloot 52: a demo place in the middle of the demo base map.
BOOMSPIJKER = (4.903483, 52.371958)


def _url(layer: str, z: int, point: tuple[float, float] = BOOMSPIJKER) -> str:
    x, y = tile_of(*point, z)
    return f"/tiles/{layer}/{z}/{x}/{y}.mvt"


def _names(response: Any) -> set[str]:
    assert response.status_code == 200, response.text
    tile = mapbox_vector_tile.decode(response.content)
    return {f["properties"].get("name") for f in tile.get("entries", {}).get("features", [])}


@pytest.fixture
def other_process(database_url: str) -> Iterator[Engine]:
    """Connections that are not the app's, as an import run from the command line has."""
    engine = create_engine(database_url, poolclass=pool.NullPool)
    yield engine
    engine.dispose()


def test_a_served_tile_is_answered_from_memory_without_the_database(
    basemap: Engine, web: TestClient[Any], demo_db: Engine
) -> None:
    listening_cache(demo_db)
    url = _url("base", 15)
    first = web.get(url)
    assert first.headers["x-tile-cache"] == "miss"
    with statements(demo_db) as seen:
        again = [web.get(url) for _ in range(3)]
    assert seen == [], "a tile served before needs no database round trip"
    assert all(r.headers["x-tile-cache"] == "hit" for r in again)
    assert all(r.content == first.content and r.headers["etag"] == first.headers["etag"] for r in again)


def test_an_import_in_another_process_shows_in_the_next_tile(
    web: TestClient[Any], demo_db: Engine, other_process: Engine
) -> None:
    cache = listening_cache(demo_db)
    point = (4.9001, 52.3703)
    url = _url("entries", 16, point)
    before = web.get(url)
    assert web.get(url).headers["x-tile-cache"] == "hit"
    assert "Buurtkamer uit de import" not in _names(before)
    generation = cache.generation(topic_of("entries"))

    record = PlaceRecord(
        source="test-partner",
        source_id=str(uuid.uuid4()),
        name="Buurtkamer uit de import",
        lat=point[1],
        lon=point[0],
        category="neighbourhood_room",
    )
    with Session(other_process) as session:
        report = run_import(session, [record], source="test-partner", scope="all")
    assert report.counts()["created"] == 1, report.outcomes

    wait_for_announcement(cache, topic_of("entries"), generation)
    after = web.get(url)
    assert after.headers["x-tile-cache"] == "miss"
    assert after.headers["etag"] != before.headers["etag"]
    assert "Buurtkamer uit de import" in _names(after)
    assert web.get(url).headers["x-tile-cache"] == "hit"


def test_a_new_base_version_from_another_process_is_heard(
    basemap: Engine, web: TestClient[Any], demo_db: Engine, other_process: Engine
) -> None:
    cache = listening_cache(demo_db)
    url = _url("base", 16)
    web.get(url)
    assert web.get(url).headers["x-tile-cache"] == "hit"
    before = web.get("/tiles/base.json").json()["tiles"][0]
    generation = cache.generation(topic_of("base"))
    with other_process.begin() as conn:
        bump_version(conn, "base")  # what `wijkgram geo import-basemap` does at its end
    wait_for_announcement(cache, topic_of("base"), generation)
    assert web.get(url).headers["x-tile-cache"] == "miss"
    assert web.get("/tiles/base.json").json()["tiles"][0] != before


def test_a_logged_in_broker_gets_tiles_without_a_session_lookup(
    basemap: Engine, web: TestClient[Any], demo_db: Engine
) -> None:
    listening_cache(demo_db)
    log_in(web, "bram")
    url = _url("base", 15)
    assert web.get(url).status_code == 200
    with statements(demo_db) as seen:
        again = web.get(url)
    assert again.headers["x-tile-cache"] == "hit"
    assert seen == [], "a tile is the same for everyone: no session is looked up for it"
    assert "no-store" not in again.headers["cache-control"]


class _Listening:
    """A stand-in for the reference cache: listening, generations set by the test."""

    def __init__(self) -> None:
        self.listening = threading.Event()
        self.listening.set()
        self.generations = {topic_of("base"): 0, topic_of("entries"): 0}

    def generation(self, topic: str) -> int:
        return self.generations[topic]


def _tile(size: int, seed: int) -> Tile:
    data = bytes((seed + i) % 251 for i in range(size))  # hardly compressible
    return Tile(data, f'"base-{seed}"', 1, cached=False)


def test_memory_is_bounded_by_bytes_and_drops_the_least_used() -> None:
    reference = _Listening()
    memory = TileMemory(reference, max_bytes=64_000)  # type: ignore[arg-type]
    addresses = [TileAddress(16, x, 0) for x in range(12)]
    for n, address in enumerate(addresses[:6]):
        memory.keep("base", address, memory.generation("base"), _tile(5_000, n))
    assert memory.get("base", addresses[0]) is not None  # now the most recently used
    for n, address in enumerate(addresses[6:], start=6):
        memory.keep("base", address, memory.generation("base"), _tile(5_000, n))
    assert memory.size_bytes <= 64_000
    assert memory.get("base", addresses[0]) is not None, "used lately: kept"
    assert memory.get("base", addresses[1]) is None, "least used: dropped"
    kept = memory.get("base", addresses[11])
    assert kept is not None and kept.cached and kept.gzipped is not None
    assert gzip.decompress(kept.gzipped) == kept.data


def test_memory_forgets_a_layer_set_when_its_generation_moves() -> None:
    reference = _Listening()
    memory = TileMemory(reference, max_bytes=1_000_000)  # type: ignore[arg-type]
    address = TileAddress(16, 1, 1)
    read_at = memory.generation("entries")
    reference.generations[topic_of("entries")] += 1  # announced while the tile was read
    memory.keep("entries", address, read_at, _tile(2_000, 1))
    assert memory.get("entries", address) is None
    memory.keep("entries", address, memory.generation("entries"), _tile(2_000, 1))
    memory.keep("base", address, memory.generation("base"), _tile(2_000, 2))
    reference.generations[topic_of("entries")] += 1
    assert memory.get("entries", address) is None
    assert memory.get("base", address) is not None, "the other set stays"
    reference.listening.clear()
    assert memory.get("base", address) is None, "nothing is used while nobody listens"
    assert memory.generation("base") is None
