"""A coarse outline of the Netherlands' land area, to refuse points that cannot be ours.

Hand-drawn from the coastline and borders (about 2 km accurate), buffered by
3 km so real places on the coast and islands pass while a point in the
North Sea, in Belgium or in Germany is refused.
"""

from __future__ import annotations

import re
from functools import lru_cache

from shapely.geometry import Point, Polygon
from shapely.prepared import PreparedGeometry, prep

#: A Dutch postcode: four digits (the first not 0) and two letters, a space between or not.
#: The one pattern every reader of postcodes builds on (validation, geocoding, importers).
POSTCODE = r"([1-9][0-9]{3})\s*([A-Za-z]{2})"
#: A postcode somewhere in a text, as a word of its own.
POSTCODE_IN_TEXT = re.compile(rf"\b{POSTCODE}\b")

# (lon, lat), clockwise from the Belgian border on the Zeeland coast.
_OUTLINE = [
    (3.36, 51.37),
    (3.44, 51.54),
    (3.60, 51.60),
    (3.70, 51.72),
    (3.85, 51.83),
    (4.03, 51.97),
    (4.18, 52.08),
    (4.38, 52.22),
    (4.52, 52.40),
    (4.58, 52.55),
    (4.64, 52.78),
    (4.71, 52.96),
    (4.70, 53.10),
    (4.88, 53.22),
    (5.10, 53.32),
    (5.40, 53.42),
    (5.75, 53.47),
    (6.15, 53.51),
    (6.60, 53.52),
    (6.95, 53.45),
    (7.21, 53.25),
    (7.21, 53.00),
    (7.05, 52.83),
    (7.07, 52.63),
    (6.72, 52.65),
    (6.70, 52.48),
    (7.07, 52.40),
    (7.03, 52.22),
    (6.75, 52.12),
    (6.83, 51.97),
    (6.40, 51.83),
    (6.13, 51.88),
    (5.95, 51.74),
    (6.23, 51.51),
    (6.21, 51.36),
    (6.08, 51.17),
    (6.17, 51.00),
    (6.02, 50.90),
    (6.03, 50.75),
    (5.69, 50.75),
    (5.64, 50.84),
    (5.77, 51.00),
    (5.86, 51.15),
    (5.55, 51.27),
    (5.24, 51.26),
    (5.04, 51.48),
    (4.76, 51.43),
    (4.53, 51.48),
    (4.38, 51.36),
    (4.24, 51.37),
    (3.98, 51.21),
    (3.80, 51.21),
    (3.52, 51.29),
    (3.36, 51.37),
]

#: Quick bounding box, checked before the polygon.
BBOX = (3.3, 50.7, 7.3, 53.6)


@lru_cache(maxsize=1)
def _land() -> PreparedGeometry:
    # 0.045 degrees is about 3 km at these latitudes.
    return prep(Polygon(_OUTLINE).buffer(0.045))


def contains(lat: float, lon: float) -> bool:
    """True when the point lies on (or just off) Dutch land."""
    min_lon, min_lat, max_lon, max_lat = BBOX
    if not (min_lat <= lat <= max_lat and min_lon <= lon <= max_lon):
        return False
    return bool(_land().contains(Point(lon, lat)))
