"""Kaart: the scouting map for kwartiermakers, one layer per category, with filters and area outlines.

`build_map` also draws what the reach and group forms found (web/pages/scout.py):
a reachable area, starting points and travel minutes per place.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from geoalchemy2.shape import to_shape
from litestar import Request, get
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Template
from sqlalchemy.orm import Session

from directory.errors import InvalidInputError
from directory.models import Location, Service
from directory.search.query import parse_open_at
from directory.services.held_at import services_at
from directory.services.map_places import FACILITIES, MapFilters, places_extent
from directory.services.taxonomy import vocabulary_labels
from directory.services.venues import LOW_COST_EUR
from geo.geocoding.base import GeocodeAnswer
from geo.outlines import LEVELS as OUTLINE_LEVELS
from geo.outlines import outlines
from geo.reach import MAX_GROUP
from web.api.tiles import current_version, versioned_base_layer
from web.i18n import Translator
from web.maps import LeafletMap, Popup, marker
from web.pages.common import render, translator
from web.present import address_text, contact_text, cost_text, facilities_text, schedule_text
from web.travel import DEFAULT_MINUTES, MAX_MINUTES, TRAVEL_MODES


@dataclass
class Overlay:
    """What a reach or group search adds to the map and the list."""

    #: Location id -> travel text ('ongeveer 7 minuten lopen'), shown in popup, tooltip and list.
    travel: dict[uuid.UUID, str] = field(default_factory=dict)
    #: Location id -> each member's minutes (group finder).
    detail: dict[uuid.UUID, str] = field(default_factory=dict)
    area: Any | None = None  # reachable area (shapely, lon/lat)
    area_name: str = ""
    starts: list[tuple[float, float, str]] = field(default_factory=list)


@dataclass(frozen=True)
class MapForm:
    """The map's filter form as given: what the page shows checked, and the filters it means."""

    low_cost: bool = False
    kitchen: bool = False
    room: bool = False
    step_free: bool = False
    category: str | None = None
    support: str | None = None
    #: "Open at" as typed (a browser's date-time field: 2026-11-24T18:30), and read.
    open_at: str = ""
    moment: datetime | None = None

    def filters(self) -> MapFilters:
        """The search filters these choices mean."""
        return MapFilters(
            category=(self.category,) if self.category else (),
            support_functions=(self.support,) if self.support else (),
            low_cost=self.low_cost,
            facilities=tuple(name for name in FACILITIES if getattr(self, name)),
            step_free=self.step_free,
            open_at=self.moment,
        )

    def params(self, lang: str) -> dict[str, Any]:
        """The query parameters of /api/v1/map/places for these choices (map.js adds box and zoom)."""
        params: dict[str, Any] = {"lang": lang}
        for name in ("low_cost", "step_free"):
            if getattr(self, name):
                params[name] = "true"
        facilities = [name for name in FACILITIES if getattr(self, name)]
        if facilities:
            params["facilities"] = facilities
        if self.category:
            params["category"] = [self.category]
        if self.support:
            params["support_functions"] = [self.support]
        if self.moment is not None:
            params["open_at"] = self.open_at
        return params


@dataclass
class ScoutForm:
    """The reach form or the group form as typed, with an error per field."""

    place: str = ""
    origins: str = ""
    mode: str = "walk"
    minutes: int = DEFAULT_MINUTES
    errors: dict[str, str] = field(default_factory=dict)
    #: "Bedoelt u ...?" per field ('pick', or 'pick_N' for line N of the group box) and the text it is for.
    choices: dict[str, GeocodeAnswer] = field(default_factory=dict)
    typed: dict[str, str] = field(default_factory=dict)


def scout_forms(reach: ScoutForm | None = None, group: ScoutForm | None = None) -> dict[str, Any]:
    """Template context for both forms (empty ones on the plain map)."""
    return {
        "reach_form": reach or ScoutForm(),
        "group_form": group or ScoutForm(),
        "modes": TRAVEL_MODES,
        "max_minutes": MAX_MINUTES,
        "max_group": MAX_GROUP,
    }


def venue_popup(
    t: Translator,
    location: Location,
    services: list[Service],
    category: str,
    travel: str = "",
    detail: str = "",
) -> Popup:
    """The popup of one place, as plain text: map.js shows every value with textContent.

    A place under review is drawn like the others (a scout may be the one to check it)
    but says so first, so nobody is sent there on the map's word alone.
    """
    rows = [(t("fact.status"), t("status.needs_review"))] if location.status == "needs_review" else []
    rows.append((t("fact.category"), category))
    if travel:
        rows.append((t("fact.distance"), travel))
    if detail:
        rows.append((t("scout.members_minutes"), detail))
    rows.append((t("fact.cost"), cost_text(t, location)))
    facilities = facilities_text(t, location)
    if facilities:
        rows.append((t("fact.facilities"), facilities))
    schedule = "; ".join(
        part
        for part in [schedule_text(t, location)] + [f"{s.name}: {schedule_text(t, s)}" for s in services]
        if part and not part.endswith(": ")
    )
    if schedule:
        rows.append((t("fact.schedule"), schedule))
    contact = contact_text(location)
    if contact:
        rows.append((t("fact.contact"), contact))
    address = address_text(location)
    if address:
        rows.append((t("fact.address"), address))
    return Popup(location.name, rows, f"/entries/location/{location.id}", t("map.more"))


