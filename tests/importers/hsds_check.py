"""Checks of HSDS output against the official specification (tests/importers/fixtures/hsds-3.0).

Frictionless validates a tabular package with its table schemas; API objects and table rows
are validated against the official JSON schemas (draft 2020-12, the dialect of the
specification's openapi.json), their `$ref`s resolved to the local copies, by two
implementations: jsonschema, and jsonschema-rs for the formats (`uri`, `email`, `date-time`).
jsonschema's FormatChecker checks `uri` only when rfc3987 is installed, and `email` only for
an "@": without the second, a web address without scheme or with spaces passed unnoticed.
"""

from __future__ import annotations

import csv
import json
from functools import cache
from pathlib import Path
from typing import Any

import frictionless
import jsonschema_rs
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC = Path(__file__).parent / "fixtures" / "hsds-3.0"


@cache
def _registry() -> Registry:
    resources = []
    for path in sorted((SPEC / "schema").glob("*.json")):
        contents = json.loads(path.read_text(encoding="utf-8"))
        resources.append((path.name, Resource.from_contents(contents, default_specification=DRAFT202012)))
    return Registry().with_resources(resources)


@cache
def _schema(name: str) -> Any:
    return json.loads((SPEC / "schema" / name).read_text(encoding="utf-8"))


@cache
def _validator(schema: str) -> Draft202012Validator:
    return Draft202012Validator(_schema(schema), registry=_registry(), format_checker=FormatChecker())


@cache
def _strict(schema: str) -> Any:
    """jsonschema-rs, checking every format; `$ref`s by file name, as the specification writes them."""
    local = jsonschema_rs.Registry(
        [(f"file:///{p.name}", _schema(p.name)) for p in sorted((SPEC / "schema").glob("*.json"))]
    )
    return jsonschema_rs.Draft202012Validator(
        _schema(schema), validate_formats=True, registry=local, base_uri=f"file:///{schema}"
    )


def schema_errors(obj: Any, schema: str = "service.json") -> list[str]:
    """Every violation of an official schema by one object (empty when valid)."""
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in _validator(schema).iter_errors(obj)
    ]
    errors += [
        f"{'/'.join(map(str, e.instance_path))}: {e.message}" for e in _strict(schema).iter_errors(obj)
    ]
    return list(dict.fromkeys(errors))


#: The schema of an item of each API list (openapi.json: /services, /organizations, ...).
LIST_ITEM_SCHEMAS = {
    "service_list.json": "compiled/service_list.json",
    "organization_list.json": "compiled/organization_list.json",
    "service_at_location_list.json": "compiled/service_at_location_list.json",
    "taxonomy_list.json": "taxonomy.json",
    "taxonomy_term_list.json": "taxonomy_term.json",
}


def list_errors(folder: Path) -> dict[str, tuple[int, list[str]]]:
    """Per API list file in a folder: (items, violations of the Page by the page and of the
    list's item schema by an item)."""
    out: dict[str, tuple[int, list[str]]] = {}
    for name, schema in LIST_ITEM_SCHEMAS.items():
        page = json.loads((folder / name).read_text(encoding="utf-8"))
        errors = page_errors(page)
        errors += [f"{item.get('id')} {e}" for item in page["contents"] for e in schema_errors(item, schema)]
        out[name] = (len(page["contents"]), errors)
    return out


def page_errors(page: Any) -> list[str]:
    """Violations of the API's Page (openapi.json) by one page of a list, its contents not included."""
    shape = _schema("openapi.json")["components"]["schemas"]["Page"]
    validator = jsonschema_rs.Draft202012Validator(shape, validate_formats=True)
    return [f"{'/'.join(map(str, e.instance_path))}: {e.message}" for e in validator.iter_errors(page)]


def package_errors(folder: Path) -> list[str]:
    """Every error Frictionless finds in a tabular package (its table schemas, keys, types)."""
    report = frictionless.validate(str(folder / "datapackage.json"))
    return [f"{task.name}: {error.message}" for task in report.tasks for error in task.errors] + [
        e.message for e in report.errors
    ]


def empty_values(value: Any, path: str = "") -> list[str]:
    """Paths of null or "" anywhere in a JSON value (absent values must be left out)."""
    if value is None or value == "":
        return [path]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in empty_values(v, f"{path}/{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in empty_values(v, f"{path}/{i}")]
    return []


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _typed(value: str, kind: str) -> Any:
    """A CSV cell as the JSON value its Table Schema type stands for (dates and times stay text)."""
    if kind in ("number", "integer"):
        number = float(value)
        return int(number) if number.is_integer() else number
    if kind in ("object", "array"):
        return json.loads(value)
    if kind == "boolean":
        return value == "true"
    return value


def table_rows(folder: Path) -> dict[str, list[dict[str, Any]]]:
    """Every row of a tabular package as a JSON object, per resource (empty cells left out)."""
    meta = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    out: dict[str, list[dict[str, Any]]] = {}
    for resource in meta["resources"]:
        types = {f["name"]: f["type"] for f in resource["schema"]["fields"]}
        out[resource["name"]] = [
            {k: _typed(v, types.get(k, "string")) for k, v in row.items() if v != ""}
            for row in read_csv(folder / resource["path"])
        ]
    return out


def record_errors(folder: Path) -> dict[str, tuple[int, list[str]]]:
    """Per official resource of a tabular package: (rows, violations of its JSON schema by a row)."""
    out: dict[str, tuple[int, list[str]]] = {}
    for name, rows in table_rows(folder).items():
        if (SPEC / "schema" / f"{name}.json").is_file():
            errors = [f"{row.get('id')} {e}" for row in rows for e in schema_errors(row, f"{name}.json")]
            out[name] = (len(rows), errors)
    return out
