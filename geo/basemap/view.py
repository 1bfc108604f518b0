"""A map's first view as one SVG picture, drawn on the server from the base map tiles' own data and style.

`/kaart` shows this picture under MapLibre's canvas while MapLibre starts (its
script, its worker, the tiles, the first frame in software WebGL: about a second
cold on a laptop without a GPU), and MapLibre's first complete frame covers it
(web/static/map.js; measured in bench/map_paint.py, docs/web.md "First paint").
So it must be the *same* map at the same place:

* the rows are those of the base tile at MapLibre's zoom (a Leaflet zoom z is
  MapLibre's z - 1: 512-pixel tiles), chosen by the same per-layer rules
  (`geo.basemap.tiles.LAYERS`), simplified and thinned as the tile does;
* each style layer of `web.basemap.base_style` is drawn in its order with its
  own colours and widths, read from the style (its filters, `interpolate` and
  `match` expressions are evaluated here at that zoom), so the two cannot drift;
* names are written in the browser's sans-serif, the font MapLibre draws its
  names with when a style has no glyphs: place names centred on their point,
  street names straight along their street (MapLibre bends them along it);
  a name that would touch another is left out, as MapLibre does.

A view is a Leaflet zoom, the view's centre in that zoom's world pixels and a
picture size from `SIZES`; the picture is centred on the centre. Coordinates
are whole pixels, relative (`ST_AsSVG(..., 1, 0)` after snapping to the pixel
grid), which keeps a city view at zoom 11-12 to some tens of KB gzipped.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import shapely
from markupsafe import escape
from shapely.geometry import LineString, box
from sqlalchemy import Connection, text

from geo.basemap.handout import HALF_WORLD, Frame, along, clean_name, street_lines
from geo.basemap.load import SCHEMA
from geo.basemap.tiles import FULL_DETAIL_ZOOM, LAYERS, BaseLayer, basemap_loaded

#: Picture sizes (width, height in CSS pixels) a view may have: a map frame takes the
#: smallest that covers it (web/maps.py), so the server draws and keeps a few per view.
WIDTHS = (480, 960, 1440, 1920, 2560)
HEIGHTS = (600, 1000, 1400)
SIZES = frozenset((w, h) for w in WIDTHS for h in HEIGHTS)
#: Leaflet zooms a first view may have (a city at 10-12, a neighbourhood at 15-16).
MIN_ZOOM, MAX_ZOOM = 8, 19
#: Lines are drawn this far past the picture's edge, so no round cap shows at the edge.
EDGE_PX = 12
#: Share of the font size a character takes on average (estimating a name's box).
PLACE_CHAR_EM = 0.6
SVG_MEDIA_TYPE = "image/svg+xml"


@dataclass(frozen=True)
class View:
    """A first view: Leaflet zoom, centre in that zoom's world pixels, picture size in CSS pixels."""

    zoom: int
    x: int
    y: int
    width: int
    height: int

    @property
    def style_zoom(self) -> int:
        """MapLibre's zoom for this Leaflet zoom (its tiles are 512 pixels, Leaflet's 256)."""
        return self.zoom - 1

    @property
    def scale(self) -> float:
        """CSS pixels per metre of Web Mercator."""
        return float(256 * 2**self.zoom / (2 * HALF_WORLD))

    def frame(self) -> Frame:
        """The picture's box in EPSG:3857 and its scale (the handout's `Frame`)."""
        s = self.scale
        west = (self.x - self.width / 2) / s - HALF_WORLD
        north = HALF_WORLD - (self.y - self.height / 2) / s
        return Frame(west, north - self.height / s, west + self.width / s, north, s)


def world_pixel(lat: float, lon: float, zoom: int) -> tuple[float, float]:
    """Leaflet's projected pixel of a point at a zoom (EPSG:3857, 256-pixel tiles)."""
    x = lon * HALF_WORLD / 180.0
    lat = max(-85.0511287798, min(85.0511287798, lat))
    y = math.log(math.tan((90.0 + lat) * math.pi / 360.0)) * HALF_WORLD / math.pi
    s = 256 * 2**zoom / (2 * HALF_WORLD)
    return (x + HALF_WORLD) * s, (HALF_WORLD - y) * s


