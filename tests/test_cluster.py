"""The embedded PostgreSQL cluster: start and stop are idempotent, missing parts are named."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, pool, text

from directory.db.cluster import EmbeddedCluster, check_postgis, find_pg_bin
from directory.errors import SetupError


def test_start_stop_idempotent(tmp_path: Path) -> None:
    cluster = EmbeddedCluster(tmp_path / "data", db_name="demo")
    assert not cluster.status().initialised
    assert cluster.start() is True
    assert cluster.start() is False, "a second start finds it running"
    engine = create_engine(cluster.url(), poolclass=pool.NullPool)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT current_database()")).scalar_one() == "demo"
    engine.dispose()
    assert cluster.status().running
    assert cluster.stop() is True
    assert cluster.stop() is False, "a second stop finds it stopped"
    assert not cluster.status().running
    assert cluster.start() is True, "it starts again from its data folder"
    cluster.stop()


def test_listens_only_on_its_private_socket(tmp_path: Path) -> None:
    cluster = EmbeddedCluster(tmp_path / "data")
    cluster.start()
    try:
        engine = create_engine(cluster.url("postgres"), poolclass=pool.NullPool)
        with engine.connect() as conn:
            assert conn.execute(text("SHOW listen_addresses")).scalar_one() == ""
        engine.dispose()
    finally:
        cluster.stop()


def test_missing_binaries_say_what_to_install(tmp_path: Path) -> None:
    with pytest.raises(SetupError, match="apt-get install postgresql-15"):
        find_pg_bin(str(tmp_path / "no-postgres-here"))


def test_missing_postgis_says_what_to_install(tmp_path: Path) -> None:
    fake_bin = tmp_path / "99" / "bin"
    fake_bin.mkdir(parents=True)
    with pytest.raises(SetupError, match="apt-get install postgresql-99-postgis-3"):
        check_postgis(fake_bin)
