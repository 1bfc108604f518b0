"""The broker's edit form: which fields each kind shows, and form text <-> entry values.

Validation is not repeated here: values go through the same pydantic
schemas and EntryService rules as the JSON API, and their errors are mapped
back to the field they name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from babel.numbers import NumberFormatError, parse_decimal
from pydantic import BaseModel, ValidationError

from directory.errors import Problem
from directory.schemas import LocationUpdate, OrganizationUpdate, ServiceUpdate
from directory.schemas.problems import problems
from web.pages.meeting_form import meetings_of, rows_of, submitted_rows

UPDATE_SCHEMAS: dict[str, type[BaseModel]] = {
    "location": LocationUpdate,
    "service": ServiceUpdate,
    "organization": OrganizationUpdate,
}


@dataclass(frozen=True)
class FormField:
    """One input: the entry field it edits and the kind of input."""

    name: str
    #: text, textarea, bool, int, number, money, list, codes:<vocabulary>, category, status,
    #: meetings (web/pages/meeting_form.py), organization (a choice of organisations);
    #: codes:places lists the linked places and offers one more (`<name>__add`).
    kind: str


_COMMON = [
    FormField("name", "text"),
    FormField("description", "textarea"),
    FormField("category", "category"),
    FormField("status", "status"),
]
_CONTACT = [FormField("phone", "text"), FormField("email", "text"), FormField("website", "text")]
_COST = [
    FormField("cost_free", "bool"),
    FormField("cost_amount_eur", "money"),
    FormField("cost_note", "text"),
]

FORM_FIELDS: dict[str, list[FormField]] = {
    "location": [
        *_COMMON,
        FormField("street", "text"),
        FormField("house_number", "text"),
        FormField("postcode", "text"),
        FormField("city", "text"),
        FormField("lat", "number"),
        FormField("lon", "number"),
        *_CONTACT,
        FormField("opening_hours", "text"),
        FormField("languages", "list"),
        *_COST,
        FormField("kitchen_available", "bool"),
        FormField("room_available", "bool"),
        FormField("capacity", "int"),
        FormField("step_free", "bool"),
        FormField("accessible_toilet", "bool"),
        FormField("scootmobiel_parking", "bool"),
        FormField("accessibility_note", "text"),
    ],
    "service": [
        *_COMMON,
        FormField("support_functions", "codes:support_function"),
        FormField("target_groups", "codes:target_group"),
        FormField("communities", "list"),
        FormField("languages", "list"),
        FormField("organization_id", "organization"),
        FormField("location_ids", "codes:places"),
        FormField("meetings", "meetings"),
        *_CONTACT,
        FormField("opening_hours", "text"),
        *_COST,
        FormField("walk_in", "bool"),
        FormField("referral_required", "bool"),
        FormField("waiting_time_days", "int"),
        FormField("response_time_days", "int"),
        FormField("how_to_join", "textarea"),
        FormField("contact_role", "text"),
        FormField("contact_name", "text"),
    ],
    "organization": [*_COMMON, *_CONTACT, FormField("languages", "list")],
}


def form_value(field: FormField, current: dict[str, Any]) -> Any:
    """What the input shows for the entry's current value."""
    value = current.get(field.name)
    if field.kind == "list":
        return ", ".join(value or [])
    if field.kind == "bool":
        return "" if value is None else ("yes" if value else "no")
    if field.kind.startswith("codes:"):
        return [str(v) for v in value or []]
    if field.kind == "meetings":
        return rows_of(value)
    return "" if value is None else str(value)


def raw_values(kind: str, current: dict[str, Any]) -> dict[str, Any]:
    """The form inputs for an entry, by field name."""
    return {f.name: form_value(f, current) for f in FORM_FIELDS[kind]}


