"""The pages' two questions as JSON: venues for a group (the map's filters) and support nearby by need.

Both call the directory services the pages call (`find_venues`, `find_support`),
so a page and its JSON twin always agree. Support answers carry
`Cache-Control: no-store`: the point may be a client's address.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Request, get
from litestar.datastructures import ResponseHeader
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from directory import netherlands
from directory.errors import InvalidInputError, RuleError, require_choice
from directory.points import check_lat_lon
from directory.schemas import LocationRead, ServiceRead
from directory.schemas.validators import check_languages
from directory.services.entries import EntryService
from directory.services.held_at import services_at
from directory.services.support import NEEDS, SupportHit, SupportQuery
from directory.services.venues import LOW_COST_EUR, VENUE_LIMIT, VenueFilters, find_venues
from web.accounts.names import PublicNames
from web.travel import DEFAULT_MINUTES, MAX_MINUTES, TRAVEL_MODES, support_results

NO_STORE = [ResponseHeader(name="Cache-Control", value="no-store")]


@dataclass
class ServiceSummary:
    """An activity held at a venue."""

    id: uuid.UUID
    name: str


@dataclass
class Venue:
    """A place that fits the filters, with the active services held there."""

    location: LocationRead
    services: list[ServiceSummary]


@dataclass
class VenueList:
    """The places that fit, by name (at most `limit`)."""

    total: int
    limit: int
    items: list[Venue]


@get(
    "/api/v1/venues",
    summary="Places for a group: the map's filters",
    description=(
        "Active locations by name that fit every filter given: free or at most "
        f"€{LOW_COST_EUR:.2f} (`low_cost`), a kitchen to use, a room to borrow, step-free, open or "
        "with a meeting on a weekday evening (19:00-20:00 on Monday to Friday, or a weekly meeting "
        "starting 18-21h), and one category. The same question as the map page `/kaart`."
    ),
    sync_to_thread=True,
    tags=["finder"],
)
def venues(
    entries: NamedDependency[EntryService],
    names: NamedDependency[PublicNames],
    low_cost: Annotated[bool, QueryParameter(description=f"free, or at most €{LOW_COST_EUR:.2f}")] = False,
    kitchen: Annotated[bool, QueryParameter(description="has a kitchen a group may use")] = False,
    room: Annotated[bool, QueryParameter(description="has a room a group may borrow")] = False,
    step_free: Annotated[bool, QueryParameter(description="step-free entrance")] = False,
    weekday_evening: Annotated[
        bool, QueryParameter(description="open or meeting on a weekday evening")
    ] = False,
    category: Annotated[
        str | None, QueryParameter(description="category code (GET /api/v1/taxonomy)")
    ] = None,
) -> VenueList:
    """The map's venue filters as JSON."""
    filters = VenueFilters(low_cost, kitchen, room, step_free, weekday_evening, category or None)
    found = find_venues(entries.session, filters)
    held = services_at(entries.session, [loc.id for loc in found])
    items = [
        Venue(
            LocationRead.model_validate(names.entry(data)),
            [ServiceSummary(s.id, s.name) for s in held.get(loc.id, [])],
        )
        for loc, data in zip(found, entries.to_dicts(found), strict=True)
    ]
    return VenueList(total=len(items), limit=VENUE_LIMIT, items=items)


@dataclass
class SupportItem:
    """One service answering a need: where, how far, and how well it fits."""

    service: ServiceRead
    location_id: uuid.UUID | None
    location_name: str | None
    #: Whole travel minutes, rounded up; None for services that come to you.
    minutes: int | None
    #: "network" (over the streets) or "crow_fly" (a straight-line estimate); None when it comes to you.
    method: str | None
    comes_to_you: bool
    language_match: bool
    community_match: bool
    #: Not verified within WIJKGRAM_STALE_AFTER_MONTHS.
    stale: bool


@dataclass
class SupportAnswer:
    """Services per need, in the order of the needs, best first."""

    mode: str
    minutes: int
    groups: dict[str, list[SupportItem]]
    #: True when the times are straight-line estimates (no street network, or the point is off it).
    crow_fly: bool
    network_available: bool
    origin_on_network: bool


