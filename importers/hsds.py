"""Open Referral HSDS 3.0 exchange: export the directory as a data package, import one back.

Format decision (docs/importers.md): a folder holding `datapackage.json`
and one JSON file per HSDS table (`organizations.json`, `services.json`,
`locations.json`, `service_at_locations.json`, `addresses.json`,
`phones.json`, `schedules.json`, `taxonomies.json`, `taxonomy_terms.json`,
`attributes.json`), each an array of objects with the HSDS 3.0 field
names. JSON rather than CSV because schedules and accessibility are
nested and typed, and JSON keeps `null` apart from an empty string.

Schedules use the HSDS RRULE fields (freq, interval, byday, bymonthday,
dtstart, until, count, opens_at, closes_at); what HSDS cannot express
(BYSETPOS, exception dates, closed ranges) is kept in the extension field
`x_wijkgram_meeting`, and every entry field without an HSDS column
(accessibility, group facilities, target groups, cost in euro, ...) in
`x_wijkgram`, so a wijkgram -> wijkgram round trip is lossless.
Categories travel as HSDS attributes on the `wijkgram-category` taxonomy.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from dateutil.rrule import rrulestr
from geoalchemy2.shape import to_shape
from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.models import Location, Organization, Service, TaxonomyTerm, service_at_location
from directory.services.serialize import entry_to_dict
from importers.records import EntryRecord, PlaceRecord, Rejected

TABLES = (
    "organizations",
    "services",
    "locations",
    "service_at_locations",
    "addresses",
    "phones",
    "schedules",
    "taxonomies",
    "taxonomy_terms",
    "attributes",
)
TAXONOMY_ID = "wijkgram-category"
_NS = uuid.UUID("6f1c2f0e-8a57-4f57-9d0e-3b1f0d2c9a11")  # stable ids for derived rows
_STATUS = {"active": "active", "closed": "defunct", "needs_review": "inactive"}
_STATUS_BACK = {
    "active": "active",
    "defunct": "closed",
    "inactive": "needs_review",
    "temporarily closed": "closed",
}


#: Fields carried by standard HSDS columns (or by bookkeeping); everything else goes in `x_wijkgram`.
_BOOKKEEPING = {
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
    "category",
    "phone",
}
ORG_MAPPED = _BOOKKEEPING | {"name", "alternate_name", "description", "email", "website"}
# street and house number also travel in the extension: HSDS has one address line, and
# "Balistraat 48 A" cannot be split back reliably.
LOCATION_MAPPED = _BOOKKEEPING | {"name", "alternate_name", "description", "lat", "lon", "postcode", "city"}
SERVICE_MAPPED = _BOOKKEEPING | {
    "name",
    "alternate_name",
    "description",
    "website",
    "email",
    "status",
    "how_to_join",
    "languages",
    "meetings",
}


def _extension(
    session: Session, entry: Organization | Location | Service, mapped: set[str]
) -> dict[str, Any]:
    """The entry's fields that HSDS has no column for, so a wijkgram round trip loses nothing."""
    return {k: v for k, v in entry_to_dict(session, entry).items() if k not in mapped}


def _id(*parts: object) -> str:
    """A stable UUID for a row derived from an entry (address, phone, schedule)."""
    return str(uuid.uuid5(_NS, "/".join(str(p) for p in parts)))


def _rrule_fields(rule: str) -> dict[str, Any]:
    """HSDS schedule fields for an RFC 5545 rule (what HSDS can express of it)."""
    parts = dict(p.split("=", 1) for p in rule.split(";") if "=" in p)
    out: dict[str, Any] = {"freq": parts.get("FREQ"), "interval": int(parts.get("INTERVAL", "1"))}
    if "BYDAY" in parts:
        out["byday"] = parts["BYDAY"]
    if "BYMONTHDAY" in parts:
        out["bymonthday"] = parts["BYMONTHDAY"]
    if "COUNT" in parts:
        out["count"] = int(parts["COUNT"])
    return out


