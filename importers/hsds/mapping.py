"""HSDS rows -> wijkgram entry fields, one function per kind of entry.

The importer reads packages with these functions, and the exporter runs them on the rows it
has just written: whatever they do not give back exactly goes into the wijkgram extension.
So the exporter fills HSDS fields, and the extension holds only what HSDS cannot say.
Every value they cannot use becomes a `Problem` (shown in the import report and kept in the
source record), never a silent loss.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError

from directory.schemas import validators as rules
from directory.schemas.entries import Meeting
from importers.hsds.formats import phone_text
from importers.hsds.schedules import schedule_meeting, schedules_opening_hours
from importers.hsds.spec import EXTENSION, derived_id
from importers.hsds.tables import Index, present
from importers.hsds.vocabulary import entry_terms
from importers.records import Problem

#: A draft (an import row without place or area, hidden from search) is no active service.
STATUS_OUT = {"active": "active", "closed": "defunct", "needs_review": "inactive", "draft": "inactive"}
STATUS_IN = {
    "active": "active",
    "defunct": "closed",
    "inactive": "needs_review",
    "temporarily closed": "closed",
}
#: Accessibility rows wijkgram writes for its three yes/no features.
ACCESSIBILITY = {
    "step_free": "step-free entrance",
    "accessible_toilet": "accessible toilet",
    "scootmobiel_parking": "mobility scooter parking",
}
_ACCESS_LINE = re.compile(r"^(?P<what>.+): (?P<answer>yes|no)$")
_WAIT = re.compile(r"^(?:P(?P<iso>\d+)D|(?P<n>\d+)\s*(?P<unit>days?|dagen|dag|weeks?|weken|week))$", re.I)
#: The organisation every service without one is published under (HSDS wants one per service).
UNKNOWN_ORGANIZATION = derived_id("organization", "not recorded")
#: Columns of each resource that the functions below read; any other filled column is reported.
READ = {
    "organization": {"id", "name", "alternate_name", "description", "email", "website"},
    "location": {
        "id",
        "location_type",
        "organization_id",
        "name",
        "alternate_name",
        "description",
        "latitude",
        "longitude",
        "url",
        "external_identifier",  # the upstream id: kept with the source record
        "external_identifier_type",
    },
    "service": {
        "id",
        "organization_id",
        "name",
        "alternate_name",
        "description",
        "url",
        "email",
        "status",
        "application_process",
        "fees_description",
        "wait_time",
        "assured_date",
    },
}


@dataclass
class Mapped:
    """Entry fields read from HSDS rows, and what could not be kept."""

    fields: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def set_aside(self, what: str, value: Any, reason: str) -> None:
        self.problems.append(Problem(what, str(value), reason))


#: Field rules checked here, so a value that breaks one is set aside, not the whole record refused.
CHECKS: dict[str, Callable[[Any], Any]] = {
    "phone": rules.normalise_phone,
    "email": rules.check_email,
    "website": rules.normalise_website,
    "postcode": rules.normalise_postcode,
    "opening_hours": rules.check_opening_hours,
    "service_area": rules.check_service_area,
}


def checked(mapped: Mapped) -> Mapped:
    """The mapped fields without values that break wijkgram's field rules (those are set aside)."""
    for key, check in CHECKS.items():
        if key in mapped.fields:
            try:
                check(mapped.fields[key])
            except (ValueError, TypeError, KeyError) as exc:
                mapped.set_aside(key, mapped.fields.pop(key), str(exc))
    meetings = []
    for meeting in mapped.fields.get("meetings", []):
        try:
            Meeting.model_validate(meeting)
            meetings.append(meeting)
        except ValidationError as exc:
            mapped.set_aside("schedule", meeting.get("rrule"), str(exc.errors()[0]["msg"]))
    if "meetings" in mapped.fields:
        mapped.fields["meetings"] = meetings
    return mapped


def wait_days(text: str) -> int | None:
    """Days from a wait time such as "14 days", "2 weken" or "P14D"; None when not of that form."""
    match = _WAIT.match(text.strip())
    if not match:
        return None
    if match["iso"]:
        return int(match["iso"])
    weeks = match["unit"].lower().startswith("w")
    return int(match["n"]) * (7 if weeks else 1)


def _unread(mapped: Mapped, resource: str, row: dict[str, Any]) -> None:
    for key, value in row.items():
        if key not in READ[resource] and key != EXTENSION and present(value):
            mapped.set_aside(key, value, f"HSDS {resource} field that wijkgram has no field for")


def _first(mapped: Mapped, what: str, rows: list[dict[str, Any]], column: str) -> Any:
    """The first row's value; later rows are reported (an entry holds one)."""
    values = [r[column] for r in rows if present(r.get(column))]
    for extra in values[1:]:
        mapped.set_aside(what, extra, f"wijkgram keeps one {what} per entry")
    return values[0] if values else None