def parse_money(text: str) -> Decimal:
    """An amount as people type it: "3,50", "€ 3,50", "3.50", "1.250,00" or "3"."""
    bare = re.sub(r"[€\s]|^eur\b|\beuro?$", "", text.strip(), flags=re.IGNORECASE)
    if re.fullmatch(r"\d+(\.\d{1,2})?", bare):  # "3.50": a point before two digits is a decimal point
        return Decimal(bare)
    try:
        return parse_decimal(bare, locale="nl", strict=True)
    except NumberFormatError as exc:
        raise InvalidOperation(text) from exc


def parse_submission(
    kind: str, data: dict[str, str], codes: dict[str, list[str]]
) -> tuple[dict[str, Any], dict[str, Problem]]:
    """Form text -> entry values, and a problem for each value that is not even the right type.

    A value that cannot be read is left out of the values, so the schema still
    checks every other field and the page shows every problem at once.
    """
    values: dict[str, Any] = {}
    errors: dict[str, Problem] = {}
    for field in FORM_FIELDS[kind]:
        text = (data.get(field.name) or "").strip()
        if field.kind == "list":
            values[field.name] = [p.strip() for p in text.split(",") if p.strip()]
        elif field.kind == "bool":
            values[field.name] = {"yes": True, "no": False}.get(text)
        elif field.kind in NUMBER_READERS:
            value, problem = _number(field, text)
            if problem:
                errors[field.name] = problem
            else:
                values[field.name] = value
        elif field.kind.startswith("codes:"):
            values[field.name] = _chosen_codes(field, data, codes)
        elif field.kind == "meetings":
            meetings, problem = meetings_of(submitted_rows(data))
            if problem:
                errors[field.name] = problem
            else:
                values[field.name] = meetings
        else:
            values[field.name] = text or None
    return values, errors


#: How each kind of number field is read, and the problem when it cannot be.
NUMBER_READERS: dict[str, tuple[Any, type[Exception], str, str]] = {
    "int": (int, ValueError, "int_parsing", "give a whole number"),
    "number": (lambda text: float(text.replace(",", ".")), ValueError, "float_parsing", "give a number"),
    "money": (
        lambda text: parse_money(text),
        InvalidOperation,
        "decimal_parsing",
        "give an amount like 3,50",
    ),
}


def _number(field: FormField, text: str) -> tuple[Any, Problem | None]:
    """A number field's value (None when empty), or the problem that it is not a number."""
    read, error, code, message = NUMBER_READERS[field.kind]
    try:
        return (read(text) if text else None), None
    except error:
        return None, Problem(code, message, field=field.name)


def _chosen_codes(field: FormField, data: dict[str, str], codes: dict[str, list[str]]) -> list[str]:
    """The ticked codes, plus the one picked in the `<name>__add` choice (places)."""
    known = codes.get(field.kind.split(":", 1)[1], [])
    chosen = [c for c in known if data.get(f"{field.name}__{c}")]
    added = (data.get(f"{field.name}__add") or "").strip()
    if added and added in known and added not in chosen:
        chosen.append(added)
    return chosen


def submitted_raw(kind: str, data: dict[str, str], codes: dict[str, list[str]]) -> dict[str, Any]:
    """The form as typed (to show it again next to errors or in a conflict)."""
    raw: dict[str, Any] = {}
    for field in FORM_FIELDS[kind]:
        if field.kind.startswith("codes:"):
            raw[field.name] = _chosen_codes(field, data, codes)
        elif field.kind == "meetings":
            raw[field.name] = submitted_rows(data)
        else:
            raw[field.name] = data.get(field.name, "")
    return raw


def validate(kind: str, values: dict[str, Any], version: int) -> tuple[BaseModel | None, dict[str, Problem]]:
    """Check values with the API's update schema; problems keyed by form field (the first per field)."""
    try:
        return UPDATE_SCHEMAS[kind].model_validate({**values, "version": version}), {}
    except ValidationError as exc:
        errors: dict[str, Problem] = {}
        for problem in problems(exc):
            errors.setdefault(problem.field or "name", problem)
        return None, errors
