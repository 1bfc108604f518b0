"""Radius queries over locations, ordered by distance (PostGIS geography, metres)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from directory.models import Location


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
    here = func.geography(func.ST_SetSRID(func.ST_MakePoint(lon, lat), 4326))
    # geography(geom) is exactly the expression of the ix_location_geog index.
    geog = func.geography(Location.geom)
    where: list[ColumnElement[bool]] = [func.ST_DWithin(geog, here, radius_m)]
    if category:
        where.append(Location.category == category)
    distance = func.ST_Distance(geog, here).label("distance_m")
    # One statement for the page and the total: the matches are found once, as narrow rows
    # (id, distance), counted by a window, and only the page's rows are read in full.
    # (A separate count query found them a second time: a fifth of a radius listing's cost.)
    page = (
        select(Location.id, distance, func.count().over().label("total"))
        .where(*where)
        .order_by(distance, Location.id)
        .limit(limit)
        .offset(offset)
        .subquery()
    )
    rows = session.execute(
        select(Location, page.c.distance_m, page.c.total)
        .join(page, page.c.id == Location.id)
        .order_by(page.c.distance_m, page.c.id)
    ).all()
    if rows:
        total = int(rows[0][2])
    elif offset == 0:
        total = 0
    else:  # a page past the end has no row to carry the total
        total = session.scalar(select(func.count()).select_from(Location).where(*where)) or 0
    return [(row[0], float(row[1])) for row in rows], total
