"""folium maps that work offline: Leaflet and markercluster served from web/static/vendor.

folium loads Leaflet, jQuery, Bootstrap and Font Awesome from CDNs by
default. Those are unreachable on closed networks, so every map here uses
the copies vendored under /static/vendor (Leaflet 1.9.4, Leaflet.markercluster
1.5.3, jQuery 3.7.1, which folium's popups need) and drops what our maps do not use.
"""

from __future__ import annotations

import json
from typing import Any

import folium
import shapely
from folium.plugins import MarkerCluster
from markupsafe import Markup, escape

VENDOR = "/static/vendor"
MAP_JS = [("leaflet", f"{VENDOR}/leaflet/leaflet.js"), ("jquery", f"{VENDOR}/jquery/jquery.min.js")]
MAP_CSS = [("leaflet_css", f"{VENDOR}/leaflet/leaflet.css")]
CLUSTER_JS = [("markerclusterjs", f"{VENDOR}/leaflet.markercluster/leaflet.markercluster.js")]
CLUSTER_CSS = [
    ("markerclustercss", f"{VENDOR}/leaflet.markercluster/MarkerCluster.css"),
    ("markerclusterdefaultcss", f"{VENDOR}/leaflet.markercluster/MarkerCluster.Default.css"),
]
#: The tile layer's attribution; ODbL requires it on every map.
OSM_ATTRIBUTION = (
    '© <a href="https://www.openstreetmap.org/copyright" target="_blank">OpenStreetMap</a> contributors'
)
AMSTERDAM_CENTRE = (52.3710, 4.9000)
#: Outline style per boundary level: coarse areas in darker, thicker lines.
OUTLINE_STYLE: dict[str, dict[str, Any]] = {
    "stadsdeel": {"color": "#5b2a86", "weight": 3, "dashArray": None},
    "wijk": {"color": "#7a4f00", "weight": 2, "dashArray": "6 4"},
    "buurt": {"color": "#555555", "weight": 1, "dashArray": "2 4"},
}
AREA_COLOUR = "#00597a"


def new_map(centre: tuple[float, float] = AMSTERDAM_CENTRE, zoom: int = 14) -> folium.Map:
    """A folium map with OpenStreetMap tiles, its attribution and local Leaflet assets."""
    fmap = folium.Map(location=list(centre), zoom_start=zoom, tiles=None, control_scale=True)
    fmap.default_js = MAP_JS
    fmap.default_css = MAP_CSS
    folium.TileLayer(
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        attr=OSM_ATTRIBUTION,
        name="OpenStreetMap",
        max_zoom=19,
        control=False,
    ).add_to(fmap)
    return fmap


def new_cluster(name: str) -> MarkerCluster:
    """A marker cluster layer with local assets."""
    cluster = MarkerCluster(name=name, show=True)  # type: ignore[no-untyped-call]
    cluster.default_js = CLUSTER_JS
    cluster.default_css = CLUSTER_CSS
    return cluster


def safe_html(value: Any) -> Markup:
    """HTML-escape a value for a popup, also ` and $ (folium puts popups in a JS template literal)."""
    # Safe: the string was escaped on the line itself; only two more characters are replaced.
    return Markup(  # noqa: S704
        str(escape("" if value is None else value)).replace("`", "&#96;").replace("$", "&#36;")
    )


def popup(html: str, max_width: int = 320) -> folium.Popup:
    """A popup holding HTML we built and escaped ourselves."""
    return folium.Popup(html.replace("`", "&#96;").replace("${", "&#36;{"), max_width=max_width)


def map_document(fmap: folium.Map) -> str:
    """The whole map as an HTML document, for an <iframe srcdoc> (keeps folium's CSS off our page)."""
    html: str = fmap.get_root().render()
    return html.replace("user-scalable=no", "user-scalable=yes").replace("maximum-scale=1.0, ", "")


def add_outlines(
    fmap: folium.Map, name: str, level: str, areas: list[dict[str, str | None]], *, show: bool
) -> None:
    """One toggleable layer of area outlines; hovering an area shows its (escaped) name."""
    if not areas:
        return
    features = [
        {
            "type": "Feature",
            "geometry": json.loads(str(area["geometry"])),
            # GeoJsonTooltip puts values into innerHTML: escaped here, they read as plain text.
            "properties": {"label": str(safe_html(area["name"] or area["code"]))},
        }
        for area in areas
    ]
    style = OUTLINE_STYLE[level]
    folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name=name,
        show=show,
        style_function=lambda _f: {**style, "fill": True, "fillOpacity": 0.0},
        highlight_function=lambda _f: {"weight": int(style["weight"]) + 2},
        tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False, sticky=True),
        smooth_factor=1.0,
    ).add_to(fmap)


def add_area(fmap: folium.Map, geometry: Any, name: str) -> None:
    """A reachable area (shapely, lon/lat) as a shaded layer of its own."""
    folium.GeoJson(
        {"type": "Feature", "geometry": shapely.geometry.mapping(geometry), "properties": {}},
        name=str(safe_html(name)),
        style_function=lambda _f: {
            "color": AREA_COLOUR,
            "weight": 2,
            "fillColor": AREA_COLOUR,
            "fillOpacity": 0.15,
        },
        interactive=False,
    ).add_to(fmap)


def add_start_points(fmap: folium.Map, points: list[tuple[float, float, str]]) -> None:
    """Starting points (a search address, group members) as numbered circles, never named by address."""
    for number, (lat, lon, label) in enumerate(points):
        # Members often live close together: alternate sides so their labels do not cover each other.
        direction = "left" if number % 2 else "right"
        folium.CircleMarker(
            [lat, lon],
            radius=9,
            color="#b00020",
            weight=3,
            fill=True,
            fill_color="#ffffff",
            fill_opacity=1.0,
            tooltip=folium.Tooltip(str(safe_html(label)), permanent=True, direction=direction),
        ).add_to(fmap)
