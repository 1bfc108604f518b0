"""The directory as HSDS 3.0 tables: every HSDS field filled from our model.

Ids: our entries' UUIDs are the HSDS ids; every row derived from an entry (address, phone,
schedule, attribute...) gets a uuid5 of the entry's id, so the same directory always gives
the same package. A service without an organisation is published under one stand-in
organisation (`UNKNOWN_ORGANIZATION`), because HSDS wants an organisation for every service;
the importer recognises it and links nothing.

What HSDS cannot say goes into the extension `x_wijkgram`: after building the rows, each
entry is read back with the importer's own mapping, and every field that does not come back
identical is kept there (docs/importers.md lists which fields that is in practice).
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Any

from babel import Locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.meetings import AMSTERDAM
from directory.models import Location, Organization, Service, TaxonomyTerm
from directory.services.serialize import entries_to_dicts
from importers.hsds.formats import email, phone_parts, uri
from importers.hsds.mapping import (
    ACCESSIBILITY,
    STATUS_OUT,
    UNKNOWN_ORGANIZATION,
    location_fields,
    opening_hours_id,
    organization_fields,
    service_fields,
)
from importers.hsds.schedules import meeting_schedule, opening_hours_schedules
from importers.hsds.spec import EXTENSION, as_uuid, derived_id
from importers.hsds.tables import Index, Tables, empty_tables, present
from importers.hsds.vocabulary import VOCABULARY_FIELDS, taxonomy_id, term_id

#: Entry fields that are bookkeeping of this directory, not content: never in the extension.
BOOKKEEPING = frozenset(
    {
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
    }
)
#: A field left out reads back as this value.
DEFAULTS = {"status": "active"}
#: HSDS wants a state or province on every address; the municipalities of the Amsterdam region.
PROVINCES = {
    city: "Noord-Holland"
    for city in (
        "amsterdam",
        "amstelveen",
        "diemen",
        "ouder-amstel",
        "duivendrecht",
        "zaandam",
        "zaanstad",
        "haarlem",
        "landsmeer",
        "oostzaan",
        "weesp",
        "purmerend",
        "haarlemmermeer",
        "hoofddorp",
    )
}
LANGUAGE_NAMES: dict[str, str] = dict(Locale("en").languages)
UNKNOWN_ORGANIZATION_ROW = {
    "id": UNKNOWN_ORGANIZATION,
    "name": "Organisatie niet vastgelegd / organisation not recorded",
    "description": "wijkgram does not record the organisation behind these services.",
}


class Builder:
    """Rows of every HSDS table, filled entry by entry."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.tables: Tables = empty_tables()
        #: (resource, row, the entry as the API shows it) for the extension pass.
        self.entries: list[tuple[str, dict[str, Any], dict[str, Any]]] = []

    def add(self, resource: str, row: dict[str, Any]) -> dict[str, Any]:
        clean = {k: v for k, v in row.items() if present(v)}
        self.tables[resource].append(clean)
        return clean

    def taxonomies(self) -> None:
        terms = self.session.scalars(
            select(TaxonomyTerm)
            .where(TaxonomyTerm.vocabulary.in_(VOCABULARY_FIELDS))
            .order_by(TaxonomyTerm.vocabulary, TaxonomyTerm.sort_order, TaxonomyTerm.code)
        )
        for vocabulary in VOCABULARY_FIELDS:
            name = vocabulary.replace("_", " ")
            self.add(
                "taxonomy",
                {
                    "id": taxonomy_id(vocabulary),
                    "name": f"wijkgram {name}",
                    "description": f"wijkgram's {name} codes",
                },
            )
        for term in terms:
            self.add(
                "taxonomy_term",
                {
                    "id": term_id(term.code),
                    "code": term.code,
                    "name": term.label_nl,
                    "description": term.description_nl or term.label_en,
                    "parent_id": term_id(term.parent_code) if term.parent_code else None,
                    "taxonomy": f"wijkgram {term.vocabulary.replace('_', ' ')}",
                    "language": "nl",
                    "taxonomy_id": taxonomy_id(term.vocabulary),
                },
            )

    def attributes(self, entity: str, link_id: str, data: dict[str, Any]) -> None:
        for vocabulary, key in VOCABULARY_FIELDS.items():
            value = data.get(key)
            codes = value if isinstance(value, list) else [value] if value else []
            for code in codes:
                self.add(
                    "attribute",
                    {
                        "id": derived_id("attribute", link_id, vocabulary, code),
                        "link_id": link_id,
                        "taxonomy_term_id": term_id(code),
                        "link_entity": entity,
                        "value": code,
                    },
                )

    def phone(self, owner: str, owner_id: str, number: str | None) -> None:
        if number:
            main, extension = phone_parts(number)
            self.add(
                "phone",
                {
                    "id": derived_id("phone", owner_id),
                    f"{owner}_id": owner_id,
                    "number": main,
                    "extension": extension,
                },
            )

    def languages(self, owner: str, owner_id: str, codes: list[str]) -> None:
        for code in codes or []:
            self.add(
                "language",
                {
                    "id": derived_id("language", owner_id, code),
                    f"{owner}_id": owner_id,
                    "name": LANGUAGE_NAMES.get(code),  # English, the language of HSDS's own examples
                    "code": code,
                },
            )

    def organization(self, data: dict[str, Any]) -> None:
        org_id = as_uuid(data["id"])
        row = self.add(
            "organization",
            {
                "id": org_id,
                "name": data["name"],
                "alternate_name": data.get("alternate_name"),
                # Required by HSDS: the name stands in (the importer drops a description equal to it).
                "description": data.get("description") or data["name"],
                "email": email(data.get("email")),
                "website": uri(data.get("website")),
            },
        )
        self.phone("organization", org_id, data.get("phone"))
        self.attributes("organization", org_id, data)
        self.entries.append(("organization", row, data))

    def address(self, loc_id: str, data: dict[str, Any]) -> None:
        line = " ".join(p for p in (data.get("street"), data.get("house_number")) if p)
        city = data.get("city") or ""
        province = PROVINCES.get(city.lower())
        if line and city and province and data.get("postcode"):
            self.add(
                "address",
                {
                    "id": derived_id("address", loc_id),
                    "location_id": loc_id,
                    "address_1": line,
                    "city": city,
                    "state_province": province,
                    "postal_code": data["postcode"],
                    "country": "NL",
                    "address_type": "physical",
                },
            )

    def accessibility(self, loc_id: str, data: dict[str, Any]) -> None:
        for key, text in ACCESSIBILITY.items():
            if data.get(key) is not None:
                answer = "yes" if data[key] else "no"
                self.add(
                    "accessibility",
                    {
                        "id": derived_id("accessibility", loc_id, key),
                        "location_id": loc_id,
                        "description": f"{text}: {answer}",
                    },
                )
        if data.get("accessibility_note"):
            self.add(
                "accessibility",
                {
                    "id": derived_id("accessibility", loc_id, "note"),
                    "location_id": loc_id,
                    "description": data["accessibility_note"],
                },
            )

    def location(self, data: dict[str, Any]) -> None:
        loc_id = as_uuid(data["id"])
        row = self.add(
            "location",
            {
                "id": loc_id,
                "location_type": "physical",
                "url": uri(data.get("website")),
                "organization_id": as_uuid(data["organization_id"]) if data.get("organization_id") else None,
                "name": data["name"],
                "alternate_name": data.get("alternate_name"),
                "description": data.get("description"),
                "latitude": data["lat"],
                "longitude": data["lon"],
                "external_identifier": data.get("source_id") if data.get("source") else None,
                "external_identifier_type": data.get("source") if data.get("source_id") else None,
            },
        )
        self.address(loc_id, data)
        self.accessibility(loc_id, data)
        self.phone("location", loc_id, data.get("phone"))
        self.languages("location", loc_id, data.get("languages") or [])
        for n, fields in enumerate(opening_hours_schedules(data.get("opening_hours") or "")):
            self.add(
                "schedule",
                {"id": derived_id("schedule", loc_id, "hours", n), "location_id": loc_id, **fields},
            )
        self.attributes("location", loc_id, data)
        self.entries.append(("location", row, data))

    def cost(self, svc_id: str, data: dict[str, Any]) -> bool:
        """A cost option when the price is known; False when only a note is."""
        amount = Decimal(str(data["cost_amount_eur"])) if data.get("cost_amount_eur") else None
        if amount is None and not data.get("cost_free"):
            return False
        self.add(
            "cost_option",
            {
                "id": derived_id("cost", svc_id),
                "service_id": svc_id,
                "currency": "EUR",
                "amount": float(amount) if amount else 0,
                "amount_description": data.get("cost_note"),
            },
        )
        return True

    def service(self, data: dict[str, Any], used_unknown: list[bool]) -> None:
        svc_id = as_uuid(data["id"])
        if not data.get("organization_id"):
            used_unknown[0] = True
        verified = data.get("last_verified_at")
        row = self.add(
            "service",
            {
                "id": svc_id,
                "organization_id": as_uuid(data["organization_id"])
                if data.get("organization_id")
                else UNKNOWN_ORGANIZATION,
                "name": data["name"],
                "alternate_name": data.get("alternate_name"),
                "description": data.get("description"),
                "url": uri(data.get("website")),
                "email": email(data.get("email")),
                "status": STATUS_OUT.get(data.get("status") or "active", "inactive"),
                "application_process": data.get("how_to_join"),
                "wait_time": f"{data['waiting_time_days']} days"
                if data.get("waiting_time_days") is not None
                else None,
                "assured_date": datetime.fromisoformat(verified).astimezone(AMSTERDAM).date().isoformat()
                if verified
                else None,
            },
        )
        if not self.cost(svc_id, data) and data.get("cost_note"):
            row["fees_description"] = data["cost_note"]
        self.phone("service", svc_id, data.get("phone"))
        self.languages("service", svc_id, data.get("languages") or [])
        self.service_schedules(svc_id, data)
        if data.get("service_area"):
            self.add(
                "service_area",
                {
                    "id": derived_id("area", svc_id),
                    "service_id": svc_id,
                    "extent": json.dumps(data["service_area"]),
                    "extent_type": "geojson",
                },
            )
        if data.get("contact_name") or data.get("contact_role"):
            self.add(
                "contact",
                {
                    "id": derived_id("contact", svc_id),
                    "service_id": svc_id,
                    "name": data.get("contact_name"),
                    "title": data.get("contact_role"),
                },
            )
        for location_id in data.get("location_ids") or []:
            self.add(
                "service_at_location",
                {
                    "id": derived_id("sal", svc_id, location_id),
                    "service_id": svc_id,
                    "location_id": as_uuid(location_id),
                },
            )
        self.attributes("service", svc_id, data)
        self.entries.append(("service", row, data))

    def service_schedules(self, svc_id: str, data: dict[str, Any]) -> None:
        hours = opening_hours_schedules(data.get("opening_hours") or "")
        for n, fields in enumerate(hours):
            self.add("schedule", {"id": opening_hours_id(svc_id, n), "service_id": svc_id, **fields})
        for n, meeting in enumerate(data.get("meetings") or []):
            said = meeting_schedule(meeting)
            if said is not None:
                self.add("schedule", {"id": derived_id("schedule", svc_id, n), "service_id": svc_id, **said})


