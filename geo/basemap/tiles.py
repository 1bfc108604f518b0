"""The base map tile: streets, water, green, buildings, railways and place names from `basemap`.

One statement per tile: a sub-select per layer (`ST_AsMVT` of the rows whose
geometry meets the tile plus its margin), concatenated (MVT layers simply
follow each other). What a zoom level shows is decided here, per layer:

| layer | shown from zoom | what |
| --- | --- | --- |
| water, green | 0 | areas of at least 4 pixels |
| streets | 0 (major), 12 (minor), 14 (paths, service roads) | lines with name and class |
| waterways | 12 (rivers, canals), 14 (the rest) | lines |
| railways | 11 (rail, subway, light rail), 13 (trams) | lines |
| buildings | 14 | areas of at least 4 pixels |
| places | 0 (cities, towns) ... 16 (squares) | points with name and rank |

Geometry is simplified to half a pixel (of a 512-pixel tile) below zoom 16;
`ST_AsMVTGeom` then quantises to the tile's 4096 x 4096 grid.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sqlalchemy import Connection, text

from directory.services.tiles import BUFFER, EXTENT, TileAddress
from geo.basemap.load import SCHEMA

#: MVT units per screen pixel on a 512-pixel tile.
UNITS_PER_PIXEL = EXTENT / 512
#: From this zoom on, geometry is not simplified before quantising (objects are a few pixels).
FULL_DETAIL_ZOOM = 16


@dataclass(frozen=True)
class BaseLayer:
    """One layer of the base tile: its table, attributes, and what each zoom shows."""

    name: str
    columns: str
    min_zoom: int = 0
    area: bool = False  # drop areas smaller than a few pixels

    def condition(self, z: int) -> str:
        """The extra SQL condition of this layer at zoom z ('' for none)."""
        rules = _ZOOM_RULES.get(self.name)
        return rules(z) if rules else ""


def _streets(z: int) -> str:
    if z <= 11:
        return "class = 'major'"
    if z <= 13:
        return "class IN ('major', 'minor')"
    return ""


def _waterways(z: int) -> str:
    return "kind IN ('river', 'canal')" if z < 14 else ""


def _railways(z: int) -> str:
    return "kind IN ('rail', 'subway', 'light_rail')" if z < 13 else ""


def _places(z: int) -> str:
    if z <= 10:
        return "rank <= 2"
    if z <= 12:
        return "rank <= 3"
    if z == 13:
        return "rank <= 4"
    if z <= 15:
        return "rank <= 5"
    return ""


_ZOOM_RULES = {"streets": _streets, "waterways": _waterways, "railways": _railways, "places": _places}

#: The layers in drawing order (later layers are drawn on top by a style that follows it).
LAYERS = (
    BaseLayer("water", "kind, name", area=True),
    BaseLayer("green", "kind, name", area=True),
    BaseLayer("waterways", "kind, name"),
    BaseLayer("buildings", "", min_zoom=14, area=True),
    BaseLayer("railways", "kind, tunnel", min_zoom=11),
    BaseLayer("streets", "name, class, kind, bridge, tunnel"),
    BaseLayer("places", "kind, name, rank"),
)


def _layer_sql(layer: BaseLayer, z: int) -> str:
    geom = "geom" if z >= FULL_DETAIL_ZOOM or layer.name == "places" else "ST_Simplify(geom, :tolerance)"
    where = ["geom && b.box"]
    if layer.area:
        where.append("area >= :min_area")
    if condition := layer.condition(z):
        where.append(condition)
    columns = f", {layer.columns}" if layer.columns else ""
    return (
        f"coalesce((SELECT ST_AsMVT(t, '{layer.name}', {EXTENT}, 'geom') FROM ("
        f"SELECT ST_AsMVTGeom({geom}, b.env, {EXTENT}, {BUFFER}, true) AS geom{columns} "
        f"FROM {SCHEMA}.{layer.name}, bounds b WHERE {' AND '.join(where)}"
        f") t WHERE t.geom IS NOT NULL), ''::bytea)"
    )


@cache
def base_statement(z: int) -> str:
    """The SQL of a base tile at zoom z (parameters :z, :x, :y, :margin, :tolerance, :min_area)."""
    layers = [_layer_sql(layer, z) for layer in LAYERS if z >= layer.min_zoom]
    return (
        "WITH bounds AS (SELECT ST_TileEnvelope(:z, :x, :y) AS env, "
        "ST_TileEnvelope(:z, :x, :y, margin => :margin) AS box) "
        "SELECT " + " || ".join(layers)
    )


def basemap_loaded(conn: Connection) -> bool:
    """True when a base map has been imported (`wijkgram geo import-basemap`)."""
    return bool(conn.execute(text(f"SELECT to_regclass('{SCHEMA}.streets') IS NOT NULL")).scalar_one())


def base_tile(conn: Connection, tile: TileAddress) -> bytes:
    """The base tile z/x/y as MVT bytes (empty where the base map has nothing, or none is loaded)."""
    if not basemap_loaded(conn):
        return b""
    pixel_m = tile.unit_m * UNITS_PER_PIXEL
    params = {
        "z": tile.z,
        "x": tile.x,
        "y": tile.y,
        "margin": BUFFER / EXTENT,
        "tolerance": pixel_m / 2,
        "min_area": 4 * pixel_m * pixel_m,
    }
    data = conn.execute(text(base_statement(tile.z)), params).scalar()
    return bytes(data or b"")
