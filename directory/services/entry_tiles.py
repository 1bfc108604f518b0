"""The places layer of the vector tiles: every active location, clustered when zoomed out.

Layers of an entries tile (docs/web.md, "Vector tiles", names each attribute):

- `entries`: one point per active location, with what the map styles and its
  popups show (text only; the page sets it with textContent);
- `clusters` (zoom 13 and below): one point per grid cell holding two or more
  places, at their centroid, with `count`. The grid has 8 x 8 cells per tile
  and lines up across tiles (a tile's width is a whole number of cells), and a
  tile reads its neighbours' edge cells whole, so a cluster drawn across a tile
  edge has the same count and place in both tiles.

Closed, draft and needs_review locations never appear: only `status = 'active'`.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

from directory.services.tiles import BUFFER, EXTENT, TileAddress

#: At this zoom and below, places sharing a grid cell are drawn as one cluster.
CLUSTER_MAX_ZOOM = 13
#: Grid cells per tile side when clustering (a 512-pixel tile: cells of 64 pixels).
CLUSTER_CELLS = 8

#: The attributes of one place, from `location l` (MVT has no null: a missing value is left out).
_FIELDS = """
    l.id::text AS id, l.name, l.category,
    l.cost_free, l.cost_amount_eur::float8 AS cost_eur,
    l.step_free, l.accessible_toilet, l.scootmobiel_parking,
    l.kitchen_available AS kitchen, l.room_available AS room, l.capacity
"""

_PLACES = text(
    f"""
    WITH bounds AS (
        SELECT ST_TileEnvelope(:z, :x, :y) AS env,
               ST_Transform(ST_TileEnvelope(:z, :x, :y, margin => :margin), 4326) AS box
    )
    SELECT ST_AsMVT(t, 'entries', {EXTENT}, 'geom') FROM (
        SELECT ST_AsMVTGeom(ST_Transform(l.geom, 3857), b.env, {EXTENT}, {BUFFER}, true) AS geom, {_FIELDS}
        FROM location l, bounds b
        WHERE l.status = 'active' AND l.geom && b.box
    ) t
    """
)

_CLUSTERED = text(
    f"""
    WITH bounds AS (
        SELECT ST_TileEnvelope(:z, :x, :y) AS env,
               ST_Transform(ST_TileEnvelope(:z, :x, :y, margin => :margin), 4326) AS box
    ),
    places AS (
        SELECT l.id, l.name, l.category, l.cost_free, l.cost_amount_eur, l.step_free,
               l.accessible_toilet, l.scootmobiel_parking, l.kitchen_available, l.room_available,
               l.capacity, p.g,
               floor((ST_X(p.g) - ST_XMin(b.env)) / :cell) AS cx,
               floor((ST_Y(p.g) - ST_YMin(b.env)) / :cell) AS cy
        FROM location l CROSS JOIN bounds b CROSS JOIN LATERAL (SELECT ST_Transform(l.geom, 3857) AS g) p
        WHERE l.status = 'active' AND l.geom && b.box
    ),
    counted AS (
        SELECT *, count(*) OVER (PARTITION BY cx, cy) AS n FROM places
    )
    SELECT
        coalesce((SELECT ST_AsMVT(t, 'entries', {EXTENT}, 'geom') FROM (
            SELECT ST_AsMVTGeom(l.g, b.env, {EXTENT}, {BUFFER}, true) AS geom, {_FIELDS}
            FROM counted l, bounds b WHERE l.n = 1
        ) t), ''::bytea)
        ||
        coalesce((SELECT ST_AsMVT(t, 'clusters', {EXTENT}, 'geom') FROM (
            SELECT ST_AsMVTGeom(ST_Centroid(ST_Collect(c.g)), b.env, {EXTENT}, {BUFFER}, true) AS geom,
                   count(*)::int AS count
            FROM counted c, bounds b WHERE c.n > 1
            GROUP BY c.cx, c.cy, b.env
        ) t), ''::bytea)
    """
)


def entries_tile(conn: Connection, tile: TileAddress) -> bytes:
    """The entries tile z/x/y as MVT bytes (empty when no place is near)."""
    params = {"z": tile.z, "x": tile.x, "y": tile.y}
    if tile.z <= CLUSTER_MAX_ZOOM:
        # Read one whole cell beyond each edge, so edge cells are counted whole in both tiles.
        cell = tile.width_m / CLUSTER_CELLS
        data = conn.execute(_CLUSTERED, {**params, "margin": 1 / CLUSTER_CELLS, "cell": cell}).scalar()
    else:
        data = conn.execute(_PLACES, {**params, "margin": BUFFER / EXTENT}).scalar()
    return bytes(data or b"")