def _normal(value: Any) -> Any:
    """A comparable form: empty values dropped inside lists and objects."""
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in value.items() if present(v)}
    if isinstance(value, list | tuple):
        return [_normal(v) for v in value]
    return value


def _without_nulls(value: Any) -> Any:
    """The value as stored, only without null or "" inside (the extension never holds them)."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v not in (None, "")}
    if isinstance(value, list | tuple):
        return [_without_nulls(v) for v in value]
    return value


def same(key: str, ours: Any, back: Any) -> bool:
    """Whether a field read back from HSDS equals the entry's own value."""
    ours = DEFAULTS.get(key) if not present(ours) else ours
    back = DEFAULTS.get(key) if not present(back) else back
    if not present(ours) or not present(back):
        return not present(ours) and not present(back)
    if key == "cost_amount_eur":
        return Decimal(str(ours)) == Decimal(str(back))
    return bool(json.dumps(_normal(ours), sort_keys=True) == json.dumps(_normal(back), sort_keys=True))


READERS = {"organization": organization_fields, "location": location_fields, "service": service_fields}


def add_extensions(builder: Builder, target_groups: set[str]) -> None:
    """Every entry field the importer would not read back identically, kept in `x_wijkgram`."""
    index = Index(builder.tables)
    for resource, row, data in builder.entries:
        back = READERS[resource](index, row, target_groups).fields
        extension = {
            key: _without_nulls(value)
            for key, value in data.items()
            if key not in BOOKKEEPING and present(value) and not same(key, value, back.get(key))
        }
        if extension:
            row[EXTENSION] = extension


def build_tables(session: Session) -> Tables:
    """Every entry of the directory as HSDS rows (with the extension)."""
    builder = Builder(session)
    builder.taxonomies()
    used_unknown = [False]
    for model in (Organization, Location, Service):
        entries = list(session.scalars(select(model).order_by(model.id)))
        for data in entries_to_dicts(session, entries):
            if model is Organization:
                builder.organization(data)
            elif model is Location:
                builder.location(data)
            else:
                builder.service(data, used_unknown)
    if used_unknown[0]:
        builder.tables["organization"].append(dict(UNKNOWN_ORGANIZATION_ROW))
    groups = set(session.scalars(select(TaxonomyTerm.code).where(TaxonomyTerm.vocabulary == "target_group")))
    add_extensions(builder, groups)
    return builder.tables


def counts(tables: Tables) -> dict[str, int]:
    return {name: len(rows) for name, rows in tables.items()}
