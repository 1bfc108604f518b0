"""Validation messages of the shared schemas and importers read in Dutch on Dutch pages."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from directory.schemas.entries import LocationCreate
from web.validation_text import in_language


def _messages(**fields: object) -> list[str]:
    """What the API's own schema says about these fields (English)."""
    base = {"name": "Buurthuis", "category": "community_centre", "lat": 52.37, "lon": 4.9}
    with pytest.raises(ValidationError) as caught:
        LocationCreate.model_validate({**base, **fields})
    return [str(e["msg"]).removeprefix("Value error, ") for e in caught.value.errors()]


@pytest.mark.parametrize(
    ("fields", "dutch"),
    [
        ({"postcode": "12345"}, "'12345' is geen Nederlandse postcode"),
        ({"opening_hours": "maandag"}, "'maandag' zijn geen openingstijden die we kunnen lezen"),
        ({"phone": "12"}, "is geen telefoonnummer"),
        ({"lat": 48.85, "lon": 2.35}, "Deze plek ligt buiten Nederland."),
        ({"capacity": -3}, "Dit moet 0 of meer zijn."),
    ],
)
def test_schema_messages_have_a_dutch_text(fields: dict[str, object], dutch: str) -> None:
    """Every message the schema really gives for these inputs is rewritten, keeping the value."""
    messages = _messages(**fields)
    assert messages, fields
    assert any(dutch in in_language(m, "nl") for m in messages), messages


def test_field_prefix_stays_and_english_pages_keep_the_english_text() -> None:
    """The importers write 'field: message'; English pages and unknown messages are left alone."""
    message = "postcode: '12345' is not a Dutch postcode (four digits and two letters, like 1011 AB)"
    assert in_language(message, "nl").startswith("postcode: '12345' is geen Nederlandse postcode")
    assert in_language(message, "en") == message
    assert in_language("something nobody wrote a pattern for", "nl") == "something nobody wrote a pattern for"
