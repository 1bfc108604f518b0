"""JSON API of geo: geocoding, reachability (isochrones, travel times, group queries), boundaries.

Registered in web/app.py through `GEO_HANDLERS`. Query texts and origin
coordinates are used for one answer and never stored or logged; responses
are marked `Cache-Control: no-store` so no proxy keeps them either.
"""

from __future__ import annotations

from typing import Annotated, Any

import shapely
from litestar import Request, Response, get, post
from litestar.datastructures import ResponseHeader, State
from litestar.di import NamedDependency
from litestar.params import FromQuery, JSONBody, QueryParameter
from pydantic import BaseModel, Field
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from directory import netherlands
from directory.errors import InvalidInputError, NotFoundError
from directory.points import check_lat_lon
from geo.boundaries import boundaries_at, list_boundaries
from geo.geocoding.base import Geocoder
from geo.geocoding.chain import check_query
from geo.geocoding.schema import GeocodeResponse
from geo.network.isochrone import minutes as to_minutes
from geo.network.profiles import PROFILES
from geo.reach import (
    MAX_GROUP,
    MAX_MINUTES,
    MIN_GROUP,
    Origin,
    Reachability,
    RoutingCache,
    check_minutes,
    get_profile,
)

ATTRIBUTION = "Kaartgegevens © OpenStreetMap-bijdragers (ODbL)"
NO_STORE = [ResponseHeader(name="Cache-Control", value="no-store")]


def _engine(state: State) -> Engine:
    engine: Engine = state.engine
    return engine


def geo_geocoder(state: State) -> Geocoder:
    """The app's one geocoder (made at start-up in web.app.create_app)."""
    geocoder: Geocoder = state.geocoder
    return geocoder


def _reachability(state: State) -> Reachability:
    """The street network from the app's one routing cache; 503 when none is built."""
    routing: RoutingCache = state.routing
    return routing.get()


def _feature(geometry: Any, **properties: Any) -> dict[str, Any]:
    return {"type": "Feature", "geometry": shapely.geometry.mapping(geometry), "properties": properties}


@get("/api/v1/geocode", summary="Geocode a Dutch address or postcode", sync_to_thread=True,
     response_headers=NO_STORE, tags=["geo"])  # fmt: skip
def geocode(request: Request[Any, Any, Any], q: FromQuery[str | None] = None) -> GeocodeResponse:
    """The point for an address ('Recht Boomssloot 52'), postcode ('1011 EC') or both ('1102 AB 12').

    A near miss or an address found in two places gives candidates and no point (see `GeocodeResponse`).
    Nothing found: 404 with `reason` outside_area or not_found; text that is no address: 422 (unreadable).
    """
    return geocode_response(geo_geocoder(request.app.state), q)


def geocode_response(geocoder: Geocoder, q: str | None) -> GeocodeResponse:
    """The API answer for a query text, or the error saying why there is none (for GET and POST alike)."""
    answer = geocoder.lookup(check_query(q))
    if answer.found:
        return GeocodeResponse.of(answer)
    if answer.reason == "unreadable":
        raise InvalidInputError(
            "q", "this cannot be read as an address, postcode or place", code="address_unreadable"
        )
    if answer.reason == "outside_area":
        raise NotFoundError(
            "this lies outside the area whose addresses we know",
            extra={"reason": "outside_area", "source": answer.source},
        )
    raise NotFoundError("no such address or postcode", extra={"reason": "not_found", "source": answer.source})


def _point(lat: float | None, lon: float | None) -> tuple[float, float]:
    if lat is None:
        raise InvalidInputError("lat", "required: the latitude of the starting point", code="missing")
    if lon is None:
        raise InvalidInputError("lon", "required: the longitude of the starting point", code="missing")
    # The one globe rule of every API that takes a point (directory.points), so a client sees
    # the same field and code here as from the support finder and the wijkgram.
    check_lat_lon("lat/lon", lat, lon)
    _in_netherlands(lat, lon, "lat/lon")
    return lat, lon


def _in_netherlands(lat: float, lon: float, field_name: str) -> None:
    # Checked before the network is asked, so bad input is a 422 whatever state the network is in.
    if not netherlands.contains(lat, lon):
        raise InvalidInputError(
            field_name, f"point ({lat}, {lon}) is outside the Netherlands", code="outside_netherlands"
        )


@get("/api/v1/reach", summary="What is reachable from a point within N minutes", sync_to_thread=True,
     response_headers=NO_STORE, tags=["geo"])  # fmt: skip