def _languages(mapped: Mapped, rows: list[dict[str, Any]]) -> None:
    codes: list[str] = []
    for row in rows:
        code = str(row.get("code") or "").strip().lower()
        if re.fullmatch(r"[a-z]{2,3}", code):
            codes.append(code)
        else:
            mapped.set_aside("language", row.get("name") or row.get("code"), "no ISO 639 code")
    if codes:
        mapped.fields["languages"] = list(dict.fromkeys(codes))


def _common(
    mapped: Mapped, index: Index, resource: str, row: dict[str, Any], target_groups: set[str]
) -> None:
    for key in ("name", "alternate_name", "description", "email"):
        if present(row.get(key)):
            mapped.fields[key] = row[key]
    phones = [
        {**p, "number": phone_text(str(p["number"]), p.get("extension"))}
        for p in index.owned("phone", resource, str(row["id"]))
        if present(p.get("number"))
    ]
    phone = _first(mapped, "phone", phones, "number")
    if phone:
        mapped.fields["phone"] = phone
    terms = entry_terms(index, str(row["id"]), target_groups)
    mapped.fields.update(terms.fields)
    mapped.problems.extend(terms.problems)
    _unread(mapped, resource, row)


def organization_fields(index: Index, row: dict[str, Any], target_groups: set[str]) -> Mapped:
    mapped = Mapped()
    _common(mapped, index, "organization", row, target_groups)
    if mapped.fields.get("description") == row.get("name"):
        del mapped.fields["description"]  # HSDS requires one; wijkgram writes the name when it has none
    if present(row.get("website")):
        mapped.fields["website"] = row["website"]
    for contact in index.owned("contact", "organization", str(row["id"])):
        mapped.set_aside("contact", _contact_text(contact), "wijkgram keeps no contacts of organisations")
    return checked(mapped)


def _contact_text(contact: dict[str, Any]) -> str:
    return ", ".join(
        str(contact[k]) for k in ("name", "title", "department", "email") if present(contact.get(k))
    )


# --- locations -----------------------------------------------------------------------------------


def _address(mapped: Mapped, index: Index, row: dict[str, Any]) -> None:
    addresses = index.owned("address", "location", str(row["id"]))
    physical = [a for a in addresses if a.get("address_type") == "physical"]
    chosen = (physical or addresses)[0] if addresses else None
    for other in addresses:
        if other is not chosen:
            text = ", ".join(str(other.get(k)) for k in ("address_1", "postal_code", "city") if other.get(k))
            mapped.set_aside("address", text, f"a second address ({other.get('address_type')})")
    if chosen is None:
        return
    line = str(chosen.get("address_1") or "").strip()
    street, _, house_number = line.rpartition(" ")
    if not any(ch.isdigit() for ch in house_number):
        street, house_number = line, ""
    values = {
        "street": street,
        "house_number": house_number,
        "postcode": chosen.get("postal_code"),
        "city": chosen.get("city"),
    }
    mapped.fields.update({k: v for k, v in values.items() if present(v)})
    for key in ("attention", "address_2", "region"):
        if present(chosen.get(key)):
            mapped.set_aside(f"address {key}", chosen[key], "wijkgram keeps one address line")


def _accessibility(mapped: Mapped, index: Index, row: dict[str, Any]) -> None:
    notes: list[str] = []
    features = {text: key for key, text in ACCESSIBILITY.items()}
    for item in index.owned("accessibility", "location", str(row["id"])):
        match = _ACCESS_LINE.match(str(item.get("description") or ""))
        if match and match["what"] in features and not item.get("details"):
            mapped.fields[features[match["what"]]] = match["answer"] == "yes"
            continue
        notes.extend(str(item[k]) for k in ("description", "details", "url") if present(item.get(k)))
    if notes:
        mapped.fields["accessibility_note"] = "\n".join(notes)


def _opening_hours(mapped: Mapped, rows: list[dict[str, Any]]) -> None:
    text, left_out = schedules_opening_hours(rows)
    if text:
        mapped.fields["opening_hours"] = text
    for reason in left_out:
        mapped.set_aside("schedule", "opening hours", reason)


def location_fields(index: Index, row: dict[str, Any], target_groups: set[str]) -> Mapped:
    mapped = Mapped()
    _common(mapped, index, "location", row, target_groups)
    if present(row.get("latitude")) and present(row.get("longitude")):
        mapped.fields["lat"], mapped.fields["lon"] = float(row["latitude"]), float(row["longitude"])
    if present(row.get("url")):
        mapped.fields["website"] = row["url"]
    _address(mapped, index, row)
    _accessibility(mapped, index, row)
    _languages(mapped, index.owned("language", "location", str(row["id"])))
    own = [
        r
        for r in index.owned("schedule", "location", str(row["id"]))
        if not r.get("service_id") and not r.get("service_at_location_id")  # those are a service's
    ]
    _opening_hours(mapped, own)
    for contact in index.owned("contact", "location", str(row["id"])):
        mapped.set_aside("contact", _contact_text(contact), "wijkgram keeps no contacts of places")
    return checked(mapped)


# --- services ------------------------------------------------------------------------------------


