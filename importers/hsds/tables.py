"""HSDS data as tables (resource name -> rows), read from and written to its three forms.

* the official tabular package: `datapackage.json` + one CSV per resource;
* the HSDS API form: service objects with their organization, locations, schedules... nested
  (`service_list.json`, a page of the API's list, or files holding one service each), written
  with the other lists beside it (`organization_list.json`, ...; not read);
* wijkgram's old layout (before the official form): one JSON array per table.

Every reader returns the same tables with the official resource names ("service",
"service_at_location", ...), absent values left out; a row's wijkgram extension, when the
package has one, sits under the key `x_wijkgram`.
"""

from __future__ import annotations

import copy
import csv
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from importers.hsds.spec import EXTENSION, EXTENSION_RESOURCE, derived_id, field_types, fields, package
from importers.hsds.spec import resources as official_resources

Tables = dict[str, list[dict[str, Any]]]

#: Table names of the old layout -> official resource names.
OLD_TABLES = {
    "organizations": "organization",
    "services": "service",
    "locations": "location",
    "service_at_locations": "service_at_location",
    "addresses": "address",
    "phones": "phone",
    "schedules": "schedule",
    "taxonomies": "taxonomy",
    "taxonomy_terms": "taxonomy_term",
    "attributes": "attribute",
}
#: Nested objects of the API form that stand for one row of a resource (not a list).
SINGLE = {
    "organization": "organization",
    "program": "program",
    "location": "location",
    "taxonomy_term": "taxonomy_term",
    "taxonomy_detail": "taxonomy",
}
#: Nested lists of the API form -> the resource of their items.
LISTS = {
    "phones": "phone",
    "schedules": "schedule",
    "service_areas": "service_area",
    "service_at_locations": "service_at_location",
    "languages": "language",
    "funding": "funding",
    "cost_options": "cost_option",
    "required_documents": "required_document",
    "contacts": "contact",
    "attributes": "attribute",
    "metadata": "metadata",
    "addresses": "address",
    "accessibility": "accessibility",
    "organization_identifiers": "organization_identifier",
    "programs": "program",
    "services": "service",
    "locations": "location",
}
API_FILE = "service_list.json"


def empty_tables() -> Tables:
    return {r["name"]: [] for r in official_resources()}


def present(value: Any) -> bool:
    """Absent values are left out everywhere: None, "", empty lists and objects."""
    return value not in (None, "", [], {})


# --- the tabular package -------------------------------------------------------------------------


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def write_csv_package(tables: Tables, folder: Path, *, title: str) -> None:
    """The official tabular package, plus the extension resource when any row has one."""
    folder.mkdir(parents=True, exist_ok=True)
    extension: list[dict[str, Any]] = []
    for resource in official_resources():
        name = resource["name"]
        columns = fields(name)
        with (folder / resource["path"]).open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(columns)
            for row in tables.get(name, []):
                writer.writerow([_cell(row[c]) if present(row.get(c)) else "" for c in columns])
                if present(row.get(EXTENSION)):
                    extension.append(
                        {
                            "id": derived_id(EXTENSION, name, row["id"]),
                            "link_id": row["id"],
                            "link_entity": name,
                            "data": row[EXTENSION],
                        }
                    )
    meta = {k: v for k, v in package().items() if k != "resources"}
    meta.update(
        name="wijkgram-hsds",
        title=title,
        description=(
            "The wijkgram directory as an Open Referral HSDS 3.0 tabular package. Schedule times are "
            "wall-clock times in Europe/Amsterdam; a schedule's timezone holds that zone's UTC offset."
        ),
    )
    listed = copy.deepcopy(official_resources())
    if extension:
        with (folder / EXTENSION_RESOURCE["path"]).open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(fields(EXTENSION))
            for row in extension:
                writer.writerow([_cell(row[c]) for c in fields(EXTENSION)])
        listed.append(copy.deepcopy(EXTENSION_RESOURCE))
    meta["resources"] = listed
    (folder / "datapackage.json").write_text(
        json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )


def _typed(value: str, kind: str) -> Any:
    if kind == "number":
        number = float(value)
        return int(number) if number.is_integer() else number
    if kind == "object":
        return json.loads(value)
    return value


def read_csv_package(folder: Path) -> Tables:
    """Tables of a tabular package (official names; other resources are kept under their name)."""
    meta = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    tables = empty_tables()
    known = set(tables) | {EXTENSION}
    for resource in meta.get("resources", []):
        path = folder / str(resource.get("path", ""))
        if not path.is_file() or not str(resource.get("path", "")).endswith(".csv"):
            continue
        name = str(resource.get("name"))
        types = field_types(name) if name in known else {}
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = [
                {k: _typed(v, types.get(k, "string")) for k, v in row.items() if k and v not in (None, "")}
                for row in csv.DictReader(handle)
            ]
        tables.setdefault(name, []).extend(rows)
    _attach_extension(tables)
    return tables


