"""One wijkgram picture for the page and the API: entries from directory, geometry from the layout, texts.

`make_picture` asks directory for the entries (travel times over the street
network for the chosen mode, as /steun does), lays them out with
`directory.wijkgram.layout`, and keeps what the SVG template, the page's text
equivalent and the JSON answer need. `share_link` writes the link that reopens
the picture: entry ids, travel settings and the origin snapped to about 300 m,
never the address or the exact point.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from litestar.datastructures import State
from sqlalchemy.orm import Session

from directory.points import coarse_point
from directory.services.support import NEEDS
from directory.services.taxonomy import vocabulary_labels
from directory.services.wijkgram import OTHER_SECTOR, WijkgramEntries, WijkgramEntry, WijkgramQuery, gather
from directory.wijkgram.layout import LEGEND, Item, Layout, layout, make_rings, make_sectors, point
from geo.boundaries import boundaries_at
from geo.reach import MAX_MINUTES
from web.i18n import Translator
from web.travel import MODE_PROFILES, app_routing, profile_for, street_travel

PAGE_PATH = "/wijkgram"
#: At most this many removed ids in one picture's state.
MAX_EXCLUDE = 200
SECTOR_COLORS = ("#E69F00", "#56B4E9", "#009E73", "#C9B400", "#0072B2", "#D55E00", "#CC79A7", "#777777")


@dataclass(frozen=True)
class Settings:
    """What a picture is drawn from (no address: a point, exact or already coarse)."""

    lat: float
    lon: float
    mode: str = "walk"
    minutes: int = 15
    needs: tuple[str, ...] = NEEDS
    entries: tuple[uuid.UUID, ...] | None = None
    far: bool = False
    exclude: tuple[uuid.UUID, ...] = ()
    #: True when the point came from a link (snapped to the grid), so times are from near the address.
    from_link: bool = False


@dataclass
class Picture:
    """A laid-out wijkgram with its entries and texts."""

    settings: Settings
    found: WijkgramEntries
    layout: Layout
    sector_labels: dict[str, str]
    ring_labels: list[str]

    def entry(self, key: str) -> WijkgramEntry:
        """The entry behind a placed dot."""
        return self._by_key[key]

    def __post_init__(self) -> None:
        self._by_key = {str(e.id): e for e in self.found.entries}

    def grouped(self) -> list[tuple[str, list[tuple[str, list[WijkgramEntry]]]]]:
        """The text equivalent: ring label -> [(sector label, entries)], inside out, empty ones left out."""
        groups = []
        for ring in self.layout.rings:
            sectors = []
            for sector in self.layout.sectors:
                here = [e for e in self.found.entries if e.ring == ring.index and e.sector == sector.code]
                if here:
                    sectors.append((sector.label, sorted(here, key=lambda e: (e.minutes or 0, e.name))))
            if sectors:
                groups.append((ring.label, sectors))
        return groups

    def also_text(self, entry: WijkgramEntry) -> str:
        """The entry's other support functions in words ('Taal, Geld en budget')."""
        return ", ".join(self.sector_labels.get(code, code) for code in entry.also)

    def sector_lines(self) -> list[tuple[float, float, float, float]]:
        """The lines between the sectors, from the household mark to the outer edge."""
        lay = self.layout
        outer = lay.rings[-1].outer
        lines = []
        for sector in lay.sectors:
            x1, y1 = point(sector.start, lay.household_radius)
            x2, y2 = point(sector.start, outer)
            lines.append((round(x1, 1), round(y1, 1), round(x2, 1), round(y2, 1)))
        return lines

    def color(self, sector: str) -> str:
        """The sector's colour (Okabe-Ito: told apart with colour-blindness too)."""
        codes = [s.code for s in self.layout.sectors]
        return SECTOR_COLORS[codes.index(sector) % len(SECTOR_COLORS)] if sector in codes else "#999999"

    def link(self) -> str:
        """The shareable link (see `share_link`)."""
        return share_link(self.settings, self.found)


def share_link(settings: Settings, found: WijkgramEntries) -> str:
    """`/wijkgram?...` with the entry ids shown, the travel settings and the origin snapped to ~300 m.

    The far ring's entries come from the `far` setting, so only the others are listed;
    removed far entries are listed under `x` so they stay away.
    """
    lat, lon = coarse_point(settings.lat, settings.lon)
    params: list[tuple[str, str]] = [
        ("o", f"{lat:.5f},{lon:.5f}"),
        ("mode", settings.mode),
        ("minutes", str(settings.minutes)),
        ("needs", ",".join(settings.needs)),
        ("e", ",".join(str(e.id) for e in found.entries if not e.far)),
    ]
    if settings.far:
        params.append(("far", "1"))
        if settings.exclude:
            params.append(("x", ",".join(str(i) for i in settings.exclude)))
    return f"{PAGE_PATH}?{urlencode(params, safe=',')}"


def ring_labels(t: Translator, bounds: list[int]) -> list[str]:
    """Names of the rings, inside out: the inner circle, one per travel band, "verder weg"."""
    return [
        t("wijkgram.ring_home"),
        *(t("wijkgram.ring_minutes", minutes=b) for b in bounds),
        t("wijkgram.ring_far"),
    ]


def home_buurt(session: Session, lat: float, lon: float) -> str | None:
    """The buurt code of the point (None when no boundaries are imported or it lies in none)."""
    buurt = boundaries_at(session.connection(), lat, lon).get("buurt")
    return buurt["code"] if buurt else None


