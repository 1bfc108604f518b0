"""Messy entries, made the way brokers make them (the entry schemas and EntryService), through
both HSDS forms: every record valid against the official schemas with formats checked, what the
schemas cannot check (keys, times, dates, ids, rules) right, and read back the same entries."""

from __future__ import annotations

import json
import re
import uuid
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from directory.schemas.entries import LocationCreate, OrganizationCreate, ServiceCreate, ServiceUpdate
from directory.services.entries import Actor, EntryService
from importers.hsds import export_hsds, read_hsds
from importers.hsds.schedules import RRULE_DAYS
from importers.run import run_import
from tests.importers.hsds_check import (
    empty_values,
    list_errors,
    package_errors,
    record_errors,
    schema_errors,
    table_rows,
)
from tests.importers.test_hsds import _content, _truncate

LONG = ("Lange tekst met é, ñ, 漢字, עברית, emoji 🧑‍🤝‍🧑 en Cafe\u0301 (combining). " * 150)[:9990]
AREA = {"type": "Polygon", "coordinates": [[[4.80, 52.35], [4.85, 52.35], [4.85, 52.38], [4.80, 52.35]]]}
SCHEMAS: dict[str, type[BaseModel]] = {
    "organization": OrganizationCreate,
    "location": LocationCreate,
    "service": ServiceCreate,
}
TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d:[0-5]\d$")
#: Columns holding an id of another resource, other than "<resource>_id".
LINKS = {("taxonomy_term", "parent_id"): "taxonomy_term"}


