"""The embedded engine: PostgreSQL full-text search over `search_document`.

Matching follows Meilisearch's rules so both engines find the same entries:
every query word must match (stopwords aside), as the word itself, one of
its synonyms, a word in the index within the allowed typos (1 from 5
letters, 2 from 9), or, for the last word, as a prefix. Words are matched
after the `wijkgram_nl` configuration (Dutch with unaccent) has stemmed
them, so PostgreSQL also joins inflections ("kerken" / "kerk") that
Meilisearch keeps apart.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import psycopg
from sqlalchemy import Engine, text
from sqlalchemy.dialects.postgresql import psycopg as psycopg_dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import QueuePool

from directory.db.engine import connect_options, pooled_engine
from directory.search.base import EngineUnavailable, SearchEngine
from directory.search.facet_index import FacetIndex, ordinals
from directory.search.fields import (
    ALL_OF_FACETS,
    LIST_FACETS,
    ONE_TYPO_FROM,
    SUPPORT_CATEGORIES,
    TWO_TYPOS_FROM,
)
from directory.search.geo_sql import place_arms, sphere_distance
from directory.search.grid import Cell, cell_sql
from directory.search.hits import to_hit
from directory.search.query import PlaceGrid, SearchQuery, SearchResult
from directory.search.text import query_terms, synonym_map

#: Settings of every search connection (given at connect, so no search spends a round trip
#: on them). JIT compiles for ~200 ms, far longer than a search runs; parallel workers cost
#: more than they save on short queries on small machines; the trigram index finds typo
#: candidates, and a low threshold keeps short words with a typo in. The matches of a broad
#: query (30,000 rows) are kept in memory rather than spilled to temporary files, and the
#: document table is small enough to stay cached, so a page read through an index costs
#: little more than one read in sequence. An index entry costs a tenth of a page, not the
#: default two hundredth: the GIN index of a common word hands over 20,000-60,000 rows at
#: about 0.5-1 us each (a page of a circle's rows, read and tested, takes about 7 us), and
#: priced at the default, PostgreSQL intersected those rows with a small circle's few hundred
#: instead of testing the words on the circle's rows, 2-3x slower (docs/reliability.md,
#: "Public reads at 100k").
SEARCH_OPTIONS = (
    "-c jit=off -c max_parallel_workers_per_gather=0 -c pg_trgm.similarity_threshold=0.2 "
    "-c work_mem=32MB -c random_page_cost=1.1 -c cpu_index_tuple_cost=0.1"
)
#: psycopg's connection arguments for searches. Autocommit: a search only reads, and at READ
#: COMMITTED a transaction would give its statements no common snapshot, only a BEGIN and a
#: ROLLBACK round trip. No prepared statements: psycopg prepares a statement after five runs,
#: and prepared, PostgreSQL plans these searches (same text, other words) 2-3x slower.
SEARCH_CONNECT_ARGS: dict[str, Any] = {
    "options": SEARCH_OPTIONS,
    "application_name": "wijkgram-search",  # tells them apart in pg_stat_activity
    "autocommit": True,
    "prepare_threshold": None,
}

#: Typo candidates of the query terms (psycopg parameters). A typo on the first letter counts as
#: two, as in Meilisearch: "huren" is no "buren", "kerkzaal huren" no neighbours' help.
TYPO_SQL = """
    SELECT t.term, w.word
    FROM unnest(%(terms)s::text[]) AS t(term)
    JOIN search_word w
      ON w.word %% t.term
     AND w.word <> t.term
     AND levenshtein_less_equal(w.word, t.term, CASE WHEN length(t.term) >= %(two)s THEN 2 ELSE 1 END)
         + CASE WHEN left(w.word, 1) <> left(t.term, 1) THEN 1 ELSE 0 END
         <= CASE WHEN length(t.term) >= %(two)s THEN 2 ELSE 1 END
