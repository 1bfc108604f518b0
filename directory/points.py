"""Points and boxes as users give them: a parser for 'lat,lon' and one for a box, a radius limit, a distance.

Every place that takes a point, a box or a radius from a request (the entry list,
the search, the CLI, the map and support questions) goes through these, so a rule
such as "latitude first" or "at most 50 km" is written once.
"""

from __future__ import annotations

import math
import re
from typing import NamedTuple

from directory.errors import InvalidInputError

#: The largest radius anyone may search within, in metres.
MAX_RADIUS_M = 50_000
#: Mean Earth radius (IUGG), metres.
EARTH_RADIUS_M = 6_371_008.8
#: 'lat,lon' as people write it: latitude first, decimal points, spaces around the comma allowed.
#: Strict on purpose: "1012,5" (part of a postcode) or "1e2,4" is not a point.
_LAT_LON = re.compile(r"^\s*([-+]?\d{1,3}(?:\.\d+)?)\s*,\s*([-+]?\d{1,3}(?:\.\d+)?)\s*$")


def check_lat_lon(field: str, lat: float, lon: float) -> None:
    """A WGS84 point that is a number and on the globe, or a 422 naming `field`."""
    if not (math.isfinite(lat) and math.isfinite(lon)) or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise InvalidInputError(
            field, "latitude must lie in -90..90 and longitude in -180..180", code="lat_lon_range"
        )


def looks_like_lat_lon(value: str) -> bool:
    """True when the text is written as a 'lat,lon' pair (on the globe or not), not as an address."""
    return _LAT_LON.match(value) is not None


def parse_lat_lon(value: str, field: str = "near") -> tuple[float, float]:
    """'52.37,4.90' -> (52.37, 4.90): latitude first, as people write it; or a 422 naming `field`."""
    match = _LAT_LON.match(value)
    if match is None:
        raise InvalidInputError(
            field, "give latitude and longitude as 'lat,lon', e.g. 52.372,4.900", code="lat_lon_format"
        )
    lat, lon = float(match[1]), float(match[2])
    check_lat_lon(field, lat, lon)
    return lat, lon


class Box(NamedTuple):
    """A box on the globe in degrees, held south, west, north, east whatever order it was written in."""

    south: float
    west: float
    north: float
    east: float


#: The orders a box's four numbers are written in: the search API's, latitude first like 'lat,lon'...
SOUTH_WEST_NORTH_EAST = ("south", "west", "north", "east")
#: ... and the map API's, the order of GeoJSON and of Leaflet's `toBBoxString`.
WEST_SOUTH_EAST_NORTH = ("west", "south", "east", "north")


def parse_box(value: str, order: tuple[str, ...], field: str = "bbox", *, clamp: bool = False) -> Box:
    """Four comma-separated numbers in `order` -> a Box on the globe with south below north and west
    left of east, or a 422 naming `field` (codes `bbox_format`, `lat_lon_range`, `bbox_order`).

    `clamp` first pulls the box back to -180..180 and -85..85 (Web Mercator's edge): a map view
    that wraps around the world reaches past them, and the directory holds nothing there.
    """
    try:
        sides = dict(zip(order, (float(part) for part in value.split(",")), strict=True))
    except ValueError as exc:  # not a number, or not four of them
        written = ",".join(order)
        raise InvalidInputError(
            field, f"give four numbers '{written}'", code="bbox_format", params={"order": written}
        ) from exc
    box = Box(**sides)
    if clamp:
        box = Box(max(box.south, -85.0), max(box.west, -180.0), min(box.north, 85.0), min(box.east, 180.0))
    check_lat_lon(field, box.south, box.west)
    check_lat_lon(field, box.north, box.east)
    if box.south >= box.north or box.west >= box.east:
        raise InvalidInputError(field, "south must be below north and west left of east", code="bbox_order")
    return box


def check_radius(radius_m: float, field: str = "radius") -> float:
    """A radius in metres within 0..MAX_RADIUS_M, or a 422 naming `field`."""
    if not (0 <= radius_m <= MAX_RADIUS_M):
        raise InvalidInputError(
            field,
            f"radius must lie between 0 and {MAX_RADIUS_M} metres",
            code="radius_range",
            params={"max": MAX_RADIUS_M},
        )
    return radius_m


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine) between two WGS84 points, latitude first."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


#: The grid a point is snapped to before it goes into a shareable link: 1/400 degree of latitude
#: (about 280 m) by 1/250 degree of longitude (about 270 m in the Netherlands).
COARSE_LAT_STEP = 1 / 400
COARSE_LON_STEP = 1 / 250


def coarse_point(lat: float, lon: float) -> tuple[float, float]:
    """The point snapped to a grid of about 300 m, for links: near the address, never the address itself."""
    return (
        round(round(lat / COARSE_LAT_STEP) * COARSE_LAT_STEP, 5),
        round(round(lon / COARSE_LON_STEP) * COARSE_LON_STEP, 5),
    )
