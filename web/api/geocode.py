"""`POST /api/v1/geocode`: the geocoder with the address in the body instead of the URL.

An address in a URL ends up in browser history, bookmarks, proxy and server logs;
in a POST body it does not. The answer is geo's `GET /api/v1/geocode` answer (the
GET stays for compatibility; POST is the one to use for a client's address).
"""

from __future__ import annotations

from typing import Any

from litestar import Request, post
from litestar.params import JSONBody
from pydantic import BaseModel, Field

from geo.api import NO_STORE, geo_geocoder, geocode_response
from geo.geocoding.schema import GeocodeResponse


class GeocodeRequest(BaseModel):
    """What to geocode: an address, a postcode, or both ('1102 AB 12')."""

    q: str | None = Field(default=None, description="address or postcode; never stored or logged")


@post(
    "/api/v1/geocode",
    summary="Geocode a Dutch address or postcode (the address in the body: use this one)",
    description="As `GET /api/v1/geocode?q=`, but the address stays out of URLs and logs. "
    "Public like every read; needs no CSRF token.",
    sync_to_thread=True,
    response_headers=NO_STORE,
    status_code=200,
    tags=["geo"],
)
def geocode_post(request: Request[Any, Any, Any], data: JSONBody[GeocodeRequest]) -> GeocodeResponse:
    """The point, or candidates to choose from, for an address, postcode or both (as the GET)."""
    # geo's own answer for both: one response model (geo/geocoding/schema.py), one set of errors.
    return geocode_response(geo_geocoder(request.app.state), data.q)
