"""Radius queries over locations, ordered by distance (PostGIS geography, metres)."""

from __future__ import annotations

from collections.abc import Sequence

from geoalchemy2 import Geography
from sqlalchemy import ColumnElement, cast, func, select
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
    here = cast(func.ST_SetSRID(func.ST_MakePoint(lon, lat), 4326), Geography)
    where: list[ColumnElement[bool]] = [func.ST_DWithin(cast(Location.geom, Geography), here, radius_m)]
    if category:
        where.append(Location.category == category)
    distance = func.ST_Distance(cast(Location.geom, Geography), here).label("distance_m")
    total = session.scalar(select(func.count()).select_from(Location).where(*where)) or 0
    rows = session.execute(
        select(Location, distance).where(*where).order_by(distance, Location.id).limit(limit).offset(offset)
    ).all()
    return [(row[0], float(row[1])) for row in rows], total
