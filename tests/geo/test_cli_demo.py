"""`wijkgram geo ...` commands and the demo preparation, on their own database; migrations up and down."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, inspect, pool, text

from cli.main import cli
from directory.db import migrate
from directory.settings import get_settings
from geo.boundaries import boundaries_at
from geo.demo import DEMO_OSM, prepare_demo_geo
from geo.geocoding.offline import OfflineGeocoder
from geo.network.profiles import WALKING
from geo.reach import Origin, get_reachability
from tests.conftest import create_database, drop_database

GEO_TABLES = {"geo_network_build", "geo_network_node", "geo_network_edge", "geo_address", "geo_boundary"}


@pytest.fixture(scope="module")
def demo_url() -> Iterator[str]:
    """A separate, empty database that the CLI migrates itself (DATABASE_URL points at it)."""
    name = f"wijkgram_test_geo_cli_{os.getpid()}"
    url = create_database(name)
    before = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = url
    get_settings.cache_clear()
    yield url
    if before is None:
        os.environ.pop("DATABASE_URL", None)
    else:
        os.environ["DATABASE_URL"] = before
    get_settings.cache_clear()
    drop_database(name)


def test_build_network_and_addresses_from_the_shipped_cut(demo_url: str) -> None:
    """The commands build from the demo cut and end with a summary of counts."""
    runner = CliRunner()
    network = runner.invoke(cli, ["geo", "build-network", str(DEMO_OSM)])
    assert network.exit_code == 0, network.output
    assert "network built" in network.output
    result = runner.invoke(cli, ["geo", "build-addresses", str(DEMO_OSM)])
    assert result.exit_code == 0, result.output
    engine = create_engine(demo_url, poolclass=pool.NullPool)
    with engine.connect() as conn:
        edges = conn.execute(text("SELECT count(*) FROM geo_network_edge")).scalar_one()
        addresses = conn.execute(text("SELECT count(*) FROM geo_address")).scalar_one()
    assert f"{edges:,} edges" in " ".join(network.output.split())  # rich wraps long lines
    assert f"{addresses:,} new" in " ".join(result.output.split())
    # A second run adds nothing new.
    again = runner.invoke(cli, ["geo", "build-addresses", str(DEMO_OSM)])
    assert "0 new" in again.output


def test_demo_geocodes_and_routes_offline(demo_url: str, tmp_path: Path) -> None:
    """After prepare_demo_geo (idempotent) the demo finds De Boomspijker and walks there from Nieuwmarkt.

    Without the shared boundaries folder (a fresh clone) it imports the shipped outlines,
    so the demo has named buurten, wijken and stadsdelen.
    """
    engine = create_engine(demo_url, poolclass=pool.NullPool)
    first = prepare_demo_geo(engine, boundaries_dir=tmp_path / "no-shared-folder")
    assert first["boundaries"] == {"buurten": 518, "wijken": 110, "stadsdelen": 9}
    second = prepare_demo_geo(engine)
    assert str(second["network"]).startswith("kept") and str(second["addresses"]).startswith("kept")
    assert "boundaries" not in second
    with engine.connect() as conn:
        around = boundaries_at(conn, 52.372446, 4.900297)  # Nieuwmarkt
    assert around["stadsdeel"]["name"] == "Centrum"
    assert around["wijk"]["name"] == "Nieuwmarkt/Lastage"
    assert str(around["buurt"]["code"]).startswith("A")
    found = OfflineGeocoder(engine).geocode("Recht Boomssloot 52")
    assert found is not None
    seconds, method = get_reachability(engine).travel_time(
        Origin(52.372446, 4.900297), (found.lat, found.lon), WALKING
    )
    assert method == "network" and 60 < seconds < 10 * 60


def test_bad_file_is_refused_with_the_fix(demo_url: str, tmp_path: Path) -> None:
    """A file that is not OSM data is refused, naming the argument."""
    bad = tmp_path / "notes.txt"
    bad.write_text("hello", encoding="utf-8")
    result = CliRunner().invoke(cli, ["geo", "build-network", str(bad)])
    assert result.exit_code != 0
    assert "FILE" in result.output and "OpenStreetMap" in result.output


def test_migrations_go_down_and_up(demo_url: str) -> None:
    """Downgrading to 0001 removes the geo tables and the trigger; upgrading brings them back."""
    engine = create_engine(demo_url, poolclass=pool.NullPool)
    migrate.downgrade(demo_url, "0001")
    assert not GEO_TABLES & set(inspect(engine).get_table_names())
    with engine.connect() as conn:
        trigger = conn.execute(
            text("SELECT count(*) FROM pg_trigger WHERE tgname = 'trg_location_boundaries'")
        )
        assert trigger.scalar_one() == 0
    migrate.upgrade(demo_url)
    assert set(inspect(engine).get_table_names()) >= GEO_TABLES
