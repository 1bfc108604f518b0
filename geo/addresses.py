"""The offline address table: OpenStreetMap addr:* tags of an extract, stored in PostGIS.

It lets the embedded demo geocode without internet. Building it is
idempotent: an address already in the table is updated, not duplicated.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import osmium
from sqlalchemy import Connection, text

from geo.geocoding.parse import fold, normalise_postcode, number_key


@dataclass(frozen=True)
class OsmAddress:
    """One address point from OSM."""

    street: str
    house_number: str
    postcode: str | None
    city: str | None
    lon: float
    lat: float


def read_addresses(path: Path, progress: Callable[[int], None] | None = None) -> Iterator[OsmAddress]:
    """Every node or way with addr:street and addr:housenumber (ways at the mean of their nodes)."""
    processor = osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY).with_locations()
    processor = processor.with_filter(osmium.filter.KeyFilter("addr:housenumber"))
    for count, obj in enumerate(processor, start=1):
        if progress is not None and count % 1000 == 0:
            progress(count)
        street = obj.tags.get("addr:street") or obj.tags.get("addr:place")
        numbers = obj.tags.get("addr:housenumber")
        if not street or not numbers:
            continue
        if isinstance(obj, osmium.osm.Node):
            lon, lat = obj.location.lon, obj.location.lat
        elif isinstance(obj, osmium.osm.Way):
            try:
                points = [(n.lon, n.lat) for n in obj.nodes]
            except osmium.InvalidLocationError:
                continue
            if obj.is_closed() and len(points) > 1:
                points = points[:-1]  # the closing node would count twice
            lon = sum(p[0] for p in points) / len(points)
            lat = sum(p[1] for p in points) / len(points)
        else:
            continue
        postcode = obj.tags.get("addr:postcode")
        for number in numbers.split(";"):
            if number.strip():
                yield OsmAddress(
                    street=street.strip(),
                    house_number=number.strip(),
                    postcode=normalise_postcode(postcode) if postcode else None,
                    city=obj.tags.get("addr:city"),
                    lon=lon,
                    lat=lat,
                )


def save_addresses(conn: Connection, addresses: Iterator[OsmAddress]) -> tuple[int, int]:
    """Upsert addresses in the caller's transaction; returns (inserted, updated)."""
    inserted = updated = 0
    statement = text(
        """
        INSERT INTO geo_address (street, house_number, postcode, city, street_key, number_key, geom)
        VALUES (:street, :number, :postcode, :city, :street_key, :number_key,
                ST_SetSRID(ST_MakePoint(:lon, :lat), 4326))
        ON CONFLICT (street_key, number_key, coalesce(postcode, '')) DO UPDATE
        SET street = EXCLUDED.street, house_number = EXCLUDED.house_number,
            city = coalesce(EXCLUDED.city, geo_address.city), geom = EXCLUDED.geom
        RETURNING (xmax = 0) AS inserted
        """
    )
    batch: list[dict[str, object]] = []

    def flush() -> None:
        nonlocal inserted, updated
        for row in batch:
            if conn.execute(statement, row).scalar_one():
                inserted += 1
            else:
                updated += 1
        batch.clear()

    for address in addresses:
        batch.append(
            {
                "street": address.street,
                "number": address.house_number,
                "postcode": address.postcode,
                "city": address.city,
                "street_key": fold(address.street),
                "number_key": number_key(address.house_number),
                "lon": address.lon,
                "lat": address.lat,
            }
        )
        if len(batch) >= 500:
            flush()
    flush()
    return inserted, updated
