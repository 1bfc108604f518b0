"""`POST /api/v1/wijkgram`: the picture of a household's support, as layout JSON or as SVG.

POST, so the household's point stays out of URLs and logs; the answer carries
`Cache-Control: no-store`. The page `/wijkgram` draws the same layout.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import MediaType, Request, Response, post
from litestar.datastructures import ResponseHeader
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody
from pydantic import BaseModel, Field, TypeAdapter, ValidationError, WithJsonSchema
from sqlalchemy.orm import Session

from directory import netherlands
from directory.errors import InvalidInputError, require_choice
from directory.points import check_lat_lon
from directory.services.support import NEEDS
from directory.services.wijkgram import MAX_ENTRIES
from geo.network.profiles import PROFILES
from geo.reach import MAX_MINUTES
from web.i18n import Translator, choose_language
from web.pages.common import page_gettext
from web.travel import MODE_PROFILES
from web.wijkgram import MAX_EXCLUDE, Picture, Settings, make_picture, picture_json, svg_context

SVG = "image/svg+xml"
NO_STORE = [ResponseHeader(name="Cache-Control", value="no-store")]
ENTRIES_SCHEMA: dict[str, Any] = {
    "type": "array",
    "items": {"type": "string", "format": "uuid"},
    "maxItems": MAX_ENTRIES,
}
PROFILE_MODES = {profile: mode for mode, profile in MODE_PROFILES.items()}


class WijkgramRequest(BaseModel):
    """A household's point, how they travel, what they need, and optionally exactly which entries to draw."""

    lat: float = Field(description="latitude of the household (WGS84); never stored or logged")
    lon: float = Field(description="longitude of the household (WGS84)")
    profile: str = Field(default="walking", description=f"one of {', '.join(PROFILES)}")
    minutes: int = Field(default=15, description=f"travel time limit, 1..{MAX_MINUTES}; rings at its thirds")
    needs: list[str] | None = Field(default=None, description=f"some of {', '.join(NEEDS)}; default all")
    #: Read as any JSON and checked in `_settings`: "entries" is also the name of an app dependency,
    #: and Litestar turns a body error under a dependency's name into a 500 instead of a 422.
    entries: Annotated[Any, WithJsonSchema(ENTRIES_SCHEMA)] = Field(
        default=None,
        description=f"exactly these services or locations (at most {MAX_ENTRIES}); default: the support "
        "search for the needs",
    )
    far: bool = Field(default=False, description="'ook verder weg': add matching places outside the buurt")
    exclude: list[uuid.UUID] = Field(
        default_factory=list, description=f"ids never to draw (at most {MAX_EXCLUDE})"
    )
    lang: str = Field(default="nl", description="language of the labels: nl or en")


_IDS = TypeAdapter(list[uuid.UUID] | None)


def _entry_ids(value: Any) -> list[uuid.UUID] | None:
    """The `entries` list as ids, or a 422 naming it."""
    try:
        return _IDS.validate_python(value)
    except ValidationError as exc:
        raise InvalidInputError("entries", "give a list of entry ids (UUIDs)", code="uuid_parsing") from exc


def _settings(data: WijkgramRequest) -> Settings:
    """The request checked, as picture settings; a 422 with a code names the first wrong field."""
    check_lat_lon("lat/lon", data.lat, data.lon)
    if not netherlands.contains(data.lat, data.lon):
        raise InvalidInputError(
            "lat/lon", "the point lies outside the Netherlands", code="outside_netherlands"
        )
    require_choice("profile", data.profile, tuple(PROFILE_MODES), code="one_of")
    if not 1 <= data.minutes <= MAX_MINUTES:
        raise InvalidInputError(
            "minutes",
            f"must be between 1 and {MAX_MINUTES}",
            code="range",
            params={"min": 1, "max": MAX_MINUTES},
        )
    require_choice("needs", data.needs or [], NEEDS, noun="need")
    if data.needs is not None and not data.needs:
        raise InvalidInputError(
            "needs",
            f"give at least one of {', '.join(NEEDS)}",
            code="choose_one",
            params={"choices": ", ".join(NEEDS)},
        )
    entries = _entry_ids(data.entries)
    for name, ids, limit in (
        ("entries", entries or [], MAX_ENTRIES),
        ("exclude", data.exclude, MAX_EXCLUDE),
    ):
        if len(ids) > limit:
            raise InvalidInputError(
                name, f"at most {limit} ids", code="too_long", params={"max_length": limit}
            )
    require_choice("lang", data.lang, ("nl", "en"), code="one_of")
    needs = tuple(n for n in NEEDS if n in (data.needs or NEEDS))
    return Settings(
        data.lat,
        data.lon,
        PROFILE_MODES[data.profile],
        data.minutes,
        needs,
        tuple(entries) if entries is not None else None,
        data.far,
        tuple(data.exclude),
    )


def wants_svg(request: Request[Any, Any, Any]) -> bool:
    """True when the client asks for SVG rather than JSON."""
    return request.accept.best_match([MediaType.JSON, SVG], default=MediaType.JSON) == SVG


@post(
    "/api/v1/wijkgram",
    summary="The wijkgram: a household's support as rings of travel time and sectors of support",
    description=(
        "Lays out the support around a point: the household in the middle, the inner circle for "
        "services that come to the home or work by phone (their service area covers the point), "
        "rings for travel time at thirds of `minutes` (15 -> 5, 10, 15) over the street network "
        "with the `profile`, and an outer ring 'verder weg'; a sector per support function. Without "
        "`entries` it draws the support search for the `needs` (as `GET /api/v1/support`, at most "
        "8 per sector); with `entries` exactly those services or locations. `far` adds up to 3 "
        "matching places per sector beyond the limit and outside the household's buurt. Every "
        "entry becomes one dot in its ring and sector; no two labels overlap (a label with no room "
        "goes to a numbered list beside the circle). Answers JSON (canvas in SVG units, A4 "
        "landscape proportions), or the picture itself with `Accept: image/svg+xml`. `slots` are "
        "free spots a client may use for its own dots. `link` reopens the picture on the page "
        "with the point rounded to about 300 m. Public like every read; no CSRF token needed; "
        "nothing stores or logs the point."
    ),
    sync_to_thread=True,
    response_headers=NO_STORE,
    status_code=200,
    tags=["finder"],
    responses={
        200: ResponseSpec(
            data_container=dict[str, Any],
            description="the layout (JSON), or with `Accept: image/svg+xml` the SVG picture",
            media_type=MediaType.JSON,
        )
    },
)
def wijkgram(
    request: Request[Any, Any, Any], db: NamedDependency[Session], data: JSONBody[WijkgramRequest]
) -> Response[Any]:
    """The layout of one household's wijkgram, as JSON or SVG."""
    settings = _settings(data)
    t = Translator(choose_language(data.lang, None))
    picture = make_picture(request.app.state, db, settings, t)
    if wants_svg(request):
        svg = svg_document(request, picture, t)
        return Response(svg, media_type=SVG)
    return Response(picture_json(picture, t), media_type=MediaType.JSON)


def svg_document(request: Request[Any, Any, Any], picture: Picture, t: Translator) -> str:
    """The picture as a standalone SVG document (the template the page includes)."""
    template = request.app.template_engine.get_template("wijkgram.svg")  # type: ignore[union-attr]
    return str(template.render(**svg_context(picture, t, page_gettext(t.lang))))


WIJKGRAM_HANDLERS = [wijkgram]
