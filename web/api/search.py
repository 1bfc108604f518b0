"""GET /api/v1/search: one query interface over Meilisearch or PostgreSQL."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Annotated, Any

import msgspec
from litestar import get
from litestar.datastructures import State
from litestar.params import QueryParameter

from directory.errors import InvalidInputError, require_choice
from directory.points import MAX_RADIUS_M
from directory.schemas.limits import MAX_PAGE
from directory.search.fields import FACETS
from directory.search.intent import Interpretation, Understood
from directory.search.intent_words import MAX_CAPACITY
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
from web.i18n import LANGUAGES, Translator

log = logging.getLogger("wijkgram.search")

Codes = Annotated[list[str] | None, QueryParameter(description="any of these codes (repeat the parameter)")]


@dataclass
class InterpretedFilter:
    """One filter a question's words were read as (shown as a removable chip on the pages)."""

    #: cost, open, accessibility, facilities, capacity, target_groups, languages or area
    kind: str
    #: cost: free / low; open: now or the first local hour asked; area: level:code;
    #: capacity: the group size ("20"); else the code
    value: str
    #: the words of the question that said it, normalised
    words: str
    #: the question without these words: search this to drop the filter
    without: str
    #: an area's name; a group size's chip in the language asked ("voor 20 personen")
    label: str | None = None
    #: open: the local [from, until) spans asked, ISO date-times
    open_spans: list[list[str]] | None = None


@dataclass
class Interpreted:
    """How the question `q` was read: its filters, and the words searched as text."""

    filters: list[InterpretedFilter]
    text: str


@dataclass
class RelaxedAnswer:
    """The question found fewer than a handful: what was asked less (its entries still come first)."""

    #: words of the question left out ("oost")
    dropped: list[str]
    #: words searched as their category instead: [word, category code]
    widened: list[list[str]]
    #: how many entries the whole question found
    strict_total: int
    #: compounds searched as their parts: [word, "part part"]
    split: list[list[str]]


@dataclass
class SuggestionAnswer:
    """A question to try when nothing was found: a word respelled, or the question within a category."""

    q: str
    word: str
    instead: str | None = None
    category: str | None = None


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
    interpreted: Interpreted | None = None
    relaxed: RelaxedAnswer | None = None
    suggestions: list[SuggestionAnswer] | None = None


def capacity_label(t: Translator, size: int) -> str:
    """A group size's chip: "Voor 20 personen" / "For 20 people"."""
    if size == 1:
        return t("search.chip_capacity_one", count=size)
    return t("search.chip_capacity", count=size)


def _label(f: Understood, t: Translator) -> str | None:
    if f.kind == "capacity":
        return capacity_label(t, int(f.value))
    return f.label or None


def interpreted_answer(read: Interpretation | None, lang: str = "nl") -> Interpreted | None:
    """The API's form of an interpretation (chip labels in `lang`)."""
    if read is None:
        return None
    t = Translator(lang)
    return Interpreted(
        filters=[
            InterpretedFilter(
                kind=f.kind,
                value=f.value,
                words=f.words,
                without=read.without(i),
                label=_label(f, t),
                open_spans=[
                    [a.isoformat(timespec="minutes"), b.isoformat(timespec="minutes")] for a, b in f.spans
                ]
                or None,
            )
            for i, f in enumerate(read.filters)
        ],
        text=read.text,
    )


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
        "answered; `fallback_reason` is set when Meilisearch could not and PostgreSQL did. "
        "Words of `q` that mean a filter ('gratis', 'vanavond', 'rolstoel', 'zaal', 'Oost', "
        "'voor ouderen', 'Arabisch', 'voor 20 personen') become that filter and the rest is searched "
        "as text; "
        "`interpreted` says how `q` was read (`interpret=false` searches every word as text). "
        "Parameters given explicitly win over the words. `min_capacity` (or a group size in `q`) "
        "leaves out places known to hold fewer people; places whose capacity is not known stay, "
        "after those known to fit. A question that finds fewer than three "
        "entries is asked again with less (`relaxed`: the words left out or searched as their "
        "category; the whole question's entries come first); one that finds nothing gets "
        "`suggestions` (a respelling, or a broader category)."
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
    facilities: Annotated[
        list[str] | None, QueryParameter(description="all of: kitchen, room (for a group to use)")
    ] = None,
    stadsdeel_code: Codes = None,
    wijk_code: Codes = None,
    buurt_code: Codes = None,
    max_cost: Annotated[float | None, QueryParameter(description="at most this many euro (0: free)")] = None,
    min_capacity: Annotated[
        int | None,
        QueryParameter(
            ge=1,
            le=MAX_CAPACITY,
            description=f"a group of this many people (1..{MAX_CAPACITY}) must fit: places known to be "
            "smaller are left out, places of unknown capacity stay (after those known to fit); "
            "activities count with their venue's capacity",
        ),
    ] = None,
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
    bbox: Annotated[
        str | None,
        QueryParameter(
            description="'south,west,north,east' in degrees (WGS84), latitude first like `near`; "
            "note that /api/v1/map/places takes 'west,south,east,north'"
        ),
    ] = None,
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
    interpret: Annotated[
        bool,
        QueryParameter(
            description="read words that mean a filter as that filter (default); false: every word is text"
        ),
    ] = True,
    lang: Annotated[str, QueryParameter(description="language of the `interpreted` labels: nl or en")] = "nl",
) -> SearchResponse:
    """Answer a search; 422 names the parameter when one is wrong."""
    given = locals()  # before any other name: the facet parameters are named as the facets are
    if radius is not None and near is None:
        raise InvalidInputError(
            "near", "a radius needs a centre: give near=lat,lon", code="radius_needs_point"
        )
    require_choice("lang", lang, LANGUAGES)
    point: Near | None = parse_near(near, radius) if near is not None else None
    filters = {name: tuple(given[name]) for name in FACETS if given[name]}
    query = SearchQuery(
        q=q,
        filters=filters,
        max_cost=max_cost,
        min_capacity=min_capacity,
        open_at=parse_open_at(open_at) if open_at is not None else None,
        near=point,
        bbox=parse_bbox(bbox) if bbox is not None else None,
        polygon=parse_polygon(polygon) if polygon is not None else None,
        sort=sort,
        page=page,
        page_size=page_size,
        facets=parse_facets(facets),
    )
    result = service_for(state).search(query, interpret=interpret)
    # The engine's answer has the response's fields (msgspec turns its tuples into lists); only the
    # reading of `q` is reshaped, since the API adds to each filter the question without it.
    answer = msgspec.convert(replace(result, interpreted=None), SearchResponse, from_attributes=True)
    answer.interpreted = interpreted_answer(result.interpreted, lang)
    return answer


SEARCH_HANDLERS = [search]