"""


def typo_variants(conn: psycopg.Connection[Any], terms: list[str]) -> dict[str, list[str]]:
    """Indexed words within the allowed typos of each long-enough term (trigram index, then Levenshtein)."""
    long_terms = [t for t in terms if len(t) >= ONE_TYPO_FROM]
    out: dict[str, list[str]] = {t: [] for t in terms}
    if not long_terms:
        return out
    for term, word in conn.execute(TYPO_SQL, {"terms": long_terms, "two": TWO_TYPOS_FROM}):
        out[term].append(word)
    return out


@lru_cache(maxsize=512)
def driver_sql(sql: str) -> str:
    """A statement with `:name` parameters as psycopg takes it (`%(name)s`, `%` doubled).

    SQLAlchemy's compiler does the translation; the few shapes a search takes are cached.
    """
    return str(text(sql).compile(dialect=psycopg_dialect.dialect()))  # type: ignore[no-untyped-call]


def search_pool(db: Engine) -> Engine:
    """A pool of search connections to `db`'s database, with the search settings.

    Its own pool, so the settings stay off the application's connections, and without
    pre-ping: a search that finds its connection dead retries once on a new one instead
    of every search paying a round trip to check.
    """
    size = db.pool.size() if isinstance(db.pool, QueuePool) else 4
    # The URL's own options (a search_path, say) still hold.
    connect_args = {**SEARCH_CONNECT_ARGS, "options": connect_options(db.url, SEARCH_OPTIONS)}
    return pooled_engine(db.url, size, pre_ping=False, connect_args=connect_args)


@dataclass(frozen=True)
class TextQuery:
    """The tsqueries of a query's words: what matches, and what ranks a match higher."""

    #: Every word as typed, a synonym, a typo variant or (the last word) a prefix: what matches.
    full: str
    #: Every word as typed or a synonym, no typo, no prefix: Meilisearch's "typo" rule.
    exact: str
    #: The words as typed only, or None when no word has a synonym (then it equals `exact`).
    typed: str | None


def build_tsquery(terms: list[str], typos: dict[str, list[str]], *, prefix_last: bool) -> TextQuery:
    """The match query and the two rank queries (see TextQuery) of a query's words."""
    synonyms = synonym_map()
    full: list[str] = []
    exact: list[str] = []
    for i, term in enumerate(terms):
        literal = f"{term}:*" if prefix_last and i == len(terms) - 1 else term
        same = [term, *synonyms.get(term, ())]
        exact.append("(" + " | ".join(same) + ")")
        full.append("(" + " | ".join([literal, *same[1:], *typos.get(term, [])]) + ")")
    typed = " & ".join(terms) if any(synonyms.get(term) for term in terms) else None
    return TextQuery(" & ".join(full), " & ".join(exact), typed)


def capacity_condition(query: SearchQuery, params: dict[str, Any]) -> list[str]:
    """The group-size condition, if one was asked: only places known too small are left out.

    Most places have no capacity recorded; they may fit, so they stay.
    """
    if query.min_capacity is None:
        return []
    params["min_capacity"] = query.min_capacity
    return ["(capacity IS NULL OR capacity >= :min_capacity)"]


