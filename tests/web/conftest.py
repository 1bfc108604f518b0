"""Fixtures for the web pages: demo entries, users of each role, and logged-in clients."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from directory.demo import load_demo

PASSWORDS = {"vera": "viewer password 1", "bram": "broker password 1", "ada": "admin password 1"}
ROLES = {"vera": "viewer", "bram": "broker", "ada": "admin"}


@pytest.fixture(scope="session")
def password_hashes() -> dict[str, str]:
    """Argon2 hashes of the test passwords, computed once (hashing is slow on purpose)."""
    from argon2 import PasswordHasher

    hasher = PasswordHasher()
    return {name: hasher.hash(password) for name, password in PASSWORDS.items()}


@pytest.fixture(scope="session")
def demo_addresses(engine: Engine) -> None:
    """The offline address table of the demo OSM cut (real addresses), built once per run."""
    from geo.build import build_addresses
    from geo.demo import DEMO_OSM

    build_addresses(engine, DEMO_OSM)


@pytest.fixture(scope="session")
def demo_network(engine: Engine) -> Engine:
    """A street network under the demo places: kept when one is built (geo's Centrum one covers them).

    Built from the demo cut otherwise, as `wijkgram geo prepare-demo` does.
    """
    from geo.build import build_network
    from geo.demo import DEMO_OSM

    with engine.connect() as conn:
        built = conn.execute(text("SELECT count(*) FROM geo_network_build")).scalar_one()
    if not built:
        build_network(engine, DEMO_OSM)
    return engine


@pytest.fixture(scope="module")
def boundaries(engine: Engine, shared_data: Path) -> Iterator[Path]:
    """The real stadsdelen, wijken and buurten of Amsterdam, removed again after the module.

    Removed because later tests (the Amsterdam importer's) must not find codes these assigned.
    """
    from geo.build import build_boundaries

    folder = shared_data / "boundaries"
    build_boundaries(engine, folder)
    yield folder
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM geo_boundary"))


@pytest.fixture
def no_network(demo_db: Engine) -> Iterator[Engine]:
    """The demo database as if no street network had been built; the build rows come back afterwards.

    Only the build register is emptied (that is what geo checks first), so
    the network itself and geo's loaded graph stay for the next test.
    """
    with demo_db.begin() as conn:
        rows = conn.execute(text("SELECT * FROM geo_network_build")).mappings().all()
        conn.execute(text("DELETE FROM geo_network_build"))
    try:
        yield demo_db
    finally:
        with demo_db.begin() as conn:
            for row in rows:
                columns = ", ".join(row.keys())
                values = ", ".join(f":{key}" for key in row)
                conn.execute(text(f"INSERT INTO geo_network_build ({columns}) VALUES ({values})"), dict(row))


@pytest.fixture
def demo_db(
    clean_db: Engine, password_hashes: dict[str, str], demo_addresses: None, demo_network: Engine
) -> Engine:
    """The clean database with the demo entries (real Amsterdam places), a network, a user per role."""
    load_demo_and_users(clean_db, password_hashes)
    return clean_db


def load_demo_and_users(
    engine: Engine, password_hashes: dict[str, str], *, empty_first: bool = False
) -> None:
    """The demo entries and a user per role (ROLES) in `engine`'s database; emptied first if asked."""
    from directory.models import User
    from tests.conftest import empty_tables

    if empty_first:
        with engine.begin() as conn:
            empty_tables(conn)
    with Session(engine) as s, s.begin():
        load_demo(s)
        for name, role in ROLES.items():
            s.add(User(username=name, password_hash=password_hashes[name], role=role, active=True))


@pytest.fixture
def web(demo_db: Engine) -> Iterator[TestClient[Any]]:
    """An anonymous browser-like client (no API token) on the demo database."""
    from web.app import create_app

    with TestClient(app=create_app(demo_db), base_url="http://testserver.local") as c:
        yield c


def csrf_token(client: TestClient[Any], path: str = "/inloggen") -> str:
    """The CSRF token a page's form carries (also sets the CSRF cookie)."""
    page = client.get(path)
    match = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
    assert match, f"no CSRF field on {path}"
    return match[1]


def log_in(client: TestClient[Any], username: str) -> Any:
    """Log the client in through the login form."""
    token = csrf_token(client)
    return client.post(
        "/inloggen",
        data={"username": username, "password": PASSWORDS[username], "_csrf_token": token, "next": "/"},
        follow_redirects=False,
    )


@pytest.fixture
def live_server(demo_db: Engine) -> Iterator[str]:
    """The app served over HTTP on 127.0.0.1 against the demo database."""
    from tests.web.browser import serve

    with serve(demo_db) as url:
        yield url


@pytest.fixture(scope="module")
def site(
    engine: Engine, password_hashes: dict[str, str], demo_addresses: None, demo_network: Engine
) -> Iterator[str]:
    """The demo served once for a whole module of browser tests, with a user per role.

    Cheaper than `live_server` (one load and one server per module); the module's tests
    must only add to the demo data, never rely on it being untouched by the others.
    """
    from tests.web.browser import serve

    load_demo_and_users(engine, password_hashes, empty_first=True)
    with serve(engine) as url:
        yield url


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Headless Chromium from the Debian package (skips when absent)."""
    from tests.web.browser import CHROMIUM, CHROMIUM_ARGS

    if not CHROMIUM.exists():
        pytest.skip("chromium is not installed at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
