"""The engine-neutral search request and response, and the rules every request obeys."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shapely.geometry import Polygon, shape
from shapely.validation import explain_validity

from directory.clock import AMSTERDAM
from directory.errors import InvalidInputError, require_choice
from directory.points import SOUTH_WEST_NORTH_EAST, check_lat_lon, check_radius, parse_box, parse_lat_lon
from directory.schemas.limits import (
    MAX_COORDINATE_DEPTH,
    MAX_PAGE,
    OutOfBoundsError,
    check_geojson,
    check_year,
)
from directory.search.fields import FACETS
from directory.search.grid import Cell
from directory.search.intent_words import MAX_CAPACITY
from directory.search.schedule import hour_index, hour_of_week

MAX_POLYGON_VERTICES = 500
MAX_PAGE_SIZE = 100
MAX_QUERY_LENGTH = 200
#: Longest `polygon` text: 500 vertices with generous decimals fit well within it.
MAX_POLYGON_TEXT = 50_000

SORTS = ("relevance", "distance")


@dataclass(frozen=True)
class Near:
    """A point and a radius in metres (the radius may be None when only sorting by distance)."""

    lat: float
    lon: float
    radius_m: float | None = None


@dataclass(frozen=True)
class BBox:
    """A bounding box: south, west, north, east in degrees."""

    south: float
    west: float
    north: float
    east: float


@dataclass(frozen=True)
class AreaFilter:
    """Stadsdelen, wijken and buurten (any of them), and the documents whose service area serves one.

    Documents of services without a venue have no place codes; `served_ids` (resolved from
    the boundary outlines, see areas.py) lets them through when they serve the area.
    """

    stadsdeel_code: tuple[str, ...] = ()
    wijk_code: tuple[str, ...] = ()
    buurt_code: tuple[str, ...] = ()
    served_ids: tuple[str, ...] = ()

    def codes(self) -> dict[str, tuple[str, ...]]:
        """The place facets and their codes (only those given)."""
        return {
            name: values
            for name, values in (
                ("stadsdeel_code", self.stadsdeel_code),
                ("wijk_code", self.wijk_code),
                ("buurt_code", self.buurt_code),
            )
            if values
        }


@dataclass(frozen=True)
class SearchQuery:
    """One search: text, facet filters, a place filter, sort and page."""

    q: str = ""
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    max_cost: float | None = None
    #: A group of this many people must fit: places known to be smaller are left out, places
    #: whose capacity is unknown stay (ranked after those known to fit).
    min_capacity: int | None = None
    open_at: datetime | None = None
    #: Open at any of these local hours (a question's "zaterdag", "vanavond"; see intent.py).
    open_during: tuple[datetime, ...] = ()
    #: A question's area words ("oost", "de Pijp"): any of these areas.
    area: AreaFilter | None = None
    near: Near | None = None
    bbox: BBox | None = None
    polygon: Polygon | None = None
    #: Only services with no venue, known by the area they serve (the map's "serves this area").
    without_venue: bool = False
    sort: str = "relevance"
    page: int = 1
    page_size: int = 20
    facets: tuple[str, ...] = FACETS

    @property
    def open_local(self) -> datetime | None:
        """`open_at` in Amsterdam time (a time without zone is taken as Amsterdam time)."""
        if self.open_at is None:
            return None
        return self.open_at.astimezone(AMSTERDAM) if self.open_at.tzinfo is not None else self.open_at

    @property
    def open_bucket(self) -> int | None:
        """The hour-of-week bucket of `open_at` in Amsterdam time."""
        moment = self.open_local
        return None if moment is None else hour_of_week(moment)

    @property
    def open_hour(self) -> int | None:
        """The exact hour bucket of `open_at` in Amsterdam time (see schedule.py)."""
        moment = self.open_local
        return None if moment is None else hour_index(moment)

    @property
    def during_hours(self) -> tuple[list[int], list[int]]:
        """`open_during` as exact hour buckets and hour-of-week buckets (see schedule.py)."""
        local = [m.astimezone(AMSTERDAM) if m.tzinfo is not None else m for m in self.open_during]
        return [hour_index(m) for m in local], sorted({hour_of_week(m) for m in local})


@dataclass
class SearchResult:
    """What any engine answers: a page of documents, the total, and counts per facet value."""

    engine: str
    total: int
    page: int
    page_size: int
    hits: list[dict[str, Any]]
    facets: dict[str, dict[str, int]]
    fallback_reason: str | None = None
    #: What the question was read as (intent.Interpretation), when the service was asked to read it.
    interpreted: Any = None
    #: What was asked less because the question found too little (relax.Relaxed), if anything.
    relaxed: Any = None
    #: Questions to try when nothing was found (suggest.Suggestion).
    suggestions: list[Any] = field(default_factory=list)


@dataclass
class PlaceGrid:
    """The places (venues) a map view holds: each one when they are few, else counts per grid cell.

    A place is a location; it is in the answer when its own document or the document of
    an activity held there matches, and counts once however many match.
    """

    engine: str
    #: Places in the box that match (each counted once).
    total: int
    #: The grid level of `cells` (directory/search/grid.py).
    level: int
    #: (location id, lat, lon) of every place, when `total` is at most the limit asked; else empty.
    places: list[tuple[str, float, float]]
    #: Places per cell, when `total` is above the limit; else empty.
    cells: list[Cell]
    fallback_reason: str | None = None


# -- parsing and validation (used by the API and the CLI) -------------------------------------


def parse_near(value: str, radius_m: float | None) -> Near:
    """'lat,lon' and a radius -> Near, or a 422 naming `near` / `radius`."""
    lat, lon = parse_lat_lon(value, "near")
    return Near(lat, lon, None if radius_m is None else check_radius(radius_m, "radius"))


def parse_bbox(value: str) -> BBox:
    """'south,west,north,east' (latitude first, like `near`) -> BBox, or a 422 naming `bbox`."""
    return BBox(*parse_box(value, SOUTH_WEST_NORTH_EAST))


def parse_polygon(value: str | dict[str, Any]) -> Polygon:
    """A GeoJSON Polygon (or a Feature with one, e.g. an isochrone) -> Shapely, or a 422 on `polygon`."""
    if isinstance(value, str) and len(value) > MAX_POLYGON_TEXT:
        raise InvalidInputError(
            "polygon",
            f"is longer than {MAX_POLYGON_TEXT} characters; simplify it first",
            code="string_too_long",
            params={"max_length": MAX_POLYGON_TEXT},
        )
    try:
        data = json.loads(value) if isinstance(value, str) else value
        if data.get("type") == "Feature":
            data = data["geometry"]
        if data.get("type") != "Polygon":
            raise InvalidInputError(
                "polygon", "must be a GeoJSON Polygon (or a Feature with one)", code="polygon_type"
            )
        check_geojson(data)
        geom = shape(data)
    except InvalidInputError:
        raise
    except OutOfBoundsError as exc:
        raise InvalidInputError(
            "polygon", str(exc), code=exc.problem.code, params=exc.problem.params
        ) from exc
    except RecursionError as exc:  # the JSON decoder recurses once per level of nesting
        raise InvalidInputError(
            "polygon",
            "is nested too deeply to be a polygon",
            code="too_deep",
            params={"limit": MAX_COORDINATE_DEPTH},
        ) from exc
    except (ValueError, TypeError, KeyError, AttributeError, IndexError) as exc:
        raise InvalidInputError("polygon", "is not valid GeoJSON", code="geometry") from exc
    return _checked_polygon(geom)


def _checked_polygon(geom: Any) -> Polygon:
    """A read geometry that is a usable polygon: no holes, not too many vertices, on the globe, valid."""
    if not isinstance(geom, Polygon) or geom.is_empty:
        raise InvalidInputError(
            "polygon", "must be a GeoJSON Polygon (or a Feature with one)", code="polygon_type"
        )
    if len(geom.exterior.coords) - 1 > MAX_POLYGON_VERTICES or geom.interiors:
        if geom.interiors:
            raise InvalidInputError("polygon", "polygons with holes are not supported", code="polygon_holes")
        raise InvalidInputError(
            "polygon",
            f"has more than {MAX_POLYGON_VERTICES} vertices; simplify it first",
            code="too_many_positions",
            params={"limit": MAX_POLYGON_VERTICES},
        )
    for lon, lat in geom.exterior.coords:
        check_lat_lon("polygon", lat, lon)
    if not geom.is_valid:
        raise InvalidInputError(
            "polygon", f"is not a valid polygon ({explain_validity(geom)})", code="polygon"
        )
    return geom


def parse_open_at(value: str) -> datetime:
    """An ISO local date-time ('2026-11-24T18:30', seconds and offset optional), or a 422 on `open_at`.

    Minutes without seconds are what a browser's date-time field sends; a strict
    RFC 3339 parser would refuse them.
    """
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise InvalidInputError(
            "open_at", "give a date and time like 2026-11-24T18:30", code="datetime_format"
        ) from exc
    try:
        check_year(moment)
    except OutOfBoundsError as exc:
        raise InvalidInputError(
            "open_at", str(exc), code=exc.problem.code, params=exc.problem.params
        ) from exc
    return moment


def parse_facets(value: str | None) -> tuple[str, ...]:
    """A comma list of facet names (default all), or a 422 naming `facets`."""
    if value is None:
        return FACETS
    names = tuple(dict.fromkeys(n.strip() for n in value.split(",") if n.strip()))
    require_choice("facets", names, FACETS, noun="facet")
    return names


def check_query(query: SearchQuery) -> SearchQuery:
    """Reject combinations no engine can answer."""
    if len(query.q) > MAX_QUERY_LENGTH:
        raise InvalidInputError(
            "q",
            f"at most {MAX_QUERY_LENGTH} characters",
            code="string_too_long",
            params={"max_length": MAX_QUERY_LENGTH},
        )
    for name in query.filters:
        if name not in FACETS:
            raise InvalidInputError(name, "unknown filter", code="unknown_filter")
    require_choice("sort", query.sort, SORTS, code="one_of")
    if query.sort == "distance" and query.near is None:
        raise InvalidInputError(
            "sort", "sorting by distance needs a point: give near=lat,lon", code="distance_needs_point"
        )
    if sum(x is not None for x in (query.near and query.near.radius_m, query.bbox, query.polygon)) > 1:
        raise InvalidInputError("polygon", "give only one of radius, bbox and polygon", code="one_area")
    if not (1 <= query.page_size <= MAX_PAGE_SIZE):
        raise InvalidInputError(
            "page_size",
            f"must lie between 1 and {MAX_PAGE_SIZE}",
            code="range",
            params={"min": 1, "max": MAX_PAGE_SIZE},
        )
    if not (1 <= query.page <= MAX_PAGE):
        raise InvalidInputError(
            "page", f"must lie between 1 and {MAX_PAGE}", code="range", params={"min": 1, "max": MAX_PAGE}
        )
    if query.max_cost is not None and query.max_cost < 0:
        raise InvalidInputError("max_cost", "must be 0 or more", code="greater_than_equal", params={"ge": 0})
    if query.min_capacity is not None and not (1 <= query.min_capacity <= MAX_CAPACITY):
        raise InvalidInputError(
            "min_capacity",
            f"must lie between 1 and {MAX_CAPACITY} people",
            code="range",
            params={"min": 1, "max": MAX_CAPACITY},
        )
    return query
