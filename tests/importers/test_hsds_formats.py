"""Values in the formats HSDS's schemas declare, and the check that they are (no database)."""

from __future__ import annotations

import uuid

import pytest

from importers.hsds.formats import email, phone_parts, phone_text, uri
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


@pytest.mark.parametrize(
    ("written", "exported"),
    [
        ("https://www.buurthuis.nl/agenda?x=1&y=2#top", "https://www.buurthuis.nl/agenda?x=1&y=2#top"),
        ("https://café-de-buurt.nl/agenda?week=ü", "https://xn--caf-de-buurt-deb.nl/agenda?week=%C3%BC"),
        ("http://example.nl/a<b> c|d", "http://example.nl/a%3Cb%3E%20c%7Cd"),
        ("https://example.nl/100%/a%20b", "https://example.nl/100%25/a%20b"),
        ("HTTPS://Example.NL:8080/", "https://example.nl:8080/"),
        ("ftp://example.nl/file", None),
        ("https://user:secret@example.nl/", None),
        ("https:///no-host", None),
    ],
)
def test_web_addresses_are_written_as_uris(written: str, exported: str | None) -> None:
    assert uri(written) == exported
    if exported:
        assert schema_errors({**SERVICE, "url": exported}) == []


@pytest.mark.parametrize(
    ("written", "exported"),
    [
        ("o'brien+wijk@sub.example.co.uk", "o'brien+wijk@sub.example.co.uk"),
        ('"quoted.local"@example.org', '"quoted.local"@example.org'),
        ("info@buurthuis-zoë.nl", "info@xn--buurthuis-zo-dfb.nl"),
        ("jörg@example.de", None),
        ("a(b)@example.nl", None),
        ("info@localhost", None),
    ],
)
def test_email_addresses_are_written_in_ascii(written: str, exported: str | None) -> None:
    assert email(written) == exported
    if exported:
        assert schema_errors({**SERVICE, "email": exported}) == []


def test_a_phone_extension_is_its_own_number() -> None:
    assert phone_parts("+31 20 123 4567 ext. 12") == ("+31 20 123 4567", 12)
    assert phone_parts("+44 20 7946 0958") == ("+44 20 7946 0958", None)
    assert phone_text("+31 20 123 4567", 12) == "+31 20 123 4567 ext. 12"
    assert phone_text("+31 20 123 4567", 12.0) == "+31 20 123 4567 ext. 12"
    assert phone_text("+31 20 123 4567", None) == "+31 20 123 4567"
