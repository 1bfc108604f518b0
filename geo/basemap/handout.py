"""The printed handout's map: an SVG drawn on the server from the base map tables (the tiles' layers).

A printout must look the same offline and online, without controls, so the map is
not a live map in a frame but a picture: water, green, buildings and streets from
the `basemap` schema (osm2pgsql, geo/basemap/style.lua), clipped to the box around
the start point and the places, simplified to a third of a pixel, plus the start
point, the places numbered like the list (a label that would cover another moves
aside, with a line to its place) and a metric scale bar. Without a loaded base map
the picture still has the points, the numbers and the scale.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from markupsafe import Markup, escape
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from geo.basemap.load import SCHEMA

#: Picture size in CSS pixels (about 17 x 11 cm printed).
WIDTH, HEIGHT = 640, 420
#: Room kept around the points, in pixels.
MARGIN = 44
#: The closest zoom: a handout of one place still shows its streets.
MIN_SPAN_M = 500.0
#: Half the Web Mercator world, in metres.
HALF_WORLD = 20037508.342789244
LABEL_R = 11.0
#: (layer, fill, stroke, stroke width in px); drawn in this order.
LAYERS: tuple[tuple[str, str, str, float], ...] = (
    ("green", "#d5e8c0", "none", 0),
    ("water", "#b5d3e3", "none", 0),
    ("buildings", "#e2dbd2", "#cfc4b8", 0.5),
)
STREETS: tuple[tuple[str, str, float], ...] = (
    ("path", "#ffffff", 1.2),
    ("service", "#ffffff", 2.0),
    ("minor", "#ffffff", 3.5),
    ("major", "#f6d9a4", 5.0),
)
NICE_METRES = (25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000)


def mercator(lat: float, lon: float) -> tuple[float, float]:
    """EPSG:3857 metres of a point."""
    x = lon * HALF_WORLD / 180.0
    y = math.log(math.tan((90.0 + lat) * math.pi / 360.0)) * HALF_WORLD / math.pi
    return x, y


@dataclass(frozen=True)
class Frame:
    """The box shown (EPSG:3857) and how metres become pixels."""

    west: float
    south: float
    east: float
    north: float
    scale: float  # pixels per metre of the projection

    def pixel(self, x: float, y: float) -> tuple[float, float]:
        """Picture coordinates of a projected point."""
        return (x - self.west) * self.scale, (self.north - y) * self.scale


def frame_for(points: list[tuple[float, float]]) -> Frame:
    """The box holding every (lat, lon) with a margin, at the picture's proportions."""
    xs, ys = zip(*(mercator(lat, lon) for lat, lon in points), strict=True)
    cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    # Projected metres shrink with latitude; keep at least MIN_SPAN_M of ground across.
    stretch = 1 / math.cos(math.radians(points[0][0]))
    span_x = max(max(xs) - min(xs), MIN_SPAN_M * stretch)
    span_y = max(max(ys) - min(ys), MIN_SPAN_M * stretch * HEIGHT / WIDTH)
    scale = min((WIDTH - 2 * MARGIN) / span_x, (HEIGHT - 2 * MARGIN) / span_y)
    half_w, half_h = WIDTH / scale / 2, HEIGHT / scale / 2
    return Frame(cx - half_w, cy - half_h, cx + half_w, cy + half_h, scale)


def _paths(conn: Connection, frame: Frame) -> list[str]:
    """SVG paths of the base layers inside the frame (empty without a loaded base map)."""
    box = {"w": frame.west, "s": frame.south, "e": frame.east, "n": frame.north, "tol": 0.33 / frame.scale}
    env = "ST_MakeEnvelope(:w, :s, :e, :n, 3857)"
    # ST_AsSVG writes y downwards (negated); the group transform below maps metres to pixels.
    clip = f"ST_AsSVG(ST_Intersection(ST_SimplifyPreserveTopology(geom, :tol), {env}), 0, 1)"
    out: list[str] = []
    try:
        with conn.begin_nested():
            for layer, fill, stroke, width in LAYERS:
                rows = conn.execute(
                    text(f"SELECT {clip} FROM {SCHEMA}.{layer} WHERE geom && {env}"), box
                ).scalars()
                d = " ".join(r for r in rows if r)
                if d:
                    out.append(
                        f'<path class="{layer}" d="{d}" fill="{fill}" stroke="{stroke}" '
                        f'stroke-width="{width}" vector-effect="non-scaling-stroke"/>'
                    )
            for cls, colour, width in STREETS:
                rows = conn.execute(
                    text(f"SELECT {clip} FROM {SCHEMA}.streets WHERE class = :cls AND geom && {env}"),
                    {**box, "cls": cls},
                ).scalars()
                d = " ".join(r for r in rows if r)
                if d:
                    casing = width + 1.5
                    out.append(
                        f'<path class="street-casing" d="{d}" fill="none" stroke="#b9a994" '
                        f'stroke-width="{casing}" stroke-linecap="round" vector-effect="non-scaling-stroke"/>'
                        f'<path class="street {cls}" d="{d}" fill="none" stroke="{colour}" '
                        f'stroke-width="{width}" stroke-linecap="round" vector-effect="non-scaling-stroke"/>'
                    )
    except DBAPIError:
        return []  # no base map loaded (the schema is made by the first import)
    return out


