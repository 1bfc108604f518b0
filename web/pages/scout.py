"""The map's two travel-time questions: what is reachable from a point, and where a whole group can meet.

Both forms are POSTed, so the addresses are never in a URL or an access log;
they are geocoded in memory, used for this one answer, and dropped. Group
members are shown and labelled by their line number only, never by address.
Answers carry `Cache-Control: no-store` so no browser or proxy cache keeps them.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Request, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Template
from sqlalchemy.orm import Session

from directory import netherlands
from directory.search.service import SearchService
from directory.services.map_places import fitting_places
from directory.services.taxonomy import vocabulary_labels
from geo.geocoding.base import GeocodeAnswer, Geocoder, GeocodeResult
from geo.reach import MAX_GROUP, MIN_GROUP, Origin
from web.geocode import place_note, problem_key, resolve_field
from web.i18n import Translator
from web.pages.common import render, translator
from web.pages.map import MapForm, Overlay, ScoutForm, filters_from, map_context, scout_forms
from web.travel import (
    app_routing,
    profile_for,
    read_travel,
    travel_text,
    whole_minutes,
)

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
#: A typed line longer than this is no address; cut so a pasted essay costs nothing.
MAX_LINE = 200


def _common(t: Translator, data: dict[str, str], form: ScoutForm) -> ScoutForm:
    """Read and check the fields both forms share (mode, minutes) into `form`."""
    form.mode, minutes = read_travel(t, data, form.errors)
    if minutes is not None:
        form.minutes = minutes
    return form


def _locate(text: str, geocoder: Geocoder, data: dict[str, str], name: str) -> GeocodeAnswer:
    """The answer for one typed line (or the person's pick for it); a point outside the country is none."""
    answer = resolve_field(text[:MAX_LINE], geocoder, data, name)
    place = answer.usable
    if place is not None and not netherlands.contains(place.lat, place.lon):
        return GeocodeAnswer.nothing(answer.source, "outside_area")
    return answer


def _ask(form: ScoutForm, name: str, typed: str, answer: GeocodeAnswer) -> None:
    """Keep a "Bedoelt u ...?" choice for the page, when the answer is one."""
    if answer.usable is None and answer.candidates:
        form.choices[name] = answer
        form.typed[name] = typed


def _filters(request: Request[Any, Any, Any], db: Session, data: dict[str, str]) -> MapForm:
    """The map filters the form carried along (hidden fields)."""
    lang = translator(request).lang
    return filters_from(
        data, vocabulary_labels(db, lang, "category"), vocabulary_labels(db, lang, "support_function")
    )


def app_search(request: Request[Any, Any, Any]) -> SearchService:
    """The app's search service (made once in create_app)."""
    service: SearchService = request.app.state.search_service
    return service


def _page(
    request: Request[Any, Any, Any], db: Session, data: dict[str, str], status: int, **extra: Any
) -> Template:
    """The map page with the carried filters; the overlay and forms come in `extra`."""
    form = _filters(request, db, data)
    locations = extra.pop("locations", None)
    context = map_context(request, db, form, locations, extra.pop("overlay", None), **extra)
    response = render(request, "map.html", status, **context)
    response.headers["Cache-Control"] = "no-store"
    return response


@post("/kaart/bereik", include_in_schema=False, sync_to_thread=True, status_code=200)
def reach_search(request: Request[Any, Any, Any], db: NamedDependency[Session], data: Form) -> Template:
    """The area reachable from one address in the chosen time, and the places inside it with minutes."""
    t = translator(request)
    form = _common(t, data, ScoutForm(place=data.get("place", "").strip()[:MAX_LINE]))
    place = None
    note = ""
    if not form.place:
        form.errors["place"] = t("support.no_address")
    else:
        answer = _locate(form.place, request.app.state.geocoder, data, "pick")
        place = answer.usable
        if place is None:
            # Nothing found, or a choice to make: nothing is searched until the person picks.
            form.errors["place"] = t(problem_key(answer))
            _ask(form, "pick", form.place, answer)
        else:
            note = place_note(t, answer)
    if form.errors or place is None:
        return _page(request, db, data, 422, **scout_forms(reach=form), open_form="reach")
    service = app_routing(request.app.state).available()
    if service is None:
        return _page(
            request,
            db,
            data,
            503,
            **scout_forms(reach=form),
            open_form="reach",
            error=t("travel.unavailable"),
        )
    result = service.reach(db, Origin(place.lat, place.lon), profile_for(form.mode), form.minutes)
    reached = {uuid.UUID(r.location.id): r for r in result.locations}
    filters = _filters(request, db, data).filters()
    inside = fitting_places(db, app_search(request), list(reached), filters)
    inside.sort(key=lambda loc: (reached[loc.id].seconds, loc.name))
    overlay = Overlay(
        travel={
            loc.id: travel_text(t, whole_minutes(reached[loc.id].seconds), form.mode, reached[loc.id].method)
            for loc in inside
        },
        area=result.isochrone,
        area_name=t("scout.area_layer", minutes=form.minutes, mode=t(f"mode.{form.mode}")),
        starts=[(place.lat, place.lon, t("scout.start"))],
    )
    summary = t("scout.reach_count", count=len(inside), minutes=form.minutes, mode=t(f"mode.{form.mode}"))
    return _page(
        request,
        db,
        data,
        200,
        **scout_forms(reach=form),
        open_form="reach",
        locations=inside,
        overlay=overlay,
        summary=summary,
        warning=None if result.origin_on_network else t("travel.origin_off_network"),
        place_note=note,
    )


def origin_lines(text: str) -> list[str]:
    """The non-empty lines of the origins box, each cut to MAX_LINE characters."""
    return [line.strip()[:MAX_LINE] for line in text.splitlines() if line.strip()]


@post("/kaart/groep", include_in_schema=False, sync_to_thread=True, status_code=200)
def group_search(request: Request[Any, Any, Any], db: NamedDependency[Session], data: Form) -> Template:
    """Places every member reaches in time, ranked by the slowest member's travel time."""
    t = translator(request)
    # The box is kept (cut) only to show it again in this answer.
    form = _common(t, data, ScoutForm(origins=data.get("origins", "")[: MAX_LINE * (MAX_GROUP + 5)]))
    lines = origin_lines(form.origins)
    places: list[GeocodeResult] = []
    if not MIN_GROUP <= len(lines) <= MAX_GROUP:
        form.errors["origins"] = t("scout.group_size", min=MIN_GROUP, max=MAX_GROUP, count=len(lines))
    else:
        unknown = []
        for number, line in enumerate(lines, start=1):
            answer = _locate(line, request.app.state.geocoder, data, f"pick_{number}")
            place = answer.usable
            if place is not None:
                places.append(place)
            elif answer.candidates:
                _ask(form, f"pick_{number}", line, answer)
            else:
                unknown.append(str(number))
        if unknown:
            form.errors["origins"] = t("scout.bad_lines", lines=", ".join(unknown))
        elif form.choices:
            form.errors["origins"] = t("geocode.choose")
    if form.errors:
        return _page(request, db, data, 422, **scout_forms(group=form), open_form="group")
    service = app_routing(request.app.state).available()
    if service is None:
        return _page(
            request,
            db,
            data,
            503,
            **scout_forms(group=form),
            open_form="group",
            error=t("travel.unavailable"),
        )
    origins = [Origin(p.lat, p.lon, str(i)) for i, p in enumerate(places, start=1)]
    venues, on_network = service.group(db, origins, profile_for(form.mode), form.minutes)
    filters = _filters(request, db, data).filters()
    ids = [uuid.UUID(v.location.id) for v in venues]
    allowed = {loc.id: loc for loc in fitting_places(db, app_search(request), ids, filters)}
    for_all = [v for v in venues if not v.unreachable_for and uuid.UUID(v.location.id) in allowed]
    for_some = sum(1 for v in venues if v.unreachable_for and uuid.UUID(v.location.id) in allowed)
    # Group.venues come ranked by the slowest member already; the list keeps that order.
    chosen = [allowed[uuid.UUID(v.location.id)] for v in for_all]
    overlay = Overlay(
        travel={
            uuid.UUID(v.location.id): t(
                "scout.worst", travel=travel_text(t, whole_minutes(v.worst_seconds), form.mode)
            )
            for v in for_all
        },
        detail={
            uuid.UUID(v.location.id): " · ".join(
                t("scout.member_minutes", n=i, minutes=_short(s)) for i, s in enumerate(v.seconds, start=1)
            )
            for v in for_all
        },
        starts=[(o.lat, o.lon, o.label) for o in origins],
    )
    off = [o.label for o, ok in zip(origins, on_network, strict=True) if not ok]
    summary = t("scout.group_count", count=len(for_all), members=len(origins), minutes=form.minutes,
                mode=t(f"mode.{form.mode}"))  # fmt: skip
    return _page(
        request,
        db,
        data,
        200,
        **scout_forms(group=form),
        open_form="group",
        locations=chosen,
        overlay=overlay,
        summary=summary,
        partly=t("scout.group_partly", count=for_some) if for_some else None,
        warning=t("scout.members_off_network", lines=", ".join(off)) if off else None,
    )


def _short(seconds: float) -> str:
    """Whole minutes for a member's time in the compact per-member line."""
    return str(whole_minutes(seconds)) if seconds != float("inf") else "–"


SCOUT_HANDLERS = [reach_search, group_search]
__all__ = ["SCOUT_HANDLERS"]
