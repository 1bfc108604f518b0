"""Backup and restore round trip: every entry and every revision comes back as it was."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from click.testing import CliRunner
from litestar.testing import TestClient
from sqlalchemy import Engine, text

from cli.main import cli
from tests import factories

TABLES = ["organization", "location", "service", "service_at_location", "revision", "search_outbox"]


def _dump(engine: Engine) -> dict[str, list[Any]]:
    with engine.connect() as conn:
        return {
            table: [
                row[0] for row in conn.execute(text(f"SELECT row_to_json(t)::text FROM {table} t ORDER BY 1"))
            ]
            for table in TABLES
        }


def test_backup_restore_round_trip(client: TestClient[Any], cli_database: Engine, tmp_path: Path) -> None:
    engine = cli_database
    org = client.post("/api/v1/organizations", json=factories.organization()).json()
    loc = client.post("/api/v1/locations", json=factories.location(organization_id=org["id"])).json()
    client.post("/api/v1/services", json=factories.service(location_ids=[loc["id"]]))
    client.patch(f"/api/v1/locations/{loc['id']}", json={"version": 1, "capacity": 25})
    before = _dump(engine)
    assert len(before["revision"]) == 4

    runner = CliRunner()
    file = tmp_path / "wijkgram.dump"
    result = runner.invoke(cli, ["backup", str(file)])
    assert result.exit_code == 0, result.output
    assert file.stat().st_size > 0

    # Damage the data after the backup: an edit and a delete.
    client.patch(f"/api/v1/locations/{loc['id']}", json={"version": 2, "name": "Vandalised"})
    client.delete(f"/api/v1/organizations/{org['id']}?version=1")
    assert _dump(engine) != before

    result = runner.invoke(cli, ["restore", "--yes", str(file)])
    assert result.exit_code == 0, result.output
    engine.dispose()  # connections from before the restore point at dropped tables
    assert _dump(engine) == before


def test_restore_of_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["restore", "--yes", str(tmp_path / "nope.dump")])
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_failed_restore_changes_nothing(
    client: TestClient[Any], cli_database: Engine, tmp_path: Path
) -> None:
    client.post("/api/v1/locations", json=factories.location(name="Blijft staan"))
    before = _dump(cli_database)
    broken = tmp_path / "broken.dump"
    broken.write_bytes(b"PGDMP" + b"\x00" * 100)
    result = CliRunner().invoke(cli, ["restore", "--yes", str(broken)])
    assert result.exit_code == 1
    assert "pg_restore failed" in result.output
    assert _dump(cli_database) == before