def place_labels(
    points: list[tuple[float, float]], taken: list[tuple[float, float, float]]
) -> list[tuple[float, float]]:
    """Where each numbered label goes (pixels): on its point when free, else the nearest free spot around it.

    `taken` holds circles (x, y, r) already drawn (the start point); every placed label
    joins them, so no two labels overlap. Spots are tried on rings of growing radius.
    """
    placed: list[tuple[float, float]] = []
    circles = list(taken)
    for x, y in points:
        spot = (x, y)
        for ring in (0, 2.4, 3.6, 4.8, 6.4):
            candidates = (
                [(x, y)]
                if ring == 0
                else [
                    (x + ring * LABEL_R * math.cos(a), y - ring * LABEL_R * math.sin(a))
                    for a in (math.radians(d) for d in range(45, 405, 30))
                ]
            )
            free = [
                c
                for c in candidates
                if LABEL_R <= c[0] <= WIDTH - LABEL_R
                and LABEL_R <= c[1] <= HEIGHT - LABEL_R - 24
                and all(math.dist(c, (cx, cy)) >= LABEL_R + r + 1 for cx, cy, r in circles)
            ]
            if free:
                spot = free[0]
                break
        placed.append(spot)
        circles.append((spot[0], spot[1], LABEL_R))
    return placed


def scale_bar(frame: Frame, lat: float) -> tuple[int, float]:
    """A round number of metres and its length in pixels, about a fifth of the picture wide."""
    metres_per_px = 1 / (frame.scale * (1 / math.cos(math.radians(lat))))
    best = NICE_METRES[0]
    for metres in NICE_METRES:
        if metres / metres_per_px <= WIDTH / 4:
            best = metres
    return best, best / metres_per_px


def handout_svg(
    conn: Connection,
    start: tuple[float, float],
    places: list[tuple[int, float, float]],
    *,
    title: str,
    start_label: str,
    attribution: str,
) -> Markup:
    """The handout's map as inline SVG: base layers, the start point, numbered places, a metric scale."""
    frame = frame_for([start, *[(lat, lon) for _, lat, lon in places]])
    sx, sy = frame.pixel(*mercator(*start))
    points = [frame.pixel(*mercator(lat, lon)) for _, lat, lon in places]
    labels = place_labels(points, [(sx, sy, 13.0)])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="handout-map" role="img" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
        f'font-family="DejaVu Sans, Arial, sans-serif"><title>{escape(title)}</title>',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#f4f1ea"/>',
        f'<clipPath id="handout-frame"><rect width="{WIDTH}" height="{HEIGHT}"/></clipPath>',
        f'<g clip-path="url(#handout-frame)"><g transform="matrix({frame.scale} 0 0 {frame.scale} '
        f'{-frame.west * frame.scale} {frame.north * frame.scale})">',
        *_paths(conn, frame),
        "</g>",
    ]
    for (number, _, _), (px, py), (lx, ly) in zip(places, points, labels, strict=True):
        if (lx, ly) != (px, py):
            parts.append(
                f'<line x1="{px:.1f}" y1="{py:.1f}" x2="{lx:.1f}" y2="{ly:.1f}" '
                'stroke="#00597a" stroke-width="1.5"/>'
                f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="#00597a"/>'
            )
        parts.append(
            f'<g class="place" data-number="{number}"><circle cx="{lx:.1f}" cy="{ly:.1f}" r="{LABEL_R}" '
            f'fill="#00597a" stroke="#ffffff" stroke-width="2"/>'
            f'<text x="{lx:.1f}" y="{ly + 4.5:.1f}" text-anchor="middle" font-size="13" font-weight="bold" '
            f'fill="#ffffff">{number}</text></g>'
        )
    parts.append(
        f'<g class="start"><circle cx="{sx:.1f}" cy="{sy:.1f}" r="9" fill="#ffffff" stroke="#b00020" '
        f'stroke-width="4"/><text x="{sx + 14:.1f}" y="{sy + 5:.1f}" font-size="14" font-weight="bold" '
        f'fill="#b00020" stroke="#ffffff" stroke-width="3" paint-order="stroke">'
        f"{escape(start_label)}</text></g>"
    )
    metres, length = scale_bar(frame, start[0])
    words = f"{metres // 1000} km" if metres >= 1000 and metres % 1000 == 0 else f"{metres} m"
    parts.append(
        f'<g class="scale" transform="translate(12 {HEIGHT - 14})">'
        f'<rect x="-4" y="-20" width="{length + 60:.1f}" height="26" fill="#ffffff" opacity="0.85"/>'
        f'<path d="M0 -6 V0 H{length:.1f} V-6" fill="none" stroke="#222" stroke-width="2"/>'
        f'<text x="{length + 6:.1f}" y="0" font-size="12" fill="#222">{words}</text></g>'
        f'<text x="{WIDTH - 6}" y="{HEIGHT - 6}" text-anchor="end" font-size="10" fill="#444" '
        f'stroke="#ffffff" stroke-width="3" paint-order="stroke">{escape(attribution)}</text>'
        "</g></svg>"
    )
    # Every text in it went through escape(); the rest is numbers and our own constants.
    return Markup("".join(parts))  # noqa: S704