def export_hsds(session: Session, folder: Path) -> dict[str, int]:
    """Write the directory as an HSDS 3.0 JSON data package; returns rows per table."""
    folder.mkdir(parents=True, exist_ok=True)
    rows: dict[str, list[dict[str, Any]]] = {t: [] for t in TABLES}
    rows["taxonomies"].append(
        {
            "id": TAXONOMY_ID,
            "name": "wijkgram categories",
            "description": "Categories of wijkgram entries",
            "uri": None,
            "version": "1",
        }
    )
    for term in session.scalars(select(TaxonomyTerm).where(TaxonomyTerm.vocabulary == "category")):
        rows["taxonomy_terms"].append(
            {
                "id": _id("term", term.code),
                "code": term.code,
                "name": term.label_nl,
                "description": term.label_en,
                "parent_id": _id("term", term.parent_code) if term.parent_code else None,
                "taxonomy": TAXONOMY_ID,
                "taxonomy_id": TAXONOMY_ID,
                "language": "nl",
            }
        )

    def attribute(link_type: str, link_id: uuid.UUID, category: str | None) -> None:
        if category:
            rows["attributes"].append(
                {
                    "id": _id("attr", link_id),
                    "link_id": str(link_id),
                    "link_type": link_type,
                    "link_entity": link_type,
                    "taxonomy_term_id": _id("term", category),
                    "value": category,
                }
            )

    def phone(owner: str, owner_id: uuid.UUID, number: str | None) -> None:
        if number:
            rows["phones"].append(
                {
                    "id": _id("phone", owner_id),
                    f"{owner}_id": str(owner_id),
                    "number": number,
                    "type": "voice",
                    "language": None,
                }
            )

    for org in session.scalars(select(Organization).order_by(Organization.id)):
        rows["organizations"].append(
            {
                "id": str(org.id),
                "name": org.name,
                "alternate_name": org.alternate_name,
                "description": org.description or "",
                "email": org.email,
                "website": org.website,
                "x_wijkgram": _extension(session, org, ORG_MAPPED),
            }
        )
        attribute("organization", org.id, org.category)
        phone("organization", org.id, org.phone)
    for loc in session.scalars(select(Location).order_by(Location.id)):
        point = to_shape(loc.geom)
        rows["locations"].append(
            {
                "id": str(loc.id),
                "location_type": "physical",
                "organization_id": str(loc.organization_id) if loc.organization_id else None,
                "name": loc.name,
                "alternate_name": loc.alternate_name,
                "description": loc.description,
                "latitude": point.y,
                "longitude": point.x,
                "x_wijkgram": _extension(session, loc, LOCATION_MAPPED),
            }
        )
        if loc.street or loc.postcode or loc.city or loc.house_number:
            address_1 = " ".join(p for p in (loc.street, loc.house_number) if p)
            rows["addresses"].append(
                {
                    "id": _id("address", loc.id),
                    "location_id": str(loc.id),
                    "attention": None,
                    "address_1": address_1,
                    "address_2": None,
                    "city": loc.city or "",
                    "region": None,
                    "state_province": "Noord-Holland" if (loc.city or "").lower() == "amsterdam" else "",
                    "postal_code": loc.postcode or "",
                    "country": "NL",
                    "address_type": "physical",
                }
            )
        attribute("location", loc.id, loc.category)
        phone("location", loc.id, loc.phone)
    sal = defaultdict(list)
    for service_id, location_id in session.execute(
        select(service_at_location.c.service_id, service_at_location.c.location_id)
    ):
        sal[service_id].append(location_id)
    for svc in session.scalars(select(Service).order_by(Service.id)):
        fees = svc.cost_note or ("Gratis" if svc.cost_free else None)  # HSDS readers see a price text
        rows["services"].append(
            {
                "id": str(svc.id),
                "organization_id": str(svc.organization_id) if svc.organization_id else None,
                "name": svc.name,
                "alternate_name": svc.alternate_name,
                "description": svc.description,
                "url": svc.website,
                "email": svc.email,
                "status": _STATUS.get(svc.status, "active"),
                "fees_description": fees,
                "application_process": svc.how_to_join,
                "languages": svc.languages,
                "last_modified": svc.updated_at.isoformat(),
                "x_wijkgram": _extension(session, svc, SERVICE_MAPPED),
            }
        )
        for location_id in sal.get(svc.id, []):
            rows["service_at_locations"].append(
                {
                    "id": _id("sal", svc.id, location_id),
                    "service_id": str(svc.id),
                    "location_id": str(location_id),
                }
            )
        for index, meeting in enumerate(svc.meetings or []):
            rows["schedules"].append(
                {
                    "id": _id("schedule", svc.id, index),
                    "service_id": str(svc.id),
                    **_rrule_fields(meeting["rrule"]),
                    "dtstart": meeting.get("dtstart"),
                    "until": meeting.get("until"),
                    "opens_at": meeting.get("start_time"),
                    "closes_at": meeting.get("end_time"),
                    "description": meeting.get("note"),
                    "x_wijkgram_meeting": meeting,
                }
            )
        attribute("service", svc.id, svc.category)
        phone("service", svc.id, svc.phone)
    for table, data in rows.items():
        (folder / f"{table}.json").write_text(
            json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8"
        )
    package = {
        "name": "wijkgram-export",
        "profile": "https://openreferral.org/hsds/3.0/datapackage",
        "title": "wijkgram directory (Open Referral HSDS 3.0)",
        "resources": [
            {"name": t, "path": f"{t}.json", "format": "json", "mediatype": "application/json"}
            for t in TABLES
        ],
    }
    (folder / "datapackage.json").write_text(json.dumps(package, indent=1), encoding="utf-8")
    return {t: len(r) for t, r in rows.items()}


