"""Property tests: the field rules never crash on arbitrary input, and normalising is stable."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from directory import netherlands
from directory.schemas import LocationCreate, LocationRead, LocationUpdate
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


@settings(max_examples=300)
@given(st.one_of(TEXT, st.from_regex(r"\A\+?[0-9 ()-]{3,20}\Z"), st.from_regex(r"\A0[1-9][0-9]{8}\Z")))
def test_a_normalised_phone_number_normalises_to_itself(value: str) -> None:
    """The phone cache answers as parsing would: a valid number's normalised form is stable."""
    v._PHONES.clear()
    try:
        result = v.normalise_phone(value)
    except ValueError:
        return
    cached = dict(v._PHONES)
    assert cached[value] == result
    v._PHONES.clear()
    assert cached.get(result, v.normalise_phone(result)) == v.normalise_phone(result)


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


def test_the_point_rule_holds_for_input_not_for_what_is_read_back() -> None:
    """Create and update refuse a point in Brussels; the read model shows a stored one as it is."""
    brussels = {"lat": 50.85, "lon": 4.35}
    for model, data in (
        (LocationCreate, {"name": "Buurthuis", "category": "library"}),
        (LocationUpdate, {"version": 1}),
    ):
        with pytest.raises(ValidationError, match="outside the Netherlands"):
            model.model_validate({**data, **brussels})
    stamp = "2026-12-04T08:00:00+01:00"
    read = LocationRead.model_validate(
        {
            "id": str(uuid.uuid4()),
            "version": 1,
            "name": "Buurthuis",
            "created_at": stamp,
            "updated_at": stamp,
            **brussels,
        }
    )
    assert (read.lat, read.lon) == (50.85, 4.35)


# -- the outer bounds (directory/schemas/limits.py): odd input is refused, never a crash ---------

CLEAN_TEXT = st.text(st.characters(exclude_characters="\x00"), max_size=5)
JSON_LEAVES = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | CLEAN_TEXT
JSON_VALUES = st.recursive(
    JSON_LEAVES, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(CLEAN_TEXT, inner, max_size=4)
)


def _nest(depth: int) -> list[object]:
    value: list[object] = [4.9, 52.37]
    for _ in range(depth):
        value = [value]
    return value


@given(st.integers(min_value=0, max_value=6000))
def test_polygon_nested_any_depth_is_a_422_on_polygon(depth: int) -> None:
    from directory.errors import InvalidInputError
    from directory.search.query import parse_polygon

    text = '{"type": "Polygon", "coordinates": ' + "[" * depth + "]" * depth + "}"
    for value in (text, "[" * depth + "]" * depth):
        with pytest.raises(InvalidInputError) as caught:
            parse_polygon(value)
        assert caught.value.field == "polygon"


@given(JSON_VALUES)
def test_service_area_refuses_any_json_without_crashing(value: object) -> None:
    try:
        v.check_service_area({"type": "MultiPolygon", "coordinates": value})
    except ValueError:
        return


@given(st.integers(min_value=5, max_value=3000))
def test_service_area_nested_too_deep_is_refused(depth: int) -> None:
    with pytest.raises(ValueError, match="nested deeper"):
        v.check_service_area({"type": "MultiPolygon", "coordinates": _nest(depth)})


@given(st.datetimes(timezones=st.none() | st.timezones()))
def test_open_at_is_a_moment_within_the_years_or_a_422(moment: object) -> None:
    from datetime import datetime

    from directory.errors import InvalidInputError
    from directory.schemas.limits import EARLIEST_YEAR, LATEST_YEAR
    from directory.search.query import parse_open_at

    assert isinstance(moment, datetime)
    try:
        parsed = parse_open_at(moment.isoformat())
    except InvalidInputError as exc:
        assert exc.field == "open_at"
        assert not EARLIEST_YEAR <= moment.year <= LATEST_YEAR
        return
    assert parsed.isoformat() == moment.isoformat()


@given(JSON_VALUES, CLEAN_TEXT, CLEAN_TEXT)
def test_find_nul_names_where_the_nul_is(value: object, before: str, after: str) -> None:
    from directory.schemas.limits import find_nul

    assert find_nul({"a": [value, before + after]}) is None
    assert find_nul({"a": [value, before + "\x00" + after]}) == "a.1"
    assert find_nul({"a": value, "b" + before + "\x00": 1}) == "body"  # a key: named by its parent
