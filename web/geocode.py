"""Turn what a professional typed (address, postcode or 'lat,lon') into a point.

`resolve_place` is the seam: it accepts coordinates directly and hands
anything else to a `geo.geocoding.base.Geocoder`. Until geo's geocoders are
merged, the app uses `OsmAddressGeocoder`, built from the `addr:*` tags of
the OpenStreetMap cut shipped in directory/demo (real addresses, ©
OpenStreetMap contributors). Nothing here logs or stores the query.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache
from pathlib import Path
from statistics import fmean
from typing import Any

import osmium

from directory.demo import DEMO_DIR
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


def _norm(text: str) -> str:
    return " ".join(text.lower().replace(".", " ").split())


class OsmAddressGeocoder:
    """An offline geocoder over the addresses in one OpenStreetMap file (addr:street/housenumber/postcode)."""

    def __init__(self, path: Path) -> None:
        self.addresses: dict[tuple[str, str], tuple[float, float, str, str | None]] = {}
        self.by_postcode: dict[str, list[tuple[float, float, str | None]]] = defaultdict(list)
        self.by_street: dict[str, list[tuple[float, float]]] = defaultdict(list)
        self.street_names: dict[str, str] = {}
        processor = osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY).with_locations()
        for obj in processor:
            tags = obj.tags
            if "addr:housenumber" not in tags or "addr:street" not in tags:
                continue
            point = self._point(obj)
            if point is None:
                continue
            lat, lon = point
            street, number = tags["addr:street"], tags["addr:housenumber"]
            postcode = tags.get("addr:postcode")
            label = f"{street} {number}" + (f", {postcode}" if postcode else "")
            self.addresses[(_norm(street), _norm(number))] = (lat, lon, label, postcode)
            self.by_street[_norm(street)].append((lat, lon))
            self.street_names[_norm(street)] = street
            if postcode:
                key = postcode.replace(" ", "").upper()
                self.by_postcode[key].append((lat, lon, number))
                self.addresses[(key, _norm(number))] = (lat, lon, label, postcode)

    @staticmethod
    def _point(obj: Any) -> tuple[float, float] | None:
        if isinstance(obj, osmium.osm.Node):
            return (obj.location.lat, obj.location.lon) if obj.location.valid() else None
        points = [(n.location.lat, n.location.lon) for n in obj.nodes if n.location.valid()]
        if not points:
            return None
        return fmean(p[0] for p in points), fmean(p[1] for p in points)

    def geocode(self, query: str) -> GeocodeResult | None:
        """An address ('Recht Boomssloot 52'), a postcode with number ('1011 EC 52') or a postcode."""
        match = _POSTCODE.match(query)
        if match:
            postcode = (match[1] + match[2]).upper()
            pretty = f"{match[1]} {match[2].upper()}"
            if match[3] and (postcode, _norm(match[3])) in self.addresses:
                lat, lon, label, _ = self.addresses[(postcode, _norm(match[3]))]
                return GeocodeResult(lat, lon, label, "address", "osm-addresses", postcode=pretty)
            points = self.by_postcode.get(postcode)
            if points:
                return GeocodeResult(
                    fmean(p[0] for p in points),
                    fmean(p[1] for p in points),
                    pretty,
                    "postcode",
                    "osm-addresses",
                    postcode=pretty,
                )
            return None
        text = query.split(",")[0]
        match = _STREET_NUMBER.match(text)
        if match and (_norm(match[1]), _norm(match[2])) in self.addresses:
            lat, lon, label, postcode = self.addresses[(_norm(match[1]), _norm(match[2]))]
            return GeocodeResult(lat, lon, label, "address", "osm-addresses", postcode=postcode)
        street = self.by_street.get(_norm(text))
        if street:
            return GeocodeResult(
                fmean(p[0] for p in street),
                fmean(p[1] for p in street),
                self.street_names[_norm(text)],
                "street",
                "osm-addresses",
            )
        return None


@lru_cache(maxsize=1)
def demo_geocoder() -> OsmAddressGeocoder:
    """The offline geocoder over the demo OpenStreetMap cut (built once per process)."""
    return OsmAddressGeocoder(DEMO_DIR / "centrum-cut.osm.pbf")
