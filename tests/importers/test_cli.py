"""The import and export commands, run as a user runs them (CliRunner, real database)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from cli.main import cli
from directory.models import Location, Revision, Service, SourceLink
from directory.settings import get_settings


@pytest.fixture
def cli_db(import_db: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """Point the command line at the clean test database."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield import_db
    get_settings.cache_clear()


def test_demo_imports_the_osm_cut_idempotently(cli_db: Engine) -> None:
    """`wijkgram demo --no-serve` loads the hand-written entries and the real OSM places; twice is once."""
    runner = CliRunner()
    first = runner.invoke(cli, ["demo", "--no-serve"])
    assert first.exit_code == 0, first.output
    with Session(cli_db) as s:
        places = s.scalar(select(func.count()).select_from(Location))
        links = s.scalar(select(func.count()).select_from(SourceLink).where(SourceLink.source == "osm"))
        revisions = s.scalar(select(func.count()).select_from(Revision))
        boom = s.scalars(select(Location).where(Location.name == "De Boomspijker")).all()
    assert links and links > 200 and places and places >= links
    assert len(boom) == 1  # the demo entry and the OSM node are one place
    with Session(cli_db) as s:
        area_offers = s.scalars(
            select(Service).where(Service.source == "demo:aanbod", Service.service_area.is_not(None))
        ).all()
    assert len(area_offers) == 6  # the shipped list of offers without a venue
    assert {"Zuidoost", "Heel Amsterdam"} <= {o.service_area_name for o in area_offers}
    second = runner.invoke(cli, ["demo", "--no-serve"])
    assert second.exit_code == 0, second.output
    assert "unchanged" in second.output
    with Session(cli_db) as s:
        assert s.scalar(select(func.count()).select_from(Revision)) == revisions


def test_table_dry_run_and_bad_mapping(cli_db: Engine, tmp_path: Path) -> None:
    """`import table --dry-run` prints the row report and writes nothing; a bad mapping is a usage error."""
    path = tmp_path / "lijst.csv"
    rows = "naam;adres;postcode\nDe Boomspijker;Recht Boomssloot 52;1011 EC\n;Dam 1;1012 JS\n"
    path.write_text(rows, "utf-8")
    result = CliRunner().invoke(cli, ["import", "table", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "line 2: created De Boomspijker" in result.output
    assert "line 3: rejected" in result.output and "naam: missing" in result.output
    with Session(cli_db) as s:
        assert s.scalar(select(func.count()).select_from(Location)) == 0
    mapping = tmp_path / "m.toml"
    mapping.write_text('[columns]\n"naam" = "naam_van_de_plek"\n', "utf-8")
    result = CliRunner().invoke(cli, ["import", "table", str(path), "--mapping", str(mapping)])
    assert result.exit_code == 2 and "unknown field(s) naam_van_de_plek" in result.output


@pytest.mark.shared_data
def test_export_hsds_writes_a_package(cli_db: Engine, tmp_path: Path, shared_data: Path) -> None:
    """`export hsds` after `import repaircafes` writes a data package with every place."""
    cafes = shared_data / "venues" / "repaircafes-amsterdam-2024" / "cafes.json"
    runner = CliRunner()
    imported = runner.invoke(cli, ["import", "repaircafes", str(cafes)])
    assert imported.exit_code == 0, imported.output
    assert "39" in imported.output
    result = runner.invoke(cli, ["export", "hsds", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    with Session(cli_db) as s:
        places = s.scalar(select(func.count()).select_from(Location))
    assert f"{places} location," in result.output
    assert (tmp_path / "out" / "datapackage.json").is_file()
    assert (tmp_path / "out" / "locations.csv").is_file()
    assert not (tmp_path / "out" / "service_list.json").exists()


def test_import_hsds_reads_the_official_csv_example(cli_db: Engine, tmp_path: Path) -> None:
    """`import hsds` takes the specification's CSV example and reports what it cannot keep;
    `export hsds --json` writes the API form beside the package."""
    from tests.importers.hsds_check import SPEC

    runner = CliRunner()
    result = runner.invoke(cli, ["import", "hsds", str(SPEC / "examples" / "csv")])
    assert result.exit_code == 0, result.output
    assert "rejected" in result.output and "values set aside" in result.output
    exported = runner.invoke(cli, ["export", "hsds", "--json", str(tmp_path / "out")])
    assert exported.exit_code == 0, exported.output
    assert "1 service," in exported.output and (tmp_path / "out" / "service_list.json").is_file()
    refused = runner.invoke(cli, ["import", "hsds", str(tmp_path)])
    assert refused.exit_code == 2 and "holds no HSDS data" in refused.output


def test_table_json_report(cli_db: Engine) -> None:
    """`import table FILE --dry-run --report json` prints one JSON object: rows, columns, counts."""
    import json

    fixture = Path(__file__).parent / "fixtures" / "partners" / "buurtnetwerk-oost.csv"
    result = CliRunner().invoke(cli, ["import", "table", str(fixture), "--dry-run", "--report", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert set(report) == {"rows", "columns", "counts", "header_line"}
    assert report["rows"][0] == {"line": 2, "outcome": "created", "name": "Buurtbuik Oost", "messages": []}
    assert {row["outcome"] for row in report["rows"]} <= {
        "created",
        "updated",
        "unchanged",
        "draft",
        "rejected",
    }
    assert report["columns"]["Werkgebied"] == "service_area"
    assert report["columns"]["Ingevoerd door"] == "ignored"
    assert report["columns"]["Opmerkingen"] == "extra:description"
    assert report["counts"]["rejected"] == 2
    with Session(cli_db) as s:
        assert s.scalar(select(func.count()).select_from(SourceLink)) == 0  # a dry run writes nothing


def test_table_json_report_of_a_sheet_with_a_title(cli_db: Engine) -> None:
    """The CLI reads the XLSX under its title rows: every row is in the report with its sheet row."""
    import json

    fixture = Path(__file__).parent / "fixtures" / "partners" / "sociale-kaart-centrum.xlsx"
    result = CliRunner().invoke(cli, ["import", "table", str(fixture), "--dry-run", "--report", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["header_line"] == 5
    assert [row["line"] for row in report["rows"]] == list(range(6, 15))
    assert report["counts"]["rejected"] == 1
    text = CliRunner().invoke(cli, ["import", "table", str(fixture), "--dry-run"])
    assert "header on line 5" in text.output and "Notitie gebiedsmakelaar" in text.output  # ignored
