"""`wijkgram index sync|rebuild|status` through click's CliRunner, on the real services."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from click.testing import CliRunner
from sqlalchemy import Engine

from cli.main import cli
from directory.settings import SearchSettings, get_settings
from tests import factories
from tests.search.conftest import writer


@pytest.fixture
def cli_env(
    monkeypatch: pytest.MonkeyPatch, database_url: str, meili_settings: SearchSettings
) -> Iterator[SearchSettings]:
    """Point the CLI at the test database and the test Meilisearch."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("MEILI_URL", meili_settings.meili_url)
    monkeypatch.setenv("MEILI_MASTER_KEY", meili_settings.meili_key)
    monkeypatch.setenv("MEILI_INDEX", meili_settings.index_name)
    get_settings.cache_clear()
    yield meili_settings
    get_settings.cache_clear()


def test_sync_rebuild_and_status(clean_db: Engine, cli_env: SearchSettings) -> None:
    """sync sends pending changes and says how many; status shows none pending; rebuild summarises."""
    session, entries = writer(clean_db)
    with session:
        for name in ("Buurtkamer Oost", "Buurtkamer West", "Huiskamer Noord"):
            entries.create("location", factories.location(name=name))
        session.commit()
    runner = CliRunner()
    result = runner.invoke(cli, ["index", "status"])
    assert result.exit_code == 0, result.output
    assert "engine: meilisearch" in result.output and "pending changes: 3" in result.output
    result = runner.invoke(cli, ["index", "sync"])
    assert result.exit_code == 0, result.output
    assert "synced 3 change(s)" in result.output
    stats = httpx.get(
        f"{cli_env.meili_url}/indexes/{cli_env.index_name}/stats",
        headers={"Authorization": f"Bearer {cli_env.meili_key}"},
    ).json()
    assert stats["numberOfDocuments"] == 3
    result = runner.invoke(cli, ["index", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "3 entries -> 3 documents" in result.output and "Meilisearch" in result.output


def test_sync_without_meili_url_explains(monkeypatch: pytest.MonkeyPatch, database_url: str) -> None:
    """Without MEILI_URL, sync says why there is nothing to do and how to change that."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("MEILI_URL", "")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["index", "sync"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2 and "MEILI_URL is not set" in result.output
