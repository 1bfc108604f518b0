"""The check of HSDS output checks the formats the official schemas declare (no database)."""

from __future__ import annotations

import uuid

import pytest

from tests.importers.hsds_check import schema_errors

SERVICE = {"id": str(uuid.uuid4()), "name": "Inloop", "status": "active"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("url", "www.buurthuis.nl"),
        ("url", "https://café.nl/"),
        ("url", "https://example.nl/a b"),
        ("url", "https://example.nl/<script>"),
        ("email", "jörg@example.de"),
        ("email", "info(at)example.nl"),
        ("last_modified", "2026-12-04"),
    ],
)
def test_the_schema_check_checks_formats(field: str, value: str) -> None:
    """The official schemas' `uri`, `email` and `date-time` are checked (jsonschema alone checks
    `uri` only with an optional package, and `email` only for an "@")."""
    assert schema_errors({**SERVICE, field: value}) != []
    assert schema_errors(SERVICE) == []