def opening_hours_id(owner_id: str, number: int) -> str:
    """The id of the n-th schedule written for a service's opening hours (not one of its meetings)."""
    return derived_id("opening_hours", owner_id, number)


def _cost(mapped: Mapped, index: Index, row: dict[str, Any]) -> None:
    options = index.owned("cost_option", "service", str(row["id"]))
    for extra in options[1:]:
        mapped.set_aside("cost option", json.dumps(extra, ensure_ascii=False), "wijkgram keeps one price")
    note = row.get("fees_description")
    if options:
        option = options[0]
        note = option.get("amount_description") or note
        if option.get("currency") not in (None, "EUR"):
            mapped.set_aside("cost option", f"{option.get('amount')} {option['currency']}", "not in euro")
        elif present(option.get("amount")):
            try:
                amount = Decimal(str(option["amount"]))
            except InvalidOperation:
                amount = None
            # A price says what it costs, not whether wijkgram's "free" box was left open or
            # answered: only a price of 0 says "free" (an export keeps an explicit "no" itself).
            if amount == 0:
                mapped.fields["cost_free"] = True
            elif amount is not None:
                mapped.fields["cost_amount_eur"] = f"{amount:.2f}"
    if note:
        mapped.fields["cost_note"] = note


def _service_schedules(mapped: Mapped, index: Index, row: dict[str, Any]) -> None:
    service_id = str(row["id"])
    rows = index.owned("schedule", "service", service_id)
    for link in index.owned("service_at_location", "service", service_id):
        rows = rows + [
            r for r in index.owned("schedule", "service_at_location", str(link["id"])) if r not in rows
        ]
    hours_ids = {opening_hours_id(service_id, n) for n in range(len(rows))}
    hours = [r for r in rows if r.get("id") in hours_ids]
    if hours:
        _opening_hours(mapped, hours)
    meetings = []
    for schedule in rows:
        if schedule.get("id") in hours_ids:
            continue
        try:
            meetings.append(schedule_meeting(schedule))
        except ValueError as exc:
            mapped.set_aside("schedule", schedule.get("description") or schedule.get("id"), str(exc))
    if meetings:
        mapped.fields["meetings"] = meetings


def _service_areas(mapped: Mapped, index: Index, row: dict[str, Any]) -> None:
    for area in index.owned("service_area", "service", str(row["id"])):
        extent = area.get("extent")
        if (
            str(area.get("extent_type") or "").lower() == "geojson"
            and extent
            and "service_area" not in mapped.fields
        ):
            try:
                mapped.fields["service_area"] = json.loads(extent) if isinstance(extent, str) else extent
                continue
            except ValueError:
                pass
        text = area.get("name") or area.get("description") or area.get("uri") or area.get("id")
        mapped.set_aside("service area", text, "wijkgram keeps a service area as one GeoJSON polygon")


def _contacts(mapped: Mapped, index: Index, row: dict[str, Any]) -> None:
    contacts = index.owned("contact", "service", str(row["id"]))
    for extra in contacts[1:]:
        mapped.set_aside("contact", _contact_text(extra), "wijkgram keeps one contact person per service")
    if not contacts:
        return
    contact = contacts[0]
    if present(contact.get("name")):
        mapped.fields["contact_name"] = contact["name"]
    if present(contact.get("title")):
        mapped.fields["contact_role"] = contact["title"]
    for key in ("department", "email"):
        if present(contact.get(key)):
            mapped.set_aside(f"contact {key}", contact[key], "wijkgram keeps a contact's name and role")


def _service_plain(mapped: Mapped, row: dict[str, Any]) -> None:
    for ours, theirs in (("website", "url"), ("how_to_join", "application_process")):
        if present(row.get(theirs)):
            mapped.fields[ours] = row[theirs]
    mapped.fields["status"] = STATUS_IN.get(str(row.get("status") or "active"), "active")
    if present(row.get("wait_time")):
        days = wait_days(str(row["wait_time"]))
        if days is None:
            mapped.set_aside("wait_time", row["wait_time"], "not a number of days or weeks")
        else:
            mapped.fields["waiting_time_days"] = days
    if present(row.get("assured_date")):
        mapped.fields["last_verified_at"] = f"{str(row['assured_date'])[:10]}T00:00:00+00:00"


def service_fields(index: Index, row: dict[str, Any], target_groups: set[str]) -> Mapped:
    mapped = Mapped()
    _common(mapped, index, "service", row, target_groups)
    _service_plain(mapped, row)
    _languages(mapped, index.owned("language", "service", str(row["id"])))
    _cost(mapped, index, row)
    _service_schedules(mapped, index, row)
    _service_areas(mapped, index, row)
    _contacts(mapped, index, row)
    for resource in ("funding", "required_document"):
        for item in index.owned(resource, "service", str(row["id"])):
            text = item.get("source") or item.get("document") or item.get("id")
            mapped.set_aside(resource, text, f"wijkgram has no {resource.replace('_', ' ')}s")
    return checked(mapped)
