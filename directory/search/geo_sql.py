"""SQL pieces for place filters, shared by the PostgreSQL engine and Meilisearch's helpers."""

from __future__ import annotations

import math
from typing import Any

from directory.search.query import SearchQuery

#: PostGIS's sphere radius (the mean radius of WGS 84), so distances equal ST_DistanceSphere's.
SPHERE_RADIUS_M = 6371008.7714150598


def sphere_distance(lat: str, lon: str) -> str:
    """SQL for the haversine distance in metres from `geom` to the point in parameters `lat`, `lon`.

    The same number as ST_DistanceSphere (within nanometres), at a third of the cost: that
    function casts every row's point to geography, which took 30 ms for the 16,000 points
    of a 1.5 km radius in the city centre (docs/search.md).
    """
    return (
        f"(2 * {SPHERE_RADIUS_M} * asin(sqrt("
        f"power(sin(radians(ST_Y(geom) - :{lat}) / 2), 2)"
        f" + cos(radians(:{lat})) * cos(radians(ST_Y(geom)))"
        f" * power(sin(radians(ST_X(geom) - :{lon}) / 2), 2))))"
    )


def place_arms(query: SearchQuery, params: dict[str, Any]) -> tuple[str, str] | None:
    """The query's place filter as two WHERE conditions on search_document, or None.

    The first is for documents with a point (in the circle, box or polygon), the second
    for documents known only by a service area (the area covers the circle's centre, the
    client's address, or meets the box or polygon). No document meets both: only documents
    without a point have an area.
    """
    if query.near is not None and query.near.radius_m is not None:
        near, radius = query.near, query.near.radius_m
        # A box around the circle lets the GiST index work; the sphere distance is exact
        # and the same formula Meilisearch uses (haversine), so both agree at the edge.
        dlat = radius / 111_000 + 1e-4
        dlon = radius / (111_000 * max(math.cos(math.radians(near.lat)), 0.01)) + 1e-4
        params.update(
            g_lat=near.lat,
            g_lon=near.lon,
            g_radius=radius,
            g_s=near.lat - dlat,
            g_n=near.lat + dlat,
            g_w=near.lon - dlon,
            g_e=near.lon + dlon,
        )
        here = "ST_SetSRID(ST_MakePoint(:g_lon, :g_lat), 4326)"
        return (
            "(geom && ST_MakeEnvelope(:g_w, :g_s, :g_e, :g_n, 4326)"
            f" AND {sphere_distance('g_lat', 'g_lon')} <= :g_radius)",
            f"geom IS NULL AND ST_Covers(area, {here})",
        )
    if query.bbox is not None:
        b = query.bbox
        params.update(g_s=b.south, g_w=b.west, g_n=b.north, g_e=b.east)
        env = "ST_MakeEnvelope(:g_w, :g_s, :g_e, :g_n, 4326)"
        return f"ST_Intersects(geom, {env})", f"geom IS NULL AND ST_Intersects(area, {env})"
    if query.polygon is not None:
        params["g_poly"] = query.polygon.wkt
        poly = "ST_GeomFromText(:g_poly, 4326)"
        return f"ST_Intersects(geom, {poly})", f"geom IS NULL AND ST_Intersects(area, {poly})"
    return None


def place_condition(query: SearchQuery, params: dict[str, Any]) -> str | None:
    """A WHERE condition on search_document for the query's place filter, or None (see place_arms)."""
    arms = place_arms(query, params)
    if arms is None:
        return None
    placed, unplaced = arms
    return f"({placed} OR ({unplaced}))"
