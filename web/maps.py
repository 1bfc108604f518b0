"""Leaflet maps as data: every map is an HTML document that holds JSON and loads /static/map.js.

Until December 2026 the maps were folium maps. folium writes every popup,
tooltip and layer name into generated inline JavaScript (inside template
literals, where `\\x3c` becomes `<` and `${...}` runs), so one escaping
mistake in any caller was a stored XSS for every visitor, and its inline
script cannot run under a `script-src 'self'` Content-Security-Policy.
Here nothing from the directory is ever written as HTML or JavaScript:

* Python collects what a map shows (points, texts, outlines) as plain data;
* `json_for_html` is the one function that puts that data into the page, as
  a `<script type="application/json">` block (data, never run);
* `web/static/map.js` draws it with Leaflet and sets every text with
  `textContent`; the only Leaflet API that takes HTML (layer names in the
  layer control) gets its names escaped there.

The document goes into `<iframe sandbox="allow-scripts ..." srcdoc=...>`
(see `MAP_SANDBOX`): without `allow-same-origin` a script in it could not
read the app's pages or cookies even if one ever slipped in. Leaflet and
Leaflet.markercluster are the copies vendored under /static/vendor, so the
maps work on closed networks.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import shapely
from markupsafe import escape

from directory.settings import get_settings
from geo.basemap.view import first_view_choices
from web.basemap import base_layer
from web.map_assets import MAP_CSS, MAP_JS, versioned

#: What a map iframe may do: run our scripts, open the OpenStreetMap copyright link in a new tab,
#: and follow a popup's "more about this place" link in the whole window when a person clicks it.
#: Never `allow-same-origin`: the frame stays an opaque origin without the app's cookies or pages.
MAP_SANDBOX = "allow-scripts allow-popups allow-top-navigation-by-user-activation"
#: Where the scouting map loads its places for a view (web/api/map.py).
PLACES_URL = "/api/v1/map/places"
#: A map's first view drawn by the server (web/api/tiles.py): zoom, centre, size, base version.
FIRST_VIEW_URL = "/tiles/base-view/{z}/{x}/{y}/{w}x{h}.svg?v={v}"
#: Where it fetches an outline level when that layer is switched on (web/api/map.py).
OUTLINES_URL = "/api/v1/map/outlines"
AMSTERDAM_CENTRE = (52.3710, 4.9000)
#: Outline style per boundary level: coarse areas in darker, thicker lines.
OUTLINE_STYLE: dict[str, dict[str, Any]] = {
    "stadsdeel": {"color": "#5b2a86", "weight": 3, "dashArray": None},
    "wijk": {"color": "#7a4f00", "weight": 2, "dashArray": "6 4"},
    "buurt": {"color": "#555555", "weight": 1, "dashArray": "2 4"},
}
AREA_COLOUR = "#00597a"
START_STYLE = {
    "radius": 9,
    "color": "#b00020",
    "weight": 3,
    "fill": True,
    "fillColor": "#ffffff",
    "fillOpacity": 1.0,
}


def json_for_html(data: Any) -> str:
    """JSON that is safe inside any HTML context: no `<`, `>`, `&`, and no raw U+2028/U+2029.

    The one way map data enters a page. `ensure_ascii` writes every non-ASCII
    character (U+2028 and U+2029 included) as `\\uXXXX`; `<`, `>` and `&` become
    escapes too, so neither `</script>` nor `<!--` nor an entity can appear.
    Backslashes, quotes, backticks and `${` stay JSON string content: the
    browser reads them with `JSON.parse`, never as script.
    """
    text = json.dumps(data, ensure_ascii=True, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@dataclass
class Popup:
    """A place's popup as text: a title, label/value rows and an optional link to its page."""

    title: str
    rows: list[tuple[str, str]] = field(default_factory=list)
    link: str | None = None  # a path on this site, e.g. /entries/location/<id>
    link_text: str = ""

    def as_data(self) -> dict[str, Any]:
        """The popup as JSON-able data for map.js."""
        return {
            "title": self.title,
            "rows": [[str(k), str(v)] for k, v in self.rows],
            "link": self.link,
            "link_text": self.link_text,
        }


