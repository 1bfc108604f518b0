"""Property tests: the field rules never crash on arbitrary input, and normalising is stable."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from directory import netherlands
from directory.schemas import validators as v

TEXT = st.text(max_size=200)


@given(TEXT)
def test_postcode_either_normalises_or_refuses(value: str) -> None:
    try:
        result = v.normalise_postcode(value)
    except ValueError as exc:
        assert "postcode" in str(exc)
        return
    assert v.normalise_postcode(result) == result, "normalising is idempotent"
    assert len(result) == 7 and result[4] == " "


@given(st.from_regex(r"\A\s*[1-9][0-9]{3}\s?[a-zA-Z]{2}\s*\Z"))
def test_every_well_formed_postcode_is_accepted_unless_reserved(value: str) -> None:
    letters = value.strip()[-2:].upper()
    if letters in {"SA", "SD", "SS"}:
        with pytest.raises(ValueError):
            v.normalise_postcode(value)
    else:
        assert v.normalise_postcode(value).endswith(letters)


@settings(max_examples=300)
@given(TEXT)
def test_opening_hours_never_crash(value: str) -> None:
    try:
        assert v.check_opening_hours(value)
    except ValueError as exc:
        assert "opening-hours" in str(exc)


@given(TEXT)
def test_rrule_never_crashes(value: str) -> None:
    try:
        v.check_rrule(value)
    except ValueError as exc:
        assert "RRULE" in str(exc)


@given(TEXT)
def test_phone_never_crashes(value: str) -> None:
    try:
        result = v.normalise_phone(value)
    except ValueError:
        return
    assert result.startswith("+")


@given(st.floats(-90, 90), st.floats(-180, 180))
def test_points_far_from_the_netherlands_are_refused(lat: float, lon: float) -> None:
    inside = netherlands.contains(lat, lon)
    if inside:
        assert 50.6 <= lat <= 53.7 and 3.2 <= lon <= 7.4


@pytest.mark.parametrize(
    ("lat", "lon", "inside"),
    [
        (52.3731, 4.8926, True),  # Dam, Amsterdam
        (53.4, 5.35, True),  # Terschelling
        (50.85, 5.69, True),  # Maastricht
        (51.44, 3.58, True),  # Vlissingen
        (53.2, 6.57, True),  # Groningen
        (52.5, 3.5, False),  # North Sea
        (50.85, 4.35, False),  # Brussels
        (51.45, 7.01, False),  # Essen
        (48.85, 2.35, False),  # Paris
    ],
)
def test_known_places(lat: float, lon: float, inside: bool) -> None:
    assert netherlands.contains(lat, lon) is inside