def build_map(
    session: Session,
    t: Translator,
    locations: list[Location],
    labels: dict[str, str],
    overlay: Overlay | None = None,
    form: MapForm | None = None,
) -> LeafletMap:
    """The map: area outlines and the places.

    With a `form` (the plain map) the places are not written into the map: map.js loads
    them per view from /api/v1/map/places with the form's filters. With an overlay
    (a reach or group answer, a bounded set) they are, one toggleable clustered layer
    per category.
    """
    overlay = overlay or Overlay()
    # Our own base tiles with their data version in the URL (kept a year by the browser; a new
    # base map gives new URLs). The version is kept in memory, so this costs no round trip.
    lmap = LeafletMap(layer_control=True, base=versioned_base_layer(session.connection()))
    areas = outlines(session.connection())
    for level in OUTLINE_LEVELS:
        # Coarse to fine; only the stadsdelen are switched on at first. The plain map fetches
        # them when switched on (all levels are ~230 KB), so the page stays small.
        if form is not None and areas[level]:
            lmap.add_outline_source(t(f"map.layer_{level}"), level, show=level == "stadsdeel")
        else:
            lmap.add_outlines(t(f"map.layer_{level}"), level, areas[level], show=level == "stadsdeel")
    if overlay.area is not None:
        lmap.add_area(overlay.area, overlay.area_name)
    if form is not None:
        lmap.add_places_source(t("map.places_layer"), form.params(t.lang))
        extent = places_extent(session)
        if extent is not None:
            west, south, east, north = extent
            lmap.fit([(south, west), (north, east)], padding=(10, 10))
        # The view of all places is no one's own place: its picture may be named in a URL. The
        # version is kept in memory (no round trip); with no base map loaded the picture is land.
        lmap.first_view_version = current_version(session.connection(), "base")
        return lmap
    held = services_at(session, [loc.id for loc in locations])
    layers: dict[str, list[dict[str, Any]]] = {}
    for location in locations:
        code = location.category or "other"
        label = labels.get(code, code)
        lat, lon = latlon(location)
        travel = overlay.travel.get(location.id, "")
        layers.setdefault(label, []).append(
            marker(
                lat,
                lon,
                tooltip=location.name + (f" · {travel}" if travel else ""),
                popup=venue_popup(
                    t, location, held.get(location.id, []), label, travel, overlay.detail.get(location.id, "")
                ),
            )
        )
    for label, markers in layers.items():
        lmap.add_markers(label, markers, cluster=True)
    lmap.add_start_points(overlay.starts)
    points = [latlon(loc) for loc in locations] + [(lat, lon) for lat, lon, _ in overlay.starts]
    if overlay.area is not None:
        west, south, east, north = overlay.area.bounds
        points += [(south, west), (north, east)]
    lmap.fit(points, padding=(20, 20))
    return lmap


def latlon(location: Location) -> tuple[float, float]:
    """(lat, lon) of a place."""
    point = to_shape(location.geom)
    return float(point.y), float(point.x)


def map_context(
    request: Request[Any, Any, Any],
    db: Session,
    form: MapForm,
    locations: list[Location] | None,
    overlay: Overlay | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """What map.html needs: the plain map (`locations` None: loaded per view) or reach and group results."""
    t = translator(request)
    labels = vocabulary_labels(db, t.lang, "category")
    overlay = overlay or Overlay()
    lmap = build_map(db, t, locations or [], labels, overlay, form if locations is None else None)
    return {
        "filters": form,
        "labels": labels,
        "support_labels": vocabulary_labels(db, t.lang, "support_function"),
        "locations": locations,
        "overlay": overlay,
        "map_html": lmap.document(t("map.title"), t.lang),
        "low_cost_max": f"{LOW_COST_EUR:.0f}",
        "address_text": address_text,
        "cost_text": lambda e: cost_text(t, e),
        "facilities_text": lambda e: facilities_text(t, e),
        **(scout_forms() | extra),
    }


def filters_from(data: dict[str, str], labels: dict[str, str], support: dict[str, str]) -> MapForm:
    """The map filters as given in a query string or carried by the reach and group forms (hidden fields)."""

    def flag(name: str) -> bool:
        return data.get(name, "") in ("true", "on", "1")

    category = data.get("category") or None
    function = data.get("support") or None
    open_at = (data.get("open_at") or "").strip()[:40]
    try:
        moment = parse_open_at(open_at) if open_at else None
    except InvalidInputError:
        moment, open_at = None, ""
    return MapForm(
        low_cost=flag("low_cost"),
        kitchen=flag("kitchen"),
        room=flag("room"),
        step_free=flag("step_free"),
        category=category if category in labels else None,
        support=function if function in support else None,
        open_at=open_at,
        moment=moment,
    )


@get("/kaart", sync_to_thread=True, include_in_schema=False)
def map_page(
    request: Request[Any, Any, Any],
    db: NamedDependency[Session],
    low_cost: FromQuery[str] = "",
    kitchen: FromQuery[str] = "",
    room: FromQuery[str] = "",
    step_free: FromQuery[str] = "",
    category: FromQuery[str] = "",
    support: FromQuery[str] = "",
    open_at: FromQuery[str] = "",
) -> Template:
    """The scouting map and its filter form; the places load per view (see `build_map`)."""
    t = translator(request)
    form = filters_from(
        {
            "low_cost": low_cost,
            "kitchen": kitchen,
            "room": room,
            "step_free": step_free,
            "category": category,
            "support": support,
            "open_at": open_at,
        },
        vocabulary_labels(db, t.lang, "category"),
        vocabulary_labels(db, t.lang, "support_function"),
    )
    return render(request, "map.html", **map_context(request, db, form, None))
