"""Kaart: the scouting map for kwartiermakers, one layer per category, with filters."""

from __future__ import annotations

from typing import Any

import folium
from geoalchemy2.shape import to_shape
from litestar import Request, get
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Template
from sqlalchemy.orm import Session

from directory.models import Location, Service
from web.finder import LOW_COST_EUR, VenueFilters, find_venues, services_at
from web.i18n import Translator
from web.maps import map_document, new_cluster, new_map, popup, safe_html
from web.pages.common import render, translator
from web.pages.labels import vocabulary_labels
from web.present import address_text, contact_text, cost_text, facilities_text, schedule_text

Flag = FromQuery[bool]


def venue_popup(t: Translator, location: Location, services: list[Service], category: str) -> str:
    """The popup of one place: every value escaped, so names like <script> show as text."""
    e = safe_html
    rows = [(t("fact.category"), category), (t("fact.cost"), cost_text(t, location))]
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
    body = "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in rows)
    link = f"/entries/location/{location.id}"
    return (
        f'<div class="popup"><h3>{e(location.name)}</h3><dl>{body}</dl>'
        f'<a href="{e(link)}" target="_top">{e(t("map.more"))}</a></div>'
    )


def build_map(
    session: Session, t: Translator, locations: list[Location], labels: dict[str, str]
) -> folium.Map:
    """The folium map: one toggleable, clustered layer per category."""
    fmap = new_map()
    held = services_at(session, [loc.id for loc in locations])
    layers: dict[str, Any] = {}
    for location in locations:
        code = location.category or "other"
        label = labels.get(code, code)
        if code not in layers:
            layers[code] = new_cluster(label).add_to(fmap)
        lat, lon = _latlon(location)
        folium.Marker(
            [lat, lon],
            popup=popup(venue_popup(t, location, held.get(location.id, []), label)),
            tooltip=folium.Tooltip(str(safe_html(location.name))),
        ).add_to(layers[code])
    if locations:
        lats = [_latlon(loc)[0] for loc in locations]
        lons = [_latlon(loc)[1] for loc in locations]
        if len(locations) > 1:
            fmap.fit_bounds([[min(lats), min(lons)], [max(lats), max(lons)]], padding=(20, 20))
    folium.LayerControl(collapsed=True).add_to(fmap)
    return fmap


def _latlon(location: Location) -> tuple[float, float]:
    point = to_shape(location.geom)
    return float(point.y), float(point.x)


@get("/kaart", sync_to_thread=True, include_in_schema=False)
def map_page(
    request: Request[Any, Any, Any],
    db: NamedDependency[Session],
    low_cost: Flag = False,
    kitchen: Flag = False,
    room: Flag = False,
    step_free: Flag = False,
    evening: Flag = False,
    category: FromQuery[str | None] = None,
) -> Template:
    """The scouting map with its filter form and a list of the same places (for phones and screen readers)."""
    t = translator(request)
    labels = vocabulary_labels(db, t.lang, "category")
    filters = VenueFilters(
        low_cost=low_cost,
        kitchen=kitchen,
        room=room,
        step_free=step_free,
        weekday_evening=evening,
        category=category if category in labels else None,
    )
    locations = find_venues(db, filters)
    fmap = build_map(db, t, locations, labels)
    return render(
        request,
        "map.html",
        filters=filters,
        labels=labels,
        locations=locations,
        map_html=map_document(fmap),
        low_cost_max=f"{LOW_COST_EUR:.0f}",
        address_text=address_text,
        cost_text=lambda e: cost_text(t, e),
        facilities_text=lambda e: facilities_text(t, e),
    )