# --- the style's expressions, as far as web/basemap.py uses them ---------------------------------


_COMPARE: dict[str, Any] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    ">=": lambda a, b: a is not None and b is not None and a >= b,
    "<=": lambda a, b: a is not None and b is not None and a <= b,
    ">": lambda a, b: a is not None and b is not None and a > b,
    "<": lambda a, b: a is not None and b is not None and a < b,
}


def evaluate(expr: Any, props: dict[str, Any], zoom: float) -> Any:
    """A MapLibre style expression's value for a feature's properties at a zoom."""
    if not isinstance(expr, list):
        return expr
    op, args = expr[0], expr[1:]
    simple: dict[str, Callable[[], Any]] = {
        "get": lambda: props.get(args[0]),
        "has": lambda: props.get(args[0]) is not None,
        "zoom": lambda: zoom,
        "literal": lambda: args[0],
        "all": lambda: all(evaluate(a, props, zoom) for a in args),
        "any": lambda: any(evaluate(a, props, zoom) for a in args),
        "in": lambda: evaluate(args[0], props, zoom) in evaluate(args[1], props, zoom),
        "match": lambda: _match(args, props, zoom),
        "interpolate": lambda: _interpolate(args[0], evaluate(args[1], props, zoom), args[2:], props, zoom),
    }
    if op in simple:
        return simple[op]()
    if op in _COMPARE:
        return _COMPARE[op](evaluate(args[0], props, zoom), evaluate(args[1], props, zoom))
    raise ValueError(f"style expression {op!r} is not drawn on the server")


def _match(args: list[Any], props: dict[str, Any], zoom: float) -> Any:
    value = evaluate(args[0], props, zoom)
    for label, out in zip(args[1:-1:2], args[2:-1:2], strict=True):
        if value == label or (isinstance(label, list) and value in label):
            return evaluate(out, props, zoom)
    return evaluate(args[-1], props, zoom)


def _interpolate(kind: list[Any], at: float, stops: list[Any], props: dict[str, Any], zoom: float) -> float:
    pairs = [(float(stops[i]), float(evaluate(stops[i + 1], props, zoom))) for i in range(0, len(stops), 2)]
    if at <= pairs[0][0]:
        return pairs[0][1]
    for (z0, v0), (z1, v1) in itertools.pairwise(pairs):
        if at <= z1:
            base = float(kind[1]) if kind[0] == "exponential" else 1.0
            span, done = z1 - z0, at - z0
            share = done / span if base == 1.0 else (base**done - 1) / (base**span - 1)
            return v0 + share * (v1 - v0)
    return pairs[-1][1]


# --- the rows -------------------------------------------------------------------------------------

_LAYER_BY_NAME: dict[str, BaseLayer] = {layer.name: layer for layer in LAYERS}


def _rows(conn: Connection, view: View, source_layer: str) -> list[dict[str, Any]]:
    """The rows of one tile layer in the view at MapLibre's zoom, each with its path (`d`) in pixels."""
    layer = _LAYER_BY_NAME[source_layer]
    z = view.style_zoom
    if z < layer.min_zoom:
        return []
    frame = view.frame()
    margin = EDGE_PX / view.scale
    params = {
        "w": frame.west - margin,
        "s": frame.south - margin,
        "e": frame.east + margin,
        "n": frame.north + margin,
        "scale": view.scale,
        "x0": -frame.west * view.scale,
        "y0": -frame.north * view.scale,
        "tolerance": 0.5 / view.scale,
        "min_area": 4 / view.scale**2,
    }
    env = "ST_MakeEnvelope(:w, :s, :e, :n, 3857)"
    geom = "geom" if z >= FULL_DETAIL_ZOOM else "ST_Simplify(geom, :tolerance)"
    # To pixels (ST_AsSVG writes y negated, hence the negative offset), snapped to whole pixels,
    # written relative with no decimals.
    pixels = "ST_SnapToGrid(ST_Affine({g}, :scale, 0, 0, :scale, :x0, :y0), 1)"
    if source_layer == "places":
        shape = "ST_X(p) AS px, -ST_Y(p) AS py FROM (SELECT *, " + pixels.format(g="geom") + " AS p"
        tail = ") q"
    else:
        shape = f"ST_AsSVG({pixels.format(g=f'ST_ClipByBox2D({geom}, {env})')}, 1, 0) AS d FROM (SELECT *"
        tail = ") q"
    where = [f"geom && {env}"]
    if layer.area:
        where.append("area >= :min_area")
    if condition := layer.condition(z):
        where.append(condition)
    columns = f"{layer.columns}, " if layer.columns else ""
    sql = f"SELECT {columns}{shape} FROM {SCHEMA}.{layer.name} WHERE {' AND '.join(where)}{tail}"
    return [dict(row._mapping) for row in conn.execute(text(sql), params)]


