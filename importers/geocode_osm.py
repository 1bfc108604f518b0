"""A small offline geocoder built from the `addr:*` tags of an OpenStreetMap file.

It lets the table importer place rows without coordinates in tests and on
machines without internet. It knows only the addresses in the file it was
built from; `geo.geocoding` holds the real geocoders (PDOK, the full offline
address table), which implement the same `Geocoder` protocol.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import osmium
from shapely.geometry import LineString, Point, Polygon

from directory import netherlands
from geo.geocoding.base import AnswersLookup, GeocodeAnswer, GeocodeResult

_POSTCODE = netherlands.POSTCODE_IN_TEXT
_NUMBER = re.compile(r"\b(\d+)\s*([A-Za-z]?)\b(?:\s*[-/]?\s*\w+)?")


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


@dataclass(frozen=True)
class _Address:
    street: str
    number: str
    postcode: str | None
    city: str | None
    lat: float
    lon: float


class OsmAddressGeocoder(AnswersLookup):
    """Geocodes 'Street 12, 1011 AB City' (or '1011 AB 12') against the addresses of one OSM file."""

    source = "osm-addresses"

    def __init__(self, addresses: list[_Address]) -> None:
        self._by_street: dict[tuple[str, str], _Address] = {}
        self._by_postcode: dict[tuple[str, str], _Address] = {}
        for a in addresses:
            self._by_street.setdefault((_key(a.street), a.number.lower()), a)
            if a.postcode:
                self._by_postcode.setdefault((a.postcode.replace(" ", "").upper(), a.number.lower()), a)

    def __len__(self) -> int:
        """Number of distinct street addresses known."""
        return len(self._by_street)

    @classmethod
    def from_file(cls, path: Path) -> OsmAddressGeocoder:
        """Read every object with addr:street and addr:housenumber from an OSM file."""
        found: list[_Address] = []
        processor = (
            osmium.FileProcessor(str(path))
            .with_locations()
            .with_filter(osmium.filter.KeyFilter("addr:housenumber"))
        )
        for obj in processor:
            tags = obj.tags
            street, number = tags.get("addr:street"), tags.get("addr:housenumber")
            if not street or not number:
                continue
            point: Point | None = None
            if isinstance(obj, osmium.osm.Node):
                point = Point(obj.location.lon, obj.location.lat)
            elif isinstance(obj, osmium.osm.Way):
                try:
                    coords = [(n.lon, n.lat) for n in obj.nodes]
                except osmium.InvalidLocationError:
                    continue
                if obj.is_closed() and len(coords) >= 4:
                    point = Polygon(coords).representative_point()
                elif len(coords) >= 2:
                    point = LineString(coords).interpolate(0.5, normalized=True)
            if point is None:
                continue
            found.append(
                _Address(street, number, tags.get("addr:postcode"), tags.get("addr:city"), point.y, point.x)
            )
        return cls(found)

    def lookup(self, query: str) -> GeocodeAnswer:
        """The address in the query as an exact match, when this file knows it; nothing otherwise."""
        hit = self._exact(query)
        if hit is None:
            return GeocodeAnswer.nothing(self.source, "not_found")
        return GeocodeAnswer.point(hit)

    def _exact(self, query: str) -> GeocodeResult | None:
        postcode = _POSTCODE.search(query)
        rest = _POSTCODE.sub(" ", query)
        street_part = rest.split(",")[0]
        numbers = list(_NUMBER.finditer(street_part))
        if not numbers:
            return None
        match = numbers[-1]
        number = (match.group(1) + match.group(2)).lower()
        street = _key(street_part[: match.start()])
        hit = self._by_street.get((street, number)) if street else None
        if hit is None and postcode:
            hit = self._by_postcode.get((postcode.group(1) + postcode.group(2).upper(), number))
        if hit is None:
            return None
        return GeocodeResult(
            lat=hit.lat,
            lon=hit.lon,
            label=f"{hit.street} {hit.number}, {hit.postcode or ''} {hit.city or ''}".strip(),
            precision="address",
            source=self.source,
            postcode=hit.postcode,
            city=hit.city,
        )
