"""The embedded PostgreSQL cluster: start and stop are idempotent, missing parts are named."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import create_engine, pool, text

from directory.db import migrate
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


def test_other_database_name_on_a_running_cluster_is_created(tmp_path: Path) -> None:
    """WIJKGRAM_DB_NAME=other while the cluster runs: starting (as `db upgrade` does) creates `other`."""
    first = EmbeddedCluster(tmp_path / "data", db_name="wijkgram")
    first.start()
    try:
        other = EmbeddedCluster(tmp_path / "data", db_name="other")
        assert other.start() is False, "the cluster was already running"
        engine = create_engine(other.url(), poolclass=pool.NullPool)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT current_database()")).scalar_one() == "other"
        engine.dispose()
    finally:
        first.stop()


def test_missing_external_database_says_what_to_do(tmp_path: Path) -> None:
    """A DATABASE_URL naming a database that does not exist: a SetupError with the fix, no traceback."""
    cluster = EmbeddedCluster(tmp_path / "data", db_name="wijkgram")
    cluster.start()
    try:
        with pytest.raises(SetupError, match="createdb"):
            migrate.upgrade(cluster.url("nowhere"))
        with pytest.raises(SetupError, match="does not exist"):
            migrate.current_revision(cluster.url("nowhere"))
    finally:
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


def _psql_as(user: str, cluster: EmbeddedCluster, sql: str = "SELECT 1") -> subprocess.CompletedProcess[str]:
    """psql run as another OS user, the way a local attacker would try it."""
    psql = str(cluster.pg_bin() / "psql")
    args = ["runuser", "-u", user, "--", psql, "-h", str(cluster.socket_dir), "-U", "wijkgram"]
    return subprocess.run(
        [*args, "-d", "postgres", "-w", "-tAc", sql],
        capture_output=True,
        text=True,
        cwd="/",
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
    )


needs_root = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("runuser") is None, reason="needs root to act as a second OS user"
)


@needs_root
def test_another_local_user_cannot_connect(tmp_path: Path) -> None:
    cluster = EmbeddedCluster(tmp_path / "data")
    cluster.start()
    try:
        socket_dir_mode = stat.S_IMODE(cluster.socket_dir.stat().st_mode)
        assert socket_dir_mode == 0o700, oct(socket_dir_mode)
        assert stat.S_IMODE(cluster.passfile.stat().st_mode) == 0o600
        assert cluster.passfile.stat().st_uid == os.geteuid()
        assert "password" not in cluster.url() and cluster.password() not in cluster.url()

        refused = _psql_as("nobody", cluster)
        assert refused.returncode != 0, refused.stdout
        assert "Permission denied" in refused.stderr, refused.stderr
        cat = subprocess.run(
            ["runuser", "-u", "nobody", "--", "cat", str(cluster.passfile)], capture_output=True
        )
        assert cat.returncode != 0, "the password file is readable by another user"

        # Second lock: even with the socket folder opened up, a login needs the password.
        cluster.socket_dir.chmod(0o755)
        (cluster.socket_dir / ".s.PGSQL.5432").chmod(0o777)
        refused = _psql_as("nobody", cluster)
        assert refused.returncode != 0, refused.stdout
        assert "password" in refused.stderr, refused.stderr

        # The app's own user gets in with the URL alone.
        engine = create_engine(cluster.url("postgres"), poolclass=pool.NullPool)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT current_user")).scalar_one() == "wijkgram"
        engine.dispose()
    finally:
        cluster.stop()
    cluster.start()
    try:
        assert stat.S_IMODE(cluster.socket_dir.stat().st_mode) == 0o700, "a start closes the folder again"
    finally:
        cluster.stop()


@needs_root
def test_cluster_that_trusted_the_socket_is_locked_on_next_start(tmp_path: Path) -> None:
    cluster = EmbeddedCluster(tmp_path / "data")
    cluster.start()
    engine = create_engine(cluster.url("postgres"), poolclass=pool.NullPool)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE kept (id int)"))
        conn.execute(text("INSERT INTO kept VALUES (42)"))
        conn.execute(text("ALTER ROLE wijkgram PASSWORD NULL"))  # as an older wijkgram made it
    engine.dispose()
    cluster.stop()
    # What an older wijkgram left behind: pg_hba trusting the socket, an open socket folder,
    # no socket permission setting and no password file.
    hba = cluster.pgdata / "pg_hba.conf"
    hba.write_text("local all all trust\n", encoding="utf-8")
    conf = cluster.pgdata / "postgresql.conf"
    conf.write_text(
        "".join(
            line
            for line in conf.read_text(encoding="utf-8").splitlines(keepends=True)
            if "unix_socket_permissions" not in line and "password_encryption" not in line
        ),
        encoding="utf-8",
    )
    cluster.passfile.unlink()
    cluster.socket_dir.chmod(0o755)

    assert cluster.start() is True
    try:
        assert "trust" not in hba.read_text(encoding="utf-8")
        assert stat.S_IMODE(cluster.passfile.stat().st_mode) == 0o600
        assert _psql_as("nobody", cluster).returncode != 0
        engine = create_engine(cluster.url("postgres"), poolclass=pool.NullPool)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT id FROM kept")).scalar_one() == 42, "data kept"
            assert conn.execute(text("SHOW unix_socket_permissions")).scalar_one() == "0700"
        engine.dispose()
    finally:
        cluster.stop()
