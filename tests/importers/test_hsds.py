"""HSDS 3.0: the export is the official tabular package (and API form), valid against the
official schemas; import reads both forms and the old layout; export -> import -> export is
identical up to ids."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from directory.demo import load_demo
from directory.models import Location, Organization, Service
from directory.services.serialize import entry_to_dict
from importers.hsds import export_hsds, read_hsds
from importers.hsds.export import BOOKKEEPING
from importers.hsds.spec import resources
from importers.repaircafes import SOURCE, read_repaircafes
from importers.run import run_import
from tests.importers.conftest import IMPORT_TABLES
from tests.importers.hsds_check import SPEC, empty_values, package_errors, read_csv, schema_errors

#: Bookkeeping that differs by design after a round trip.
IGNORED = BOOKKEEPING
#: Columns naming where a row came from: the second export names the first package.
PROVENANCE = {"external_identifier", "external_identifier_type"}


def _content(session: Session) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for kind, model in (("organization", Organization), ("location", Location), ("service", Service)):
        rows = [
            {k: v for k, v in entry_to_dict(session, e).items() if k not in IGNORED}
            for e in session.scalars(select(model))
        ]
        for row in rows:
            # A meeting's empty exception list is the same as none.
            row["meetings"] = [
                {k: v for k, v in m.items() if v not in ([], None)} for m in row.get("meetings", [])
            ]
        out[kind] = sorted(rows, key=lambda r: json.dumps(r, sort_keys=True, default=str))
    return out


def _is_id(column: str) -> bool:
    return column == "id" or column.endswith("_id")


def canonical(folder: Path) -> dict[str, list[str]]:
    """The package's rows with every id replaced by the name of what it points at."""
    meta = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    tables = {r["name"]: read_csv(folder / r["path"]) for r in meta["resources"]}
    label: dict[str, str] = {}
    for name in ("organization", "location", "service", "taxonomy", "taxonomy_term"):
        for row in tables.get(name, []):
            label[row["id"]] = f"{name}:{row.get('code') or row['name']}:{row.get('latitude', '')}"
    out: dict[str, list[str]] = {}
    for name, rows in tables.items():
        resolved = [
            {k: (label.get(v, "<id>") if _is_id(k) else v) for k, v in row.items() if k not in PROVENANCE}
            for row in rows
        ]
        out[name] = sorted(json.dumps(r, sort_keys=True, ensure_ascii=False) for r in resolved)
    return out


def _truncate(db: Session) -> None:
    db.execute(text(f"TRUNCATE {', '.join(IMPORT_TABLES)} RESTART IDENTITY CASCADE"))
    db.commit()


def test_demo_export_is_the_official_package_and_valid(db: Session, tmp_path: Path) -> None:
    """Frictionless finds no error in the CSV package; every API service is valid against
    the official service.json; no null or "" anywhere; every service has an organization."""
    load_demo(db)
    db.commit()
    folder = tmp_path / "pkg"
    counts = export_hsds(db, folder, api=True)
    meta = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    official = [(r["name"], r["path"], r["schema"]) for r in resources()]
    assert [(r["name"], r["path"], r["schema"]) for r in meta["resources"][: len(official)]] == official
    assert [r["name"] for r in meta["resources"][len(official) :]] == ["x_wijkgram"]
    assert package_errors(folder) == []
    services = json.loads((folder / "service_list.json").read_text(encoding="utf-8"))["contents"]
    assert len(services) == counts["service"] == 11
    for service in services:
        assert schema_errors(service) == [], service["name"]
        assert service["organization"]["name"]
    assert empty_values(services) == []
    # Filled from the model, not the extension: cost, wait time, accessibility, areas, hours.
    by_name = {s["name"]: s for s in services}
    meal = by_name["Buurtmaaltijd op dinsdag"]
    assert meal["cost_options"][0]["amount"] == 3.5 and meal["cost_options"][0]["currency"] == "EUR"
    assert meal["languages"] == [
        {"id": meal["languages"][0]["id"], "service_id": meal["id"], "name": "Dutch", "code": "nl"},
        {"id": meal["languages"][1]["id"], "service_id": meal["id"], "name": "English", "code": "en"},
    ]
    assert {"walk_in", "contact_role"} - set(meal.get("x_wijkgram", {})) == {"contact_role"}
    assert meal["contacts"][0]["title"] == "gastvrouw"
    assert by_name["Stamtafel Centrum"]["wait_time"] == "14 days"
    assert json.loads(by_name["Taalmaatje"]["service_areas"][0]["extent"])["type"] == "MultiPolygon"
    peers = by_name["Lotgenotengroep psychische kwetsbaarheid"]["schedules"][0]
    assert (peers["interval"], peers["byday"], peers["dtstart"], peers["timezone"]) == (
        2,
        "TH",
        "2000-01-06",
        1,
    )
    kloof = next(
        sal["location"] for sal in by_name["Inloop met lunch"]["service_at_locations"] if sal["location"]
    )
    assert [s["byday"] for s in kloof["schedules"]] == ["MO,TU,WE,TH,FR,SA"]
    assert {a["description"] for a in kloof["accessibility"]} == {"step-free entrance: yes"}
    assert kloof["addresses"][0]["postal_code"] == "1011 KB"
    assert "opening_hours" not in by_name["Inloop met lunch"].get("x_wijkgram", {})


