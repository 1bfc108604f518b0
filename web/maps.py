"""folium maps that work offline: Leaflet and markercluster served from web/static/vendor.

folium loads Leaflet, jQuery, Bootstrap and Font Awesome from CDNs by
default. Those are unreachable on closed networks, so every map here uses
the copies vendored under /static/vendor (Leaflet 1.9.4, Leaflet.markercluster
1.5.3, jQuery 3.7.1, which folium's popups need) and drops what our maps do not use.
"""

from __future__ import annotations

from typing import Any

import folium
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