def reach(
    request: Request[Any, Any, Any],
    db: NamedDependency[Session],
    lat: FromQuery[float | None] = None,
    lon: FromQuery[float | None] = None,
    profile: FromQuery[str] = "walking",
    minutes: Annotated[int, QueryParameter(description=f"travel time limit, 1..{MAX_MINUTES}")] = 15,
    category: FromQuery[str | None] = None,
) -> dict[str, Any]:
    """The isochrone (GeoJSON) and the locations reachable within `minutes`, each with its travel time."""
    lat, lon = _point(lat, lon)
    chosen = get_profile(profile)
    check_minutes(minutes)
    result = _reachability(request.app.state).reach(db, Origin(lat, lon), chosen, minutes, category)
    return {
        "profile": result.profile,
        "minutes": result.minutes,
        "origin_on_network": result.origin_on_network,
        "isochrone": _feature(
            result.isochrone,
            profile=result.profile,
            minutes=result.minutes,
            method="network" if result.origin_on_network else "crow_fly",
        ),
        "locations": [r.to_json() for r in result.locations],
        "attribution": ATTRIBUTION,
    }


class OriginIn(BaseModel):
    """One group member's starting point; the label is yours (a first name, 'A') and is never stored."""

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    label: str = Field(default="", max_length=60)


class GroupReachRequest(BaseModel):
    """A group query: members' starting points, how they travel and the time limit."""

    origins: list[OriginIn] = Field(min_length=MIN_GROUP, max_length=MAX_GROUP)
    profile: str = "walking"
    minutes: int = Field(default=15, ge=1, le=MAX_MINUTES)
    category: str | None = None


@post("/api/v1/reach/group", summary="Venues reachable for every member of a group", sync_to_thread=True,
      response_headers=NO_STORE, status_code=200, tags=["geo"])  # fmt: skip
def reach_group(
    request: Request[Any, Any, Any], db: NamedDependency[Session], data: JSONBody[GroupReachRequest]
) -> dict[str, Any]:
    """Venues ranked by the slowest member's time; venues not everyone reaches name who cannot."""
    chosen = get_profile(data.profile)
    for i, origin in enumerate(data.origins):
        _in_netherlands(origin.lat, origin.lon, f"origins.{i}")
    origins = [Origin(o.lat, o.lon, o.label) for o in data.origins]
    venues, on_network = _reachability(request.app.state).group(
        db, origins, chosen, data.minutes, data.category
    )
    labels = [o.label or f"#{i + 1}" for i, o in enumerate(origins)]
    return {
        "profile": chosen.name,
        "minutes": data.minutes,
        "members": [{"label": label, "on_network": ok} for label, ok in zip(labels, on_network, strict=True)],
        "venues": [
            {
                "id": v.location.id,
                "name": v.location.name,
                "category": v.location.category,
                "lat": v.location.lat,
                "lon": v.location.lon,
                "reachable_for_all": not v.unreachable_for,
                "worst_minutes": to_minutes(v.worst_seconds) if v.worst_seconds != float("inf") else None,
                "unreachable_for": v.unreachable_for,
                "members": [
                    {
                        "label": label,
                        "minutes": to_minutes(t) if t != float("inf") else None,
                        "method": method,
                    }
                    for label, t, method in zip(labels, v.seconds, v.methods, strict=True)
                ],
            }
            for v in venues
        ],
        "attribution": ATTRIBUTION,
    }


@get(
    "/api/v1/reach/profiles",
    summary="Travel profiles and their parameters",
    sync_to_thread=False,
    tags=["geo"],
)
def profiles() -> list[dict[str, Any]]:
    """Every profile with its tunable parameters."""
    out = []
    for p in PROFILES.values():
        out.append(
            {
                "name": p.name,
                "label_nl": p.label_nl,
                "speed_kmh": p.speed_kmh,
                "cycleway_speed_kmh": p.cycleway_speed_kmh,
                "steps_allowed": p.steps_allowed,
                "unpaved_allowed": p.unpaved_allowed,
                "max_kerb_m": p.max_kerb_m,
                "max_incline_pct": p.max_incline_pct,
                "min_width_m": p.min_width_m,
            }
        )
    return out


@get("/api/v1/boundaries", summary="Stadsdelen, wijken or buurten (for search filters)", sync_to_thread=True,
     tags=["geo"])  # fmt: skip
def boundaries(
    db: NamedDependency[Session], level: FromQuery[str] = "stadsdeel"
) -> list[dict[str, str | None]]:
    """All areas of one level with code, name and parent code."""
    return list_boundaries(db.connection(), level)


@get("/api/v1/boundaries/at", summary="The stadsdeel, wijk and buurt of a point", sync_to_thread=True,
     response_headers=NO_STORE, tags=["geo"])  # fmt: skip
def boundaries_of_point(
    db: NamedDependency[Session], lat: FromQuery[float | None] = None, lon: FromQuery[float | None] = None
) -> Response[Any]:
    """Which areas a point lies in (empty when outside every imported area)."""
    lat, lon = _point(lat, lon)
    return Response(boundaries_at(db.connection(), lat, lon))


GEO_HANDLERS = [geocode, reach, reach_group, profiles, boundaries, boundaries_of_point]
