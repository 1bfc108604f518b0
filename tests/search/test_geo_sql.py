"""The SQL pieces for place filters, against PostGIS itself."""

from __future__ import annotations

import random

from sqlalchemy import Engine, text

from directory.search.geo_sql import sphere_distance


def test_sphere_distance_equals_postgis(engine: Engine) -> None:
    """The haversine expression gives ST_DistanceSphere's metres, near and far, across the meridian."""
    rng = random.Random(5)
    points = [(52.3731, 4.8932), (52.3731, 4.8932001), (-33.9, 151.2), (51.5, -0.0001), (0.0, 179.9)]
    points += [(rng.uniform(-80, 80), rng.uniform(-180, 180)) for _ in range(50)]
    expr = sphere_distance("lat", "lon")
    with engine.connect() as conn:
        for lat, lon in points:
            ours, postgis = conn.execute(
                text(
                    f"SELECT {expr}, ST_DistanceSphere(geom, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)) "
                    "FROM (SELECT ST_SetSRID(ST_MakePoint(4.8932, 52.3731), 4326) AS geom) AS g"
                ),
                {"lat": lat, "lon": lon},
            ).one()
            # A radius off by one metre would be 1.6e-7 off: the tolerance is far tighter.
            assert abs(ours - postgis) <= 1e-6 + 1e-10 * postgis, (lat, lon, ours, postgis)
