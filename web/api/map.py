"""GET /api/v1/map/places: the scouting map's places for one view, from the search engine.

The map page (`/kaart`) writes no places into itself; its map asks this endpoint
whenever the view changes. Below MAP_PLACE_LIMIT places the answer holds each
place with its popup (plain text: map.js shows it with textContent); above it,
one cluster per grid cell with its count and bounds, so the answer stays small
at any scale. The map frame is a sandboxed document with an opaque origin, so
the answer carries `Access-Control-Allow-Origin: *` (web/security_headers.py):
it is public data, asked without cookies.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from litestar import get
from litestar.datastructures import ResponseHeader, State
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from sqlalchemy.orm import Session

from directory.errors import require_choice
from directory.points import WEST_SOUTH_EAST_NORTH, parse_box
from directory.search.query import BBox, parse_open_at
from directory.services.map_places import (
    AREA_SERVICE_LIMIT,
    FACILITIES,
    MAP_PLACE_LIMIT,
    MapFilters,
    map_places,
)
from directory.services.taxonomy import vocabulary_labels
from directory.services.venues import LOW_COST_EUR
from geo.outlines import LEVELS as OUTLINE_LEVELS
from geo.outlines import outlines
from web.api.search import service_for
from web.i18n import LANGUAGES, Translator
from web.pages.map import latlon, venue_popup

#: Zoom levels a map may ask for (Leaflet's range).
MIN_ZOOM, MAX_ZOOM = 0, 22


@dataclass
class MapPlace:
    """One place: where, what, and its popup as plain text."""

    id: uuid.UUID
    name: str
    lat: float
    lon: float
    category: str | None
    category_label: str
    popup: dict[str, Any]


@dataclass
class MapAreaService:
    """A service with no venue whose service area meets the view: it serves this area, it has no pin."""

    id: uuid.UUID
    name: str
    category: str | None
    category_label: str
    #: The area it serves in words ("Amsterdam-Oost", "heel Amsterdam"), when known.
    area_name: str | None
    #: How it reaches people: at_home, phone, online, ... (codes).
    delivery_modes: list[str]
    #: Its page.
    url: str


@dataclass
class MapCluster:
    """Places in one grid cell: how many, where to draw them, and the cell to zoom to."""

    count: int
    lat: float
    lon: float
    #: west, south, east, north of the cell.
    bounds: list[float]


@dataclass
class MapPlacesAnswer:
    """The places of one view, or clusters when there are more than `limit`."""

    engine: str
    fallback_reason: str | None
    #: Places in the view that fit the filters, each counted once.
    total: int
    #: True when `clusters` counts the places instead of `places` listing them.
    clustered: bool
    limit: int
    #: The grid level of the clusters (a Web Mercator tile level).
    level: int
    places: list[MapPlace]
    clusters: list[MapCluster]
    #: Services with no venue that serve (part of) this view, up to `area_services_limit`; never
    #: drawn as a point. They are not in `total`.
    area_services: list[MapAreaService]
    #: How many services with no venue fit the filters here (more than listed when above the limit).
    area_services_total: int
    area_services_limit: int


#: The answer's fields the engine's grid (`PlaceGrid`) holds under the same names, copied by name...
GRID_FIELDS = ("engine", "fallback_reason", "total", "level")
#: ... and those the view's answer (`MapPlaces`) holds; the rest the API makes (popups, labels, limits).
VIEW_FIELDS = ("clustered", "area_services_total")


def parse_map_bbox(value: str) -> BBox:
    """'west,south,east,north' (Leaflet's `toBBoxString`, the GeoJSON order) -> BBox, or 422 on `bbox`."""
    return BBox(*parse_box(value, WEST_SOUTH_EAST_NORTH, clamp=True))


def _check_codes(name: str, given: list[str], known: tuple[str, ...]) -> tuple[str, ...]:
    require_choice(name, given, known)
    return tuple(given)


@get(
    "/api/v1/map/places",
    summary="The map's places in a box, or clusters of them",
    description=(
        "Active places (locations) inside `bbox` that fit the filters: a place fits when it, or an "
        "activity held there, matches. Answered by the search engine. Up to "
        f"{MAP_PLACE_LIMIT} places come one by one with their popup text (`clustered` false); "
        "above that, `clusters` counts them per grid cell (a Web Mercator tile about 64-128 screen "
        "pixels wide at `zoom`), with the cell's bounds to zoom into. Every fitting place is in "
        "`places` or in one cluster's `count`. The same filters as the map page `/kaart`. "
        "Services with no venue (they come to the home, work by phone or serve an area) whose "
        f"service area meets the box come in `area_services` (up to {AREA_SERVICE_LIMIT}, all "
        "counted in `area_services_total`), with the area they serve and no point: they are "
        "never drawn at an invented spot."
    ),
    sync_to_thread=True,
    tags=["finder"],
)
def map_places_api(
    state: State,
    db: NamedDependency[Session],
    bbox: Annotated[
        str,
        QueryParameter(
            description="'west,south,east,north' in degrees (WGS84), as Leaflet's toBBoxString and "
            "GeoJSON write it; note that /api/v1/search takes 'south,west,north,east'"
        ),
    ],
    zoom: Annotated[
        int, QueryParameter(ge=MIN_ZOOM, le=MAX_ZOOM, description="the map's zoom level (sets the grid)")
    ] = 14,
    category: Annotated[
        list[str] | None, QueryParameter(description="any of these category codes (GET /api/v1/taxonomy)")
    ] = None,
    support_functions: Annotated[
        list[str] | None, QueryParameter(description="any of these support functions, e.g. company")
    ] = None,
    low_cost: Annotated[bool, QueryParameter(description=f"free, or at most €{LOW_COST_EUR:.2f}")] = False,
    facilities: Annotated[
        list[str] | None, QueryParameter(description=f"all of: {', '.join(FACILITIES)}")
    ] = None,
    step_free: Annotated[bool, QueryParameter(description="step-free entrance")] = False,
    open_at: Annotated[
        str | None, QueryParameter(description="open at this local time, e.g. 2026-11-24T18:30")
    ] = None,
    lang: Annotated[str, QueryParameter(description="language of the popups: nl or en")] = "nl",
) -> MapPlacesAnswer:
    """The map's places for one view, as JSON."""
    require_choice("lang", lang, LANGUAGES)
    box = parse_map_bbox(bbox)
    t = Translator(lang)
    labels = vocabulary_labels(db, lang, "category")
    functions = tuple(vocabulary_labels(db, lang, "support_function"))
    filters = MapFilters(
        category=_check_codes("category", category or [], tuple(labels)),
        support_functions=_check_codes("support_functions", support_functions or [], functions),
        low_cost=low_cost,
        facilities=_check_codes("facilities", facilities or [], FACILITIES),
        step_free=step_free,
        open_at=parse_open_at(open_at) if open_at else None,
    )
    found = map_places(db, service_for(state), box, zoom, filters)
    places = []
    for location in found.locations:
        code = location.category or "other"
        label = labels.get(code, code)
        lat, lon = latlon(location)
        popup = venue_popup(t, location, found.held.get(location.id, []), label)
        places.append(
            MapPlace(location.id, location.name, lat, lon, location.category, label, popup.as_data())
        )
    clusters = [MapCluster(cell.count, *cell.centre, bounds=list(cell.bounds)) for cell in found.cells]
    area_services = [
        MapAreaService(
            id=uuid.UUID(str(hit["service_id"])),
            name=str(hit["name"]),
            category=hit.get("category"),
            category_label=labels.get(hit.get("category") or "other", hit.get("category") or ""),
            area_name=hit.get("service_area_name"),
            delivery_modes=list(hit.get("delivery_modes") or []),
            url=f"/entries/service/{hit['service_id']}",
        )
        for hit in found.area_services
    ]
    return MapPlacesAnswer(
        **{name: getattr(found.grid, name) for name in GRID_FIELDS},
        **{name: getattr(found, name) for name in VIEW_FIELDS},
        limit=MAP_PLACE_LIMIT,
        places=places,
        clusters=clusters,
        area_services=area_services,
        area_services_limit=AREA_SERVICE_LIMIT,
    )


@get(
    "/api/v1/map/outlines/{level:str}",
    summary="Area outlines for the map",
    description=(
        "The stadsdelen, wijken or buurten (`level`) as a GeoJSON FeatureCollection, simplified to "
        "about 8 m, each with its name as `label`. Empty without imported boundaries. The map "
        "fetches a level when its layer is switched on."
    ),
    sync_to_thread=True,
    tags=["finder"],
    response_headers=[ResponseHeader(name="Cache-Control", value="public, max-age=300")],
)
def map_outlines(db: NamedDependency[Session], level: FromPath[str]) -> dict[str, Any]:
    """One level of area outlines as GeoJSON."""
    require_choice("level", level, OUTLINE_LEVELS)
    areas = outlines(db.connection())[level]
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": json.loads(str(area["geometry"])),
                "properties": {"label": str(area["name"] or area["code"] or "")},
            }
            for area in areas
        ],
    }


MAP_HANDLERS = [map_places_api, map_outlines]