@dataclass
class LeafletMap:
    """A map under construction; `document` turns it into the iframe's HTML."""

    centre: tuple[float, float] = AMSTERDAM_CENTRE
    zoom: int = 14
    layer_control: bool = False
    layers: list[dict[str, Any]] = field(default_factory=list)
    bounds: list[list[float]] | None = None
    padding: tuple[int, int] = (20, 20)
    #: The base map (web/basemap.py); None: as `WIJKGRAM_TILE_URL` says, our own tiles by default.
    base: dict[str, Any] | None = None
    #: The base map's data version when the frame should show its first view as a picture drawn
    #: by the server until MapLibre's first frame covers it (only with our own tiles; the view is
    #: in the picture's URL, so only for views that are not a person's place: the plain /kaart).
    first_view_version: int | None = None

    def add_outlines(self, name: str, level: str, areas: list[dict[str, str | None]], *, show: bool) -> None:
        """One toggleable layer of area outlines; hovering an area shows its name."""
        if not areas:
            return
        features = [
            {
                "type": "Feature",
                "geometry": json.loads(str(area["geometry"])),
                "properties": {"label": str(area["name"] or area["code"] or "")},
            }
            for area in areas
        ]
        self.layers.append(
            {
                "type": "outlines",
                "name": name,
                "show": show,
                "style": {**OUTLINE_STYLE[level], "fill": True, "fillOpacity": 0.0},
                "features": {"type": "FeatureCollection", "features": features},
            }
        )

    def add_outline_source(self, name: str, level: str, *, show: bool) -> None:
        """One toggleable layer of area outlines that map.js fetches from OUTLINES_URL when it is shown."""
        self.layers.append(
            {
                "type": "outlines",
                "name": name,
                "show": show,
                "style": {**OUTLINE_STYLE[level], "fill": True, "fillOpacity": 0.0},
                "url": f"{OUTLINES_URL}/{level}",
            }
        )

    def add_area(self, geometry: Any, name: str) -> None:
        """A reachable area (shapely, lon/lat) as a shaded layer of its own."""
        self.layers.append(
            {
                "type": "area",
                "name": name,
                "style": {"color": AREA_COLOUR, "weight": 2, "fillColor": AREA_COLOUR, "fillOpacity": 0.15},
                "geometry": shapely.geometry.mapping(geometry),
            }
        )

    def add_markers(self, name: str, markers: list[dict[str, Any]], *, cluster: bool = False) -> None:
        """A layer of markers (made with `marker`); clustered layers are toggleable in the control."""
        self.layers.append({"type": "markers", "name": name, "cluster": cluster, "markers": markers})

    def add_places_source(self, name: str, params: dict[str, Any]) -> None:
        """Places loaded per view from /api/v1/map/places with these filters (map.js adds box and zoom)."""
        self.layers.append({"type": "places", "name": name, "url": PLACES_URL, "params": params})

    def add_start_points(self, points: list[tuple[float, float, str]]) -> None:
        """Starting points (a search address, group members) as numbered circles, never named by address."""
        self.layers.append(
            {
                "type": "starts",
                "style": START_STYLE,
                # Members often live close together: alternate sides so their labels do not cover each other.
                "points": [
                    {"lat": lat, "lon": lon, "label": label, "direction": "left" if number % 2 else "right"}
                    for number, (lat, lon, label) in enumerate(points)
                ],
            }
        )

    def fit(self, points: list[tuple[float, float]], padding: tuple[int, int] = (20, 20)) -> None:
        """Show all these (lat, lon) points; nothing changes for fewer than two."""
        if len(points) > 1:
            lats, lons = [p[0] for p in points], [p[1] for p in points]
            self.bounds = [[min(lats), min(lons)], [max(lats), max(lons)]]
            self.padding = padding

    def as_data(self) -> dict[str, Any]:
        """Everything map.js needs, as JSON-able data."""
        return {
            "centre": list(self.centre),
            "zoom": self.zoom,
            "base": self.base or base_layer(get_settings().web.tile_url),
            "layer_control": self.layer_control,
            "layers": self.layers,
            "bounds": self.bounds,
            "padding": list(self.padding),
        }

    def first_view(self) -> str:
        """The `<picture>` of the first view for the frame's size (media queries), or '' for none.

        The browser paints it as soon as it arrives, long before MapLibre's script, worker and
        tiles have drawn a frame (docs/web.md, "First paint of `/kaart`"); map.js checks that it
        shows the view Leaflet opened with, places it to the pixel and removes it when MapLibre's
        first complete frame is drawn, or when the map moves first.
        """
        # Only over our own tiles: a third party's base map (WIJKGRAM_TILE_URL) is not ours to draw.
        if self.first_view_version is None or get_settings().web.tile_url.strip():
            return ""
        bounds = None
        if self.bounds is not None:
            (south, west), (north, east) = self.bounds
            bounds = ((south, west), (north, east))
        choices = first_view_choices(bounds, self.padding, self.centre, self.zoom)
        if not choices:
            return ""
        sources = "".join(
            f'<source media="{c.media}" srcset="'
            + FIRST_VIEW_URL.format(
                z=c.view.zoom,
                x=c.view.x,
                y=c.view.y,
                w=c.view.width,
                h=c.view.height,
                v=self.first_view_version,
            )
            + '">'
            for c in choices
        )
        # No src of its own: a frame that fits no choice shows no picture.
        return (
            f'<picture class="first-view">{sources}'
            '<img alt="" elementtiming="first-view" fetchpriority="high"></picture>'
        )

    def document(self, title: str, lang: str) -> str:
        """The whole map as an HTML document for `<iframe srcdoc>`, titled and in the page's language."""
        css = "".join(f'<link rel="stylesheet" href="{versioned(href)}">' for href in MAP_CSS)
        js = "".join(f'<script src="{versioned(src)}"></script>' for src in MAP_JS)
        return (
            f'<!DOCTYPE html><html lang="{escape(lang)}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title>{css}</head>"
            f'<body><div id="map">{self.first_view()}</div>'
            f'<script type="application/json" id="map-data">{json_for_html(self.as_data())}</script>'
            f"{js}</body></html>"
        )


def marker(
    lat: float,
    lon: float,
    *,
    tooltip: str | None = None,
    popup: Popup | None = None,
    permanent: bool = False,
) -> dict[str, Any]:
    """One marker as data: its texts are plain text, shown by map.js with textContent."""
    return {
        "lat": float(lat),
        "lon": float(lon),
        "tooltip": tooltip,
        "permanent": permanent,
        "popup": popup.as_data() if popup else None,
    }
