"""Test setup: a real PostgreSQL/PostGIS, one freshly migrated database per test run.

With DATABASE_URL set, that server is used to create the test database;
otherwise a private test cluster in var/test is started (shared by parallel
test runs, guarded by a lock). The schema is built by running the Alembic
migrations, so the migrations are what is tested.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import Connection, Engine, create_engine, make_url, pool, text
from sqlalchemy.orm import Session

from directory.db import migrate
from directory.db.cluster import EmbeddedCluster
from directory.db.url import normalise_url
from directory.settings import REPO_ROOT, get_settings

# Tests never ask PDOK (no network here); the offline address table answers.
os.environ.setdefault("WIJKGRAM_GEOCODER", "offline")

TEST_ROOT = REPO_ROOT / "var" / "test"
OUTPUT_DIR = REPO_ROOT / "tests" / "output"

#: Tables emptied before each test that asks for a clean database. Reference
#: data seeded by migrations (taxonomy) is kept.
ENTRY_TABLES = [
    "service_at_location",
    "service",
    "location",
    "organization",
    "revision",
    "search_outbox",
    # importers: links to source objects and suggestions refer to entries, so they go with them
    "source_link",
    "source_suggestion",
]
ENTRY_TABLES += ["entry_report", "web_session", "api_token", "app_user", "login_throttle"]
ENTRY_TABLES += ["search_document_body", "search_document"]  # search: derived from the entries
# The order above is children before parents (every foreign key points further down the list),
# so empty_tables can DELETE in it without tripping a constraint.

#: From this many rows on, a table is truncated instead of deleted from (DELETE costs per row).
TRUNCATE_FROM_ROWS = 2000


def empty_tables(conn: Connection, tables: Sequence[str] = ENTRY_TABLES) -> None:
    """Empty `tables` and restart their sequences, as `TRUNCATE ... RESTART IDENTITY CASCADE` does.

    TRUNCATE costs the same whether a table holds rows or not (new files and a WAL flush per
    table: 0.2-0.5 s for the fifteen entry tables, before each of some 400 tests), while most
    tests leave a few dozen rows in a few tables. So only the tables with rows are emptied, with
    DELETE when they are small (its row triggers do what the TRUNCATE triggers did: the tile
    version is bumped, the reference cache told) and TRUNCATE when they are large. `tables` must
    list children before parents, and no table outside it may refer to one inside.
    """
    limit = TRUNCATE_FROM_ROWS
    counts = conn.execute(
        text(
            " UNION ALL ".join(
                f"SELECT '{table}', (SELECT count(*) FROM (SELECT FROM {table} LIMIT {limit}) AS r)"
                for table in tables
            )
        )
    ).all()
    large = [table for table, rows in counts if rows >= TRUNCATE_FROM_ROWS]
    if large:
        conn.execute(text(f"TRUNCATE {', '.join(large)} RESTART IDENTITY CASCADE"))
    for table, rows in counts:
        if 0 < rows < TRUNCATE_FROM_ROWS:
            conn.execute(text(f"DELETE FROM {table}"))
    # Every sequence the tables own (serial and identity columns) starts at 1 again.
    conn.execute(
        text(
            "SELECT setval(d.objid::regclass, 1, false) FROM pg_depend d"
            " JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'"
            " WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass"
            " AND d.deptype IN ('a', 'i') AND d.refobjid = ANY(CAST(:tables AS regclass[]))"
        ),
        {"tables": list(tables)},
    )


def _admin_url(db: str) -> str:
    if os.environ.get("DATABASE_URL"):
        return str(make_url(normalise_url(os.environ["DATABASE_URL"])).set(database=db))
    return EmbeddedCluster(TEST_ROOT).url(db)


def _start_test_cluster() -> None:
    if os.environ.get("DATABASE_URL"):
        return
    TEST_ROOT.mkdir(parents=True, exist_ok=True)
    with (TEST_ROOT / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        EmbeddedCluster(TEST_ROOT).start()


def create_database(name: str) -> str:
    """A new empty database on the test server; returns its URL."""
    engine = create_engine(_admin_url("postgres"), isolation_level="AUTOCOMMIT", poolclass=pool.NullPool)
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return _admin_url(name)


def drop_database(name: str) -> None:
    """Remove a test database."""
    engine = create_engine(_admin_url("postgres"), isolation_level="AUTOCOMMIT", poolclass=pool.NullPool)
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def pytest_report_header(config: pytest.Config) -> list[str]:
    """Print the versions of the real services the tests run against."""
    lines = []
    try:
        _start_test_cluster()
        engine = create_engine(_admin_url("postgres"), poolclass=pool.NullPool)
        with engine.connect() as conn:
            lines.append("postgresql: " + conn.execute(text("SHOW server_version")).scalar_one())
            postgis = conn.execute(
                text("SELECT default_version FROM pg_available_extensions WHERE name = 'postgis'")
            ).scalar()
            lines.append(f"postgis: {postgis or 'NOT INSTALLED'}")
        engine.dispose()
    except Exception as exc:  # the header must never stop the run
        lines.append(f"postgresql: unavailable ({exc})")
    meili = REPO_ROOT / "var" / "bin" / "meilisearch"
    if meili.exists():
        import subprocess

        out = subprocess.run([str(meili), "--version"], capture_output=True, text=True)
        lines.append(f"meilisearch: {out.stdout.strip()}")
    return lines


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """A fresh database for this test run, migrated to the newest revision."""
    _start_test_cluster()
    name = f"wijkgram_test_{os.getpid()}"
    url = create_database(name)
    migrate.upgrade(url)
    yield url
    drop_database(name)


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    """The engine of the test database."""
    eng = create_engine(database_url, pool_size=5, pool_pre_ping=True)
    yield eng
    eng.dispose()


@pytest.fixture
def clean_db(engine: Engine) -> Engine:
    """The test database with every entry table empty."""
    with engine.begin() as conn:
        empty_tables(conn)
    return engine


@pytest.fixture
def session(clean_db: Engine) -> Iterator[Session]:
    """A session on the clean test database; the test commits what it wants kept."""
    with Session(clean_db, expire_on_commit=False) as s:
        yield s


def make_broker_token(engine: Engine, username: str = "api") -> str:
    """Create a broker account and return an API token for it."""
    from web.accounts.service import create_token, create_user

    with Session(engine) as s, s.begin():
        return create_token(s, create_user(s, username, "a long test password", "broker"))


@pytest.fixture
def broker_token(clean_db: Engine) -> str:
    """The API token of broker `api` on the clean test database."""
    return make_broker_token(clean_db)


@pytest.fixture
def client(clean_db: Engine, broker_token: str) -> Iterator[TestClient[Any]]:
    """An HTTP client for the app on the clean test database, carrying the API token of broker `api`."""
    from web.app import create_app

    with TestClient(app=create_app(clean_db)) as c:
        c.headers["Authorization"] = f"Bearer {broker_token}"
        yield c


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real data in ../shared/data; tests that need it skip when it is absent, and fail under CI."""
    return find_shared_data()


def find_shared_data() -> Path:
    """The shared data folder; a skip when it is absent, but a failure under CI.

    On a developer's machine without the data the tests that need it are skipped; in CI
    (`CI=true`) the data set is part of the setup, so its absence fails the run rather
    than hiding those tests behind a skip.
    """
    path = get_settings().data.shared_dir
    if not (path / "MANIFEST.md").is_file():
        message = f"shared data not found at {path} (set WIJKGRAM_SHARED_DATA)"
        if running_in_ci():
            pytest.fail(message + "; under CI the shared data must be there", pytrace=False)
        pytest.skip(message)
    return path


def running_in_ci() -> bool:
    """True under a CI run (`CI` set to true, as CI services do)."""
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


@pytest.fixture(scope="session")
def output_dir() -> Path:
    """Where tests leave screenshots and reports for a person to look at."""
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    return OUTPUT_DIR


@pytest.fixture
def settings_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Change environment variables and have the cached settings see them; undone afterwards."""
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


@pytest.fixture
def cli_database(settings_env: pytest.MonkeyPatch, database_url: str, clean_db: Engine) -> Engine:
    """CLI commands in this test use the clean test database (through DATABASE_URL)."""
    settings_env.setenv("DATABASE_URL", database_url)
    return clean_db