def test_round_trip_is_identical_up_to_ids(db: Session, tmp_path: Path) -> None:
    """Demo -> export -> empty database -> import -> export: the same package, the same entries."""
    load_demo(db)
    db.commit()
    before = _content(db)
    export_hsds(db, tmp_path / "first")
    _truncate(db)
    report = run_import(db, read_hsds(tmp_path / "first"), source="hsds", scope="first")
    assert report.rejects() == [] and report.problems() == []
    again = run_import(db, read_hsds(tmp_path / "first"), source="hsds", scope="first")
    assert set(again.counts()) == {"unchanged"}
    after = _content(db)
    for kind in before:
        missing = [r for r in before[kind] if r not in after[kind]]
        extra = [r for r in after[kind] if r not in before[kind]]
        assert (kind, missing[:2], extra[:2]) == (kind, [], [])
    export_hsds(db, tmp_path / "second")
    first, second = canonical(tmp_path / "first"), canonical(tmp_path / "second")
    assert first.keys() == second.keys()
    for name in first:
        assert (name, first[name]) == (name, second[name])


def test_api_form_imports_like_the_csv_package(db: Session, tmp_path: Path) -> None:
    """The JSON (API) form of the demo imports to the same entries as the CSV package."""
    load_demo(db)
    db.commit()
    before = _content(db)
    export_hsds(db, tmp_path / "pkg", api=True)
    api = tmp_path / "api"
    api.mkdir()
    shutil.copy(tmp_path / "pkg" / "service_list.json", api)
    _truncate(db)
    report = run_import(db, read_hsds(api), source="hsds", scope="api")
    assert report.rejects() == []
    after = _content(db)
    # The API form holds services and what they nest: places without a service are not in it.
    held = {loc["name"] for loc in after["location"]}
    assert [s for s in before["service"] if s not in after["service"]] == []
    assert [loc for loc in before["location"] if loc["name"] in held and loc not in after["location"]] == []
    assert held == {
        "De Boomspijker",
        "Treasure House",
        "de Kloof",
        "Mozes en Aäronkerk",
        "Huis De Pinto",
        "Rita Community Center",
        "Kerkzaal Bijlmerdreef",
        "Buurtkamer Dapperbuurt (demo)",
    }


@pytest.mark.shared_data
def test_round_trip_with_the_repair_cafes(db: Session, tmp_path: Path, shared_data: Path) -> None:
    """The repair cafés' schedules (exception dates, closed ranges, monthly rules) survive too."""
    cafes = shared_data / "venues" / "repaircafes-amsterdam-2024" / "cafes.json"
    run_import(db, read_repaircafes(cafes), source=SOURCE, scope="cafes")
    db.commit()
    before = _content(db)
    counts = export_hsds(db, tmp_path / "pkg")
    assert counts["schedule"] > 39
    assert package_errors(tmp_path / "pkg") == []
    _truncate(db)
    report = run_import(db, read_hsds(tmp_path / "pkg"), source="hsds", scope="pkg")
    assert report.rejects() == []
    after = _content(db)
    for kind in before:
        missing = [r for r in before[kind] if r not in after[kind]]
        assert (kind, missing[:2]) == (kind, [])


