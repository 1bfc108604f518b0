"""The offline geocoder: the address table built from OpenStreetMap (no internet needed).

Exact first: postcode + number, then street + number as typed (accents and
case aside). A street that is right with a number the table does not hold
gives the nearest number on that street (`house_number_nearest`). A street
that is not in the table is never swapped for a similar one: similar
streets ("Damraksteeg" for "Damrak") come back only as candidates for the
person to choose from.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Engine, text

from directory.points import distance_m
from geo.geocoding.base import (
    MAX_CANDIDATES,
    AnswersLookup,
    GeocodeAnswer,
    GeocodeResult,
    MatchType,
    Precision,
)
from geo.geocoding.parse import AddressQuery, fold, number_base, parse_query

#: How alike a typed street name must be to a stored one to be offered (pg_trgm similarity, 0..1).
MIN_STREET_SIMILARITY = 0.45
#: Two addresses of one street and number further apart than this are different places (another town).
SAME_PLACE_M = 1000.0

_COLUMNS = "street, house_number, postcode, city, ST_Y(geom) AS lat, ST_X(geom) AS lon"


def readable(parsed: AddressQuery) -> bool:
    """Whether a query names anything an address table can look up (a postcode or a street-like word)."""
    if parsed.postcode:
        return True
    letters = sum(ch.isalpha() for ch in parsed.street or "")
    return letters >= 2


class OfflineGeocoder(AnswersLookup):
    """Looks typed addresses and postcodes up in `geo_address`."""

    source = "offline"

    def __init__(self, engine: Engine) -> None:
        """Use the address table of this database."""
        self.engine = engine

    def lookup(self, query: str) -> GeocodeAnswer:
        """Exact address, nearest number on the right street, postcode, street or town; else candidates."""
        parsed = parse_query(query)
        if not readable(parsed):
            return GeocodeAnswer.nothing(self.source, "unreadable")
        with self.engine.connect() as conn:
            if self._outside(conn, parsed):
                return GeocodeAnswer.nothing(self.source, "outside_area")
            answer = self._answer(conn, parsed)
        return answer or GeocodeAnswer.nothing(self.source, "not_found")

    def _answer(self, conn: Connection, parsed: AddressQuery) -> GeocodeAnswer | None:
        params = _params(parsed)
        if parsed.number_key:
            for where in _numbers_of(parsed):
                rows = self._numbers(conn, where, params)
                if rows:
                    return self._numbered(rows, parsed)
            if parsed.street:
                return self._similar_addresses(conn, params, parsed)
        if parsed.postcode:
            row = self._centre(conn, "postcode = :postcode", params)
            if row is not None:
                return GeocodeAnswer.point(self._result(row, "postcode", "postcode"))
            return None
        if parsed.street:
            return self._street_or_town(conn, params, parsed)
        return None

    def _outside(self, conn: Connection, parsed: AddressQuery) -> bool:
        """The table is empty, or the postcode area or place typed is not one the table covers."""
        if conn.execute(text("SELECT NOT EXISTS (SELECT 1 FROM geo_address)")).scalar_one():
            return True
        if parsed.postcode:
            known = conn.execute(
                # A range, not LIKE: the postcode index serves it under any collation.
                text(
                    "SELECT EXISTS (SELECT 1 FROM geo_address "
                    "WHERE postcode BETWEEN :area || 'AA' AND :area || 'ZZ')"
                ),
                {"area": parsed.postcode[:4]},
            ).scalar_one()
            if not known:
                return True
        if parsed.place:
            place_known = conn.execute(
                text(
                    """
                    SELECT NOT EXISTS (SELECT 1 FROM geo_address WHERE city IS NOT NULL)
                        OR EXISTS (SELECT 1 FROM geo_address WHERE lower(city) = :place_lower)
                        OR EXISTS (SELECT 1 FROM geo_address WHERE lower(unaccent(city)) = :place)
                    """
                ),
                {"place": fold(parsed.place), "place_lower": parsed.place.strip().lower()},
            ).scalar_one()
            if not place_known:
                return True
        return False

    def _numbers(self, conn: Connection, where: str, params: dict[str, Any]) -> list[Any]:
        """The addresses of one street or postcode: the typed number first, then the nearest numbers."""
        return list(
            conn.execute(
                text(
                    f"""
                    SELECT {_COLUMNS}, number_key
                    FROM geo_address WHERE {where}
                    ORDER BY number_key = :number_key DESC,
                             abs(coalesce(substring(number_key FROM '^[0-9]+')::int, 0) - :base),
                             number_key, id
                    LIMIT 50
                    """
                ),
                params,
            )
        )

    def _numbered(self, rows: Sequence[Any], parsed: AddressQuery) -> GeocodeAnswer:
        """Exact when the number is there (ambiguous when it is in two places); else the nearest number."""
        exact = [row for row in rows if row.number_key == parsed.number_key]
        if exact:
            return self._one_or_choice(
                _distinct_places([self._result(row, "address", "exact") for row in exact])
            )
        nearest = self._result(rows[0], "address", "house_number_nearest")
        others = [self._result(row, "address", "house_number_nearest") for row in rows[1:MAX_CANDIDATES]]
        return GeocodeAnswer.point(nearest, others)

    def _similar_addresses(
        self, conn: Connection, params: dict[str, Any], parsed: AddressQuery
    ) -> GeocodeAnswer | None:
        """Streets like the typed one holding its number: only ever candidates, never the point."""
        rows = conn.execute(
            text(
                f"""
                SELECT DISTINCT ON (similarity(street_key, :street_key), street_key, city)
                       {_COLUMNS}, similarity(street_key, :street_key) AS score
                FROM geo_address
                WHERE street_key % :street_key AND similarity(street_key, :street_key) >= :min_sim
                  AND (number_key = :number_key OR number_key LIKE :base_text || '-%')
                ORDER BY similarity(street_key, :street_key) DESC, street_key, city,
                         number_key = :number_key DESC, number_key, id
                LIMIT :limit
                """
            ),
            params,
        ).all()
        if not rows:
            return None
        return GeocodeAnswer.choose(self.source, [self._result(row, "address", "fuzzy") for row in rows])

    def _street_or_town(
        self, conn: Connection, params: dict[str, Any], parsed: AddressQuery
    ) -> GeocodeAnswer | None:
        """A street alone: its middle (one per town); else a town; else similar streets as candidates."""
        rows = conn.execute(
            text(
                f"""
                SELECT min(street), NULL, NULL, city,
                       ST_Y(ST_Centroid(ST_Collect(geom))), ST_X(ST_Centroid(ST_Collect(geom)))
                FROM geo_address WHERE street_key = :street_key {_city_filter(parsed)}
                GROUP BY city ORDER BY count(*) DESC
                """
            ),
            params,
        ).all()
        if rows:
            return self._one_or_choice([self._result(row, "street", "street") for row in rows])
        town = self._centre(conn, "lower(city) = :street_lower", params)
        if town is not None:
            return GeocodeAnswer.point(self._result(town, "place", "town"))
        similar = conn.execute(
            text(
                """
                SELECT street, NULL, NULL, city,
                       ST_Y(ST_Centroid(ST_Collect(geom))), ST_X(ST_Centroid(ST_Collect(geom))),
                       similarity(street_key, :street_key) AS score
                FROM geo_address
                WHERE street_key % :street_key AND similarity(street_key, :street_key) >= :min_sim
                GROUP BY street, street_key, city
                ORDER BY similarity(street_key, :street_key) DESC, street
                LIMIT :limit
                """
            ),
            params,
        ).all()
        if not similar:
            return None
        return GeocodeAnswer.choose(self.source, [self._result(row, "street", "fuzzy") for row in similar])

    def _centre(self, conn: Connection, where: str, params: dict[str, Any]) -> Any:
        """The middle of all addresses matching (a postcode or a town)."""
        row = conn.execute(
            text(
                f"""
                SELECT min(street), NULL, min(postcode), min(city),
                       ST_Y(ST_Centroid(ST_Collect(geom))), ST_X(ST_Centroid(ST_Collect(geom))), count(*)
                FROM geo_address WHERE {where}
                """
            ),
            params,
        ).first()
        return row if row and row[6] else None

    def _one_or_choice(self, places: Sequence[GeocodeResult]) -> GeocodeAnswer:
        """The one place found as the point, or several (one number in two towns) to choose from."""
        return (
            GeocodeAnswer.choose(self.source, places) if len(places) > 1 else GeocodeAnswer.point(places[0])
        )

    def _result(self, row: Any, precision: Precision, match_type: MatchType) -> GeocodeResult:
        street, number, postcode, city, lat, lon = row[:6]
        if precision == "address":
            label = f"{street} {number}"
            if postcode:
                label += f", {postcode[:4]} {postcode[4:]}"
            if city:
                label += f" {city}" if postcode else f", {city}"
        elif precision == "postcode":
            label = f"{postcode[:4]} {postcode[4:]}" + (f" {city}" if city else "")
        elif precision == "street":
            label = str(street) + (f", {city}" if city else "")
        else:
            label = str(city)
        score = getattr(row, "score", None)
        return GeocodeResult(
            lat=float(lat),
            lon=float(lon),
            label=label.strip(),
            precision=precision,
            source=self.source,
            postcode=postcode if precision in ("address", "postcode") else None,
            city=city,
            match_type=match_type,
            score=float(score) if score is not None else None,
        )


def _params(parsed: AddressQuery) -> dict[str, Any]:
    key = parsed.number_key or ""
    base = number_base(key)
    return {
        "postcode": parsed.postcode,
        "street_key": fold(parsed.street or ""),
        "street_lower": (parsed.street or "").strip().lower(),
        "number_key": key,
        "base": base or 0,
        "base_text": str(base) if base is not None else key,
        "place": fold(parsed.place or ""),
        "min_sim": MIN_STREET_SIMILARITY,
        "limit": MAX_CANDIDATES,
    }


def _numbers_of(parsed: AddressQuery) -> list[str]:
    """Where a typed house number is looked for: in the postcode, then on the street (in the place).

    The postcode comes first: it names the street and the town at once, where a street name may be
    misspelled or exist in several towns.
    """
    where = [
        ("postcode = :postcode", parsed.postcode),
        ("street_key = :street_key" + _city_filter(parsed), parsed.street),
    ]
    return [condition for condition, typed in where if typed]


def _city_filter(parsed: AddressQuery) -> str:
    """Narrow to the typed place, when one was typed (addresses without a city still count)."""
    return " AND (city IS NULL OR lower(unaccent(city)) = :place)" if parsed.place else ""


def _distinct_places(results: Sequence[GeocodeResult]) -> list[GeocodeResult]:
    """One result per place: the same number on one street within SAME_PLACE_M is one address."""
    kept: list[GeocodeResult] = []
    for result in results:
        if all(distance_m(result.lat, result.lon, other.lat, other.lon) > SAME_PLACE_M for other in kept):
            kept.append(result)
    return kept
