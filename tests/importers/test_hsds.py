"""HSDS 3.0: export the directory, import the package into an empty one, get the same entries."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from directory.demo import load_demo
from directory.models import Location, Organization, Service
from directory.services.serialize import entry_to_dict
from importers.hsds import TABLES, export_hsds, read_hsds
from importers.repaircafes import SOURCE, read_repaircafes
from importers.run import run_import
from tests.importers.conftest import IMPORT_TABLES

#: Bookkeeping that differs by design after a round trip.
IGNORED = {
    "id",
    "version",
    "created_at",
    "updated_at",
    "field_provenance",
    "source",
    "source_id",
    "fetched_at",
    "organization_id",
    "location_ids",
    "last_verified_at",
    "verified_by",
    "verification_method",
}


def _content(session: Session) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for kind, model in (("organization", Organization), ("location", Location), ("service", Service)):
        rows = [
            {k: v for k, v in entry_to_dict(session, e).items() if k not in IGNORED}
            for e in session.scalars(select(model))
        ]
        for row in rows:
            if "lat" in row:
                row["lat"], row["lon"] = round(row["lat"], 7), round(row["lon"], 7)
        out[kind] = sorted(rows, key=lambda r: json.dumps(r, sort_keys=True, default=str))
    return out


@pytest.mark.shared_data
def test_export_import_round_trip(db: Session, tmp_path: Path, shared_data: Path) -> None:
    """Demo entries + the repair cafés survive export -> empty database -> import, field for field."""
    load_demo(db)
    cafes = shared_data / "venues" / "repaircafes-amsterdam-2024" / "cafes.json"
    run_import(db, read_repaircafes(cafes), source=SOURCE, scope="cafes")
    db.commit()
    before = _content(db)
    counts = export_hsds(db, tmp_path / "pkg")
    assert counts["locations"] == len(before["location"]) and counts["schedules"] > 39
    package = json.loads((tmp_path / "pkg" / "datapackage.json").read_text())
    assert [r["name"] for r in package["resources"]] == list(TABLES)
    sample = json.loads((tmp_path / "pkg" / "schedules.json").read_text())[0]
    assert {"freq", "opens_at", "service_id"} <= set(sample)

    db.execute(text(f"TRUNCATE {', '.join(IMPORT_TABLES)} RESTART IDENTITY CASCADE"))
    db.commit()
    report = run_import(db, read_hsds(tmp_path / "pkg"), source="hsds", scope="pkg")
    assert not report.rejects()
    again = run_import(db, read_hsds(tmp_path / "pkg"), source="hsds", scope="pkg")
    assert set(again.counts()) == {"unchanged"}
    after = _content(db)
    for kind in before:
        missing = [r for r in before[kind] if r not in after[kind]]
        extra = [r for r in after[kind] if r not in before[kind]]
        assert (kind, missing[:2], extra[:2]) == (kind, [], [])


def test_plain_hsds_schedule_without_extension(db: Session, tmp_path: Path) -> None:
    """A package from another directory (no wijkgram extensions) imports with its RRULE fields."""
    folder = tmp_path / "other"
    folder.mkdir()
    tables = {
        "locations": [{"id": "L1", "name": "Buurthuis Elders", "latitude": 52.3720, "longitude": 4.9030}],
        "services": [{"id": "S1", "name": "Koffieochtend", "status": "active", "fees_description": "€ 1"}],
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
        {"rrule": "FREQ=WEEKLY;INTERVAL=1;BYDAY=TU", "start_time": "10:00:00", "end_time": "12:00:00"}
    ]
    assert service.cost_note == "€ 1"
    place = db.scalars(select(Location)).one()
    assert (place.street, place.house_number, place.postcode) == ("Recht Boomssloot", "52", "1011 EC")
