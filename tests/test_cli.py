"""The `wijkgram` command line, run through click's CliRunner."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from cli.main import cli
from directory.models import Location, Service


@pytest.fixture
def env(settings_env: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """Environment changes that the cached settings see, undone afterwards."""
    return settings_env


def test_status_with_external_database(env: pytest.MonkeyPatch, database_url: str) -> None:
    env.setenv("DATABASE_URL", database_url)
    result = CliRunner().invoke(cli, ["db", "status"])
    assert result.exit_code == 0, result.output
    assert "DATABASE_URL" in result.output
    assert "schema revision:" in result.output


def test_db_start_refuses_when_database_url_is_set(env: pytest.MonkeyPatch, database_url: str) -> None:
    env.setenv("DATABASE_URL", database_url)
    result = CliRunner().invoke(cli, ["db", "start"])
    assert result.exit_code == 2
    assert "Unset DATABASE_URL" in result.output


def test_db_start_stop_embedded_twice(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    env.delenv("DATABASE_URL", raising=False)
    env.setenv("WIJKGRAM_DATA_DIR", str(tmp_path / "var"))
    runner = CliRunner()
    first = runner.invoke(cli, ["db", "start"])
    assert first.exit_code == 0, first.output
    assert "started" in first.output
    assert "already running" in runner.invoke(cli, ["db", "start"]).output
    status = runner.invoke(cli, ["db", "status"])
    assert "running: yes" in status.output
    assert "schema revision: empty" in status.output
    assert "stopped" in runner.invoke(cli, ["db", "stop"]).output
    assert "not running" in runner.invoke(cli, ["db", "stop"]).output


def test_missing_binaries_give_a_clear_error(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    env.delenv("DATABASE_URL", raising=False)
    env.setenv("WIJKGRAM_DATA_DIR", str(tmp_path / "var"))
    env.setenv("WIJKGRAM_PG_BIN", str(tmp_path / "nothing"))
    result = CliRunner().invoke(cli, ["db", "start"])
    assert result.exit_code == 1
    assert "apt-get install postgresql-15" in result.output


def test_demo_loads_once(cli_database: Engine) -> None:
    clean_db = cli_database
    runner = CliRunner()
    first = runner.invoke(cli, ["demo", "--no-serve"])
    assert first.exit_code == 0, first.output
    with Session(clean_db) as session:
        locations = session.scalar(select(func.count()).select_from(Location))
        services = session.scalar(select(func.count()).select_from(Service))
    assert locations and locations >= 10
    assert services and services >= 10
    second = runner.invoke(cli, ["demo", "--no-serve"])
    assert second.exit_code == 0, second.output
    with Session(clean_db) as session:
        assert session.scalar(select(func.count()).select_from(Location)) == locations


def test_every_command_has_help() -> None:
    runner = CliRunner()
    for path in _command_paths():
        result = runner.invoke(cli, [*path, "--help"])
        assert result.exit_code == 0, path
        assert "Usage:" in result.output


def _command_paths() -> list[list[str]]:
    import click

    paths: list[list[str]] = []

    def walk(group: click.Group, prefix: list[str]) -> None:
        for name, command in group.commands.items():
            paths.append([*prefix, name])
            if isinstance(command, click.Group):
                walk(command, [*prefix, name])

    walk(cli, [])
    return paths
