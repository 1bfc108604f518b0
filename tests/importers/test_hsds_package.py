"""A hand-made, schema-valid HSDS 3.0 package with a row in every table: what is kept, what
is reported, nothing lost silently."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.models import Location, Organization, Service, SourceLink
from importers.hsds import read_hsds
from importers.hsds.spec import resource_names
from importers.hsds.tables import empty_tables, write_api, write_csv_package
from importers.hsds.vocabulary import taxonomy_id
from importers.run import run_import
from tests.importers.hsds_check import package_errors, schema_errors


def uid(name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"https://example.org/hsds/{name}"))


O1, O2, P1 = uid("o1"), uid("o2"), uid("p1")
S1, S2, S3 = uid("s1"), uid("s2"), uid("s3")
L1, L2, LV = uid("l1"), uid("l2"), uid("lv")
OURS, FOREIGN = taxonomy_id("category"), uid("open-eligibility")
AREA = {"type": "Polygon", "coordinates": [[[4.87, 52.36], [4.92, 52.36], [4.92, 52.385], [4.87, 52.36]]]}


def package_tables() -> dict[str, list[dict[str, Any]]]:
    t = empty_tables()
    t["organization"] = [
        {
            "id": O1,
            "name": "Buurtvereniging Oost",
            "description": "Vereniging van bewoners",
            "tax_id": "NL123",
        },
        {
            "id": O2,
            "name": "Online Hulp",
            "description": "Hulp via internet",
            "website": "ftp://files.example.org",
        },
    ]
    t["program"] = [{"id": P1, "organization_id": O1, "name": "Samen eten", "description": "Programma"}]
    t["service"] = [
        {
            "id": S1,
            "organization_id": O1,
            "program_id": P1,
            "name": "Soep op dinsdag",
            "status": "temporarily closed",
            "wait_time": "2 weken",
            "eligibility_description": "Voor bewoners van Oost",
        },
        {"id": S2, "organization_id": O2, "name": "Chat met een maatje", "status": "active"},
        {"id": S3, "organization_id": O1, "name": "Klusochtend", "status": "active"},
    ]
    t["taxonomy"] = [
        {"id": OURS, "name": "wijkgram category", "description": "wijkgram's category codes"},
        {"id": FOREIGN, "name": "Open Eligibility", "description": "Another taxonomy"},
    ]
    t["taxonomy_term"] = [
        {
            "id": uid("t-cat"),
            "code": "community_restaurant",
            "name": "Buurtrestaurant",
            "description": "x",
            "taxonomy_id": OURS,
        },
        {
            "id": uid("t-new"),
            "code": "newcomers",
            "name": "Newcomers",
            "description": "x",
            "taxonomy_id": FOREIGN,
        },
        {"id": uid("t-food"), "code": "food", "name": "Food", "description": "x", "taxonomy_id": FOREIGN},
    ]
    t["attribute"] = [
        {"id": uid(f"a{n}"), "link_id": S1, "taxonomy_term_id": uid(term), "link_entity": "service"}
        for n, term in enumerate(("t-cat", "t-new", "t-food"))
    ]
    t["location"] = [
        {
            "id": L1,
            "location_type": "physical",
            "organization_id": O1,
            "name": "Buurthuis Oost",
            "latitude": 52.3628,
            "longitude": 4.9268,
            "transportation": "Tram 3",
        },
        {"id": L2, "location_type": "physical", "latitude": 52.3700, "longitude": 4.9000},
        {"id": LV, "location_type": "virtual", "url": "https://chat.example.org", "name": "Chat"},
    ]
    t["service_at_location"] = [
        {"id": uid("sal1"), "service_id": S1, "location_id": L1},
        {"id": uid("sal2"), "service_id": S2, "location_id": LV},
        {"id": uid("sal3"), "service_id": S3, "location_id": L1},
        {"id": uid("sal4"), "service_id": S3, "location_id": L2},
    ]
    t["contact"] = [
        {"id": uid("c1"), "service_id": S1, "name": "Fatima", "title": "kok", "email": "fatima@example.org"}
    ]
    t["phone"] = [
        {"id": uid("ph1"), "service_id": S1, "number": "020 123 4567"},
        {"id": uid("ph2"), "service_id": S1, "number": "020 765 4321"},
        {"id": uid("ph3"), "location_id": L1, "number": "020 111 2222"},
        {"id": uid("ph4"), "organization_id": O1, "number": "020 333 4444"},
        {"id": uid("ph5"), "contact_id": uid("c1"), "number": "06 12345678"},
        {"id": uid("ph6"), "location_id": L2, "number": "12"},  # breaks wijkgram's phone rule
    ]
    t["address"] = [
        {
            "id": uid("ad1"),
            "location_id": L1,
            "address_1": "Dapperstraat 12",
            "city": "Amsterdam",
            "state_province": "Noord-Holland",
            "postal_code": "1093 BS",
            "country": "NL",
            "address_type": "physical",
        },
        {
            "id": uid("ad2"),
            "location_id": L1,
            "address_1": "Postbus 1",
            "city": "Amsterdam",
            "state_province": "Noord-Holland",
            "postal_code": "1000 AA",
            "country": "NL",
            "address_type": "postal",
        },
        {
            "id": uid("ad3"),
            "location_id": L2,
            "address_1": "Sint Antoniesbreestraat 69",
            "city": "Amsterdam",
            "state_province": "Noord-Holland",
            "postal_code": "1011 HB",
            "country": "NL",
            "address_type": "physical",
        },
    ]
    t["schedule"] = [
        {
            "id": uid("sc1"),
            "service_id": S1,
            "freq": "WEEKLY",
            "byday": "TU",
            "opens_at": "13:00:00+01:00",
            "closes_at": "14:30:00+01:00",
        },
        {
            "id": uid("sc2"),
            "location_id": L1,
            "freq": "WEEKLY",
            "byday": "MO,TU,WE,TH,FR",
            "opens_at": "09:00:00",
            "closes_at": "17:00:00",
        },
        {
            "id": uid("sc3"),
            "service_at_location_id": uid("sal3"),
            "freq": "MONTHLY",
            "byday": "1SA",
            "opens_at": "10:00:00",
            "closes_at": "12:00:00",
            "dtstart": "2026-01-03",
        },
        {"id": uid("sc4"), "service_id": S1, "description": "Soms ook op vrijdag"},
    ]
    t["funding"] = [
        {"id": uid("f1"), "service_id": S1, "source": "Gemeente"},
        {"id": uid("f2"), "organization_id": O1, "source": "Fonds"},
    ]
    t["service_area"] = [
        {"id": uid("sa1"), "service_id": S2, "extent": json.dumps(AREA), "extent_type": "geojson"},
        {"id": uid("sa2"), "service_id": S3, "name": "Oost"},
    ]
    t["required_document"] = [{"id": uid("rd1"), "service_id": S1, "document": "Stadspas"}]
    t["language"] = [
        {"id": uid("lg1"), "service_id": S1, "name": "Dutch", "code": "nl"},
        {"id": uid("lg2"), "location_id": L1, "name": "English", "code": "en"},
        {"id": uid("lg3"), "service_id": S3, "name": "Sign language"},
    ]
    t["accessibility"] = [
        {"id": uid("ac1"), "location_id": L1, "description": "step-free entrance: yes"},
        {"id": uid("ac2"), "location_id": L1, "description": "Rolstoel via de zij-ingang"},
    ]
    t["metadata"] = [
        {
            "id": uid("m1"),
            "resource_id": S1,
            "resource_type": "service",
            "last_action_date": "2026-11-01",
            "last_action_type": "update",
            "field_name": "name",
            "previous_value": "Soep",
            "replacement_value": "Soep op dinsdag",
            "updated_by": "anna",
        }
    ]
    t["meta_table_description"] = [{"id": uid("mt1"), "name": "services", "language": "nl"}]
    t["cost_option"] = [
        {
            "id": uid("co1"),
            "service_id": S1,
            "currency": "EUR",
            "amount": 2.5,
            "amount_description": "per kom",
        },
        {"id": uid("co2"), "service_id": S1, "currency": "GBP", "amount": 2},
    ]
    t["organization_identifier"] = [
        {"id": uid("oi1"), "organization_id": O1, "identifier_type": "KvK", "identifier": "12345678"}
    ]
    return t


@pytest.fixture
def package(tmp_path: Path) -> Path:
    tables = package_tables()
    assert {name for name, rows in tables.items() if not rows} == set(), "a row in every table"
    folder = tmp_path / "pkg"
    write_csv_package(tables, folder, title="test package")
    return folder


def test_the_package_is_schema_valid(package: Path, tmp_path: Path) -> None:
    assert package_errors(package) == []
    tables = package_tables()
    write_api(tables, tmp_path)
    services = json.loads((tmp_path / "service_list.json").read_text(encoding="utf-8"))["contents"]
    assert [schema_errors(s) for s in services] == [[], [], []]
    assert len(resource_names()) == 21  # every official resource, each with a row (see the fixture)


def _problems(report: Any, source_id: str, service: str | None = None) -> set[str]:
    """Fields set aside on a record (a place's records: those of one of its services)."""
    return {
        p.field
        for o in report.outcomes
        if o.source_id == source_id
        for p in o.problems
        if service is None or p.reason.endswith(f"(service {service})")
    }


@pytest.mark.parametrize("form", ["csv", "api"])
def test_every_table_is_kept_or_reported(db: Session, package: Path, tmp_path: Path, form: str) -> None:
    folder = package
    if form == "api":
        folder = tmp_path / "api"
        folder.mkdir()
        tables = package_tables()
        tables["schedule"][0]["opens_at"] = "13:00+01:00"  # HH:MM with an offset, as the spec describes
        write_api(tables, folder)
    report = run_import(db, read_hsds(folder, {"newcomers", "lonely"}), source="hsds", scope=form)
    rejected = {o.source_id: o.reason for o in report.rejects()}
    expected = {LV, P1, uid("oi1"), uid("f2"), uid("ph5")}  # ph5: a contact's phone
    if form == "csv":  # the API form holds services and what they nest: no metadata tables
        expected |= {uid("m1"), uid("mt1")}
    assert set(rejected) == expected, rejected
    assert "virtual" in (rejected[LV] or "") and "kept without a place" in (rejected[LV] or "")

    soup = db.scalars(select(Service).where(Service.name == "Soep op dinsdag")).one()
    assert soup.meetings == [
        {"rrule": "FREQ=WEEKLY;BYDAY=TU", "start_time": "13:00:00", "end_time": "14:30:00"}
    ]
    assert (soup.status, soup.waiting_time_days, soup.cost_note) == ("closed", 14, "per kom")
    assert soup.cost_amount_eur == Decimal("2.50")
    assert (soup.category, soup.target_groups, soup.languages) == (
        "community_restaurant",
        ["newcomers"],
        ["nl"],
    )
    assert (soup.contact_name, soup.contact_role, soup.phone) == ("Fatima", "kok", "+31 20 123 4567")
    assert soup.source_id == S1
    aside = _problems(report, L1, "Soep op dinsdag")
    assert {
        "eligibility_description",
        "funding",
        "required_document",
        "cost option",
        "contact email",
        "schedule",
        "attribute",
        "phone",
        "program_id",
    } <= aside, aside

    chat = db.scalars(select(Service).where(Service.name == "Chat met een maatje")).one()
    assert chat.service_area is not None and chat.website == "https://chat.example.org"
    assert db.get(Organization, chat.organization_id).name == "Online Hulp"  # type: ignore[union-attr]

    odd_jobs = db.scalars(select(Service).where(Service.name == "Klusochtend")).one()
    assert odd_jobs.meetings == [
        {
            "rrule": "FREQ=MONTHLY;BYDAY=1SA",
            "dtstart": "2026-01-03",
            "start_time": "10:00:00",
            "end_time": "12:00:00",
        }
    ]
    assert {"service area", "language"} <= _problems(report, L2, "Klusochtend")

    house = db.scalars(select(Location).where(Location.name == "Buurthuis Oost")).one()
    assert (house.street, house.house_number, house.postcode) == ("Dapperstraat", "12", "1093 BS")
    assert (house.opening_hours, house.step_free, house.languages) == ("Mo-Fr 09:00-17:00", True, ["en"])
    assert house.accessibility_note == "Rolstoel via de zij-ingang"
    assert {"address", "transportation"} <= _problems(report, L1) - _problems(report, L1, "Soep op dinsdag")
    nameless = db.scalars(select(Location).where(Location.name == "Sint Antoniesbreestraat 69")).one()
    assert (nameless.house_number, nameless.phone) == ("69", None)
    assert "phone" in _problems(report, L2) - _problems(report, L2, "Klusochtend")  # set aside, place kept
    assert "website" in _problems(report, O2)
    assert db.scalars(select(Organization).where(Organization.name == "Online Hulp")).one().website is None
    links = {link.source_id for link in db.scalars(select(SourceLink))}
    assert {O1, O2, S1, S2, S3, L1, L2} <= links  # the original ids, kept as provenance
