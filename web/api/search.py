"""GET /api/v1/search: one query interface over Meilisearch or PostgreSQL."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Annotated, Any

from litestar import get
from litestar.datastructures import State
from litestar.params import QueryParameter

from directory.errors import InvalidInputError
from directory.points import MAX_RADIUS_M
from directory.schemas.limits import MAX_PAGE
from directory.search.fields import FACETS
from directory.search.query import (
    MAX_PAGE_SIZE,
    MAX_POLYGON_VERTICES,
    SORTS,
    Near,
    SearchQuery,
    parse_bbox,
    parse_facets,
    parse_near,
    parse_open_at,
    parse_polygon,
)
from directory.search.service import SearchService

log = logging.getLogger("wijkgram.search")

Codes = Annotated[list[str] | None, QueryParameter(description="any of these codes (repeat the parameter)")]


@dataclass
class SearchResponse:
    """A page of search hits, the total, counts per facet value, and which engine answered."""

    engine: str
    fallback_reason: str | None
    total: int
    page: int
    page_size: int
    hits: list[dict[str, Any]]
    facets: dict[str, dict[str, int]]


def service_for(state: State) -> SearchService:
    """The app's one search service (made at start-up in create_app)."""
    service: SearchService = state.search_service
    return service


def warm_up_search(state: State) -> None:
    """Make the app's search service and load its in-memory parts (server start, in a thread).

    A failure only delays the loading to the first search, which does it itself.
    """
    try:
        service_for(state).warm_up()
    except Exception as exc:  # a background warm-up must never take the server down
        log.warning("search warm-up failed (%s); it loads on first use", type(exc).__name__)


@get(
    "/api/v1/search",
    summary="Search entries by text, facets and place",
    description=(
        "Full-text search (typos, accents and Dutch synonyms are handled) over locations and "
        "services, narrowed by facets (any of the given values; accessibility: all of them) and "
        "by one place filter: a radius around `near`, a `bbox`, or a GeoJSON `polygon` such as "
        "an isochrone. `facets` in the response counts hits per value. `engine` says which engine "
        "answered; `fallback_reason` is set when Meilisearch could not and PostgreSQL did."
    ),
    sync_to_thread=True,
    tags=["search"],
)
def search(
    state: State,
    q: Annotated[
        str, QueryParameter(description="words to look for, e.g. 'taalmaatje' or 'gratis eten'")
    ] = "",
    kind: Annotated[list[str] | None, QueryParameter(description="'location' and/or 'service'")] = None,
    category: Codes = None,
    support_functions: Codes = None,
    target_groups: Codes = None,
    languages: Annotated[list[str] | None, QueryParameter(description="ISO 639 codes spoken")] = None,
    accessibility: Annotated[
        list[str] | None,
        QueryParameter(description="all of: step_free, accessible_toilet, scootmobiel_parking"),
    ] = None,
    stadsdeel_code: Codes = None,
    wijk_code: Codes = None,
    buurt_code: Codes = None,
    max_cost: Annotated[float | None, QueryParameter(description="at most this many euro (0: free)")] = None,
    open_at: Annotated[
        str | None,
        QueryParameter(
            description="open at this local time, e.g. 2026-11-24T18:30 (ISO 8601; see docs/search.md)"
        ),
    ] = None,
    near: Annotated[
        str | None, QueryParameter(description="a point 'lat,lon' for radius or distance")
    ] = None,
    radius: Annotated[
        float | None, QueryParameter(description=f"metres around `near` (0..{MAX_RADIUS_M})")
    ] = None,
    bbox: Annotated[str | None, QueryParameter(description="'south,west,north,east' in degrees")] = None,
    polygon: Annotated[
        str | None,
        QueryParameter(description=f"GeoJSON Polygon or Feature (at most {MAX_POLYGON_VERTICES} vertices)"),
    ] = None,
    sort: Annotated[str, QueryParameter(description=f"one of {', '.join(SORTS)}")] = "relevance",
    page: Annotated[int, QueryParameter(ge=1, le=MAX_PAGE, description="page number, from 1")] = 1,
    page_size: Annotated[
        int, QueryParameter(ge=1, le=MAX_PAGE_SIZE, description=f"hits per page (1..{MAX_PAGE_SIZE})")
    ] = 20,
    facets: Annotated[
        str | None,
        QueryParameter(description=f"comma list of facets to count (default all: {', '.join(FACETS)})"),
    ] = None,
) -> SearchResponse:
    """Answer a search; 422 names the parameter when one is wrong."""
    given = locals()  # before any other name: the facet parameters are named as the facets are
    if radius is not None and near is None:
        raise InvalidInputError("near", "a radius needs a centre: give near=lat,lon")
    point: Near | None = parse_near(near, radius) if near is not None else None
    filters = {name: tuple(given[name]) for name in FACETS if given[name]}
    query = SearchQuery(
        q=q,
        filters=filters,
        max_cost=max_cost,
        open_at=parse_open_at(open_at) if open_at is not None else None,
        near=point,
        bbox=parse_bbox(bbox) if bbox is not None else None,
        polygon=parse_polygon(polygon) if polygon is not None else None,
        sort=sort,
        page=page,
        page_size=page_size,
        facets=parse_facets(facets),
    )
    result = service_for(state).search(query)
    return SearchResponse(
        engine=result.engine,
        fallback_reason=result.fallback_reason,
        total=result.total,
        page=result.page,
        page_size=result.page_size,
        hits=result.hits,
        facets=result.facets,
    )


SEARCH_HANDLERS = [search]