def _check_support(mode: str, minutes: int, needs: list[str], languages: list[str]) -> list[str]:
    """422 naming the first wrong parameter; the languages, normalised."""
    require_choice("mode", mode, TRAVEL_MODES, code="one_of")
    if not 1 <= minutes <= MAX_MINUTES:
        raise InvalidInputError(
            "minutes",
            f"must be between 1 and {MAX_MINUTES}",
            code="range",
            params={"min": 1, "max": MAX_MINUTES},
        )
    if not needs:
        raise InvalidInputError(
            "needs",
            f"give at least one of {', '.join(NEEDS)}",
            code="choose_one",
            params={"choices": ", ".join(NEEDS)},
        )
    require_choice("needs", needs, NEEDS, noun="need")
    try:
        return check_languages(languages)
    except RuleError as exc:
        raise InvalidInputError.from_rule("languages", exc) from exc


@get(
    "/api/v1/support",
    summary="Support nearby, grouped by need",
    description=(
        "Active services meeting any of the `needs` that are reachable from the point within "
        "`minutes` in the travel `mode` (over the street network when it is built, else a "
        "straight-line estimate, said by `crow_fly`), or that come to the point (their service "
        "area covers it). Grouped by need; within a need, services for the `community` first, "
        "then those speaking one of the `languages`, then the quickest. The same question as the "
        "page `/steun`. The point must lie in the Netherlands; nothing stores or logs it."
    ),
    sync_to_thread=True,
    response_headers=NO_STORE,
    tags=["finder"],
)
def support(
    request: Request[Any, Any, Any],
    entries: NamedDependency[EntryService],
    names: NamedDependency[PublicNames],
    lat: Annotated[float, QueryParameter(description="latitude of the household (WGS84)")],
    lon: Annotated[float, QueryParameter(description="longitude of the household (WGS84)")],
    needs: Annotated[
        list[str] | None,
        QueryParameter(description=f"at least one of: {', '.join(NEEDS)} (repeat the parameter)"),
    ] = None,
    mode: Annotated[str, QueryParameter(description=f"one of {', '.join(TRAVEL_MODES)}")] = "walk",
    minutes: Annotated[
        int, QueryParameter(description=f"travel time limit, 1..{MAX_MINUTES}")
    ] = DEFAULT_MINUTES,
    languages: Annotated[
        list[str] | None, QueryParameter(description="ISO 639 codes the household speaks, e.g. ar")
    ] = None,
    community: Annotated[
        str | None, QueryParameter(description="a community, e.g. Ghanees", max_length=100)
    ] = None,
) -> SupportAnswer:
    """The support page's question as JSON."""
    check_lat_lon("lat/lon", lat, lon)
    if not netherlands.contains(lat, lon):
        raise InvalidInputError(
            "lat/lon", "the point lies outside the Netherlands", code="outside_netherlands"
        )
    needs = needs or []
    spoken = _check_support(mode, minutes, needs, languages or [])
    query = SupportQuery(lat, lon, mode, minutes, tuple(n for n in NEEDS if n in needs), tuple(spoken),
                         (community or "").strip() or None)  # fmt: skip
    results = support_results(request.app.state, entries.session, query)
    # Each hit's service in API shape, serialised once however many needs it answers.
    unique = list({hit.service.id: hit.service for hits in results.groups.values() for hit in hits}.values())
    as_dicts = entries.to_dicts(unique)
    read = {s.id: ServiceRead.model_validate(names.entry(d)) for s, d in zip(unique, as_dicts, strict=True)}

    def item(hit: SupportHit) -> SupportItem:
        return SupportItem(
            service=read[hit.service.id],
            location_id=hit.location.id if hit.location else None,
            location_name=hit.location.name if hit.location else None,
            minutes=results.minutes_for(hit),
            method=None if hit.comes_to_you else hit.method,
            comes_to_you=hit.comes_to_you,
            language_match=hit.language_match,
            community_match=hit.community_match,
            stale=hit.stale,
        )

    return SupportAnswer(
        mode=mode,
        minutes=minutes,
        groups={need: [item(h) for h in hits] for need, hits in results.groups.items()},
        crow_fly=results.crow_fly,
        network_available=results.network_available,
        origin_on_network=results.origin_on_network,
    )


FINDER_HANDLERS = [venues, support]
