"""Steun in de buurt: from an address and needs to a short list, and a printable handout.

The typed address is geocoded in memory, used, and forgotten: the form is
POSTed (so it is not in a URL or an access log), nothing here logs it, and
the handout form carries only the point, never the address text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from geoalchemy2.shape import to_shape
from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Template
from markupsafe import Markup
from sqlalchemy.orm import Session

from directory.clock import now_amsterdam
from directory.schemas.validators import check_languages
from directory.services.support import NEEDS, SupportQuery, SupportResults
from directory.services.taxonomy import vocabulary_labels
from geo.basemap.handout import handout_svg
from geo.geocoding.base import Geocoder
from web.field_words import language_names
from web.geocode import place_note, problem_key, resolve_field
from web.i18n import Translator
from web.pages.common import render, translator
from web.present import (
    access_text,
    address_text,
    contact_text,
    cost_text,
    place_text,
    reach_text,
    schedule_text,
    waiting_text,
    what_to_say,
)
from web.travel import (
    DEFAULT_MINUTES,
    MAX_MINUTES,
    TRAVEL_MODES,
    read_travel,
    support_results,
    travel_text,
)

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
#: The OpenStreetMap line printed on the handout's map (ODbL).
OSM_LINE = "© OpenStreetMap contributors"
#: The handout lists at most this many places, so a client is not overwhelmed.
HANDOUT_PLACES = 8


@dataclass
class SupportForm:
    """The form as typed, with an error per field."""

    address: str = ""
    mode: str = "walk"
    minutes: int = DEFAULT_MINUTES
    needs: list[str] = field(default_factory=list)
    languages: str = ""
    community: str = ""
    errors: dict[str, str] = field(default_factory=dict)


def parse_form(t: Translator, data: dict[str, str]) -> SupportForm:
    """Read and check the form; errors name the field."""
    form = SupportForm(
        address=data.get("address", "").strip()[:200],
        needs=[need for need in NEEDS if data.get(f"need_{need}")],
        languages=data.get("languages", "").strip()[:200],
        community=data.get("community", "").strip()[:100],
    )
    form.mode, minutes = read_travel(t, data, form.errors)
    if minutes is not None:
        form.minutes = minutes
    if not form.needs:
        form.errors["needs"] = t("support.need_one")
    if form.languages:
        try:
            check_languages(language_list(form.languages))
        except ValueError:
            form.errors["languages"] = t("support.bad_languages")
    return form


def language_list(text: str) -> list[str]:
    """'ar, TR' -> ['ar', 'tr']."""
    return [part.strip().lower() for part in text.replace(";", ",").split(",") if part.strip()]


def _geocoder(request: Request[Any, Any, Any]) -> Geocoder:
    configured: Geocoder = request.app.state.geocoder
    return configured


def _context(request: Request[Any, Any, Any], db: Session, form: SupportForm, **extra: Any) -> dict[str, Any]:
    t = translator(request)
    return {
        "form": form,
        "needs": NEEDS,
        "modes": TRAVEL_MODES,
        "need_labels": vocabulary_labels(db, t.lang, "support_function"),
        "max_minutes": MAX_MINUTES,
        **extra,
    }


@get("/steun", include_in_schema=False, sync_to_thread=True)
def support_page(request: Request[Any, Any, Any], db: NamedDependency[Session]) -> Template:
    """The empty search form."""
    return render(request, "support.html", **_context(request, db, SupportForm(), results=None))


def hit_facts(t: Translator, results: SupportResults) -> Any:
    """A function templates call to describe one hit in words."""

    def facts(hit: Any) -> dict[str, str]:
        service = hit.service
        return {
            "distance": reach_text(t, service)
            if hit.comes_to_you
            else travel_text(t, results.minutes_for(hit) or 1, results.query.mode, hit.method),
            "cost": cost_text(t, service),
            "access": access_text(t, service),
            "waiting": waiting_text(t, service),
            "contact_role": service.contact_role or "",
            "contact": contact_text(service) or (contact_text(hit.location) if hit.location else ""),
            "schedule": schedule_text(t, service) or (schedule_text(t, hit.location) if hit.location else ""),
            "address": address_text(hit.location) if hit.location else "",
            "place": place_text(hit.location) if hit.location else "",
            "say": what_to_say(t, service),
            "languages": language_names(t.lang, service.languages),
        }

    return facts


@post("/steun/zoeken", include_in_schema=False, sync_to_thread=True, status_code=200)
def support_search(request: Request[Any, Any, Any], db: NamedDependency[Session], data: Form) -> Template:
    """Geocode the address (in memory only), find support, group it by need."""
    t = translator(request)
    form = parse_form(t, data)
    place = None
    answer = None
    if not form.address:
        form.errors["address"] = t("support.no_address")
    else:
        answer = resolve_field(form.address, _geocoder(request), data, "pick")
        place = answer.usable
        if place is None:
            # Nothing found, or only a choice: nothing is searched until the person picks.
            form.errors["address"] = t(problem_key(answer))
    if form.errors or place is None or answer is None:
        choice = answer if answer is not None and answer.usable is None and answer.candidates else None
        context = _context(request, db, form, results=None, choice=choice)
        return render(request, "support.html", 422, **context)
    query = SupportQuery(
        lat=place.lat,
        lon=place.lon,
        mode=form.mode,
        minutes=form.minutes,
        needs=tuple(form.needs),
        languages=tuple(language_list(form.languages)),
        community=form.community or None,
    )
    results = support_results(request.app.state, db, query)
    return render(
        request,
        "support.html",
        **_context(
            request,
            db,
            form,
            results=results,
            place_label=place.label,
            place_note=place_note(t, answer),
            facts=hit_facts(t, results),
        ),
    )


def handout_map(t: Translator, db: Session, lat: float, lon: float, hits: list[Any]) -> Markup:
    """The handout's map as a picture drawn on the server (geo/basemap/handout.py): prints the same offline.

    The start point and the places numbered like the list; services without a place
    have a number in the list but no point on the map.
    """
    places = []
    for number, hit in enumerate(hits, start=1):
        if hit.location is not None:
            point = to_shape(hit.location.geom)
            places.append((number, float(point.y), float(point.x)))
    return handout_svg(
        db.connection(),
        (lat, lon),
        places,
        title=t("handout.map_title"),
        start_label=t("scout.start"),
        attribution=OSM_LINE,
    )


@post("/steun/folder", include_in_schema=False, sync_to_thread=True, status_code=200)
def handout(request: Request[Any, Any, Any], db: NamedDependency[Session], data: Form) -> Template:
    """The printable handout: large type, plain words, a small map, at most 8 places."""
    t = translator(request)
    form = parse_form(t, data)
    try:
        lat, lon = float(data.get("lat", "")), float(data.get("lon", ""))
    except ValueError:
        form.errors["address"] = t("support.no_address")
        lat = lon = 0.0
    if form.errors:
        return render(request, "support.html", 422, **_context(request, db, form, results=None))
    query = SupportQuery(
        lat,
        lon,
        form.mode,
        form.minutes,
        tuple(form.needs),
        tuple(language_list(form.languages)),
        form.community or None,
    )
    results = support_results(request.app.state, db, query)
    hits = results.by_travel_time(HANDOUT_PLACES)
    return render(
        request,
        "handout.html",
        hits=hits,
        facts=hit_facts(t, results),
        map_svg=handout_map(t, db, lat, lon, hits),
        today=now_amsterdam(),
    )


SUPPORT_HANDLERS = [support_page, support_search, handout]
__all__ = ["SUPPORT_HANDLERS"]
