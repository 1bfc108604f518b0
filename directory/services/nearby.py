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
    total = session.scalar(select(func.count()).select_from(Location).where(*where)) or 0
    rows = session.execute(
        select(Location, distance).where(*where).order_by(distance, Location.id).limit(limit).offset(offset)
    ).all()
    return [(row[0], float(row[1])) for row in rows], total
