"""Checks of HSDS output against the official specification (tests/importers/fixtures/hsds-3.0).

Frictionless validates a tabular package with its table schemas; jsonschema validates API
objects against the official JSON schemas, their `$ref`s resolved to the local copies.
"""

from __future__ import annotations

import csv
import json
from functools import cache
from pathlib import Path
from typing import Any

import frictionless
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


def schema_errors(obj: Any, schema: str = "service.json") -> list[str]:
    """Every violation of an official schema by one object (empty when valid)."""
    contents = json.loads((SPEC / "schema" / schema).read_text(encoding="utf-8"))
    validator = Draft202012Validator(contents, registry=_registry(), format_checker=FormatChecker())
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(obj)]


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
