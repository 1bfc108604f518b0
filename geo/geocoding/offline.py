"""The offline geocoder: the address table built from OpenStreetMap (no internet needed)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, text

from geo.geocoding.base import GeocodeResult, Precision
from geo.geocoding.parse import AddressQuery, fold, parse_query

#: How alike a typed street name must be to a stored one (pg_trgm similarity, 0..1).
MIN_STREET_SIMILARITY = 0.45


class OfflineGeocoder:
    """Looks typed addresses and postcodes up in `geo_address`."""

    source = "offline"

    def __init__(self, engine: Engine) -> None:
        """Use the address table of this database."""
        self.engine = engine

    def geocode(self, query: str) -> GeocodeResult | None:
        """Postcode + number, street + number, postcode alone or street alone, in that order."""
        parsed = parse_query(query)
        with self.engine.connect() as conn:
            if parsed.postcode and parsed.number_key:
                row = self._one(conn, "postcode = :postcode", parsed)
                if row:
                    return self._result(row, "address")
            if parsed.street and parsed.number_key:
                row = self._one(conn, "street_key = :street_key", parsed)
                if row is None:
                    row = self._one(
                        conn, "similarity(street_key, :street_key) >= :min_sim", parsed, fuzzy=True
                    )
                if row:
                    return self._result(row, "address")
            if parsed.postcode:
                row = self._centre(conn, "postcode = :postcode", parsed)
                if row:
                    return self._result(row, "postcode")
            if parsed.street:
                row = self._centre(conn, "street_key = :street_key", parsed)
                if row:
                    return self._result(row, "street")
        return None

    @staticmethod
    def _params(parsed: AddressQuery) -> dict[str, Any]:
        return {
            "postcode": parsed.postcode,
            "street_key": fold(parsed.street or ""),
            "number_key": parsed.number_key,
            "base": (parsed.number_key or "").split("-")[0],
            "min_sim": MIN_STREET_SIMILARITY,
        }

    def _one(self, conn: Any, where: str, parsed: AddressQuery, *, fuzzy: bool = False) -> Any:
        """The best address: exact number, else the same number with any addition."""
        order = "similarity(street_key, :street_key) DESC, " if fuzzy else ""
        return conn.execute(
            text(
                f"""
                SELECT street, house_number, postcode, city, ST_Y(geom), ST_X(geom)
                FROM geo_address
                WHERE {where} AND (number_key = :number_key OR number_key LIKE :base || '-%')
                ORDER BY {order}(number_key = :number_key) DESC, number_key, id
                LIMIT 1
                """
            ),
            self._params(parsed),
        ).first()

    def _centre(self, conn: Any, where: str, parsed: AddressQuery) -> Any:
        """The middle of all addresses matching (a postcode or a street)."""
        row = conn.execute(
            text(
                f"""
                SELECT min(street), NULL, min(postcode), min(city),
                       ST_Y(ST_Centroid(ST_Collect(geom))), ST_X(ST_Centroid(ST_Collect(geom))), count(*)
                FROM geo_address WHERE {where}
                """
            ),
            self._params(parsed),
        ).first()
        return row if row and row[6] else None

    def _result(self, row: Any, precision: Precision) -> GeocodeResult:
        street, number, postcode, city, lat, lon = row[:6]
        if precision == "address":
            label = f"{street} {number}"
        elif precision == "postcode":
            label = f"{postcode[:4]} {postcode[4:]}" if postcode else ""
        else:
            label = str(street)
        if precision == "address" and postcode:
            label += f", {postcode}"
        if city:
            label += f" {city}" if precision != "street" else f", {city}"
        return GeocodeResult(
            lat=float(lat),
            lon=float(lon),
            label=label.strip(),
            precision=precision,
            source=self.source,
            postcode=postcode if precision != "street" else None,
            city=city,
        )
