"""Which fields a source may write on an entry, and which it may only suggest (no writes here).

The first source to fill a field owns it; a broker's (`manual`) value is
never overwritten, not even when the broker emptied the field. A source's
differing value for a field it does not own becomes a suggestion.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from directory.points import distance_m
from directory.services.entries import MANUAL

#: A source's point closer than this to the entry's is not worth a broker's look (rounding, geocoding).
POINT_NOISE_M = 5.0

#: What a source would write ({field: value}) and suggest ({field: (its value, current value)}).
Plan = tuple[dict[str, Any], dict[str, tuple[Any, Any]]]


def same(a: Any, b: Any) -> bool:
    """Whether a source's value equals the entry's (floats within 1e-7, string lists in any order)."""
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) < 1e-7
    if isinstance(a, list) and isinstance(b, list) and all(isinstance(x, str) for x in a + b):
        return sorted(a) == sorted(b) if a and b else a == b
    return bool(a == b)


def _moved_m(current: dict[str, Any], fields: dict[str, Any]) -> float:
    """How far the source's point lies from the entry's, in metres (infinite when either is unknown)."""
    lat, lon = fields.get("lat", current.get("lat")), fields.get("lon", current.get("lon"))
    here_lat, here_lon = current.get("lat"), current.get("lon")
    if lat is None or lon is None or here_lat is None or here_lon is None:
        return float("inf")
    return distance_m(float(here_lat), float(here_lon), float(lat), float(lon))


def clean(schema: type[BaseModel], fields: dict[str, Any]) -> dict[str, Any]:
    """Validate fields with the entry schema and return them in JSON form (normalised)."""
    model = schema.model_validate(fields)
    return model.model_dump(mode="json", exclude_none=True, exclude_unset=True)


def plan_fields(
    source: str,
    current: dict[str, Any],
    provenance: dict[str, Any],
    status: str,
    fields: dict[str, Any],
) -> Plan:
    """Split `fields` of `source` into what it may write on the entry and what it may only suggest."""
    update: dict[str, Any] = {}
    suggest: dict[str, tuple[Any, Any]] = {}
    for key, value in fields.items():
        have = current.get(key)
        if same(have, value):
            continue
        owner = (provenance.get(key) or {}).get("source")
        empty = have in (None, "", []) and owner != MANUAL
        if empty or owner in (None, source) or key == "location_ids":
            update[key] = value
        else:
            suggest[key] = (value, have)
    if {"lat", "lon"} & set(suggest) and _moved_m(current, fields) < POINT_NOISE_M:
        # Geocoders and lists round differently: a point a few metres off is the same place.
        suggest.pop("lat", None)
        suggest.pop("lon", None)
    if ("lat" in update) != ("lon" in update):
        # A point is one value: write both halves or neither.
        update.pop("lat", None)
        update.pop("lon", None)
    if status == "needs_review" and (provenance.get("status") or {}).get("source") == source:
        update["status"] = "active"
    return update, suggest
