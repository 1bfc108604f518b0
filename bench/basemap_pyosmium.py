"""The other way to load the base map, for comparison only: one pyosmium pass and COPY, no osm2pgsql.

`bench.tiles --compare` times this against `wijkgram geo import-basemap`
(osm2pgsql) on the same files. It writes the same seven tables as
geo/basemap/style.lua, with the same tag rules (kept short here: the classes,
kinds and areas the tiles use), into a schema of its own.
"""

from __future__ import annotations

import io
import time
from pathlib import Path
from typing import Any

import osmium
from sqlalchemy import Engine

STREET_CLASS = {
    **dict.fromkeys(
        [
            "motorway",
            "motorway_link",
            "trunk",
            "trunk_link",
            "primary",
            "primary_link",
            "secondary",
            "secondary_link",
            "tertiary",
            "tertiary_link",
        ],
        "major",
    ),
    **dict.fromkeys(["residential", "unclassified", "living_street", "road"], "minor"),
    **dict.fromkeys(["pedestrian", "footway", "cycleway", "path", "steps", "track", "bridleway"], "path"),
    "service": "service",
}
WATER = {"water", "bay", "reservoir", "basin", "riverbank"}
WATERWAY_LINES = {"river", "canal", "stream", "ditch", "drain"}
GREEN = {
    "leisure": {"park", "garden", "playground", "pitch", "nature_reserve", "common", "dog_park"},
    "landuse": {"grass", "forest", "meadow", "recreation_ground", "cemetery", "allotments", "village_green"},
    "natural": {"wood", "scrub", "grassland", "heath", "wetland"},
}
RAIL = {"rail", "tram", "subway", "light_rail", "narrow_gauge"}
PLACE_RANK = {"city": 1, "town": 2, "suburb": 3, "village": 3, "quarter": 4, "neighbourhood": 5, "hamlet": 5,
              "square": 6, "locality": 6}  # fmt: skip
COLUMNS = {
    "streets": "name text, class text, kind text",
    "water": "kind text, name text",
    "waterways": "kind text, name text",
    "green": "kind text, name text",
    "buildings": "",
    "railways": "kind text",
    "places": "kind text, name text, rank int",
}


def _clean(value: Any) -> str:
    if value is None:
        return "\\N"
    return str(value).replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")


class BaseLayers(osmium.SimpleHandler):
    """Collects WKB (hex) and attributes per table, in memory (a city fits)."""

    def __init__(self) -> None:
        super().__init__()
        self.wkb = osmium.geom.WKBFactory()
        self.rows: dict[str, list[list[Any]]] = {name: [] for name in COLUMNS}

    def node(self, n: Any) -> None:
        rank = PLACE_RANK.get(n.tags.get("place", ""))
        if rank and "name" in n.tags:
            self.rows["places"].append([self.wkb.create_point(n), n.tags["place"], n.tags["name"], rank])

    def way(self, w: Any) -> None:
        tags = w.tags
        line = None
        try:
            cls = STREET_CLASS.get(tags.get("highway", ""))
            if cls and tags.get("area") != "yes":
                line = self.wkb.create_linestring(w)
                self.rows["streets"].append([line, tags.get("name"), cls, tags["highway"]])
            if tags.get("waterway") in WATERWAY_LINES:
                line = line or self.wkb.create_linestring(w)
                self.rows["waterways"].append([line, tags["waterway"], tags.get("name")])
            if tags.get("railway") in RAIL:
                line = line or self.wkb.create_linestring(w)
                self.rows["railways"].append([line, tags["railway"]])
        except osmium.InvalidLocationError:
            pass

    def area(self, a: Any) -> None:
        tags = a.tags
        water = tags.get("natural") == "water" or WATER & {tags.get("waterway"), tags.get("landuse")}
        green = next((tags[k] for k, kinds in GREEN.items() if tags.get(k) in kinds), None)
        building = tags.get("building", "no") != "no"
        if not (water or green or building):
            return
        try:
            geom = self.wkb.create_multipolygon(a)
        except (RuntimeError, osmium.InvalidLocationError):
            return
        if water:
            self.rows["water"].append([geom, tags.get("water", "water"), tags.get("name")])
        if green:
            self.rows["green"].append([geom, green, tags.get("name")])
        if building:
            self.rows["buildings"].append([geom])


def load_with_pyosmium(
    engine: Engine, path: Path, schema: str = "basemap_pyosmium"
) -> tuple[float, dict[str, int]]:
    """(seconds, rows per table): read with pyosmium, COPY, transform to 3857, index, analyse."""
    start = time.perf_counter()
    handler = BaseLayers()
    handler.apply_file(str(path), locations=True)
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}")
        for table, columns in COLUMNS.items():
            extra = f", {columns}" if columns else ""
            cur.execute(f"CREATE TEMP TABLE load_{table} (wkb text{extra}) ON COMMIT DROP")
            buffer = io.StringIO()
            for row in handler.rows[table]:
                buffer.write("\t".join(_clean(v) for v in row) + "\n")
            with cur.copy(f"COPY load_{table} FROM STDIN") as copy:
                copy.write(buffer.getvalue())
            names = "".join(", " + c.split()[0] for c in columns.split(", ")) if columns else ""
            area = ", ST_Area(g) AS area" if table in ("water", "green", "buildings") else ""
            # Sorted by place on disk, as osm2pgsql clusters its tables: a tile reads few pages.
            cur.execute(
                f"CREATE TABLE {schema}.{table} AS SELECT g AS geom{names}{area} FROM ("
                f"SELECT ST_Transform(ST_GeomFromWKB(decode(wkb, 'hex'), 4326), 3857) AS g{names} "
                f"FROM load_{table}) s ORDER BY ST_GeoHash(ST_Transform(g, 4326))"
            )
            cur.execute(f"CREATE INDEX ON {schema}.{table} USING gist (geom)")
            cur.execute(f"ANALYZE {schema}.{table}")
        raw.commit()
    finally:
        raw.close()
    return time.perf_counter() - start, {t: len(rows) for t, rows in handler.rows.items()}
