"""The wijkgram page: the support around a household as a picture the professional can talk through.

Opened from the /steun results (`POST /wijkgram/teken`, the exact point in the body,
never in a URL) or from a copied link (`GET /wijkgram?o=...`, the point snapped
to about 300 m). Removing a dot, adding an entry, "ook verder weg" and another
travel time post the page's state form again: the point, the settings and the
entry ids, nothing else. The professional's own dots ("buurvrouw", "zus") are
drawn by web/static/wijkgram.js in the browser only: no form or request of
this page carries them.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Annotated, Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Template
from sqlalchemy.orm import Session

from directory import netherlands
from directory.errors import InvalidInputError
from directory.points import coarse_point, parse_lat_lon
from directory.services.support import NEEDS
from directory.services.wijkgram import MAX_ENTRIES, SECTORS, place_point
from web.i18n import Translator
from web.pages.common import page_gettext, render, translator
from web.travel import MAX_MINUTES, TRAVEL_MODES, parse_minutes
from web.wijkgram import MAX_EXCLUDE, Picture, Settings, make_picture, svg_context

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


def _ids(raw: str | None, limit: int) -> tuple[uuid.UUID, ...]:
    """'id,id,...' as ids, in order, without repeats; anything that is no id is left out."""
    found: dict[uuid.UUID, None] = {}
    for part in (raw or "").split(","):
        try:
            found[uuid.UUID(part.strip())] = None
        except ValueError:
            continue
    return tuple(found)[:limit]


def _needs(data: Mapping[str, str]) -> tuple[str, ...]:
    """The needs as the support form ticks them (`need_company=on`) or as a list (`needs=a,b`)."""
    listed = {n.strip() for n in data.get("needs", "").split(",")}
    chosen = tuple(n for n in NEEDS if data.get(f"need_{n}") or n in listed)
    return chosen or NEEDS


def read_settings(
    t: Translator, data: Mapping[str, str], *, from_link: bool
) -> tuple[Settings | None, list[str]]:
    """The picture's settings from the state form or a link; messages for what cannot be used."""
    problems = []
    try:
        if from_link:
            lat, lon = coarse_point(*parse_lat_lon(data.get("o", ""), "o"))
        else:
            lat, lon = float(data.get("lat", "")), float(data.get("lon", ""))
    except (InvalidInputError, ValueError):
        return None, [t("wijkgram.no_origin")]
    if not netherlands.contains(lat, lon):
        return None, [t("wijkgram.no_origin")]
    mode = data.get("mode", "walk")
    if mode not in TRAVEL_MODES:
        problems.append(t("travel.bad_mode"))
        mode = "walk"
    minutes = parse_minutes(data.get("minutes"))
    if minutes is None:
        problems.append(t("travel.bad_minutes", max=MAX_MINUTES))
        minutes = 15
    entries = _ids(data["e"], MAX_ENTRIES) if "e" in data else None
    settings = Settings(
        lat,
        lon,
        mode,
        minutes,
        _needs(data),
        entries,
        data.get("far") == "1",
        _ids(data.get("x"), MAX_EXCLUDE),
        from_link or data.get("from_link") == "1",
    )
    return settings, problems


def apply_action(settings: Settings, data: Mapping[str, str], shown: list[uuid.UUID]) -> Settings:
    """The state after a button: remove a dot, add an entry, or switch "ook verder weg"."""
    entries = list(settings.entries if settings.entries is not None else shown)
    exclude = list(settings.exclude)
    far = settings.far
    removed = _ids(data.get("remove"), 1)
    added = _ids(data.get("add"), 1)
    if removed:
        if removed[0] in entries:
            entries.remove(removed[0])
        elif removed[0] not in exclude:
            exclude.append(removed[0])  # a dot "ook verder weg" added: keep it away
    if added:
        if added[0] not in entries:
            entries = [*entries, added[0]][-MAX_ENTRIES:]
        exclude = [i for i in exclude if i != added[0]]
    if data.get("toggle_far"):
        far = not far
    return Settings(
        settings.lat,
        settings.lon,
        settings.mode,
        settings.minutes,
        settings.needs,
        tuple(entries),
        far,
        tuple(exclude[-MAX_EXCLUDE:]),
        settings.from_link,
    )


def _page(request: Request[Any, Any, Any], db: Session, settings: Settings, problems: list[str]) -> Template:
    t = translator(request)
    picture = make_picture(request.app.state, db, settings, t)
    drawing = {
        k: v for k, v in svg_context(picture, t, page_gettext(t.lang)).items() if k not in ("gettext", "lang")
    }
    return render(
        request,
        "wijkgram.html",
        problems=problems,
        state_ids=",".join(str(e.id) for e in picture.found.entries if not e.far),
        coarse="{:.5f},{:.5f}".format(*coarse_point(settings.lat, settings.lon)),
        modes=TRAVEL_MODES,
        max_minutes=MAX_MINUTES,
        sectors=[(code, picture.sector_labels.get(code, code)) for code in SECTORS],
        # The language switch reopens the picture from its link (a POST page has no URL to go back to).
        path=picture.link(),
        **drawing,
    )


def _no_origin(request: Request[Any, Any, Any], problems: list[str]) -> Template:
    return render(request, "wijkgram.html", 422, picture=None, problems=problems)


@post("/wijkgram/teken", include_in_schema=False, sync_to_thread=True, status_code=200)
def wijkgram_post(request: Request[Any, Any, Any], db: NamedDependency[Session], data: Form) -> Template:
    """The picture from the support results or from the page's own state form (the point in the body)."""
    t = translator(request)
    settings, problems = read_settings(t, data, from_link=False)
    if settings is None:
        return _no_origin(request, problems)
    if any(data.get(k) for k in ("remove", "add", "toggle_far")):
        shown = []
        if settings.entries is None:
            shown = [
                e.id for e in make_picture(request.app.state, db, settings, t).found.entries if not e.far
            ]
        settings = apply_action(settings, data, shown)
    return _page(request, db, settings, problems)


@get("/wijkgram", include_in_schema=False, sync_to_thread=True)
def wijkgram_link(request: Request[Any, Any, Any], db: NamedDependency[Session]) -> Template:
    """The picture from a copied link (`o` snapped to the grid again, whatever it says), or around a place."""
    t = translator(request)
    params = dict(request.query_params)
    place = _ids(params.get("plek"), 1)
    if place:
        point = place_point(db, place[0])
        if point is None:
            return _no_origin(request, [t("wijkgram.no_place")])
        return _page(request, db, Settings(point[0], point[1], needs=NEEDS), [])
    settings, problems = read_settings(t, params, from_link=True)
    if settings is None:
        return _no_origin(request, problems)
    return _page(request, db, settings, problems)


__all__ = ["WIJKGRAM_HANDLERS", "Picture"]
# Two paths, not GET and POST on one: Litestar registers the first handler of a path again when a
# second joins it, and a sync handler run in a thread is then wrapped twice (its answer a coroutine).
WIJKGRAM_HANDLERS = [wijkgram_post, wijkgram_link]
