"""The places layer of the vector tiles: every place the map shows, clustered when zoomed out.

Layers of an entries tile (docs/web.md, "Vector tiles", names each attribute):

- `entries`: one point per place, with what the map styles and its popups show
  (text only; the page sets it with textContent);
- `clusters` (zoom 13 and below): one point per grid cell holding two or more
  places, at their mean position, with `count`. The cells are those of the
  map's places answer (directory/search/grid.py, `mercator_cell_sql`): 8 x 8
  cells of level z+3 per tile, 64 pixels each, lined up across tiles, and a
  tile reads its neighbours' edge cells whole, so a cluster drawn across a tile
  edge has the same count and place in both tiles.

The places are those of the map's places answer: status `active` or `needs_review`
(SEARCHABLE_STATUSES, what the search engines hold), a place under review marked
`needs_review` so a map can say so; closed and draft locations never appear.

Speed: points are projected to Web Mercator with the spherical formula in SQL
(`grid.mercator_sql`; EPSG:3857 is exactly that) instead of `ST_Transform`, which
costs about 5 µs a point through PROJ. A clustered tile does not read the places
under it (at zoom 12 over a city of 100,000 places that was 20,000-28,000 rows):
it adds up `tile_entry_cell`, the places counted per cell of level 16 once per
entries version (`count_cells`), a few hundred rows, and reads the attributes of
the few single places by id.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

from directory.search.documents import SEARCHABLE_STATUSES
from directory.search.grid import mercator_cell_sql, mercator_sql
from directory.services.tiles import BUFFER, EXTENT, TileAddress

#: At this zoom and below, places sharing a grid cell are drawn as one cluster.
CLUSTER_MAX_ZOOM = 13
#: Grid levels below the tile's zoom the cells are: 2^3 = 8 cells per side of a 512-pixel
#: tile, 64 pixels each (the places answer's cells are as wide on the screen).
CLUSTER_LEVELS_BELOW = 3
CLUSTER_CELLS = 1 << CLUSTER_LEVELS_BELOW

#: The locations drawn, `location l`: the statuses the map's places answer shows (constants, not input).
_SHOWN = "l.status IN ({})".format(", ".join(f"'{status}'" for status in SEARCHABLE_STATUSES))

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
    l.kitchen_available AS kitchen, l.room_available AS room, l.capacity,
    NULLIF(l.status = 'needs_review', false) AS needs_review
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
        WHERE {_SHOWN} AND l.geom && b.box
    ) t
    """
)

#: The level of the counted cells (`tile_entry_cell`): the cells zoom CLUSTER_MAX_ZOOM clusters on.
CELL_LEVEL = CLUSTER_MAX_ZOOM + CLUSTER_LEVELS_BELOW
_CX, _CY = mercator_cell_sql("p.mx", "p.my", str(CELL_LEVEL))

#: True when the counted cells are missing or older than the entries version.
_CELLS_STALE = text(
    "SELECT (SELECT version FROM tile_entry_cell LIMIT 1) IS DISTINCT FROM "
    "(SELECT version FROM tile_layer_version WHERE layer = 'entries')"
)
#: Count every place shown into its cell, labelled with the entries version read in the same
#: snapshot (one statement), so the label never claims newer data than was counted.
_COUNT_CELLS = text(
    f"""
    INSERT INTO tile_entry_cell (x, y, version, n, sum_mx, sum_my, one_id)
    SELECT {_CX}, {_CY}, (SELECT version FROM tile_layer_version WHERE layer = 'entries'),
           count(*), sum(p.mx), sum(p.my), (array_agg(l.id))[1]
    FROM location l CROSS JOIN LATERAL (SELECT {_MERCATOR}) p
    WHERE {_SHOWN} AND l.geom IS NOT NULL
    GROUP BY 1, 2
    """
)

_CLUSTERED = text(
    f"""
    WITH bounds AS (SELECT ST_TileEnvelope(:z, :x, :y) AS env),
    cells AS (
        SELECT sum(c.n) AS n, sum(c.sum_mx) / sum(c.n) AS mx, sum(c.sum_my) / sum(c.n) AS my,
               (array_agg(c.one_id))[1] AS one_id
        FROM tile_entry_cell c
        WHERE c.x BETWEEN :x0 AND :x1 AND c.y BETWEEN :y0 AND :y1
        GROUP BY c.x >> :shift, c.y >> :shift
    )
    SELECT
        coalesce((SELECT ST_AsMVT(t, 'entries', {EXTENT}, 'geom') FROM (
            SELECT {_POINT} AS geom, {_FIELDS}
            FROM bounds b, cells p JOIN location l ON l.id = p.one_id WHERE p.n = 1
        ) t), ''::bytea)
        ||
        coalesce((SELECT ST_AsMVT(t, 'clusters', {EXTENT}, 'geom') FROM (
            SELECT {_POINT} AS geom, p.n::int AS count
            FROM bounds b, cells p WHERE p.n > 1
        ) t), ''::bytea)
    """
)


def count_cells(conn: Connection) -> None:
    """Count the places per cell anew when the entries changed since the last count (commits).

    Every write to a location already turns all entries tiles cold; the first clustered
    tile after it pays this one pass (about 0.1-0.2 s at 100,000 places) for all of them.
    An advisory lock lets one request count while the others wait for its result.
    """
    if not conn.execute(_CELLS_STALE).scalar():
        return
    conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('tile_entry_cell'))"))
    if conn.execute(_CELLS_STALE).scalar():  # nobody counted while we waited
        conn.execute(text("DELETE FROM tile_entry_cell"))
        conn.execute(_COUNT_CELLS)
    conn.commit()


def entries_tile(conn: Connection, tile: TileAddress) -> bytes:
    """The entries tile z/x/y as MVT bytes (empty when no place is near)."""
    params = {"z": tile.z, "x": tile.x, "y": tile.y}
    if tile.z <= CLUSTER_MAX_ZOOM:
        count_cells(conn)
        # The counted cells under the tile and one whole tile cell beyond each edge, so edge
        # cells are counted whole in both tiles; `shift` groups them into the tile's cells.
        shift = CELL_LEVEL - (tile.z + CLUSTER_LEVELS_BELOW)
        first_x, first_y = tile.x * CLUSTER_CELLS - 1, tile.y * CLUSTER_CELLS - 1
        last_x, last_y = (tile.x + 1) * CLUSTER_CELLS, (tile.y + 1) * CLUSTER_CELLS
        cluster = {
            "shift": shift,
            "x0": first_x << shift if first_x >= 0 else 0,
            "y0": first_y << shift if first_y >= 0 else 0,
            "x1": ((last_x + 1) << shift) - 1,
            "y1": ((last_y + 1) << shift) - 1,
        }
        data = conn.execute(_CLUSTERED, params | cluster).scalar()
    else:
        data = conn.execute(_PLACES, {**params, "margin": BUFFER / EXTENT}).scalar()
    return bytes(data or b"")
