"""The official HSDS 3.0 tabular data package: its resources, their order and their fields.

`datapackage-3.0.json` is the specification's own file (see README.md beside it); the
exporter writes exactly its resources and the importer reads the same names.
"""

from __future__ import annotations

import json
import uuid
from functools import cache
from pathlib import Path
from typing import Any

SPEC_FILE = Path(__file__).with_name("datapackage-3.0.json")
#: Namespace of every id wijkgram derives (uuid5), so an export gives the same ids each time.
NAMESPACE = uuid.UUID("6f1c2f0e-8a57-4f57-9d0e-3b1f0d2c9a11")
#: The resource that carries wijkgram's extension (appended after the official ones).
EXTENSION = "x_wijkgram"
EXTENSION_RESOURCE: dict[str, Any] = {
    "name": EXTENSION,
    "path": "x_wijkgram.csv",
    "profile": "tabular-data-resource",
    "format": "csv",
    "mediatype": "text/csv",
    "description": "wijkgram fields HSDS has no field for, per linked row (see docs/importers.md).",
    "schema": {
        "fields": [
            {"name": "id", "type": "string", "format": "uuid", "constraints": {"required": True}},
            {"name": "link_id", "type": "string", "format": "uuid", "constraints": {"required": True}},
            {"name": "link_entity", "type": "string", "constraints": {"required": True}},
            {"name": "data", "type": "object", "constraints": {"required": True}},
        ],
        "primaryKey": "id",
    },
}


@cache
def package() -> dict[str, Any]:
    """The official datapackage.json."""
    data: dict[str, Any] = json.loads(SPEC_FILE.read_text(encoding="utf-8"))
    return data


def resources() -> list[dict[str, Any]]:
    """The official resources in their order."""
    return list(package()["resources"])


def resource_names() -> list[str]:
    return [r["name"] for r in resources()]


@cache
def fields(resource: str) -> tuple[str, ...]:
    """The column names of one official resource, in order."""
    for r in resources():
        if r["name"] == resource:
            return tuple(f["name"] for f in r["schema"]["fields"])
    if resource == EXTENSION:
        return tuple(f["name"] for f in EXTENSION_RESOURCE["schema"]["fields"])
    raise KeyError(resource)


@cache
def field_types(resource: str) -> dict[str, str]:
    """Column name -> Table Schema type (string, number, date, time, datetime, object)."""
    for r in [*resources(), EXTENSION_RESOURCE]:
        if r["name"] == resource:
            return {f["name"]: f["type"] for f in r["schema"]["fields"]}
    raise KeyError(resource)


def derived_id(*parts: object) -> str:
    """A stable UUID for a row wijkgram derives (address, phone, schedule, attribute)."""
    return str(uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts)))


def as_uuid(value: object) -> str:
    """Our id as an HSDS id: a UUID stays itself, anything else becomes a stable uuid5."""
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        return derived_id("id", value)