def _attach_extension(tables: Tables) -> None:
    by_id = {(name, str(row.get("id"))): row for name, rows in tables.items() for row in rows}
    for ext in tables.pop(EXTENSION, []):
        row = by_id.get((str(ext.get("link_entity")), str(ext.get("link_id"))))
        if row is not None and isinstance(ext.get("data"), dict):
            row[EXTENSION] = ext["data"]


# --- the API form --------------------------------------------------------------------------------


def _flatten(obj: dict[str, Any], resource: str, tables: Tables, seen: set[tuple[str, str]]) -> None:
    """Add an API object and everything nested in it to the tables, each row once."""
    row: dict[str, Any] = {}
    own = set(fields(resource)) if resource in tables else set()
    for key, value in obj.items():
        if key in SINGLE and isinstance(value, dict):
            child = SINGLE[key]
            if value.get("id") is not None and f"{child}_id" in own:
                row.setdefault(f"{child}_id", value["id"])
            _flatten(value, child, tables, seen)
        elif key in LISTS and isinstance(value, list):
            child = LISTS[key]
            for item in value:
                if isinstance(item, dict):
                    _flatten(_linked(item, child, resource, obj.get("id")), child, tables, seen)
        elif present(value):
            row[key] = value
    key_ = (resource, str(row.get("id")))
    if key_ in seen:
        return
    seen.add(key_)
    tables.setdefault(resource, []).append(row)


def _linked(item: dict[str, Any], child: str, parent: str, parent_id: Any) -> dict[str, Any]:
    """A nested row with its link to the object it is nested in (which the API form leaves out)."""
    item = dict(item)
    if child == "attribute":
        item.setdefault("link_id", parent_id)
        item.setdefault("link_entity", parent)
    elif child == "metadata":
        item.setdefault("resource_id", parent_id)
        item.setdefault("resource_type", parent)
    elif child in ("location", "service", "program") and parent == "organization":
        item.setdefault("organization_id", parent_id)
    elif f"{parent}_id" in fields(child):
        item.setdefault(f"{parent}_id", parent_id)
    return item


def services_of(data: Any) -> list[dict[str, Any]]:
    """The service objects of an API answer: a page of a list, a list, or one service."""
    if isinstance(data, dict) and isinstance(data.get("contents"), list):
        return [s for s in data["contents"] if isinstance(s, dict)]
    if isinstance(data, list):
        return [s for s in data if isinstance(s, dict)]
    if isinstance(data, dict) and "id" in data and "status" in data:
        return [data]
    return []


def read_api(paths: list[Path]) -> Tables:
    """Tables of HSDS API service objects, read from JSON files."""
    tables = empty_tables()
    seen: set[tuple[str, str]] = set()
    for path in paths:
        for service in services_of(json.loads(path.read_text(encoding="utf-8"))):
            _flatten(service, "service", tables, seen)
    return tables


#: What the API form nests in each object (the schema's lists; organizations without their
#: locations and services, which a service already carries).
NESTED_LISTS: dict[str, tuple[str, ...]] = {
    "service": (
        "phones",
        "schedules",
        "service_areas",
        "service_at_locations",
        "languages",
        "cost_options",
        "contacts",
        "attributes",
        "funding",
        "required_documents",
    ),
    "organization": ("phones", "contacts", "attributes", "funding", "organization_identifiers", "programs"),
    "service_at_location": ("phones", "schedules", "contacts", "attributes"),
    "location": ("languages", "addresses", "contacts", "accessibility", "phones", "schedules", "attributes"),
    "contact": ("phones",),
}
#: Objects nested as one object: (resource, key, the resource it is, the column linking it).
NESTED_SINGLE = {
    "service": ("organization", "organization", "organization_id"),
    "service_at_location": ("location", "location", "location_id"),
    "attribute": ("taxonomy_term", "taxonomy_term", "taxonomy_term_id"),
}


class Index:
    """Rows by id and by the row they belong to, so nesting a large directory stays linear."""

    def __init__(self, tables: Tables) -> None:
        self.rows: dict[tuple[str, str], dict[str, Any]] = {}
        self.children: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
        for resource, rows in tables.items():
            for row in rows:
                self.rows[(resource, str(row.get("id")))] = row
                for column, value in row.items():
                    if column.endswith("_id") and column != "id" and value:
                        self.children[(resource, column, str(value))].append(row)
                    elif column == "link_id" and resource == "attribute":
                        self.children[(resource, "link_id", str(value))].append(row)

    def owned(self, child: str, parent: str, parent_id: str) -> list[dict[str, Any]]:
        column = "link_id" if child == "attribute" else f"{parent}_id"
        return self.children.get((child, column, parent_id), [])

    def nest(self, resource: str, row: dict[str, Any]) -> dict[str, Any]:
        """One row as an API object, with what belongs to it nested."""
        out = {k: v for k, v in row.items() if present(v)}
        for key in NESTED_LISTS.get(resource, ()):
            child = LISTS[key]
            items = [self.nest(child, r) for r in self.owned(child, resource, str(row["id"]))]
            if items:
                out[key] = items
        if resource in NESTED_SINGLE:
            key, child, column = NESTED_SINGLE[resource]
            target = self.rows.get((child, str(row.get(column))))
            if target is not None:
                out[key] = self.nest(child, target)
        return out