# --- drawing --------------------------------------------------------------------------------------


def _paint(layer: dict[str, Any], name: str, props: dict[str, Any], zoom: float, default: Any = None) -> Any:
    value = layer.get("paint", {}).get(name, layer.get("layout", {}).get(name, default))
    return evaluate(value, props, zoom)


def _shown(layer: dict[str, Any], zoom: float) -> bool:
    return bool(layer.get("minzoom", 0) <= zoom < layer.get("maxzoom", 99))


def _place_label(
    row: dict[str, Any], layer: dict[str, Any], zoom: float
) -> tuple[str, list[str], float] | None:
    name = clean_name(row.get("name"))
    if not name:
        return None
    size = float(_paint(layer, "text-size", row, zoom, 16))
    max_width = float(_paint(layer, "text-max-width", row, zoom, 10)) * size
    lines: list[str] = []
    # MapLibre breaks a long name at spaces and after hyphens ("Burgwallen-" / "Oude Zijde").
    for word in re.findall(r"[^\s-]+-*|-+", name):
        joined = lines[-1] + ("" if lines and lines[-1].endswith("-") else " ") + word if lines else word
        if lines and len(joined) * PLACE_CHAR_EM * size <= max_width:
            lines[-1] = joined
        else:
            lines.append(word)
    return name, lines, size


def view_svg(conn: Connection, view: View, style: dict[str, Any]) -> bytes:
    """The view's base map as an SVG document: the style's layers in order, then the names."""
    z = float(view.style_zoom)
    w, h = view.width, view.height
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
        'font-family="sans-serif" text-anchor="middle">'
    ]
    # No base map loaded yet (the schema is made by the first import): the land colour alone.
    loaded = basemap_loaded(conn)
    rows: dict[str, list[dict[str, Any]]] = {}
    symbols: list[tuple[dict[str, Any], list[dict[str, Any]]]] = []
    for layer in style["layers"]:
        if not _shown(layer, z):
            continue
        kind = layer["type"]
        if kind == "background":
            out.append(f'<rect width="{w}" height="{h}" fill="{_paint(layer, "background-color", {}, z)}"/>')
            continue
        source = layer["source-layer"]
        if source not in rows:
            rows[source] = _rows(conn, view, source) if loaded else []
        chosen = [r for r in rows[source] if "filter" not in layer or evaluate(layer["filter"], r, z)]
        if kind in ("fill", "line"):
            d = " ".join(r["d"] for r in chosen if r.get("d"))
            if not d:
                continue
            colour = _paint(layer, f"{kind}-color", {}, z)
            if kind == "fill":
                outline = _paint(layer, "fill-outline-color", {}, z)
                stroke = f' stroke="{outline}" stroke-width="1"' if outline else ""
                out.append(f'<path d="{d}" fill="{colour}" fill-rule="evenodd"{stroke}/>')
            else:
                width = float(_paint(layer, "line-width", {}, z, 1))
                cap = _paint(layer, "line-cap", {}, z, "butt")
                join = _paint(layer, "line-join", {}, z, "miter")
                out.append(
                    f'<path d="{d}" fill="none" stroke="{colour}" stroke-width="{width:.2f}" '
                    f'stroke-linecap="{cap}" stroke-linejoin="{join}"/>'
                )
        elif kind == "symbol":
            symbols.append((layer, chosen))
    # MapLibre places the topmost symbol layer first (place names before street names); a name
    # that would touch one placed before it is left out. They are drawn in the style's order.
    taken: list[object] = []
    names: list[str] = []
    for layer, chosen in reversed(symbols):
        if layer["layout"].get("symbol-placement") == "line":
            names.append(_street_names(conn, view, layer, z, chosen, taken))
        else:
            names.append(_place_names(layer, z, chosen, taken))
    out.extend(reversed(names))
    out.append("</svg>")
    return "".join(out).encode()


