"""The broker's edit form: which fields each kind shows, and form text <-> entry values.

Validation is not repeated here: values go through the same pydantic
schemas and EntryService rules as the JSON API, and their errors are mapped
back to the field they name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from directory.schemas import LocationUpdate, OrganizationUpdate, ServiceUpdate

UPDATE_SCHEMAS: dict[str, type[BaseModel]] = {
    "location": LocationUpdate,
    "service": ServiceUpdate,
    "organization": OrganizationUpdate,
}


@dataclass(frozen=True)
class FormField:
    """One input: the entry field it edits and the kind of input."""

    name: str
    kind: str  # text, textarea, bool, int, number, list, codes:<vocabulary>, category, status


_COMMON = [
    FormField("name", "text"),
    FormField("description", "textarea"),
    FormField("category", "category"),
    FormField("status", "status"),
]
_CONTACT = [FormField("phone", "text"), FormField("email", "text"), FormField("website", "text")]
_COST = [FormField("cost_free", "bool"), FormField("cost_amount_eur", "text"), FormField("cost_note", "text")]

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
        return list(value or [])
    return "" if value is None else str(value)


def raw_values(kind: str, current: dict[str, Any]) -> dict[str, Any]:
    """The form inputs for an entry, by field name."""
    return {f.name: form_value(f, current) for f in FORM_FIELDS[kind]}


def parse_submission(
    kind: str, data: dict[str, str], codes: dict[str, list[str]]
) -> tuple[dict[str, Any], dict[str, str]]:
    """Form text -> entry values, and {field: message} for values that are not even the right type."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field in FORM_FIELDS[kind]:
        text = (data.get(field.name) or "").strip()
        if field.kind == "list":
            values[field.name] = [p.strip() for p in text.split(",") if p.strip()]
        elif field.kind == "bool":
            values[field.name] = {"yes": True, "no": False}.get(text)
        elif field.kind == "int":
            try:
                values[field.name] = int(text) if text else None
            except ValueError:
                errors[field.name] = "geef een heel getal / give a whole number"
        elif field.kind == "number":
            try:
                values[field.name] = float(text.replace(",", ".")) if text else None
            except ValueError:
                errors[field.name] = "geef een getal / give a number"
        elif field.kind.startswith("codes:"):
            vocabulary = field.kind.split(":", 1)[1]
            values[field.name] = [c for c in codes.get(vocabulary, []) if data.get(f"{field.name}__{c}")]
        else:
            values[field.name] = text or None
    return values, errors


def submitted_raw(kind: str, data: dict[str, str], codes: dict[str, list[str]]) -> dict[str, Any]:
    """The form as typed (to show it again next to errors or in a conflict)."""
    raw: dict[str, Any] = {}
    for field in FORM_FIELDS[kind]:
        if field.kind.startswith("codes:"):
            vocabulary = field.kind.split(":", 1)[1]
            raw[field.name] = [c for c in codes.get(vocabulary, []) if data.get(f"{field.name}__{c}")]
        else:
            raw[field.name] = data.get(field.name, "")
    return raw


def validate(kind: str, values: dict[str, Any], version: int) -> tuple[BaseModel | None, dict[str, str]]:
    """Check values with the API's update schema; errors keyed by form field."""
    try:
        return UPDATE_SCHEMAS[kind].model_validate({**values, "version": version}), {}
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for error in exc.errors():
            message = str(error.get("msg", "")).removeprefix("Value error, ")
            loc = [str(p) for p in error.get("loc", ())]
            field = loc[0] if loc else ""
            if not field and ": " in message:
                head, message = message.split(": ", 1)
                field = head.split("/")[0]
            errors.setdefault(field or "name", message)
        return None, errors