def filter_conditions(query: SearchQuery, params: dict[str, Any]) -> list[str]:
    """The SQL conditions of a query's facet, cost, time and area filters (parameters go to `params`)."""
    where: list[str] = []
    if query.without_venue:
        where.append("geom IS NULL")  # a service without a venue is the only document without a point
    for facet, values in query.filters.items():
        if not values:
            continue
        params[f"f_{facet}"] = list(values)
        if facet in ALL_OF_FACETS:
            where.append(f"{facet} @> CAST(:f_{facet} AS text[])")
        elif facet in LIST_FACETS:
            where.append(f"{facet} && CAST(:f_{facet} AS text[])")
        else:
            where.append(f"{facet} = ANY(CAST(:f_{facet} AS text[]))")
    if query.max_cost is not None:
        params["max_cost"] = query.max_cost
        where.append("cost_eur <= :max_cost")
    where.extend(capacity_condition(query, params))
    if query.open_bucket is not None:
        # Exact where the entry keeps exact hours for that time, else the hour of the week.
        params.update(bucket=query.open_bucket, hour=query.open_hour)
        where.append(
            "(open_exact @> ARRAY[CAST(:hour AS integer)] OR "
            "(open_hours @> ARRAY[CAST(:bucket AS smallint)] AND open_until <= :hour))"
        )
    if query.open_during:
        exact, weekly = query.during_hours
        params.update(d_exact=exact, d_week=weekly, d_first=min(exact))
        where.append(
            "(open_exact && CAST(:d_exact AS integer[]) OR "
            "(open_hours && CAST(:d_week AS smallint[]) AND open_until <= :d_first))"
        )
    if query.area is not None:
        either = []
        for facet, codes in query.area.codes().items():
            params[f"a_{facet}"] = list(codes)
            either.append(f"{facet} = ANY(CAST(:a_{facet} AS text[]))")
        if query.area.served_ids:
            params["a_served"] = list(query.area.served_ids)
            either.append("id = ANY(CAST(:a_served AS text[]))")
        where.append("(" + " OR ".join(either or ["false"]) + ")")
    return where


class ConnectionLost(EngineUnavailable):
    """The search's connection broke; a new one may work (the database restarted)."""


