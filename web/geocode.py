"""Turn what a professional typed (address, postcode or 'lat,lon') into a point.

`resolve_place` accepts coordinates directly and hands anything else to
the app's geocoder (geo's: PDOK, then the offline address table, as
WIJKGRAM_GEOCODER says). Nothing here logs or stores the query.
"""

from __future__ import annotations

import re

from geo.geocoding.base import Geocoder, GeocodeResult

_LATLON = re.compile(r"^\s*(-?\d{1,2}(?:\.\d+)?)\s*,\s*(-?\d{1,3}(?:\.\d+)?)\s*$")
_POSTCODE = re.compile(r"^\s*(\d{4})\s?([A-Za-z]{2})\b[\s,]*(\d+[A-Za-z]?(?:-\w+)?)?")
_STREET_NUMBER = re.compile(r"^\s*(.+?)\s+(\d+[A-Za-z]?(?:-\w+)?)\s*$")


def resolve_place(query: str, geocoder: Geocoder) -> GeocodeResult | None:
    """The point a query names: 'lat,lon' as given, anything else through the geocoder."""
    match = _LATLON.match(query)
    if match:
        lat, lon = float(match[1]), float(match[2])
        if -90 <= lat <= 90 and -180 <= lon <= 180:
            return GeocodeResult(lat, lon, f"{lat:.5f}, {lon:.5f}", "address", "coordinates")
        return None
    return geocoder.geocode(query)