def _load(folder: Path, table: str) -> list[dict[str, Any]]:
    path = folder / f"{table}.json"
    return list(json.loads(path.read_text(encoding="utf-8"))) if path.is_file() else []


def _meeting(schedule: dict[str, Any]) -> dict[str, Any] | None:
    """A wijkgram meeting from an HSDS schedule (the extension when present, else the RRULE fields)."""
    if schedule.get("x_wijkgram_meeting"):
        return dict(schedule["x_wijkgram_meeting"])
    if not schedule.get("freq"):
        return None
    parts = [f"FREQ={schedule['freq']}"]
    if schedule.get("interval"):
        parts.append(f"INTERVAL={schedule['interval']}")
    for key in ("byday", "bymonthday", "count"):
        if schedule.get(key):
            parts.append(f"{key.upper()}={schedule[key]}")
    rule = ";".join(parts)
    rrulestr(rule)  # refuse what dateutil cannot read
    meeting: dict[str, Any] = {"rrule": rule}
    for ours, theirs in (
        ("dtstart", "dtstart"),
        ("until", "until"),
        ("start_time", "opens_at"),
        ("end_time", "closes_at"),
        ("note", "description"),
    ):
        if schedule.get(theirs):
            meeting[ours] = schedule[theirs]
    return meeting