class PostgresEngine(SearchEngine):
    """Full-text, facet and geo search in PostgreSQL/PostGIS."""

    name = "postgresql"

    def __init__(self, engine: Engine) -> None:
        self.engine = search_pool(engine)
        self.facets = FacetIndex()

    def close(self) -> None:
        """Close the search connections."""
        self.engine.dispose()

    @contextmanager
    def _connection(self) -> Iterator[psycopg.Connection[Any]]:
        """A search connection from the pool; EngineUnavailable when the database cannot be reached."""
        try:
            pooled = self.engine.raw_connection()
        except (psycopg.OperationalError, psycopg.InterfaceError, DBAPIError) as exc:
            cause = exc.orig if isinstance(exc, DBAPIError) else exc
            raise EngineUnavailable(f"PostgreSQL search failed: {type(cause).__name__}") from exc
        conn: psycopg.Connection[Any] = pooled.driver_connection  # type: ignore[assignment]
        try:
            yield conn
        except (psycopg.OperationalError, psycopg.InterfaceError) as exc:
            # Only an unreachable database is "unavailable"; a bad statement is a bug and a 500.
            reason = f"PostgreSQL search failed: {type(exc).__name__}"
            if conn.broken or conn.closed:
                pooled.invalidate()
                raise ConnectionLost(reason) from exc
            raise EngineUnavailable(reason) from exc
        finally:
            pooled.close()

    def warm_up(self) -> None:
        """Load the facet arrays now (server start), so the first search does not wait for them."""
        with self._connection() as conn:
            self.facets.prepare(conn, ordinals(None))

    def healthy(self) -> bool:
        """True when the database answers."""
        try:
            with self._connection() as conn:
                conn.execute("SELECT 1")
        except (EngineUnavailable, psycopg.Error):
            return False
        return True

    def sql(self, conn: psycopg.Connection[Any], query: SearchQuery) -> tuple[str, dict[str, Any]]:
        """The single SQL statement answering a query (`:name` parameters), and its parameters."""
        params: dict[str, Any] = {}
        where: list[str] = []
        terms = query_terms(query.q)
        score = "0.0"
        if terms:
            typos = typo_variants(conn, terms)
            tsq = build_tsquery(terms, typos, prefix_last=not query.q.endswith(" "))
            params.update(tsq=tsq.full, tsq_exact=tsq.exact, tsq_typed=tsq.typed or tsq.exact)
            where.append("tsv @@ tq.full")
            # Entries with every word as typed (or a synonym) come before those found only
            # through a typo or a prefix, as in Meilisearch's "typo" rule; ts_rank orders
            # within each group (name > category/organisation > venue > description).
            score = "(ts_rank(tsv, tq.full) + (tsv @@ tq.exact)::int)"
            if tsq.typed is not None:
                # The word as typed outranks its synonyms in the same field ("moskee": a mosque
                # named so before one named "Masjid"), but not a better field: half a rank of
                # the typed words keeps a name (weight 1.0) above a category label (0.4 x 1.5).
                score = "(ts_rank(tsv, tq.full) + 0.5 * ts_rank(tsv, tq.typed) + (tsv @@ tq.exact)::int)"
        where.extend(filter_conditions(query, params))
        place = place_arms(query, params)
        if query.sort == "distance" and query.near is not None:
            params.update(s_lat=query.near.lat, s_lon=query.near.lon)
            order = f"geom IS NULL, {sphere_distance('s_lat', 's_lon')}, id"
        else:
            # Stale entries after fresh ones of equal relevance (docs/search.md, "Ranking").
            # Activities and places of support before the places around them (fields.py), as
            # Meilisearch's support:desc; computed from the category, which the table holds.
            params["support_categories"] = list(SUPPORT_CATEGORIES)
            # A group size asked: places known to fit before those not known, the closest fit
            # first (as Meilisearch's sort on capacity:asc, which puts the unknown last).
            fit = "capacity IS NULL, capacity, " if query.min_capacity is not None else ""
            support = "(kind = 'service' OR category = ANY(CAST(:support_categories AS text[])))"
            order = f'score DESC, {fit}{support} DESC, stale, name COLLATE "C", id'
        params.update(limit=query.page_size, offset=(query.page - 1) * query.page_size)
        # The queries are parsed once (a FROM item), not once per row: to_tsquery is only
        # STABLE, and re-parsing it for 30,000 rows cost more than the rest of the search.
        tq_join = (
            ", (SELECT to_tsquery('wijkgram_nl', :tsq) AS full, "
            "to_tsquery('wijkgram_nl', :tsq_exact) AS exact, "
            "to_tsquery('wijkgram_nl', :tsq_typed) AS typed) AS tq"
            if terms
            else ""
        )
        # The documents themselves (search_document_body) are read for the page only; the
        # facets are counted from the matches' ordinals (see facet_index.py).
        ords = "(SELECT string_agg(int4send(ord), ''::bytea) FROM m)" if query.facets else "NULL"
        select = f"""
                SELECT id, name, geom, ord, stale, kind, category, capacity, {score} AS score
                FROM search_document{tq_join}
                WHERE """
        if place is None:
            matches = select + (" AND ".join(where) or "true")
        else:
            # The documents with a point and those known only by an area, each found on its
            # own (no document is both). In one OR, the area's test (ST_Covers, which PostGIS
            # prices at 10,000 operators) counted against every row the place's index found,
            # so PostgreSQL cut those rows down first with the text's GIN index even where
            # that costs far more than testing the words on the few rows of a small circle.
            matches = " UNION ALL ".join(select + " AND ".join([*where, arm]) for arm in place)
        sql = f"""
            WITH m AS MATERIALIZED ({matches}
            ),
            -- Top-N in a subquery: a window over the whole match set sorted all of it.
            page AS (SELECT id, row_number() OVER () AS rn
                     FROM (SELECT id FROM m ORDER BY {order} LIMIT :limit OFFSET :offset) AS top)
            SELECT (SELECT count(*) FROM m) AS total,
                   (SELECT coalesce(json_agg(d.doc ORDER BY page.rn), '[]')
                    FROM page JOIN search_document_body d ON d.id = page.id) AS hits,
                   {ords} AS ords
        """
        return sql, params

    def place_grid(self, query: SearchQuery, level: int, limit: int) -> PlaceGrid:
        """Venues in the box: listed up to `limit`, else counted per cell by one GROUP BY.

        The map asks no text (`query.q` is not used): its filters and the box only.
        A place's documents all carry its point, so a place lies in one cell and
        counting each place once per cell also counts it once in all. Without
        filters a probe asks for `limit` + 1 places first: it reads only the
        covering index on (location_id, geom) (migration 2026_12_05_0400), in place
        order, so it stops at the 301st place, and so does the count after it.
        With filters the table must be read and sorted anyway, so the count comes
        first (one pass) and the places are listed only when they are few.
        """
        box = query.bbox
        assert box is not None, "the map asks for a box"
        params: dict[str, Any] = {
            "level": level,
            "probe": limit + 1,
            "g_w": box.west,
            "g_s": box.south,
            "g_e": box.east,
            "g_n": box.north,
        }
        filters = filter_conditions(query, params)
        where = [
            "location_id IS NOT NULL",
            "geom IS NOT NULL",
            # && finds the points by their boxes (float4, rounded outward), estimated well.
            "geom && ST_MakeEnvelope(:g_w, :g_s, :g_e, :g_n, 4326)",
            *filters,
        ]
        # The coordinates decide at the box's edge, inclusive as Meilisearch's _geoBoundingBox.
        # Asked outside the scan: in its WHERE, PostgreSQL guesses it keeps 2 rows of 90,000
        # and then sorts the whole city to count it instead of hashing into a few hundred cells.
        inside = "ST_X(geom) BETWEEN :g_w AND :g_e AND ST_Y(geom) BETWEEN :g_s AND :g_n"
        places = f"""
            SELECT DISTINCT ON (location_id) location_id, geom FROM search_document
            WHERE {" AND ".join(where)} ORDER BY location_id
        """
        x, y = cell_sql("level")
        listing = driver_sql(
            f"SELECT location_id, ST_Y(geom), ST_X(geom) FROM ({places}) AS p WHERE {inside} LIMIT :probe"
        )
        counting = driver_sql(
            f"SELECT {x}, {y}, count(*) FILTER (WHERE {inside}) FROM ({places}) AS p GROUP BY 1, 2"
        )
        found: list[Any] = []
        with self._connection() as conn:
            if not filters:
                found = conn.execute(listing, params).fetchall()
            if filters or len(found) > limit:
                counted = conn.execute(counting, params).fetchall()
                cells = sorted(Cell(level, int(cx), int(cy), int(n)) for cx, cy, n in counted if n)
                if sum(c.count for c in cells) > limit:
                    return PlaceGrid(
                        engine=self.name,
                        total=sum(c.count for c in cells),
                        level=level,
                        places=[],
                        cells=cells,
                    )
                if filters:
                    found = conn.execute(listing, params).fetchall()
        return PlaceGrid(
            engine=self.name,
            total=len(found),
            level=level,
            places=sorted((str(p[0]), float(p[1]), float(p[2])) for p in found),
            cells=[],
        )

    def _fetch(self, query: SearchQuery) -> tuple[Any, dict[str, dict[str, int]]]:
        """The search's row (total, hits, ordinals) and its facet counts."""
        with self._connection() as conn:
            sql, params = self.sql(conn, query)
            row = conn.execute(driver_sql(sql), params).fetchone()
            assert row is not None  # aggregates only: always one row
            # Counted through the same connection: documents written since the arrays were
            # loaded are read first (facet_index.py).
            counted = self.facets.prepare_and_count(conn, ordinals(row[2]), query.facets)
            return row, counted

    def search(self, query: SearchQuery) -> SearchResult:
        """Answer a query in one round trip (plus one for typo candidates)."""
        try:
            row, counted = self._fetch(query)
        except ConnectionLost:
            # The connection died while pooled (the database restarted): once more, on a new one.
            row, counted = self._fetch(query)
        total, hits, _ = row
        hits = hits if isinstance(hits, list) else json.loads(hits)
        facets = {name: dict(sorted(counted.get(name, {}).items())) for name in query.facets}
        return SearchResult(
            engine=self.name,
            total=int(total),
            page=query.page,
            page_size=query.page_size,
            hits=[to_hit(doc, query) for doc in hits],
            facets=facets,
        )
