"""Radius queries over locations, ordered by distance (PostGIS geography, metres)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, func, select
from sqlalchemy.orm import Session

from directory.models import Location


def _statements(with_category: bool) -> tuple[Select[Any], Select[Any]]:
    """The page statement and the count statement, with bound parameters for every value.

    Built once: SQLAlchemy computes a statement's cache key by walking it, and for a new
    statement object per request that walk (and the compile-cache lookup it feeds) was a
    seventh of a worker's CPU under the public-reads load (py-spy --gil).
    """
    here = func.geography(func.ST_SetSRID(func.ST_MakePoint(bindparam("lon"), bindparam("lat")), 4326))
    # geography(geom) is exactly the expression of the ix_location_geog index.
    geog = func.geography(Location.geom)
    where: list[ColumnElement[bool]] = [func.ST_DWithin(geog, here, bindparam("radius_m"))]
    if with_category:
        where.append(Location.category == bindparam("category"))
    distance = func.ST_Distance(geog, here).label("distance_m")
    # One statement for the page and the total: the matches are found once, as narrow rows
    # (id, distance), counted by a window, and only the page's rows are read in full.
    # (A separate count query found them a second time: a fifth of a radius listing's cost.)
    page = (
        select(Location.id, distance, func.count().over().label("total"))
        .where(*where)
        .order_by(distance, Location.id)
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
        .subquery()
    )
    rows = (
        select(Location, page.c.distance_m, page.c.total)
        .join(page, page.c.id == Location.id)
        .order_by(page.c.distance_m, page.c.id)
    )
    return rows, select(func.count()).select_from(Location).where(*where)


_PAGE = {flag: _statements(flag) for flag in (False, True)}


def locations_near(
    session: Session,
    lat: float,
    lon: float,
    radius_m: float,
    *,
    category: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[Sequence[tuple[Location, float]], int]:
    """Locations within `radius_m` of a point, nearest first, each with its distance in metres."""
    rows_stmt, count_stmt = _PAGE[bool(category)]
    params: dict[str, Any] = {"lat": lat, "lon": lon, "radius_m": radius_m}
    if category:
        params["category"] = category
    rows = session.execute(rows_stmt, {**params, "limit": limit, "offset": offset}).all()
    if rows:
        total = int(rows[0][2])
    elif offset == 0:
        total = 0
    else:  # a page past the end has no row to carry the total
        total = session.scalar(count_stmt, params) or 0
    return [(row[0], float(row[1])) for row in rows], total
