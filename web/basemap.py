"""The base map every map draws: wijkgram's own vector tiles with a MapLibre style, or an opted-in tile URL.

By default the base map comes from `/tiles/base/{z}/{x}/{y}.mvt` (web/api/tiles.py,
layers in docs/web.md "Base layers") and is drawn by MapLibre GL JS inside the
Leaflet map (through @maplibre/maplibre-gl-leaflet), so no request leaves the
server. The style has no `glyphs` URL: MapLibre (5.11 and later) then draws the
street names with the browser's own sans-serif font, so no font files are fetched.
`WIJKGRAM_TILE_URL` swaps in a third party's tiles: a URL ending in `.mvt` or `.pbf`
is drawn with this same style, any other (`.../{z}/{x}/{y}.png`) as raster tiles.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

#: The base tiles of this server (unversioned: revalidated with their ETag; pages that
#: can read the data version, like /kaart, pass `web.api.tiles.versioned_base_layer` instead).
OWN_TILES = "/tiles/base/{z}/{x}/{y}.mvt"
#: The zoom up to which base tiles hold more detail; MapLibre enlarges them beyond it.
TILE_MAX_ZOOM = 16
#: ODbL asks for this on every map. Leaflet shows it as HTML (our constant, never data).
OSM_ATTRIBUTION = (
    '© <a href="https://www.openstreetmap.org/copyright" target="_blank">OpenStreetMap</a> contributors'
)
FONT = ["sans-serif"]

LAND = "#f4f1ea"
WATER = "#a9cfe0"
GREEN = "#cfe6b4"
BUILDING = "#ded6cc"
MAJOR = "#f9d28f"
CASING = "#b9a58d"


def _width(*stops: float) -> list[Any]:
    """A line width growing with the zoom: pairs of (zoom, width)."""
    return ["interpolate", ["exponential", 1.6], ["zoom"], *stops]


def _street(name: str, classes: list[str], colour: str, widths: list[float], minzoom: int) -> dict[str, Any]:
    return {
        "id": name,
        "type": "line",
        "source": "base",
        "source-layer": "streets",
        "minzoom": minzoom,
        "filter": ["in", ["get", "class"], ["literal", classes]],
        "layout": {"line-cap": "round", "line-join": "round"},
        "paint": {"line-color": colour, "line-width": _width(*widths)},
    }


def base_style(tile_url: str) -> dict[str, Any]:
    """The MapLibre style (version 8) of the base map: land, water, green, buildings, streets, names.

    Street names follow the streets from zoom 14 (major streets from 13), in dark grey
    with a white halo so they read on every fill; place names from the tiles' `places`.
    """
    streets_minor = ["minor", "service"]
    return {
        "version": 8,
        "sources": {
            "base": {"type": "vector", "tiles": [tile_url], "minzoom": 0, "maxzoom": TILE_MAX_ZOOM},
        },
        "layers": [
            {"id": "land", "type": "background", "paint": {"background-color": LAND}},
            {
                "id": "green",
                "type": "fill",
                "source": "base",
                "source-layer": "green",
                "paint": {"fill-color": GREEN},
            },
            {
                "id": "water",
                "type": "fill",
                "source": "base",
                "source-layer": "water",
                "paint": {"fill-color": WATER},
            },
            {
                "id": "waterways",
                "type": "line",
                "source": "base",
                "source-layer": "waterways",
                "paint": {"line-color": WATER, "line-width": _width(12, 1, 18, 8)},
            },
            {
                "id": "buildings",
                "type": "fill",
                "source": "base",
                "source-layer": "buildings",
                "minzoom": 14,
                "paint": {"fill-color": BUILDING, "fill-outline-color": "#c8bcae"},
            },
            {
                "id": "railways",
                "type": "line",
                "source": "base",
                "source-layer": "railways",
                "paint": {"line-color": "#9a9a9a", "line-width": _width(11, 0.6, 18, 2.5)},
            },
            _street("paths", ["path"], "#ffffff", [14, 0.6, 18, 3], 14),
            _street("minor-casing", streets_minor, CASING, [12, 0.8, 18, 15], 12),
            _street("major-casing", ["major"], CASING, [10, 1.2, 18, 22], 0),
            _street("minor", streets_minor, "#ffffff", [12, 0.4, 18, 12], 12),
            _street("major", ["major"], MAJOR, [10, 0.8, 18, 18], 0),
            {
                "id": "street-names",
                "type": "symbol",
                "source": "base",
                "source-layer": "streets",
                "minzoom": 13,
                "filter": [
                    "all",
                    ["has", "name"],
                    ["any", ["==", ["get", "class"], "major"], [">=", ["zoom"], 14]],
                ],
                "layout": {
                    "symbol-placement": "line",
                    "text-field": ["get", "name"],
                    "text-font": FONT,
                    "text-size": ["interpolate", ["linear"], ["zoom"], 13, 11, 17, 15],
                    "text-max-angle": 30,
                    "symbol-spacing": 300,
                },
                "paint": {"text-color": "#2b2b2b", "text-halo-color": "#ffffff", "text-halo-width": 1.6},
            },
            {
                "id": "place-names",
                "type": "symbol",
                "source": "base",
                "source-layer": "places",
                "layout": {
                    "text-field": ["get", "name"],
                    "text-font": FONT,
                    "text-size": ["match", ["get", "rank"], 1, 18, 2, 16, 3, 15, 4, 14, 13],
                    "text-max-width": 8,
                },
                "paint": {"text-color": "#4a3b55", "text-halo-color": "#ffffff", "text-halo-width": 2},
            },
        ],
    }


def base_layer(setting: str, own_tiles: str = OWN_TILES) -> dict[str, Any]:
    """What map.js draws under a map: our vector tiles, or the tile URL of `WIJKGRAM_TILE_URL`."""
    url = setting.strip()
    if not url:
        return {"kind": "vector", "style": base_style(own_tiles), "attribution": OSM_ATTRIBUTION}
    if urlsplit(url).path.endswith((".mvt", ".pbf")):
        return {"kind": "vector", "style": base_style(url), "attribution": OSM_ATTRIBUTION}
    return {"kind": "raster", "url": url, "attribution": OSM_ATTRIBUTION, "maxZoom": 19}


def third_party_origin(setting: str) -> str | None:
    """The origin of `WIJKGRAM_TILE_URL` (for the Content-Security-Policy), or None when unset."""
    url = setting.strip()
    if not url:
        return None
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else None
