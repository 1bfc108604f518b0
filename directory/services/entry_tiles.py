"""The places layer of the vector tiles: every active location, clustered when zoomed out.

Layers of an entries tile (docs/web.md, "Vector tiles", names each attribute):

- `entries`: one point per active location, with what the map styles and its
  popups show (text only; the page sets it with textContent);
- `clusters` (zoom 13 and below): one point per grid cell holding two or more
  places, at their mean position, with `count`. The grid has 8 x 8 cells per
  tile and lines up across tiles (a tile's width is a whole number of cells),
  and a tile reads its neighbours' edge cells whole, so a cluster drawn across
  a tile edge has the same count and place in both tiles.

Closed, draft and needs_review locations never appear: only `status = 'active'`.

Speed: points are projected to Web Mercator with the spherical formula in SQL
(EPSG:3857 is exactly that) instead of `ST_Transform`, which costs about 5 µs a
point through PROJ; at zoom 12 a tile over a city of 100,000 places reads 20,000.
Clustering groups on (row, x, y) only and reads the attributes of the few
single places afterwards, by their row address (`ctid`, stable within the statement).
"""

from __future__ import annotations

from sqlalchemy import Connection, text

from directory.services.tiles import BUFFER, EXTENT, TileAddress

#: At this zoom and below, places sharing a grid cell are drawn as one cluster.
CLUSTER_MAX_ZOOM = 13
#: Grid cells per tile side when clustering (a 512-pixel tile: cells of 64 pixels).
CLUSTER_CELLS = 8
#: Half the Web Mercator world's width, and the sphere's radius (metres).
HALF_WORLD = 20037508.342789244
RADIUS = 6378137.0

#: Web Mercator x and y of `l.geom` (a point in EPSG:4326).
_MERCATOR = f"""
    ST_X(l.geom) * {HALF_WORLD / 180.0!r} AS mx,
    ln(tan(radians(45.0 + ST_Y(l.geom) / 2.0))) * {RADIUS!r} AS my
"""
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
        GROUP BY floor((p.mx - :xmin) / :cell), floor((p.my - :ymin) / :cell)
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
        width = tile.width_m
        xmin = -HALF_WORLD + tile.x * width
        ymin = HALF_WORLD - (tile.y + 1) * width
        cluster = {"margin": 1 / CLUSTER_CELLS, "cell": width / CLUSTER_CELLS, "xmin": xmin, "ymin": ymin}
        data = conn.execute(_CLUSTERED, params | cluster).scalar()
    else:
        data = conn.execute(_PLACES, {**params, "margin": BUFFER / EXTENT}).scalar()
    return bytes(data or b"")