def _halo(layer: dict[str, Any], z: float) -> str:
    colour = _paint(layer, "text-color", {}, z, "#000000")
    halo = _paint(layer, "text-halo-color", {}, z, "#ffffff")
    width = float(_paint(layer, "text-halo-width", {}, z, 0))
    return (
        f'fill="{colour}" stroke="{halo}" stroke-width="{2 * width:.1f}" stroke-linejoin="round" '
        'paint-order="stroke"'
    )


def _place_names(layer: dict[str, Any], z: float, rows: list[dict[str, Any]], taken: list[object]) -> str:
    """Place names centred on their points, the highest rank first, none touching another."""
    parts = [f'<g class="place-names" {_halo(layer, z)}>']
    for row in sorted(rows, key=lambda r: (r.get("rank") or 99, -len(r.get("name") or ""))):
        label = _place_label(row, layer, z)
        if label is None or row.get("px") is None:
            continue
        _, lines, size = label
        x, y = float(row["px"]), float(row["py"])
        half_w = max(len(line) for line in lines) * PLACE_CHAR_EM * size / 2 + 2
        half_h = len(lines) * 1.2 * size / 2 + 2
        spot = box(x - half_w, y - half_h, x + half_w, y + half_h)
        if any(spot.intersects(t) for t in taken):
            continue
        taken.append(spot)
        # MapLibre's label box sits about 0.12 em lower than the em box's middle (by eye, 15 px names).
        top = y - (len(lines) - 1) * 1.2 * size / 2 + 0.12 * size
        spans = "".join(
            f'<tspan x="{x:.0f}" y="{top + i * 1.2 * size:.1f}">{escape(line)}</tspan>'
            for i, line in enumerate(lines)
        )
        parts.append(f'<text font-size="{size:.1f}" dominant-baseline="central">{spans}</text>')
    parts.append("</g>")
    return "".join(parts)


def _street_names(
    conn: Connection,
    view: View,
    layer: dict[str, Any],
    z: float,
    rows: list[dict[str, Any]],
    taken: list[object],
) -> str:
    """Street names straight along the middle of their street, major streets first, none touching."""
    shown = {str(r["name"]) for r in rows if r.get("name")}
    if not shown:
        return ""
    inside = box(2, 2, view.width - 2, view.height - 2)
    parts = [f'<g class="street-names" {_halo(layer, z)}>']
    for raw, _, lines in street_lines(conn, view.frame()):
        if raw not in shown:
            continue
        name = clean_name(raw)
        size = float(_paint(layer, "text-size", {"name": raw}, z, 12))
        for part in sorted(shapely.get_parts(lines), key=lambda g: -g.length):
            if not isinstance(part, LineString):
                continue
            label = along(part, name, size, taken, inside=inside)
            if label is not None:
                taken.append(label.box)
                parts.append(
                    f'<text transform="translate({label.x:.1f} {label.y:.1f}) rotate({label.angle:.1f})" '
                    f'font-size="{size:.1f}" dominant-baseline="central">{escape(name)}</text>'
                )
                break
    parts.append("</g>")
    return "".join(parts)


# --- which view a map frame opens with ------------------------------------------------------------

#: Frames smaller than this (CSS pixels) are not given a picture. A frame's document starts at
#: the default 300 x 150 before the page around it is laid out: no picture is chosen for that
#: size, so the browser asks for the right one once the frame has its real size.
SMALLEST_FRAME = 200


@dataclass(frozen=True)
class Choice:
    """One `<source>` of a first view's `<picture>`: the frame sizes it is for, and its view."""

    media: str
    view: View


