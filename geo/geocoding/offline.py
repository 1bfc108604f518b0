"""The offline geocoder: the address table built from OpenStreetMap (no internet needed).

Exact first: postcode + number, then street + number as typed (accents and
case aside, abbreviations such as 'Nw.', 'O.Z.' or '-str.' spelt out, and
'12 hs' read as '12-H'). A street that is right with a number the table does
not hold gives the nearest number on that street (`house_number_nearest`). A
street that is not in the table is never swapped for a similar one: similar
streets ("Damraksteeg" for "Damrak") come back only as candidates for the
person to choose from. A postcode and a street that disagree are never
settled by picking one: both come back as candidates.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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
    only_near,
    with_match,
)
from geo.geocoding.parse import AddressQuery, fold, number_base, parse_query, place_names

#: How alike a typed street name must be to a stored one to be offered (pg_trgm similarity, 0..1).
MIN_STREET_SIMILARITY = 0.45
#: Two addresses of one street and number further apart than this are different places (another town).
SAME_PLACE_M = 1000.0

_COLUMNS = "street, house_number, postcode, city, ST_Y(geom) AS lat, ST_X(geom) AS lon, street_key"


def readable(parsed: AddressQuery) -> bool:
    """Whether a query names anything an address table can look up (a postcode or a street-like word)."""
    if parsed.postcode or parsed.area:
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
        if answer is None:
            return GeocodeAnswer.nothing(self.source, "not_found")
        return only_near(answer) if parsed.approximate else answer

    def _answer(self, conn: Connection, parsed: AddressQuery) -> GeocodeAnswer | None:
        params = _params(parsed)
        if parsed.area:
            return self._area(conn, parsed.area, params)
        if parsed.number_key:
            return self._address(conn, params, parsed)
        if parsed.postcode:
            row = self._centre(conn, "postcode = :postcode", params)
            if row is not None:
                return GeocodeAnswer.point(self._result(row, "postcode", "postcode"))
            return None
        if parsed.street:
            return self._street_or_town(conn, params, parsed)
        return None

    def _address(
        self, conn: Connection, params: dict[str, Any], parsed: AddressQuery
    ) -> GeocodeAnswer | None:
        """A number in the postcode (on the typed street, when one was typed), else on the street.

        The postcode comes first: it names the street and the town at once. But when a street was
        typed too and the postcode's addresses are on another street, one of the two is wrong and
        it is not ours to say which: the street's address and the postcode's come back as
        candidates, and the person chooses.
        """
        postcode_hits: list[GeocodeResult] = []
        if parsed.postcode:
            rows = self._numbers(conn, "postcode = :postcode", params)
            on_street = [row for row in rows if not parsed.street or row.street_key in params["street_keys"]]
            if on_street:
                return self._numbered(on_street, parsed)
            postcode_hits = [
                self._result(row, "address", "fuzzy") for row in rows if row.number_key in parsed.number_keys
            ]
        if not parsed.street:
            return GeocodeAnswer.choose(self.source, postcode_hits) if postcode_hits else None
        rows = self._numbers(conn, "street_key = ANY(:street_keys)" + _city_filter(parsed), params)
        if rows:
            answer = self._numbered(rows, parsed)
            if not parsed.postcode:
                return answer
            # The street holds the number but not in the postcode typed.
            street_hits = [with_match(c, "fuzzy") for c in answer.candidates[:1]]
            return GeocodeAnswer.choose(self.source, [*street_hits, *postcode_hits])
        similar = self._similar_addresses(conn, params, parsed)
        guesses = [*(similar.candidates if similar else ()), *postcode_hits]
        return GeocodeAnswer.choose(self.source, guesses) if guesses else None

    def _area(self, conn: Connection, area: str, params: dict[str, Any]) -> GeocodeAnswer | None:
        """A 4-digit postcode area ('1012'): the middle of its addresses, as precise as a postcode."""
        row = self._centre(conn, "postcode BETWEEN :area || 'AA' AND :area || 'ZZ'", params)
        if row is None:
            return None
        city = row[3]
        return GeocodeAnswer.point(
            GeocodeResult(
                lat=float(row[4]),
                lon=float(row[5]),
                label=f"{area} {city}" if city else area,
                precision="postcode",
                source=self.source,
                city=city,
                match_type="postcode",
            )
        )

    def _outside(self, conn: Connection, parsed: AddressQuery) -> bool:
        """The table is empty, or the postcode area or place typed is not one the table covers."""
        if conn.execute(text("SELECT NOT EXISTS (SELECT 1 FROM geo_address)")).scalar_one():
            return True
        if parsed.postcode or parsed.area:
            known = conn.execute(
                # A range, not LIKE: the postcode index serves it under any collation.
                text(
                    "SELECT EXISTS (SELECT 1 FROM geo_address "
                    "WHERE postcode BETWEEN :area || 'AA' AND :area || 'ZZ')"
                ),
                {"area": (parsed.postcode or parsed.area or "")[:4]},
            ).scalar_one()
            if not known:
                return True
        if parsed.place:
            place_known = conn.execute(
                text(
                    """
                    SELECT NOT EXISTS (SELECT 1 FROM geo_address WHERE city IS NOT NULL)
                        OR EXISTS (SELECT 1 FROM geo_address WHERE lower(city) = ANY(:place_names))
                        OR EXISTS (SELECT 1 FROM geo_address WHERE lower(unaccent(city)) = ANY(:place_folds))
                    """
                ),
                _params(parsed),
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
                    ORDER BY number_key = ANY(:number_keys) DESC,
                             abs(coalesce(substring(number_key FROM '^[0-9]+')::int, 0) - :base),
                             number_key, id
                    LIMIT 50
                    """
                ),
                params,
            )
        )

    def _numbered(self, rows: Sequence[Any], parsed: AddressQuery) -> GeocodeAnswer:
        """Exact when the number is there (ambiguous when it is in two places); else the nearest number.

        Rows of two streets (an abbreviation that spells out to both, 'Pr.': Prins and Prinses)
        are never one place, however close: the person chooses the street.
        """
        keys = parsed.number_keys
        exact = [row for row in rows if row.number_key in keys]
        # The number as typed before another way of writing it: '12-1' before '12-i'.
        exact.sort(key=lambda row: keys.index(row.number_key))
        if exact:
            firsts = _first_per_street(exact)
            if len(firsts) > 1:
                return GeocodeAnswer.choose(
                    self.source, [self._result(r, "address", "exact") for r in firsts]
                )
            return self._one_or_choice(
                _distinct_places([self._result(row, "address", "exact") for row in exact])
            )
        firsts = _first_per_street(rows)
        if len(firsts) > 1:
            return GeocodeAnswer.choose(
                self.source, [self._result(r, "address", "house_number_nearest") for r in firsts]
            )
        nearest = self._result(rows[0], "address", "house_number_nearest")
        others = [self._result(row, "address", "house_number_nearest") for row in rows[1:MAX_CANDIDATES]]
        return GeocodeAnswer.point(nearest, others)

    def _similar_addresses(
        self, conn: Connection, params: dict[str, Any], parsed: AddressQuery
    ) -> GeocodeAnswer | None:
        """Streets like the typed one holding its number: only ever candidates, never the point."""
        rows = _first_spelling_found(lambda spelling: self._similar_rows(conn, spelling), params)
        if not rows:
            return None
        return GeocodeAnswer.choose(self.source, [self._result(row, "address", "fuzzy") for row in rows])

    def _similar_rows(self, conn: Connection, params: dict[str, Any]) -> list[Any]:
        return list(
            conn.execute(
                text(
                    f"""
                SELECT DISTINCT ON (similarity(street_key, :street_key), street_key, city)
                       {_COLUMNS}, similarity(street_key, :street_key) AS score
                FROM geo_address
                WHERE street_key % :street_key AND similarity(street_key, :street_key) >= :min_sim
                  AND (number_key = ANY(:number_keys) OR number_key LIKE :base_text || '-%')
                ORDER BY similarity(street_key, :street_key) DESC, street_key, city,
                         number_key = ANY(:number_keys) DESC, number_key, id
                LIMIT :limit
                """
                ),
                params,
            ).all()
        )

    def _street_or_town(
        self, conn: Connection, params: dict[str, Any], parsed: AddressQuery
    ) -> GeocodeAnswer | None:
        """A street alone: its middle (one per town); else a town; else similar streets as candidates."""
        rows = conn.execute(
            text(
                f"""
                SELECT min(street), NULL, NULL, city,
                       ST_Y(ST_Centroid(ST_Collect(geom))), ST_X(ST_Centroid(ST_Collect(geom)))
                FROM geo_address WHERE street_key = ANY(:street_keys) {_city_filter(parsed)}
                GROUP BY street_key, city ORDER BY count(*) DESC
                """
            ),
            params,
        ).all()
        named = [row for row in rows if row[3] is not None]
        if named:
            # Addresses without a town are no town of their own: 'Kalverstraat' is one street.
            rows = named
        if rows:
            return self._one_or_choice([self._result(row, "street", "street") for row in rows])
        town = self._centre(conn, "lower(city) = :street_lower", params)
        if town is not None:
            return GeocodeAnswer.point(self._result(town, "place", "town"))
        similar = _first_spelling_found(lambda spelling: self._similar_streets(conn, spelling), params)
        if not similar:
            return None
        return GeocodeAnswer.choose(self.source, [self._result(row, "street", "fuzzy") for row in similar])

    def _similar_streets(self, conn: Connection, params: dict[str, Any]) -> list[Any]:
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
        return list(similar)

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
        "area": parsed.area,
        "street_key": fold(parsed.street or ""),
        "street_keys": list(parsed.street_keys),
        "number_keys": list(parsed.number_keys),
        "street_lower": (parsed.street or "").strip().lower(),
        "number_key": key,
        "base": base or 0,
        "base_text": str(base) if base is not None else key,
        "place_names": list(place_names(parsed.place)) if parsed.place else [],
        "place_folds": list(parsed.place_folds),
        "min_sim": MIN_STREET_SIMILARITY,
        "limit": MAX_CANDIDATES,
    }


