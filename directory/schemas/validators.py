"""Field rules shared by every input path (API, importers, broker forms)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import opening_hours
import phonenumbers
from dateutil.rrule import rrulestr
from shapely.geometry import MultiPolygon, shape

from directory import netherlands
from directory.errors import RuleError
from directory.meetings import check_closed_range as check_closed_range
from directory.schemas.limits import check_geojson

_POSTCODE = re.compile(rf"^\s*{netherlands.POSTCODE}\s*$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")


def normalise_postcode(value: str) -> str:
    """'1011ab' -> '1011 AB'; anything that is not a Dutch postcode is refused."""
    match = _POSTCODE.match(value)
    if not match:
        raise RuleError(
            f"{value!r} is not a Dutch postcode (four digits and two letters, like 1011 AB)",
            code="postcode",
            params={"value": repr(value)},
        )
    digits, letters = match.groups()
    letters = letters.upper()
    # These letter pairs are never issued (they read as SA, SD and SS).
    if letters in {"SA", "SD", "SS"}:
        raise RuleError(
            f"{value!r} is not an existing Dutch postcode (letters {letters} are not used)",
            code="postcode_unused",
            params={"value": repr(value)},
        )
    return f"{digits} {letters}"


def check_point(lat: float, lon: float, field: str = "") -> None:
    """Refuse points outside the Netherlands; `field` names the input a form shows the problem at."""
    if not netherlands.contains(lat, lon):
        raise RuleError(
            f"point ({lat}, {lon}) is outside the Netherlands (lat, lon in WGS84)",
            code="outside_netherlands",
            field=field,
        )


@lru_cache(maxsize=8192)
def _valid_opening_hours(value: str) -> bool:
    """Whether the parser reads the text (many places share a string; importers check each twice)."""
    return bool(opening_hours.validate(value))


def check_opening_hours(value: str) -> str:
    """Accept OpenStreetMap opening-hours syntax only."""
    if not _valid_opening_hours(value):
        raise RuleError(
            f"{value!r} is not valid opening-hours syntax (OpenStreetMap style, e.g. 'Mo-Fr 09:00-17:00')",
            code="opening_hours",
            params={"value": repr(value)},
        )
    return value.strip()


def check_rrule(value: str) -> str:
    """Accept an RFC 5545 recurrence rule such as 'FREQ=MONTHLY;BYDAY=1TU'."""
    text = value.strip()
    body = text[6:] if text.upper().startswith("RRULE:") else text
    try:
        rrulestr(body, forceset=False)
    except (ValueError, TypeError) as exc:
        raise RuleError(
            f"{value!r} is not a valid RRULE: {exc}", code="rrule", params={"value": repr(value)}
        ) from exc
    return body


#: Phone numbers already normalised, by the text given. A valid number's normalised form maps to
#: itself (the international format parses back to the same text; for some invalid ones, such
#: as "000000", it does not), so when an importer checks a number and the entry schema checks
#: the result again, phonenumbers parses it once: 80 microseconds, the costliest check of an
#: imported place. Emptied when full.
_PHONES: dict[str, str] = {}
_PHONES_MAX = 50_000


def normalise_phone(value: str) -> str:
    """Parse a phone number (Dutch by default) into international format."""
    known = _PHONES.get(value)
    if known is not None:
        return known
    try:
        number = phonenumbers.parse(value, "NL")
    except phonenumbers.NumberParseException as exc:
        raise RuleError(
            f"{value!r} is not a phone number", code="phone", params={"value": repr(value)}
        ) from exc
    if not phonenumbers.is_possible_number(number):
        raise RuleError(
            f"{value!r} is not a possible phone number", code="phone", params={"value": repr(value)}
        )
    normalised = str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL))
    if len(_PHONES) >= _PHONES_MAX:
        _PHONES.clear()
    _PHONES[value] = normalised
    if phonenumbers.is_valid_number(number):
        _PHONES[normalised] = normalised
    return normalised


def check_languages(values: list[str]) -> list[str]:
    """Languages as lower-case ISO 639 codes ('nl', 'en', 'tw'), without duplicates."""
    seen: list[str] = []
    for raw in values:
        code = raw.strip().lower()
        if not _LANGUAGE.match(code):
            raise RuleError(
                f"{raw!r} is not an ISO 639 language code such as 'nl' or 'ar'",
                code="language",
                params={"value": repr(raw)},
            )
        if code not in seen:
            seen.append(code)
    return seen


def check_service_area(value: dict[str, Any]) -> dict[str, Any]:
    """A GeoJSON Polygon or MultiPolygon in the Netherlands, returned as a MultiPolygon."""
    check_geojson(value)
    try:
        geometry = shape(value)
    except (ValueError, TypeError, KeyError, AttributeError, IndexError) as exc:
        raise RuleError(f"not a GeoJSON geometry: {exc}", code="geometry") from exc
    if geometry.is_empty:
        raise RuleError("the area is empty: give at least one polygon", code="geometry")
    if geometry.geom_type == "Polygon":
        geometry = MultiPolygon([geometry])
    if geometry.geom_type != "MultiPolygon":
        raise RuleError(f"must be a Polygon or MultiPolygon, got {geometry.geom_type}", code="not_polygon")
    if not geometry.is_valid:
        raise RuleError("polygon is not valid (it crosses itself or is not closed)", code="polygon")
    point = geometry.representative_point()
    check_point(point.y, point.x)
    return dict(geometry.__geo_interface__)


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
#: How people hide the @ from spam robots: "info(at)example.nl", "info [at] example.nl".
_HIDDEN_AT = re.compile(r"\s*[(\[{]\s*(at|apenstaartje)\s*[)\]}]\s*|\s+at\s+", re.IGNORECASE)
_WEBSITE = re.compile(r"^https?://\S+$")
_BARE_DOMAIN = re.compile(r"^(www\.)?[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}(/\S*)?$", re.IGNORECASE)


def check_email(value: str) -> str:
    """An e-mail address; one written with "(at)" is refused with the reason, as it would not arrive."""
    text = value.strip()
    if _HIDDEN_AT.search(text) and "@" not in text:
        raise RuleError(
            f"{value!r} hides the @ (write it as an address, like info@example.nl)",
            code="email_hidden_at",
            params={"value": repr(value)},
        )
    if not _EMAIL.match(text):
        raise RuleError(f"{value!r} is not an e-mail address", code="email", params={"value": repr(value)})
    return text


def normalise_website(value: str) -> str:
    """A web address; "www.example.nl" or "example.nl/agenda" gets https:// in front."""
    text = value.strip()
    if _BARE_DOMAIN.match(text):
        text = "https://" + text
    if not _WEBSITE.match(text):
        raise RuleError(
            f"{value!r} is not a web address starting with http:// or https://",
            code="website",
            params={"value": repr(value)},
        )
    return text
