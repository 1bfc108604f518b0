"""Turn a stored document into the hit both engines return, so their answers look alike."""

from __future__ import annotations

from typing import Any

from directory.points import distance_m
from directory.search.grid import CELL_LEVELS, cell_field
from directory.search.query import SearchQuery

#: Document fields only the engines need; hits leave them out.
INTERNAL_FIELDS = frozenset(
    {
        "_geo",
        "_geoDistance",
        "_rankingScore",
        "open_hours",
        "open_exact",
        "open_until",
        "tags",
        "status",
        "has_area",
        "place_names",
        *(cell_field(level) for level in CELL_LEVELS),
        "word_parts",
    }
)


def to_hit(doc: dict[str, Any], query: SearchQuery) -> dict[str, Any]:
    """The public form of a document: lat/lon instead of _geo, distance when a point was given."""
    hit = {k: v for k, v in doc.items() if k not in INTERNAL_FIELDS}
    geo = doc.get("_geo")
    hit["lat"] = geo["lat"] if geo else None
    hit["lon"] = geo["lng"] if geo else None
    hit["distance_m"] = (
        round(distance_m(query.near.lat, query.near.lon, geo["lat"], geo["lng"]), 1)
        if geo and query.near is not None
        else None
    )
    return hit
