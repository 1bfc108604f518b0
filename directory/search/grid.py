"""The grid the map aggregates places on when a view holds too many to send one by one.

A cell is a Web Mercator tile (the slippy-map `x/y` at a `level`), so a cell at
level z+2 is 64 screen pixels wide at zoom z. Both engines count the same cells:
PostgreSQL computes a point's cell in SQL (`cell_sql`) and groups on it,
Meilisearch counts the `cell_<level>` field every document with a point carries
(`document_cells`, a facet, so one request answers "how many places per cell in
this box"). Only the even levels in CELL_LEVELS are stored, so a document
carries eight short fields instead of twenty.

The clusters of the entries vector tiles (directory/services/entry_tiles.py) are
cells of the same grid (`mercator_cell_sql`): a 512-pixel tile of zoom z holds
8 x 8 cells of level z+3, 64 pixels each, as the map's places answer does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: The levels a document carries a cell for (Meilisearch); PostgreSQL could use any.
CELL_LEVELS: tuple[int, ...] = (6, 8, 10, 12, 14, 16, 18, 20)
#: Cells are wanted about this many levels finer than the map's zoom (64-128 px wide).
LEVELS_BELOW_ZOOM = 2
#: The most cells one answer may hold: a 2560 x 1440 screen at 64 px cells needs ~900, and
#: Meilisearch counts at most 1,000 values of a facet (index setting `maxValuesPerFacet`).
MAX_CELLS = 1000
#: Web Mercator's latitude limit: tiles do not reach further.
MAX_LAT = 85.05112878
#: Half the Web Mercator world's width, and the sphere's radius (metres).
HALF_WORLD = 20037508.342789244
RADIUS = 6378137.0


def cell_field(level: int) -> str:
    """The document field holding the cell of a level ("cell_14")."""
    return f"cell_{level}"


def tile_xy(lat: float, lon: float, level: int) -> tuple[int, int]:
    """The tile (x, y) holding a point at a level; the same formula as `cell_sql`."""
    n = 2**level
    lat = max(-MAX_LAT, min(MAX_LAT, lat))
    rad = math.radians(lat)
    x = math.floor((lon + 180.0) / 360.0 * n)
    y = math.floor((1.0 - math.log(math.tan(rad) + 1.0 / math.cos(rad)) / math.pi) / 2.0 * n)
    return min(max(x, 0), n - 1), min(max(y, 0), n - 1)


def mercator_sql(geom: str = "geom") -> tuple[str, str]:
    """SQL for the spherical Web Mercator x and y (metres) of a point in EPSG:4326.

    EPSG:3857 is exactly this formula; written out it costs a fraction of
    `ST_Transform` through PROJ, which matters at tens of thousands of points.
    """
    lat = f"least(greatest(ST_Y({geom}), -{MAX_LAT}), {MAX_LAT})"
    return (
        f"(ST_X({geom}) * {HALF_WORLD / 180.0!r})",
        f"(ln(tan(radians(45.0 + {lat} / 2.0))) * {RADIUS!r})",
    )


def mercator_cell_sql(mx: str, my: str, level: str) -> tuple[str, str]:
    """SQL for the cell x and y at SQL expression `level` of Web Mercator metres `mx`, `my`."""
    n = f"(2.0 ^ {level})"
    x = f"least(greatest(floor(({mx} + {HALF_WORLD!r}) / {2 * HALF_WORLD!r} * {n}), 0), {n} - 1)::int"
    y = f"least(greatest(floor(({HALF_WORLD!r} - {my}) / {2 * HALF_WORLD!r} * {n}), 0), {n} - 1)::int"
    return x, y


def cell_sql(level_param: str, geom: str = "geom") -> tuple[str, str]:
    """SQL for the tile x and y of `geom` at the level in parameter `level_param` (as `tile_xy`)."""
    return mercator_cell_sql(*mercator_sql(geom), f":{level_param}")


def cell_key(x: int, y: int) -> str:
    """The cell's name as documents and answers carry it: "x/y"."""
    return f"{x}/{y}"


def document_cells(lat: float, lon: float) -> dict[str, str]:
    """The `cell_<level>` fields of a document at this point (the cells `tile_xy` gives).

    The point's place on the whole map is computed once and scaled to each level, with the
    operations in `tile_xy`'s order, so every cell is the same to the last bit; an import
    builds thousands of these.
    """
    lat = max(-MAX_LAT, min(MAX_LAT, lat))
    rad = math.radians(lat)
    across = (lon + 180.0) / 360.0
    down = (1.0 - math.log(math.tan(rad) + 1.0 / math.cos(rad)) / math.pi) / 2.0
    cells = {}
    for level in CELL_LEVELS:
        n = 2**level
        x = min(max(math.floor(across * n), 0), n - 1)
        y = min(max(math.floor(down * n), 0), n - 1)
        cells[cell_field(level)] = cell_key(x, y)
    return cells


def tile_lon(x: float, level: int) -> float:
    """The longitude of a tile column's west edge."""
    return float(x / 2**level * 360.0 - 180.0)


def tile_lat(y: float, level: int) -> float:
    """The latitude of a tile row's north edge."""
    return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / 2**level))))


@dataclass(frozen=True, order=True)
class Cell:
    """One grid cell with the number of places in it (within the asked box)."""

    level: int
    x: int
    y: int
    count: int

    @property
    def key(self) -> str:
        """'x/y'."""
        return cell_key(self.x, self.y)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """west, south, east, north in degrees."""
        return (
            tile_lon(self.x, self.level),
            tile_lat(self.y + 1, self.level),
            tile_lon(self.x + 1, self.level),
            tile_lat(self.y, self.level),
        )

    @property
    def centre(self) -> tuple[float, float]:
        """(lat, lon) of the cell's middle in Web Mercator (where a map draws its cluster)."""
        return tile_lat(self.y + 0.5, self.level), tile_lon(self.x + 0.5, self.level)


def parse_cell_key(key: str, level: int, count: int) -> Cell:
    """A Cell from its 'x/y' name."""
    x, y = key.split("/")
    return Cell(level, int(x), int(y), count)


def cells_across(west: float, south: float, east: float, north: float, level: int) -> int:
    """How many cells of a level a box touches."""
    x0, y0 = tile_xy(north, west, level)
    x1, y1 = tile_xy(south, east, level)
    return (x1 - x0 + 1) * (y1 - y0 + 1)


def level_for(zoom: int, west: float, south: float, east: float, north: float) -> int:
    """The finest stored level at most LEVELS_BELOW_ZOOM below the zoom whose cells in the box stay few.

    The zoom is the map's wish; the box decides too, so a client that asks for a whole
    country at zoom 18 gets coarse cells, not millions.
    """
    wanted = zoom + LEVELS_BELOW_ZOOM
    candidates = [level for level in CELL_LEVELS if level <= wanted] or [CELL_LEVELS[0]]
    for level in reversed(candidates):
        if cells_across(west, south, east, north, level) <= MAX_CELLS:
            return level
    return CELL_LEVELS[0]
