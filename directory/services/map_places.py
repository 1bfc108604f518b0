"""The scouting map's places for one view: asked of the search engine per box and zoom, never all at once.

A place (a location) is on the map when its own search document or the document of
an activity held there matches the filters, so "company" (a support function only
activities have) shows the venues where such an activity happens. When the view holds
more than `MAP_PLACE_LIMIT` places the engine counts them per grid cell instead
(directory/search/grid.py), so the answer stays small at any scale and no place is
left out silently: every place is in some cell's count.

Services with no venue (they come to the home, work by phone, or serve a buurt,
wijk or the whole city) have no point to draw. A view names those whose service
area meets it, with the area they serve, beside the places: never as a pin at an
invented spot (the middle of their area would send a client to a street where
nothing is).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from directory.models import Location, Service
from directory.search.documents import SEARCHABLE_STATUSES
from directory.search.grid import CELL_LEVELS, Cell, level_for
from directory.search.query import BBox, PlaceGrid, SearchQuery
from directory.search.service import SearchService
from directory.services.held_at import services_at
from directory.services.venues import LOW_COST_EUR

#: Up to this many places a view gets each place; above it, counts per cell.
MAP_PLACE_LIMIT = 300
#: Up to this many services without a venue are named per view; `area_services_total` counts all.
AREA_SERVICE_LIMIT = 50
#: Room for places in a reach or group answer's box that are not in the answer (reach's neighbours).
FITTING_SLACK = 5000
#: Facilities a group may ask for (search facet `facilities`).
FACILITIES = ("kitchen", "room")


@dataclass(frozen=True)
class MapFilters:
    """The map's filters, as the search facets they become."""

    category: tuple[str, ...] = ()
    support_functions: tuple[str, ...] = ()
    #: Free or at most LOW_COST_EUR per visit.
    low_cost: bool = False
    facilities: tuple[str, ...] = ()
    step_free: bool = False
    open_at: datetime | None = None

    def query(self, bbox: BBox) -> SearchQuery:
        """The search query for these filters in a box (no text, no facet counts)."""
        filters: dict[str, tuple[str, ...]] = {}
        if self.category:
            filters["category"] = self.category
        if self.support_functions:
            filters["support_functions"] = self.support_functions
        if self.facilities:
            filters["facilities"] = self.facilities
        if self.step_free:
            filters["accessibility"] = ("step_free",)
        return SearchQuery(
            filters=filters,
            max_cost=float(LOW_COST_EUR) if self.low_cost else None,
            open_at=self.open_at,
            bbox=bbox,
            facets=(),
        )


@dataclass
class MapPlaces:
    """One view's answer: the places themselves, or how many lie in each cell."""

    grid: PlaceGrid
    #: The places (when not clustered), in the order of `grid.places`.
    locations: list[Location] = field(default_factory=list)
    #: The active activities held at each place, for the popups.
    held: dict[uuid.UUID, list[Service]] = field(default_factory=dict)
    #: Services with no venue whose service area meets the view (search hits), at most the limit.
    area_services: list[dict[str, Any]] = field(default_factory=list)
    #: How many such services fit the filters in this view.
    area_services_total: int = 0

    @property
    def clustered(self) -> bool:
        """True when the view holds too many places to list and `grid.cells` counts them."""
        return bool(self.grid.cells)

    @property
    def cells(self) -> list[Cell]:
        """The cells with places in them (empty when not clustered)."""
        return self.grid.cells


def map_places(
    session: Session,
    search: SearchService,
    bbox: BBox,
    zoom: int,
    filters: MapFilters,
    *,
    limit: int = MAP_PLACE_LIMIT,
    area_limit: int = AREA_SERVICE_LIMIT,
) -> MapPlaces:
    """The places in a box that fit the filters (each one, or counts per cell), and the area services."""
    level = level_for(zoom, bbox.west, bbox.south, bbox.east, bbox.north)
    query = filters.query(bbox)
    grid = search.place_grid(query, level, limit)
    # The same filters and box: a service area that meets the view counts as "in" it.
    areas = search.search(replace(query, without_venue=True, page_size=area_limit))
    answer = MapPlaces(grid, area_services=areas.hits, area_services_total=areas.total)
    if not grid.places:
        return answer
    ids = [uuid.UUID(location_id) for location_id, _, _ in grid.places]
    by_id = {loc.id: loc for loc in session.scalars(select(Location).where(Location.id.in_(ids)))}
    # A place deleted after the engine saw it is simply not drawn.
    answer.locations = [by_id[i] for i in ids if i in by_id]
    answer.held = services_at(session, [loc.id for loc in answer.locations])
    return answer


def fitting_places(
    session: Session, search: SearchService, ids: Collection[uuid.UUID], filters: MapFilters
) -> list[Location]:
    """Of these places (a reach or group answer), those that fit the map filters, by name.

    The same question as the map's, asked of the same engine for the box around them,
    so a filter means the same on the map and in its answers; no cap leaves any out.
    """
    if not ids:
        return []
    where = [Location.id.in_(list(ids)), Location.status.in_(SEARCHABLE_STATUSES)]
    if filters != MapFilters():
        west, south, east, north = session.execute(
            select(
                func.ST_XMin(func.ST_Extent(Location.geom)),
                func.ST_YMin(func.ST_Extent(Location.geom)),
                func.ST_XMax(func.ST_Extent(Location.geom)),
                func.ST_YMax(func.ST_Extent(Location.geom)),
            ).where(Location.id.in_(list(ids)))
        ).one()
        if west is None:
            return []
        pad = 1e-6  # a single place is a box of no size
        box = BBox(south=south - pad, west=west - pad, north=north + pad, east=east + pad)
        query = filters.query(box)
        grid = search.place_grid(query, CELL_LEVELS[-1], len(ids) + FITTING_SLACK)
        if grid.cells:  # a dense box: more fit than the slack allows, so list them all
            grid = search.place_grid(query, CELL_LEVELS[-1], grid.total)
        fit = {uuid.UUID(location_id) for location_id, _, _ in grid.places}
        where.append(Location.id.in_(fit & set(ids)))
    return list(session.scalars(select(Location).where(*where).order_by(Location.name)))


def places_extent(session: Session) -> tuple[float, float, float, float] | None:
    """west, south, east, north of all the map's places (its first view), or None without places."""
    box = session.execute(
        select(
            func.ST_XMin(func.ST_Extent(Location.geom)),
            func.ST_YMin(func.ST_Extent(Location.geom)),
            func.ST_XMax(func.ST_Extent(Location.geom)),
            func.ST_YMax(func.ST_Extent(Location.geom)),
        ).where(Location.status.in_(SEARCHABLE_STATUSES))
    ).one()
    if box[0] is None:
        return None
    return float(box[0]), float(box[1]), float(box[2]), float(box[3])
