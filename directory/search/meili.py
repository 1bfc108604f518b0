"""The Meilisearch engine: index settings, query translation, and the HTTP calls."""

from __future__ import annotations

import http.client
import json
import time
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

import msgspec
from shapely import wkb
from shapely.geometry import Point, box
from shapely.prepared import prep
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from directory.search.base import EngineUnavailable, SearchEngine
from directory.search.fields import ALL_OF_FACETS, FILTERABLE, ONE_TYPO_FROM, SEARCHABLE, TWO_TYPOS_FROM
from directory.search.geo_sql import place_condition
from directory.search.grid import cell_field, parse_cell_key
from directory.search.hits import to_hit
from directory.search.query import PlaceGrid, SearchQuery, SearchResult
from directory.search.text import stopwords, synonym_map
from directory.settings import SearchSettings

#: How long the list of service-area documents is kept in memory.
AREA_CACHE_S = 30.0


def index_settings() -> dict[str, Any]:
    """The index settings: what is searched, filtered and sorted, synonyms, stopwords, typos."""
    return {
        "searchableAttributes": list(SEARCHABLE),
        "filterableAttributes": list(FILTERABLE),
        "sortableAttributes": ["_geo", "name", "capacity"],
        # Stale entries after fresh ones of equal relevance, before the alphabet decides.
        "rankingRules": [
            "words",
            "typo",
            "proximity",
            "attribute",
            "sort",
            "exactness",
            "support:desc",
            "stale:asc",
            "name:asc",
        ],
        "synonyms": {word: list(others) for word, others in synonym_map().items()},
        "stopWords": sorted(stopwords()),
        "typoTolerance": {
            "enabled": True,
            "minWordSizeForTypos": {"oneTypo": ONE_TYPO_FROM, "twoTypos": TWO_TYPOS_FROM},
        },
        "pagination": {"maxTotalHits": 1_000_000},
        # Every value of every facet (our layer sorts them). Ordered by count, Meilisearch counts
        # each value's document set against the matches; ordered alphabetically (the default) it
        # reads every match's values one by one when there are at most 3,000 matches, which made
        # a query with 2,500 matches three times slower than one with 25,000 (docs/search.md).
        "faceting": {"maxValuesPerFacet": 1000, "sortFacetValuesBy": {"*": "count"}},
    }


def _quoted(values: tuple[str, ...] | list[str]) -> str:
    return "[" + ", ".join(json.dumps(v) for v in values) + "]"


#: What a request to Meilisearch raises when it gets no answer (refused, reset, timed out, garbled).
HTTP_ERRORS = (OSError, http.client.HTTPException)


class MeiliHTTP:
    """Requests to Meilisearch on a fresh connection each, through the standard library's client.

    Why not keep connections alive: on a kept-alive connection Meilisearch's replies wait
    ~40 ms for the client's delayed ACK (Nagle on its side, so TCP_NODELAY here does not
    help), while connecting on loopback costs ~0.1 ms. Why not httpx or requests: for a
    search that takes 7 ms they add 0.6-0.9 ms of their own (docs/search.md, Benchmark);
    http.client adds about 0.1 ms. Index management keeps the official client (sync.py).
    """

    def __init__(self, url: str, key: str | None, timeout_s: float) -> None:
        parts = urlsplit(url)
        self._connection = (
            http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        )
        self._host = parts.hostname or "127.0.0.1"
        self._port = parts.port
        self._prefix = parts.path.rstrip("/")
        self._timeout = timeout_s
        self._headers = {"Content-Type": "application/json", "Connection": "close"}
        if key:
            self._headers["Authorization"] = f"Bearer {key}"

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, bytes]:
        """The status and body of one request; HTTP_ERRORS when there is no answer."""
        conn = self._connection(self._host, self._port, timeout=self._timeout)
        try:
            payload = None if body is None else msgspec.json.encode(body)
            conn.request(method, self._prefix + path, body=payload, headers=self._headers)
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()


def _facet_filters(query: SearchQuery) -> list[str]:
    """The Meilisearch filters of a query's facets (and of `without_venue`)."""
    filters: list[str] = []
    if query.without_venue:
        filters.append("has_area = true")
    for facet, values in query.filters.items():
        if not values:
            continue
        if facet in ALL_OF_FACETS:
            filters.extend(f"{facet} = {json.dumps(v)}" for v in values)
        else:
            filters.append(f"{facet} IN {_quoted(values)}")
    return filters