def test_official_csv_example_imports_and_reports(db: Session) -> None:
    """The specification's own CSV example: every record kept or reported, nothing crashes."""
    report = run_import(db, read_hsds(SPEC / "examples" / "csv"), source="hsds", scope="example")
    outcomes = {o.source_id: o for o in report.outcomes}
    # The example's location lies at latitude 100: reported, and its service kept without a place.
    location = outcomes["3a19ff88-4620-4d17-9830-ac1d859eb5d5"]
    assert location.outcome == "rejected" and "kept without a place" in (location.reason or "")
    service = outcomes["ac148810-d857-441c-9679-408f346de14b"]
    assert service.outcome == "created", service.reason
    aside = {p.field for p in service.problems}
    assert {"interpretation_services", "eligibility_description", "funding", "required_document"} <= aside
    program = outcomes["e7ec2e57-4540-43fa-b2c7-6be5a0ef7f42"]
    assert program.outcome == "rejected" and "program" in (program.reason or "")
    row = db.scalars(select(Service)).one()
    assert row.organization_id is not None and row.source_id == "ac148810-d857-441c-9679-408f346de14b"
    assert row.cost_note and row.languages == ["ur"] if row.languages else row.cost_note


def test_official_json_examples_import(db: Session, tmp_path: Path) -> None:
    """service_full.json (one service) and service_list.json (a page) of the specification."""
    for name in ("service_full.json", "service_list.json"):
        folder = tmp_path / name
        folder.mkdir()
        shutil.copy(SPEC / "examples" / name, folder)
        report = run_import(db, read_hsds(folder), source="hsds", scope=name)
        services = [o for o in report.outcomes if o.source_id == "ac148810-d857-441c-9679-408f346de14b"]
        assert [o.outcome for o in services] in (["created"], ["unchanged"], ["updated"]), report.outcomes
    assert db.scalar(select(Service.name)) == "Community Counselling"


def test_old_layout_still_imports(db: Session, tmp_path: Path) -> None:
    """A package of wijkgram's former layout (JSON arrays, plain string languages) imports."""
    folder = tmp_path / "old"
    folder.mkdir()
    tables = {
        "locations": [{"id": "L1", "name": "Buurthuis Elders", "latitude": 52.3720, "longitude": 4.9030}],
        "services": [
            {
                "id": "S1",
                "name": "Koffieochtend",
                "status": "active",
                "fees_description": "€ 1",
                "languages": ["nl"],
            }
        ],
        "service_at_locations": [{"id": "SL1", "service_id": "S1", "location_id": "L1"}],
        "schedules": [
            {
                "id": "SC1",
                "service_id": "S1",
                "freq": "WEEKLY",
                "interval": 1,
                "byday": "TU",
                "opens_at": "10:00",
                "closes_at": "12:00",
                "description": None,
            }
        ],
        "addresses": [
            {
                "id": "A1",
                "location_id": "L1",
                "address_1": "Recht Boomssloot 52",
                "city": "Amsterdam",
                "postal_code": "1011 EC",
                "country": "NL",
                "address_type": "physical",
            }
        ],
    }
    for name, rows in tables.items():
        (folder / f"{name}.json").write_text(json.dumps(rows), encoding="utf-8")
    report = run_import(db, read_hsds(folder), source="hsds", scope="other")
    assert report.counts()["created"] == 1
    service = db.scalars(select(Service)).one()
    assert service.meetings == [
        {"rrule": "FREQ=WEEKLY;BYDAY=TU", "start_time": "10:00:00", "end_time": "12:00:00"}
    ]
    assert (service.cost_note, service.languages) == ("€ 1", ["nl"])
    place = db.scalars(select(Location)).one()
    assert (place.street, place.house_number, place.postcode) == ("Recht Boomssloot", "52", "1011 EC")


def test_a_folder_without_hsds_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="holds no HSDS data"):
        read_hsds(tmp_path)
