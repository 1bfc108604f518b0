"""HSDS tables -> wijkgram records: organisations, places (one per service held there), and
services without a place.

Nothing is lost silently. A location wijkgram cannot keep as a place (virtual, no
coordinates, outside the Netherlands) is reported, and its services are kept as services
without a place; values without a wijkgram field are reported per record (`problems`) and
kept, with the whole source row and its original id, in the source record (provenance);
rows of tables wijkgram has no counterpart for (programs, identifiers, metadata) are reported
one by one.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from directory.schemas.validators import check_point
from importers.hsds.mapping import (
    UNKNOWN_ORGANIZATION,
    Mapped,
    location_fields,
    organization_fields,
    service_fields,
)
from importers.hsds.spec import EXTENSION
from importers.hsds.tables import Index, Tables
from importers.records import EntryRecord, PlaceRecord, Problem, Rejected

SOURCE = "hsds"
#: Tables wijkgram has nothing for; each of their rows is reported.
UNKEPT = ("program", "organization_identifier", "metadata", "meta_table_description")
#: The links by which the mapping reads a row of these tables; a row with none of them (a
#: contact's phone, a phone's language, an organisation's funding) is reported.
READ_THROUGH = {
    "phone": ("organization_id", "location_id", "service_id"),
    "language": ("location_id", "service_id"),
    "contact": ("organization_id", "location_id", "service_id"),
    "schedule": ("location_id", "service_id", "service_at_location_id"),
    "funding": ("service_id",),
}


def _with_extension(mapped: Mapped, row: dict[str, Any]) -> dict[str, Any]:
    fields = dict(mapped.fields)
    fields.update(row.get(EXTENSION) or {})
    return fields


def _place_problem(row: dict[str, Any]) -> str | None:
    """Why a location cannot be a wijkgram place, or None when it can."""
    if row.get("location_type") == "virtual":
        return "a virtual location has no place on the map"
    if row.get("latitude") in (None, "") or row.get("longitude") in (None, ""):
        return "the location has no latitude and longitude"
    try:
        check_point(float(row["latitude"]), float(row["longitude"]))
    except (TypeError, ValueError) as exc:
        return str(exc)
    return None


@dataclass
class Reader:
    """One pass over a package's tables."""

    tables: Tables
    target_groups: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.index = Index(self.tables)
        self.organizations: dict[str, dict[str, Any]] = {}

    def records(self) -> Iterator[PlaceRecord | EntryRecord | Rejected]:
        yield from self.read_organizations()
        placed: set[str] = set()
        yield from self.read_places(placed)
        yield from self.read_placeless(placed)
        yield from self.read_unkept()

    def read_organizations(self) -> Iterator[EntryRecord]:
        for number, row in enumerate(self.tables.get("organization", []), start=1):
            if row.get("id") == UNKNOWN_ORGANIZATION:
                continue  # the stand-in wijkgram publishes services without an organisation under
            mapped = organization_fields(self.index, row, self.target_groups)
            data = _with_extension(mapped, row)
            name = str(data.pop("name", "") or row.get("id"))
            self.organizations[str(row["id"])] = {"source_id": str(row["id"]), "name": name, **data}
            yield EntryRecord(
                "organization",
                SOURCE,
                str(row["id"]),
                name,
                data,
                raw={"organization": row},
                line=number,
                problems=mapped.problems,
            )

    def organization_of(self, row: dict[str, Any]) -> dict[str, Any] | None:
        return self.organizations.get(str(row.get("organization_id") or ""))

    def service(self, row: dict[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
        """The fields of a service (its organisation under "organization") and what was set aside."""
        mapped = service_fields(self.index, row, self.target_groups)
        data = _with_extension(mapped, row)
        data.setdefault("category", None)  # not the category of the place it is held at
        organization = self.organization_of(row)
        if organization is not None:
            data["organization"] = organization
        return data, mapped.problems

    def services_at(self, location_id: str) -> list[dict[str, Any]]:
        ids = [
            str(link.get("service_id"))
            for link in self.index.owned("service_at_location", "location", location_id)
        ]
        return [s for s in (self.index.rows.get(("service", i)) for i in dict.fromkeys(ids)) if s is not None]

    def read_places(self, placed: set[str]) -> Iterator[PlaceRecord | Rejected]:
        for number, row in enumerate(self.tables.get("location", []), start=1):
            services = self.services_at(str(row["id"]))
            reason = _place_problem(row)
            if reason is not None:
                kept = f"; its {len(services)} service(s) are kept without a place" if services else ""
                yield Rejected(str(row["id"]), reason + kept, number, row.get("name"))
                continue
            yield from self.place(row, number, services, placed)

    def place(
        self, row: dict[str, Any], number: int, services: list[dict[str, Any]], placed: set[str]
    ) -> Iterator[PlaceRecord]:
        mapped = location_fields(self.index, row, self.target_groups)
        data = _with_extension(mapped, row)
        name = data.pop("name", None) or self._stand_in_name(row, services)
        lat, lon = data.pop("lat"), data.pop("lon")
        base: dict[str, Any] = {
            "source": SOURCE,
            "source_id": str(row["id"]),
            "name": name,
            "lat": lat,
            "lon": lon,
            "category": data.pop("category", None),
            "location": data,
            "line": number,
            "organization": self.organization_of(row),
        }
        if not services:
            yield PlaceRecord(**base, raw={"location": row}, problems=list(mapped.problems))
        for position, service in enumerate(services):
            fields, problems = self.service(service)
            placed.add(str(service["id"]))
            # The record is the place's: say which of its services a value was set aside from.
            problems = [
                Problem(p.field, p.value, f"{p.reason} (service {service['name']})") for p in problems
            ]
            yield PlaceRecord(
                **base,
                raw={"location": row, "service": service},
                problems=(list(mapped.problems) if position == 0 else []) + problems,
                service=fields,
                service_source_id=str(service["id"]),
            )

    def _stand_in_name(self, row: dict[str, Any], services: list[dict[str, Any]]) -> str:
        """HSDS locations may be nameless; a wijkgram place needs a name."""
        for address in self.index.owned("address", "location", str(row["id"])):
            if address.get("address_1"):
                return str(address["address_1"])
        if services:
            return str(services[0]["name"])
        organization = self.organization_of(row)
        return str(organization["name"]) if organization else str(row["id"])

    def read_placeless(self, placed: set[str]) -> Iterator[EntryRecord]:
        for number, row in enumerate(self.tables.get("service", []), start=1):
            if str(row.get("id")) in placed:
                continue
            data, problems = self.service(row)
            for link in self.index.owned("service_at_location", "service", str(row["id"])):
                location = self.index.rows.get(("location", str(link.get("location_id"))), {})
                if location.get("url") and not data.get("website"):
                    data["website"] = location["url"]  # an online service: its virtual location's address
                problems.append(
                    Problem(
                        "location",
                        str(location.get("name") or link.get("location_id")),
                        "not a place wijkgram can keep; the service is kept without a place",
                    )
                )
            organization = data.pop("organization", None)
            name = str(data.pop("name", "") or row.get("id"))
            yield EntryRecord(
                "service",
                SOURCE,
                str(row["id"]),
                name,
                data,
                organization=organization,
                raw={"service": row},
                line=number,
                problems=problems,
            )

    def read_unkept(self) -> Iterator[Rejected]:
        for resource in UNKEPT:
            for row in self.tables.get(resource, []):
                name = row.get("name") or row.get("identifier") or row.get("field_name")
                reason = f"HSDS {resource.replace('_', ' ')}: wijkgram has no such records; not imported"
                yield Rejected(str(row.get("id")), reason, None, str(name) if name else None)
        for resource, links in READ_THROUGH.items():
            for row in self.tables.get(resource, []):
                if not any(row.get(link) for link in links):
                    owner = next((k.removesuffix("_id") for k in row if k.endswith("_id")), "nothing")
                    reason = f"HSDS {resource} of a {owner.replace('_', ' ')}: wijkgram has no place for it"
                    yield Rejected(str(row.get("id")), reason, None, _label(row))
        entities = {
            str(r.get("id")) for name in ("organization", "location", "service") for r in self.tables[name]
        }
        for row in self.tables.get("attribute", []):
            if str(row.get("link_id")) not in entities:
                reason = f"HSDS attribute of a {row.get('link_entity') or 'row'} wijkgram does not keep"
                yield Rejected(str(row.get("id")), reason, None, _label(row))


def _label(row: dict[str, Any]) -> str | None:
    for key in ("name", "number", "source", "code", "value", "description"):
        if row.get(key):
            return str(row[key])
    return None