class MeiliEngine(SearchEngine):
    """Typo-tolerant search with facets and geo in Meilisearch."""

    name = "meilisearch"

    def __init__(self, settings: SearchSettings, db: Engine) -> None:
        self.settings = settings
        self.db = db
        self.http = MeiliHTTP(settings.meili_url, settings.meili_key, settings.timeout_s)
        self._areas: list[tuple[str, Any]] | None = None
        self._areas_at = 0.0

    @property
    def search_path(self) -> str:
        """The HTTP path of the index's search endpoint."""
        return f"/indexes/{self.settings.index_name}/search"

    def healthy(self) -> bool:
        """True when Meilisearch answers /health."""
        try:
            return self.http.request("GET", "/health")[0] == 200
        except HTTP_ERRORS:
            return False

    def _ids_in_db(self, condition: str, params: dict[str, Any]) -> list[str]:
        """Document ids matching a PostGIS condition (service areas, polygons: see docs/search.md)."""
        try:
            with self.db.connect() as conn:
                return list(conn.scalars(text(f"SELECT id FROM search_document WHERE {condition}"), params))
        except DBAPIError as exc:
            raise EngineUnavailable("the database is needed for this place filter") from exc

    def service_areas(self) -> list[tuple[str, Any]]:
        """Documents known only by a service area, with their shapes (cached for AREA_CACHE_S).

        They are few (organisations that come to people) and change rarely; keeping them
        in memory spares each radius or bbox search a database round trip. Meilisearch
        itself follows the outbox, so it is never fresher than this cache.
        """
        now = time.monotonic()
        if self._areas is None or now - self._areas_at > AREA_CACHE_S:
            try:
                with self.db.connect() as conn:
                    rows = conn.execute(
                        text(
                            "SELECT id, ST_AsBinary(area) FROM search_document "
                            "WHERE geom IS NULL AND area IS NOT NULL"
                        )
                    ).all()
            except DBAPIError as exc:
                if self._areas is None:
                    raise EngineUnavailable("the database is needed for service areas") from exc
                return self._areas  # a stale list beats no answer
            self._areas = [(row[0], prep(wkb.loads(bytes(row[1])))) for row in rows]
            self._areas_at = now
        return self._areas

    def place_filter(self, query: SearchQuery) -> str | None:
        """The Meilisearch filter for the place filter, or None."""
        params: dict[str, Any] = {}
        if query.near is not None and query.near.radius_m is not None:
            n = query.near
            geo = f"_geoRadius({n.lat}, {n.lon}, {n.radius_m})"
            here = Point(n.lon, n.lat)
            areas = [doc_id for doc_id, shape in self.service_areas() if shape.covers(here)]
        elif query.bbox is not None:
            b = query.bbox
            geo = f"_geoBoundingBox([{b.north}, {b.east}], [{b.south}, {b.west}])"
            envelope = box(b.west, b.south, b.east, b.north)
            areas = [doc_id for doc_id, shape in self.service_areas() if shape.intersects(envelope)]
        elif query.polygon is not None:
            # Meilisearch 1.21 has no _geoPolygon (1.22 does): PostGIS resolves the polygon.
            condition = place_condition(query, params)
            ids = self._ids_in_db(condition or "false", params)
            return f"id IN {_quoted(ids)}" if ids else 'id = "none"'
        else:
            return None
        return f"({geo} OR id IN {_quoted(areas)})" if areas else geo

    def request_body(self, query: SearchQuery) -> dict[str, Any]:
        """The JSON body of the Meilisearch search request for a query."""
        filters = _facet_filters(query)
        if query.max_cost is not None:
            filters.append(f"cost_eur <= {query.max_cost}")
        if query.min_capacity is not None:
            # Unknown capacity stays (null, or no field in a document indexed before it existed).
            filters.append(
                f"(capacity >= {int(query.min_capacity)} OR capacity IS NULL OR capacity NOT EXISTS)"
            )
        if query.open_bucket is not None:
            # Exact where the entry keeps exact hours for that time, else the hour of the week.
            filters.append(
                f"(open_exact = {query.open_hour} OR "
                f"(open_hours = {query.open_bucket} AND NOT open_until > {query.open_hour}))"
            )
        if query.open_during:
            exact, weekly = query.during_hours
            filters.append(
                f"(open_exact IN {list(exact)} OR "
                f"(open_hours IN {list(weekly)} AND NOT open_until > {min(exact)}))"
            )
        if query.area is not None:
            either = [f"{facet} IN {_quoted(codes)}" for facet, codes in query.area.codes().items()]
            if query.area.served_ids:
                either.append(f"id IN {_quoted(query.area.served_ids)}")
            filters.append("(" + " OR ".join(either or ['id = "none"']) + ")")
        place = self.place_filter(query)
        if place:
            filters.append(place)
        body: dict[str, Any] = {
            "q": query.q,
            "page": query.page,
            "hitsPerPage": query.page_size,
            "facets": list(query.facets),
            "matchingStrategy": "all",
        }
        if filters:
            body["filter"] = " AND ".join(filters)
        if query.sort == "distance" and query.near is not None:
            body["sort"] = [f"_geoPoint({query.near.lat}, {query.near.lon}):asc"]
        elif query.min_capacity is not None:
            # Places known to fit before unknown ones (a sort puts documents without the value
            # last), the closest fit first; the "sort" rule comes after words, typo, proximity
            # and attribute, so it only orders hits that are otherwise equal.
            body["sort"] = ["capacity:asc"]
        return body

    def place_grid(self, query: SearchQuery, level: int, limit: int) -> PlaceGrid:
        """Venues in the box, counted per cell by the cell facet; listed when at most `limit`.

        `distinct` (count a place once however many of its documents match) makes
        Meilisearch visit every matching document: 100-200 ms for a whole city of
        56,000 places. It is asked only where it is needed. Without filters a place
        matches through its own document, which every place has (an activity's
        document exists only at a searchable venue), so counting the venues'
        documents (`service_id IS NULL`) counts the places, in one request of a few
        milliseconds that also lists them when they are few. With filters a cheap
        count of the matching documents comes first: when at most `limit` match, so
        do the places, and only they are read with `distinct`.
        """
        box = query.bbox
        assert box is not None, "the map asks for a box"
        filtered = self.request_body(replace(query, bbox=None, facets=())).get("filter")
        geo = f"_geoBoundingBox([{box.north}, {box.east}], [{box.south}, {box.west}])"
        where = " AND ".join(part for part in (filtered, geo, "location_id IS NOT NULL") if part)
        cells = [cell_field(level)]
        listed = {"attributesToRetrieve": ["location_id", "_geo"], "page": 1, "hitsPerPage": limit}
        if not filtered:
            data = self._post(
                {"q": "", "filter": f"{where} AND service_id IS NULL", "facets": cells, **listed}
            )
        else:
            documents = self._post({"q": "", "filter": where, "facets": [], "page": 1, "hitsPerPage": 0})
            body = {"q": "", "filter": where, "distinct": "location_id", **listed}
            if int(documents.get("totalHits", 0)) > limit:
                body["facets"] = cells  # too many documents: maybe too many places, so count cells too
            data = self._post(body)
        return self._grid(data, level, limit)

    def _grid(self, data: dict[str, Any], level: int, limit: int) -> PlaceGrid:
        """The PlaceGrid of a place_grid request's answer."""
        total = int(data.get("totalHits", 0))
        counts = data.get("facetDistribution", {}).get(cell_field(level), {})
        return PlaceGrid(
            engine=self.name,
            total=total,
            level=level,
            places=sorted(
                (str(h["location_id"]), float(h["_geo"]["lat"]), float(h["_geo"]["lng"]))
                for h in data.get("hits", [])
            )
            if total <= limit
            else [],
            cells=sorted(parse_cell_key(str(k), level, int(v)) for k, v in counts.items())
            if total > limit
            else [],
        )

    def _post(self, body: dict[str, Any]) -> dict[str, Any]:
        """One search request; EngineUnavailable when Meilisearch does not answer or answers an error."""
        try:
            status, content = self.http.request("POST", self.search_path, body)
        except HTTP_ERRORS as exc:
            raise EngineUnavailable(f"Meilisearch did not answer ({type(exc).__name__})") from exc
        if status != 200:
            raise EngineUnavailable(
                f"Meilisearch answered {status}: {content[:200].decode(errors='replace')}"
            )
        data: dict[str, Any] = msgspec.json.decode(content)
        return data

    def search(self, query: SearchQuery) -> SearchResult:
        """Answer a query with one HTTP call (plus a database call for polygons and service areas)."""
        data = self._post(self.request_body(query))
        facets = {
            name: dict(
                sorted((str(k), int(v)) for k, v in data.get("facetDistribution", {}).get(name, {}).items())
            )
            for name in query.facets
        }
        return SearchResult(
            engine=self.name,
            total=int(data.get("totalHits", 0)),
            page=query.page,
            page_size=query.page_size,
            hits=[to_hit(doc, query) for doc in data.get("hits", [])],
            facets=facets,
        )