def read_hsds(folder: Path) -> Iterator[PlaceRecord | EntryRecord | Rejected]:
    """Records for an HSDS 3.0 JSON package: organisations, then places (one per service held there)."""
    terms = {t["id"]: t.get("code") or t.get("name") for t in _load(folder, "taxonomy_terms")}
    category: dict[str, str] = {}
    for attr in _load(folder, "attributes"):
        code = terms.get(attr.get("taxonomy_term_id"))
        if code:
            category[attr["link_id"]] = code
    addresses = {a["location_id"]: a for a in _load(folder, "addresses") if a.get("location_id")}
    phones: dict[str, str] = {}
    for p in _load(folder, "phones"):
        for owner in ("location_id", "service_id", "organization_id"):
            if p.get(owner):
                phones.setdefault(p[owner], p["number"])
    organizations = {o["id"]: o for o in _load(folder, "organizations")}
    services = {s["id"]: s for s in _load(folder, "services")}
    schedules: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for s in _load(folder, "schedules"):
        if s.get("service_id"):
            schedules[s["service_id"]].append(s)
    at: dict[str, list[str]] = defaultdict(list)
    for link in _load(folder, "service_at_locations"):
        at[link["location_id"]].append(link["service_id"])
    for org in organizations.values():
        data = _organization(org, category, phones)
        yield EntryRecord(
            "organization", "hsds", data.pop("source_id"), data.pop("name"), data, raw={"organization": org}
        )
    placed = {sid for sids in at.values() for sid in sids}
    for service_id, svc in services.items():
        if service_id not in placed:
            svc_org = organizations.get(svc.get("organization_id") or "")
            fields = _service_fields(svc, category, phones, schedules)
            yield EntryRecord(
                "service",
                "hsds",
                service_id,
                fields.pop("name"),
                fields,
                organization=_organization(svc_org, category, phones) if svc_org else None,
                raw={"service": svc},
            )
    for number, loc in enumerate(_load(folder, "locations"), start=1):
        if loc.get("latitude") is None or loc.get("longitude") is None or not loc.get("name"):
            yield Rejected(
                str(loc.get("id")), "a location needs a name, latitude and longitude", number, loc.get("name")
            )
            continue
        address = addresses.get(loc["id"], {})
        street, _, house_number = (address.get("address_1") or "").rpartition(" ")
        if not any(ch.isdigit() for ch in house_number):
            street, house_number = address.get("address_1") or "", ""
        location = {
            "alternate_name": loc.get("alternate_name"),
            "description": loc.get("description"),
            "street": street or None,
            "house_number": house_number or None,
            "postcode": address.get("postal_code") or None,
            "city": address.get("city") or None,
            "phone": phones.get(loc["id"]),
            **(loc.get("x_wijkgram") or {}),
        }
        loc_org = organizations.get(loc.get("organization_id") or "")
        org_data = _organization(loc_org, category, phones) if loc_org else None
        base = {
            "source": "hsds",
            "source_id": loc["id"],
            "name": loc["name"],
            "lat": float(loc["latitude"]),
            "lon": float(loc["longitude"]),
            "category": category.get(loc["id"]),
            "location": location,
            "raw": {"location": loc},
            "line": number,
            "organization": org_data,
        }
        service_ids = [s for s in at.get(loc["id"], []) if s in services]
        if not service_ids:
            yield PlaceRecord(**base)
        for service_id in service_ids:
            svc = services[service_id]
            service = _service_fields(svc, category, phones, schedules)
            svc_org = organizations.get(svc.get("organization_id") or "")
            if svc_org:
                service["organization"] = _organization(svc_org, category, phones)
            yield PlaceRecord(**base, service=service, service_source_id=service_id)


def _service_fields(
    svc: dict[str, Any],
    category: dict[str, str],
    phones: dict[str, str],
    schedules: dict[str, list[dict[str, Any]]],
) -> dict[str, Any]:
    """Service fields from an HSDS service row, its schedules and the wijkgram extension."""
    extra = svc.get("x_wijkgram")
    fields = {
        "name": svc["name"],
        "alternate_name": svc.get("alternate_name"),
        "description": svc.get("description"),
        "website": svc.get("url"),
        "email": svc.get("email"),
        "status": _STATUS_BACK.get(svc.get("status") or "active", "active"),
        "category": category.get(svc["id"]),
        "how_to_join": svc.get("application_process"),
        "languages": svc.get("languages") or [],
        "meetings": [m for m in (_meeting(s) for s in schedules.get(svc["id"], [])) if m],
        "phone": phones.get(svc["id"]),
    }
    if extra is None:
        fields["cost_note"] = svc.get("fees_description")
    else:
        fields.update(extra)
    return fields


def _organization(org: dict[str, Any], category: dict[str, str], phones: dict[str, str]) -> dict[str, Any]:
    return {
        "source_id": org["id"],
        "name": org["name"],
        "alternate_name": org.get("alternate_name"),
        "description": org.get("description") or None,
        "email": org.get("email"),
        "website": org.get("website"),
        "category": category.get(org["id"]),
        "phone": phones.get(org["id"]),
        **(org.get("x_wijkgram") or {}),
    }
