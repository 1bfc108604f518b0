"""Migration 0400 goes down and up again; docs/web.md names every setting and command of the area."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, inspect, pool

from directory.db import migrate
from directory.settings import REPO_ROOT
from tests.conftest import create_database, drop_database

WEB_TABLES = {"app_user", "api_token", "web_session", "entry_report"}


def tables(url: str) -> set[str]:
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_migration_0400_downgrades_and_upgrades(database_url: str) -> None:
    name = "wijkgram_test_web_migration"
    url = create_database(name)
    try:
        migrate.upgrade(url, "0400")
        assert tables(url) >= WEB_TABLES
        migrate.downgrade(url, "0001")
        assert not (WEB_TABLES & tables(url))
        assert "location" in tables(url), "the foundation stays"
        migrate.upgrade(url, "0400")
        assert tables(url) >= WEB_TABLES
    finally:
        drop_database(name)


def test_docs_name_every_web_setting_and_command() -> None:
    docs = (REPO_ROOT / "docs" / "web.md").read_text(encoding="utf-8")
    for needle in (
        "WIJKGRAM_COOKIE_SECURE",
        "WIJKGRAM_SECRET",
        "WIJKGRAM_UPLOAD_DIR",
        "WIJKGRAM_STALE_AFTER_MONTHS",
        "wijkgram user create",
        "wijkgram user token",
        "wijkgram user list",
        "web/static/vendor",
    ):
        assert needle in docs, needle
    vendor = REPO_ROOT / "web" / "static" / "vendor"
    for licence in ("leaflet/LICENSE", "leaflet.markercluster/MIT-LICENCE.txt", "jquery/LICENSE.txt"):
        assert Path(vendor / licence).is_file(), licence
