"""`wijkgram geo import-basemap`: osm2pgsql into a staging schema, swapped in whole; the demo loads it too."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, create_engine, pool, text

from cli.main import cli
from directory.db import migrate
from directory.services.tiles import TileAddress, cached_tile
from directory.settings import get_settings
from geo.basemap.load import TABLES
from geo.basemap.tiles import base_tile
from geo.demo import DEMO_BASEMAP, prepare_demo_geo
from tests.conftest import create_database, drop_database, running_in_ci


@pytest.fixture(scope="module")
def own_db() -> Iterator[Engine]:
    """A separate, migrated database (DATABASE_URL points at it, so the CLI uses it too)."""
    if shutil.which("osm2pgsql") is None:
        if running_in_ci():
            pytest.fail("osm2pgsql is not installed", pytrace=False)
        pytest.skip("osm2pgsql is not installed (apt-get install osm2pgsql)")
    name = f"wijkgram_test_basemap_{os.getpid()}"
    url = create_database(name)
    migrate.upgrade(url)
    before = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = url
    get_settings.cache_clear()
    engine = create_engine(url, poolclass=pool.NullPool)
    yield engine
    engine.dispose()
    if before is None:
        os.environ.pop("DATABASE_URL", None)
    else:
        os.environ["DATABASE_URL"] = before
    get_settings.cache_clear()
    drop_database(name)


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t: conn.execute(text(f"SELECT count(*) FROM basemap.{t}")).scalar_one() for t in TABLES}


def _version(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(text("SELECT version FROM tile_layer_version WHERE layer = 'base'")).scalar_one()
        )


def test_import_basemap_loads_every_layer_and_says_so(own_db: Engine) -> None:
    result = CliRunner().invoke(cli, ["geo", "import-basemap", str(DEMO_BASEMAP)])
    assert result.exit_code == 0, result.output
    counts = _counts(own_db)
    assert all(counts[t] > 0 for t in ("streets", "water", "green", "buildings", "railways", "places")), (
        counts
    )
    output = " ".join(result.output.split())
    assert "base map from centrum-basemap.osm.pbf" in output
    assert f"{counts['buildings']:,} buildings" in output
    with own_db.connect() as conn:
        names = set(conn.execute(text("SELECT name FROM basemap.streets WHERE name IS NOT NULL")).scalars())
        schemas = set(
            conn.execute(text("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'basemap%'")).scalars()
        )
    assert {"Nieuwmarkt", "Recht Boomssloot"} & names
    assert schemas == {"basemap"}, "the staging schema is gone"


def test_a_new_import_replaces_the_base_map_and_its_cached_tiles(own_db: Engine) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["geo", "import-basemap", str(DEMO_BASEMAP)]).exit_code == 0
    before = _version(own_db)
    tile = TileAddress(16, 33660, 21537)
    with own_db.connect() as conn:
        cached_tile(conn, "base", tile, base_tile)
        assert cached_tile(conn, "base", tile, base_tile).cached
    counts = _counts(own_db)
    assert runner.invoke(cli, ["geo", "import-basemap", str(DEMO_BASEMAP)]).exit_code == 0
    assert _version(own_db) == before + 1
    assert _counts(own_db) == counts, "replaced, not added to"
    with own_db.connect() as conn:
        assert not cached_tile(conn, "base", tile, base_tile).cached


def test_a_bad_file_changes_nothing(own_db: Engine, tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["geo", "import-basemap", str(DEMO_BASEMAP)]).exit_code == 0
    counts, version = _counts(own_db), _version(own_db)
    bad = tmp_path / "broken.osm.pbf"
    bad.write_bytes(b"this is not a protocol buffer")
    result = runner.invoke(cli, ["geo", "import-basemap", str(bad)])
    assert result.exit_code != 0
    assert "osm2pgsql could not load broken.osm.pbf" in " ".join(result.output.split())
    assert _counts(own_db) == counts and _version(own_db) == version
    wrong = tmp_path / "notes.txt"
    wrong.write_text("hello", encoding="utf-8")
    refused = runner.invoke(cli, ["geo", "import-basemap", str(wrong)])
    assert refused.exit_code != 0 and "expected an OpenStreetMap file" in refused.output


def test_the_demo_gets_its_base_map_once(own_db: Engine) -> None:
    with own_db.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS basemap CASCADE"))
    first = prepare_demo_geo(own_db)
    assert isinstance(first["basemap"], dict) and first["basemap"]["streets"] > 0
    second = prepare_demo_geo(own_db)
    assert second["basemap"] == "kept (centrum-basemap.osm.pbf)"


def test_progress_names_each_stage(own_db: Engine) -> None:
    from geo.basemap.load import import_basemap

    stages: list[tuple[str, int]] = []
    import_basemap(own_db, DEMO_BASEMAP, lambda stage, count: stages.append((stage, count)))
    assert ("sorting and indexing streets", 1) in stages
    assert ("sorting and indexing places", len(TABLES)) in stages
