"""Field rules shared by every input path (API, importers, broker forms)."""

from __future__ import annotations

import re
from typing import Any

import opening_hours
import phonenumbers
from dateutil.rrule import rrulestr
from shapely.geometry import MultiPolygon, shape

from directory import netherlands
from directory.meetings import check_closed_range as check_closed_range

_POSTCODE = re.compile(r"^\s*([1-9][0-9]{3})\s*([A-Za-z]{2})\s*$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")


def normalise_postcode(value: str) -> str:
    """'1011ab' -> '1011 AB'; anything that is not a Dutch postcode is refused."""
    match = _POSTCODE.match(value)
    if not match:
        raise ValueError(f"{value!r} is not a Dutch postcode (four digits and two letters, like 1011 AB)")
    digits, letters = match.groups()
    letters = letters.upper()
    # These letter pairs are never issued (they read as SA, SD and SS).
    if letters in {"SA", "SD", "SS"}:
        raise ValueError(f"{value!r} is not an existing Dutch postcode (letters {letters} are not used)")
    return f"{digits} {letters}"


def check_point(lat: float, lon: float) -> None:
    """Refuse points outside the Netherlands."""
    if not netherlands.contains(lat, lon):
        raise ValueError(f"point ({lat}, {lon}) is outside the Netherlands (lat, lon in WGS84)")


def check_opening_hours(value: str) -> str:
    """Accept OpenStreetMap opening-hours syntax only."""
    if not opening_hours.validate(value):
        raise ValueError(
            f"{value!r} is not valid opening-hours syntax (OpenStreetMap style, e.g. 'Mo-Fr 09:00-17:00')"
        )
    return value.strip()


def check_rrule(value: str) -> str:
    """Accept an RFC 5545 recurrence rule such as 'FREQ=MONTHLY;BYDAY=1TU'."""
    text = value.strip()
    body = text[6:] if text.upper().startswith("RRULE:") else text
    try:
        rrulestr(body, forceset=False)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{value!r} is not a valid RRULE: {exc}") from exc
    return body


def normalise_phone(value: str) -> str:
    """Parse a phone number (Dutch by default) into international format."""
    try:
        number = phonenumbers.parse(value, "NL")
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"{value!r} is not a phone number") from exc
    if not phonenumbers.is_possible_number(number):
        raise ValueError(f"{value!r} is not a possible phone number")
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL))


def check_languages(values: list[str]) -> list[str]:
    """Languages as lower-case ISO 639 codes ('nl', 'en', 'tw'), without duplicates."""
    seen: list[str] = []
    for raw in values:
        code = raw.strip().lower()
        if not _LANGUAGE.match(code):
            raise ValueError(f"{raw!r} is not an ISO 639 language code such as 'nl' or 'ar'")
        if code not in seen:
            seen.append(code)
    return seen


def check_service_area(value: dict[str, Any]) -> dict[str, Any]:
    """A GeoJSON Polygon or MultiPolygon in the Netherlands, returned as a MultiPolygon."""
    try:
        geometry = shape(value)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise ValueError(f"not a GeoJSON geometry: {exc}") from exc
    if geometry.geom_type == "Polygon":
        geometry = MultiPolygon([geometry])
    if geometry.geom_type != "MultiPolygon":
        raise ValueError(f"must be a Polygon or MultiPolygon, got {geometry.geom_type}")
    if not geometry.is_valid:
        raise ValueError("polygon is not valid (it crosses itself or is not closed)")
    point = geometry.representative_point()
    check_point(point.y, point.x)
    return dict(geometry.__geo_interface__)