def fit_zoom_thresholds(
    bounds: tuple[tuple[float, float], tuple[float, float]], padding: tuple[int, int], zoom: int
) -> tuple[float, float]:
    """The smallest frame (width, height) in which Leaflet's `fitBounds` picks `zoom` or more.

    Leaflet (1.9, `getBoundsZoom`): the bounds' size at zoom 0, the frame less twice the
    padding, zoom = log2 of the smaller ratio, rounded to 1/100 and then down to a whole zoom.
    So `zoom` is reached where both ratios are at least 2^(zoom - 0.005).
    """
    (south, west), (north, east) = bounds
    x0, y0 = world_pixel(north, west, 0)
    x1, y1 = world_pixel(south, east, 0)
    factor = 2 ** (zoom - 0.005)
    return 2 * padding[0] + abs(x1 - x0) * factor, 2 * padding[1] + abs(y1 - y0) * factor


def _zooms(
    bounds: tuple[tuple[float, float], tuple[float, float]] | None,
    padding: tuple[int, int],
    zoom: int,
    leaflet_max_zoom: int,
) -> list[tuple[int, float, float]]:
    """(zoom, smallest frame width, height) a frame may open at, the highest first."""
    if bounds is None:
        return [(zoom, SMALLEST_FRAME, SMALLEST_FRAME)]
    zooms: list[tuple[int, float, float]] = []
    for k in range(min(MAX_ZOOM, leaflet_max_zoom), MIN_ZOOM - 1, -1):
        min_w, min_h = fit_zoom_thresholds(bounds, padding, k)
        if min_w > max(WIDTHS) or min_h > max(HEIGHTS):
            continue
        zooms.append((k, min_w, min_h))
        if min_w <= SMALLEST_FRAME and min_h <= SMALLEST_FRAME:
            break
    if zooms:  # the lowest zoom takes every frame smaller than the next one's
        zooms[-1] = (zooms[-1][0], SMALLEST_FRAME, SMALLEST_FRAME)
    return zooms


def _centre(
    bounds: tuple[tuple[float, float], tuple[float, float]] | None, centre: tuple[float, float], zoom: int
) -> tuple[float, float]:
    """The view's centre in world pixels: Leaflet centres a fitted map on the bounds' projected middle."""
    if bounds is None:
        return world_pixel(centre[0], centre[1], zoom)
    (south, west), (north, east) = bounds
    ax, ay = world_pixel(south, west, zoom)
    bx, by = world_pixel(north, east, zoom)
    return (ax + bx) / 2, (ay + by) / 2


def first_view_choices(
    bounds: tuple[tuple[float, float], tuple[float, float]] | None,
    padding: tuple[int, int],
    centre: tuple[float, float],
    zoom: int,
    leaflet_max_zoom: int = 19,
) -> list[Choice]:
    """The pictures a map frame may open with, first match wins: by the zoom Leaflet will pick, then size.

    A map fitted to `bounds` (with `padding`) opens at a zoom that depends on the frame's
    size, centred on the bounds' Web Mercator middle; one without opens at `centre`, `zoom`.
    Each choice is a media query on the frame's own viewport: the highest zoom first, then
    the smallest picture that covers the frame.
    """
    zooms = _zooms(bounds, padding, zoom, leaflet_max_zoom)
    choices: list[Choice] = []
    for index, (k, min_w, min_h) in enumerate(zooms):
        higher = zooms[index - 1] if index else None
        px, py = _centre(bounds, centre, k)
        for width, height in sorted(SIZES):
            low_w = max([0, *(w + 1 for w in WIDTHS if w < width)])
            low_h = max([0, *(h + 1 for h in HEIGHTS if h < height)])
            if width < min_w or height < min_h:
                continue  # no frame of this size reaches this zoom
            if higher is not None and low_w >= higher[1] and low_h >= higher[2]:
                continue  # every frame of this size opens at a higher zoom
            media = f"(min-width: {math.ceil(min_w)}px) and (min-height: {math.ceil(min_h)}px) and "
            media += f"(max-width: {width}px) and (max-height: {height}px)"
            choices.append(Choice(media, View(k, round(px), round(py), width, height)))
    return choices