def _messy_directory(session: Session) -> None:
    broker = EntryService(session, Actor("makelaar-anna"))

    def make(kind: str, **data: Any) -> str:
        return str(broker.create(kind, SCHEMAS[kind].model_validate(data)).id)

    bare = make("organization", name="<script>alert('x')</script> & \"Vrienden\" <b>vet</b>")
    intl = make(
        "organization",
        name="مركز الحي 🌍 Buurtcentrum",
        phone="+32 2 555 12 34",
        website="www.buurtvrienden.nl/over-ons?x=1&y=2",
        email="o'brien+wijk@sub.example.co.uk",
        description="RTL \u202eevil\u202c, zero width\u200b, nieuwe\nregel",
    )
    make(
        "organization",
        name="Organisatie met toestel",
        phone="020 123 4567 ext. 12",
        email="info@buurthuis-zoë.nl",
        website="https://café-de-buurt.nl/agenda?week=ü",
    )
    hoekje = make(
        "location",
        name="Buurthuis 't Hoekje 🏠",
        organization_id=intl,
        lat=52.37,
        lon=4.89,
        street="Eerste Goudsbloemdwarsstraat",
        house_number="12-H",
        postcode="1015jr",
        city="Amsterdam",
        opening_hours="Mo-Fr 09:00-17:00; PH off",
        step_free=True,
        accessible_toilet=False,
        accessibility_note="Drempel van 2 cm",
        languages=["nl", "zgh"],
        phone="+44 20 7946 0958",
        website="http://example.nl/a<b>",
        description=LONG,
    )
    open_always = make("location", name="Nachtopvang", lat=52.36, lon=4.9, opening_hours="24/7")
    make(
        "location",
        name="Nachtcafé (Utrecht)",
        lat=52.09,
        lon=5.12,
        opening_hours="Fr-Sa 20:00-02:00; Su 14:00-24:00",
        street="Oudegracht",
        house_number="1",
        postcode="3511 AA",
        city="Utrecht",
    )
    make("location", name="Zomerterras", lat=52.366, lon=4.92, opening_hours="Apr-Sep Mo-Su 10:00-22:00")
    make(
        "service",
        name="Taalmaatje aan huis (alleen een gebied)",
        organization_id=bare,
        service_area=AREA,
        service_area_name="Nieuw-West",
        delivery_modes=["at_home", "phone"],
        languages=["nl", "ar", "ti"],
        cost_note="gratis, een vrijwillige bijdrage mag",
        waiting_time_days=0,
        contact_name="Fatima 👋",
        contact_role="coördinator",
        email='"quoted.local"@example.org',
    )
    make(
        "service",
        name="<b>Stamtafel</b> & koffie",
        organization_id=intl,
        location_ids=[hoekje],
        meetings=[
            {
                "rrule": "FREQ=MONTHLY;BYDAY=2TU",
                "start_time": "18:00",
                "end_time": "20:30",
                "note": "2e dinsdag",
            },
            {"rrule": "FREQ=MONTHLY;BYDAY=TU;BYSETPOS=-1", "start_time": "19:00:00"},
            {
                "rrule": "FREQ=WEEKLY;BYDAY=FR",
                "start_time": "22:00:00",
                "end_time": "01:00:00",
                "dtstart": "2026-01-02",
                "until": "2027-06-30",
                "exdates": ["2026-12-25"],
                "closed_ranges": ["2026-07-04:2026-08-16"],
            },
            {"rrule": "FREQ=DAILY", "start_time": "07:00:00", "end_time": "08:00:00"},
            {"rrule": "FREQ=YEARLY;BYMONTH=4;BYMONTHDAY=27", "start_time": "10:00:00"},
            {"rrule": "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE;COUNT=10", "start_time": "09:30:00"},
        ],
        cost_amount_eur="3.50",
        cost_note="€3,50 per maaltijd, minima gratis",
        last_verified_at="2026-11-30T23:30:00+00:00",
        phone="020 1234567 #12",
        description=LONG,
        website="example.org/stamtafel",
    )
    make(
        "service",
        name="Inloop \u05e9\u05dc\u05d5\u05dd",
        opening_hours="Mo,We 10:00-12:00,13:00-16:00; Sa 22:00-03:00",
        cost_free=True,
        status="closed",
        location_ids=[open_always],
    )
    make("service", name="Te controleren", status="needs_review", opening_hours="24/7")
    make("service", name="Concept uit een import", status="draft")
    # Deleted entries leave nothing behind that points at them; a broker's edit is exported.
    gone = make("location", name="Gesloopt", lat=52.3, lon=4.8)
    edited = make("service", name="Dienst op een gesloopte plek", location_ids=[gone])
    closed_org = make("organization", name="Opgeheven")
    make("service", name="Dienst van een opgeheven organisatie", organization_id=closed_org)
    session.flush()
    for kind, entry_id in (("organization", closed_org), ("location", gone)):
        entry = broker.get(kind, uuid.UUID(entry_id))
        broker.delete(kind, entry.id, expected_version=entry.version)
    entry = broker.get("service", uuid.UUID(edited))
    change = {"version": entry.version, "name": "Dienst (bewerkt)", "phone": "06-12345678"}
    broker.update("service", entry.id, ServiceUpdate.model_validate(change), expected_version=entry.version)
    session.commit()


def _in_form(column: str, value: Any) -> bool:
    """Whether a time is HH:MM:SS (in a day) and a date ISO 8601; other columns are not looked at."""
    if column in ("opens_at", "closes_at"):
        return bool(TIME.match(str(value)))
    if column in ("dtstart", "until", "valid_from", "valid_to", "assured_date"):
        try:
            date.fromisoformat(str(value))
        except ValueError:
            return False
    return True


def _semantic_errors(tables: dict[str, list[dict[str, Any]]]) -> list[str]:
    """What the schemas cannot check: links resolve, times and dates in their form, rules whole."""
    ids = {(name, row["id"]) for name, rows in tables.items() for row in rows}
    errors = []
    for name, rows in tables.items():
        for row in rows:
            for column, value in row.items():
                target = LINKS.get((name, column)) or (column[:-3] if column.endswith("_id") else None)
                if column == "link_id":
                    target = row["link_entity"]
                if target in tables and (target, value) not in ids:
                    errors.append(f"{name} {row['id']}: {column} {value} points nowhere")
                if not _in_form(column, value):
                    errors.append(f"{name} {row['id']}: {column} {value}")
    for row in tables["schedule"]:
        if row.get("freq") not in ("WEEKLY", "MONTHLY") or row.get("timezone") not in (1, 2):
            errors.append(f"schedule {row['id']}: freq {row.get('freq')}, timezone {row.get('timezone')}")
    for row in tables["phone"]:
        if "ext" in row["number"]:
            errors.append(f"phone {row['id']}: extension inside the number {row['number']}")
    return errors


