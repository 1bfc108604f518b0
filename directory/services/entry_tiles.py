"""The places layer of the vector tiles: every active location, clustered when zoomed out.

Layers of an entries tile (docs/web.md, "Vector tiles", names each attribute):

- `entries`: one point per active location, with what the map styles and its
  popups show (text only; the page sets it with textContent);
- `clusters` (zoom 13 and below): one point per grid cell holding two or more
  places, at their mean position, with `count`. The cells are those of the
  map's places answer (directory/search/grid.py, `mercator_cell_sql`): 8 x 8
  cells of level z+3 per tile, 64 pixels each, lined up across tiles, and a
  tile reads its neighbours' edge cells whole, so a cluster drawn across a tile
  edge has the same count and place in both tiles.

Closed, draft and needs_review locations never appear: only `status = 'active'`.

Speed: points are projected to Web Mercator with the spherical formula in SQL
(`grid.mercator_sql`; EPSG:3857 is exactly that) instead of `ST_Transform`, which
costs about 5 µs a point through PROJ; at zoom 12 a tile over a city of 100,000
places reads 20,000.
Clustering groups on (row, x, y) only and reads the attributes of the few
single places afterwards, by their row address (`ctid`, stable within the statement).
"""

from __future__ import annotations

from sqlalchemy import Connection, text

from directory.search.grid import mercator_cell_sql, mercator_sql
from directory.services.tiles import BUFFER, EXTENT, TileAddress

#: At this zoom and below, places sharing a grid cell are drawn as one cluster.
CLUSTER_MAX_ZOOM = 13
#: Grid levels below the tile's zoom the cells are: 2^3 = 8 cells per side of a 512-pixel
#: tile, 64 pixels each (the places answer's cells are as wide on the screen).
CLUSTER_LEVELS_BELOW = 3
CLUSTER_CELLS = 1 << CLUSTER_LEVELS_BELOW

#: Web Mercator x and y of `l.geom` (a point in EPSG:4326).
_MX, _MY = mercator_sql("l.geom")
_MERCATOR = f"{_MX} AS mx, {_MY} AS my"
#: The grid cell of a projected place `p` at the level in parameter `level`.
_CELL_X, _CELL_Y = mercator_cell_sql("p.mx", "p.my", ":level")
#: The attributes of one place, from `location l` (MVT has no null: a missing value is left out).
_FIELDS = """
    l.id::text AS id, l.name, l.category,
    l.cost_free, l.cost_amount_eur::float8 AS cost_eur,
    l.step_free, l.accessible_toilet, l.scootmobiel_parking,
    l.kitchen_available AS kitchen, l.room_available AS room, l.capacity
"""
_POINT = f"ST_AsMVTGeom(ST_SetSRID(ST_MakePoint(p.mx, p.my), 3857), b.env, {EXTENT}, {BUFFER}, true)"

_BOUNDS = """
    WITH bounds AS (
        SELECT ST_TileEnvelope(:z, :x, :y) AS env,
               ST_Transform(ST_TileEnvelope(:z, :x, :y, margin => :margin), 4326) AS box
    )
"""

_PLACES = text(
    f"""
    {_BOUNDS}
    SELECT ST_AsMVT(t, 'entries', {EXTENT}, 'geom') FROM (
        SELECT {_POINT} AS geom, {_FIELDS}
        FROM bounds b, location l CROSS JOIN LATERAL (SELECT {_MERCATOR}) p
        WHERE l.status = 'active' AND l.geom && b.box
    ) t
    """
)

_CLUSTERED = text(
    f"""
    {_BOUNDS},
    cells AS (
        SELECT count(*) AS n, avg(p.mx) AS mx, avg(p.my) AS my, max(l.ctid) AS tid
        FROM bounds b, location l CROSS JOIN LATERAL (SELECT {_MERCATOR}) p
        WHERE l.status = 'active' AND l.geom && b.box
        GROUP BY {_CELL_X}, {_CELL_Y}
    )
    SELECT
        coalesce((SELECT ST_AsMVT(t, 'entries', {EXTENT}, 'geom') FROM (
            SELECT {_POINT} AS geom, {_FIELDS}
            FROM bounds b, cells p JOIN location l ON l.ctid = p.tid WHERE p.n = 1
        ) t), ''::bytea)
        ||
        coalesce((SELECT ST_AsMVT(t, 'clusters', {EXTENT}, 'geom') FROM (
            SELECT {_POINT} AS geom, p.n::int AS count
            FROM bounds b, cells p WHERE p.n > 1
        ) t), ''::bytea)
    """
)


def entries_tile(conn: Connection, tile: TileAddress) -> bytes:
    """The entries tile z/x/y as MVT bytes (empty when no place is near)."""
    params = {"z": tile.z, "x": tile.x, "y": tile.y}
    if tile.z <= CLUSTER_MAX_ZOOM:
        # Read one whole cell beyond each edge, so edge cells are counted whole in both tiles.
        cluster = {"margin": 1 / CLUSTER_CELLS, "level": tile.z + CLUSTER_LEVELS_BELOW}
        data = conn.execute(_CLUSTERED, params | cluster).scalar()
    else:
        data = conn.execute(_PLACES, {**params, "margin": BUFFER / EXTENT}).scalar()
    return bytes(data or b"")