#: The API's other lists, one page each, named as the specification's examples: what
#: /organizations, /service_at_locations, /taxonomies and /taxonomy_terms answer. They repeat
#: what the services nest, so the importer does not read them.
LIST_FILES = {
    "organization_list.json": "organization",
    "service_at_location_list.json": "service_at_location",
    "taxonomy_list.json": "taxonomy",
    "taxonomy_term_list.json": "taxonomy_term",
}


def _page(contents: list[dict[str, Any]]) -> dict[str, Any]:
    """One page holding every item (the API's Page)."""
    return {
        "total_items": len(contents),
        "total_pages": 1,
        "page_number": 1,
        "size": len(contents),
        "first_page": True,
        "last_page": True,
        "empty": not contents,
        "contents": contents,
    }


def _own(row: dict[str, Any] | None) -> dict[str, Any] | None:
    """A row's one-to-one fields, as the API's lists show them (no wijkgram extension)."""
    return None if row is None else {k: v for k, v in row.items() if k != EXTENSION and present(v)}


def _list_item(index: Index, resource: str, row: dict[str, Any]) -> dict[str, Any]:
    """An item of a list: the row, and for a service at a location its service (with its
    organization) and its location, one-to-one fields only (the specification's compiled
    *_list.json schemas)."""
    item = _own(row) or {}
    if resource == "service_at_location":
        service = _own(index.rows.get(("service", str(row.get("service_id")))))
        location = _own(index.rows.get(("location", str(row.get("location_id")))))
        if service is not None:
            organization = _own(index.rows.get(("organization", str(service.get("organization_id")))))
            item["service"] = {**service, **({"organization": organization} if organization else {})}
        if location is not None:
            item["location"] = location
    return item


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def write_api(tables: Tables, folder: Path) -> int:
    """The API form: `service_list.json`, every service with everything nested (what the
    importer reads), and the other lists (LIST_FILES), each one page of the list."""
    index = Index(tables)
    services = [index.nest("service", s) for s in tables.get("service", [])]
    _write_json(folder / API_FILE, _page(services))
    for name, resource in LIST_FILES.items():
        _write_json(folder / name, _page([_list_item(index, resource, r) for r in tables.get(resource, [])]))
    return len(services)


# --- the old layout -------------------------------------------------------------------------------


def read_old_layout(folder: Path) -> Tables:
    """Tables of wijkgram's earlier export: one JSON array per table, plural file names."""
    tables = empty_tables()
    for old, name in OLD_TABLES.items():
        path = folder / f"{old}.json"
        if path.is_file():
            rows = json.loads(path.read_text(encoding="utf-8"))
            tables[name].extend({k: v for k, v in r.items() if present(v)} for r in rows)
    languages: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for service in tables["service"]:
        for code in service.pop("languages", None) or []:
            if isinstance(code, str):
                languages[service["id"]].append(
                    {
                        "id": derived_id("language", service["id"], code),
                        "service_id": service["id"],
                        "code": code,
                    }
                )
    tables["language"].extend(row for rows in languages.values() for row in rows)
    return tables


# --- which form a folder holds ------------------------------------------------------------------


def read_folder(folder: Path) -> tuple[str, Tables]:
    """The form found in a folder (csv, old, api) and its tables; ValueError when none is."""
    meta = folder / "datapackage.json"
    if meta.is_file():
        resources = json.loads(meta.read_text(encoding="utf-8")).get("resources", [])
        if any(str(r.get("path", "")).endswith(".csv") for r in resources):
            return "csv", read_csv_package(folder)
    if any((folder / f"{old}.json").is_file() for old in OLD_TABLES):
        return "old", read_old_layout(folder)
    paths = [
        p for p in sorted(folder.glob("*.json")) if p.name != "datapackage.json" and p.name not in LIST_FILES
    ]
    api = [p for p in paths if services_of(_load_json(p))]
    if api:
        return "api", read_api(api)
    raise ValueError(
        f"{folder} holds no HSDS data: no datapackage.json with CSV resources, "
        "no service objects in a JSON file, no tables of the old layout"
    )


def _load_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None