def _spellings(params: dict[str, Any]) -> list[dict[str, Any]]:
    """The typed street for similar names, then with 'y' as 'ij' ('Zeedyk': the Zeedijk), which
    a trigram comparison misses. Both only ever give candidates."""
    key = params["street_key"]
    ij = key.replace("y", "ij")
    return [params, {**params, "street_key": ij}] if ij != key else [params]


def _first_spelling_found(find: Callable[[dict[str, Any]], list[Any]], params: dict[str, Any]) -> list[Any]:
    """The rows `find` gives for the first of `_spellings` that finds any (none: an empty list)."""
    for spelling in _spellings(params):
        rows = find(spelling)
        if rows:
            return rows
    return []


def _first_per_street(rows: Sequence[Any]) -> list[Any]:
    """The first row of each street among the rows, in the rows' order."""
    firsts: dict[str, Any] = {}
    for row in rows:
        firsts.setdefault(row.street_key, row)
    return list(firsts.values())


def _city_filter(parsed: AddressQuery) -> str:
    """Narrow to the typed place, when one was typed (addresses without a city still count)."""
    if not parsed.place:
        return ""
    return (
        " AND (city IS NULL OR lower(city) = ANY(:place_names) OR lower(unaccent(city)) = ANY(:place_folds))"
    )


def _distinct_places(results: Sequence[GeocodeResult]) -> list[GeocodeResult]:
    """One result per place: the same number on one street within SAME_PLACE_M is one address."""
    kept: list[GeocodeResult] = []
    for result in results:
        if all(distance_m(result.lat, result.lon, other.lat, other.lon) > SAME_PLACE_M for other in kept):
            kept.append(result)
    return kept