def make_picture(state: State, session: Session, settings: Settings, t: Translator) -> Picture:
    """Gather the entries for these settings and lay them out, with labels in `t`'s language."""
    query = WijkgramQuery(
        settings.lat,
        settings.lon,
        settings.mode,
        settings.minutes,
        settings.needs,
        settings.entries,
        settings.far,
        settings.exclude,
        home_buurt(session, settings.lat, settings.lon) if settings.far else None,
    )
    found = gather(
        session,
        query,
        travel=street_travel(app_routing(state), settings.mode),
        crow_fly_speed_ms=profile_for(settings.mode).speed_ms,
        max_minutes=MAX_MINUTES,
    )
    labels = vocabulary_labels(session, t.lang, "support_function")
    labels[OTHER_SECTOR] = t("wijkgram.sector_other")
    rings = ring_labels(t, found.bounds)
    drawn = layout(
        [Item(str(e.id), e.name, e.ring, e.sector) for e in found.entries],
        make_rings(rings),
        make_sectors([(code, labels.get(code, code)) for code in found.sectors]),
    )
    return Picture(settings, found, drawn, labels, rings)


def reach_words(t: Translator, picture: Picture, entry: WijkgramEntry) -> str:
    """How the household gets there: '7 min lopen', 'Komt bij je thuis · Telefonisch', 'verder dan 30 min'."""
    if entry.comes_to_you:
        modes = [t(f"fact.{m}") for m in (entry.service.delivery_modes if entry.service else []) or []]
        return " · ".join(modes) if modes else t("fact.comes_to_you")
    if entry.minutes is None:
        return t("wijkgram.beyond", minutes=picture.found.wide_minutes)
    text = t("wijkgram.minutes", minutes=entry.minutes, mode=t(f"mode.{picture.settings.mode}"))
    return text + (" " + t("travel.crow_fly_mark") if entry.method == "crow_fly" else "")


def _angle(radians: float) -> float:
    return round(math.degrees(radians), 3)


def picture_json(picture: Picture, t: Translator) -> dict[str, Any]:
    """The layout as the API answers it: canvas, rings, sectors, dots, free slots, and the link."""
    lay, found, settings = picture.layout, picture.found, picture.settings
    dots = []
    for placed in lay.placed:
        entry = picture.entry(placed.item.key)
        label = placed.label
        dots.append(
            {
                "id": str(entry.id),
                "kind": entry.kind,
                "name": entry.name,
                "location_id": str(entry.location.id) if entry.location else None,
                "location_name": entry.location.name if entry.location else None,
                "ring": entry.ring,
                "sector": entry.sector,
                "also": entry.also,
                "minutes": entry.minutes,
                "method": entry.method,
                "comes_to_you": entry.comes_to_you,
                "far": entry.far,
                "reach": reach_words(t, picture, entry),
                "x": placed.x,
                "y": placed.y,
                "r": placed.radius,
                "number": placed.number,
                "label": None
                if label is None
                else {
                    "text": label.text,
                    "x": round(label.x, 1),
                    "y": round(label.y, 1),
                    "anchor": label.anchor,
                    "box": [round(v, 1) for v in (label.box.x0, label.box.y0, label.box.x1, label.box.y1)],
                },
            }
        )
    return {
        "width": lay.width,
        "height": lay.height,
        "center": {"x": lay.center_x, "y": lay.center_y},
        "profile": MODE_PROFILES[settings.mode],
        "minutes": settings.minutes,
        "needs": list(settings.needs),
        "far": settings.far,
        "rings": [
            {
                "index": r.index,
                "label": r.label,
                "inner": round(r.inner, 1),
                "outer": round(r.outer, 1),
                "up_to_minutes": found.bounds[r.index - 1] if 1 <= r.index <= len(found.bounds) else None,
            }
            for r in lay.rings
        ],
        "sectors": [
            {"code": s.code, "label": s.label, "start_deg": _angle(s.start), "end_deg": _angle(s.end)}
            for s in lay.sectors
        ],
        "dots": dots,
        "slots": [
            {
                "kind": s.kind,
                "ring": s.ring,
                "sector": s.sector,
                "x": s.x,
                "y": s.y,
                "anchor": s.anchor,
                "text_x": s.text_x,
                "text_y": s.text_y,
                "max_width": round(s.max_width, 1),
            }
            for s in lay.slots
        ],
        "list_slots": [{"x": s.x, "y": s.y, "max_width": s.max_width} for s in lay.list_slots],
        "missing": [str(i) for i in found.missing],
        "left_out": found.left_out,
        "crow_fly": found.crow_fly,
        "network_available": found.network_available,
        "origin_on_network": found.origin_on_network,
        "link": picture.link(),
    }


def svg_context(picture: Picture, t: Translator, gettext: Any) -> dict[str, Any]:
    """What the SVG template needs besides the picture: texts and the legend's box."""
    return {
        "picture": picture,
        "lang": t.lang,
        "gettext": gettext,
        "subtitle": subtitle(picture, t),
        "legend": LEGEND,
        "reach": lambda entry: reach_words(t, picture, entry),
    }


def subtitle(picture: Picture, t: Translator) -> str:
    """'15 minuten lopen · 12 plekken en diensten' (and when the times are estimates)."""
    settings = picture.settings
    text = t(
        "wijkgram.subtitle",
        minutes=settings.minutes,
        mode=t(f"mode.{settings.mode}"),
        count=len(picture.found.entries),
    )
    if picture.found.crow_fly:
        text += " · " + t("wijkgram.crow_fly_short")
    if settings.from_link:
        text += " · " + t("wijkgram.from_link_short")
    return text