def test_messy_entries_export_valid_and_read_back_the_same(db: Session, tmp_path: Path) -> None:
    _messy_directory(db)
    before = _content(db)
    folder = tmp_path / "first"
    export_hsds(db, folder, api=True)

    assert package_errors(folder) == []
    records = record_errors(folder)
    assert {name: errors for name, (_rows, errors) in records.items() if errors} == {}
    assert sum(rows for rows, _errors in records.values()) > 100
    lists = list_errors(folder)
    assert {name: errors for name, (_items, errors) in lists.items() if errors} == {}
    page = json.loads((folder / "service_list.json").read_text(encoding="utf-8"))
    assert page["total_items"] == len(page["contents"]) == 7
    assert {s["name"]: schema_errors(s) for s in page["contents"] if schema_errors(s)} == {}
    places = json.loads((folder / "service_at_location_list.json").read_text(encoding="utf-8"))["contents"]
    assert {(p["service"]["name"], p["location"]["name"]) for p in places} == {
        ("<b>Stamtafel</b> & koffie", "Buurthuis 't Hoekje 🏠"),
        ("Inloop \u05e9\u05dc\u05d5\u05dd", "Nachtopvang"),
    }
    assert empty_values(page) == []
    tables = table_rows(folder)
    assert _semantic_errors(tables) == []

    # What the general causes were about, each seen once in the output.
    organizations = {o["name"]: o for o in tables["organization"]}
    odd = organizations["Organisatie met toestel"]
    assert (odd["email"], odd["website"]) == (
        "info@xn--buurthuis-zo-dfb.nl",
        "https://xn--caf-de-buurt-deb.nl/agenda?week=%C3%BC",
    )
    assert {(p["number"], p.get("extension")) for p in tables["phone"]} >= {("+31 20 123 4567", 12)}
    services = {s["name"]: s for s in tables["service"]}
    stamtafel = [
        r for r in tables["schedule"] if r.get("service_id") == services["<b>Stamtafel</b> & koffie"]["id"]
    ]
    assert sorted((r["freq"], r["byday"]) for r in stamtafel) == sorted(
        [
            ("MONTHLY", "2TU"),
            ("MONTHLY", "-1TU"),
            ("WEEKLY", "FR"),
            ("WEEKLY", ",".join(RRULE_DAYS)),
            ("WEEKLY", "MO,WE"),
        ]
    )
    assert "Dienst op een gesloopte plek" not in services and "Dienst (bewerkt)" in services
    assert {services[n]["status"] for n in ("Te controleren", "Concept uit een import")} == {"inactive"}

    # The same directory gives the same package, byte for byte (ids included).
    export_hsds(db, tmp_path / "again", api=True)
    assert [
        p.name
        for p in sorted(folder.iterdir())
        if p.read_bytes() != (tmp_path / "again" / p.name).read_bytes()
    ] == []

    # Read back (the CSV package, then the API form): the same entries, nothing reported.
    for form, source in (("csv", folder), ("api", tmp_path / "api")):
        if form == "api":  # every list file: only the services are read, the others repeat them
            source.mkdir()
            for path in folder.glob("*_list.json"):
                (source / path.name).write_bytes(path.read_bytes())
        _truncate(db)
        report = run_import(db, read_hsds(source), source="hsds", scope=form)
        assert (form, report.rejects(), report.problems()) == (form, [], [])
        after = _content(db)
        for kind in before:
            # The API form holds services and the places they are held at, not every place.
            expected = before[kind] if form == "csv" or kind == "service" else []
            missing = [r for r in expected if r not in after[kind]]
            assert (form, kind, missing[:1]) == (form, kind, [])
