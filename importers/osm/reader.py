"""Read places from an OpenStreetMap file (PBF, XML) with pyosmium.

Nodes give their own point. Ways get a representative point inside their
shape (closed ways: inside the polygon; open ways: halfway along the line),
computed with Shapely from the node locations pyosmium keeps in its
location index. Multipolygon relations are assembled by osmium's area
handler and also get a point inside the area. Other relations (routes,
sites) are not places and are skipped.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import osmium
from shapely.geometry import LineString, MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

from importers.osm.tags import TagRule, load_tag_map, primary_keys, to_record
from importers.records import PlaceRecord


@dataclass
class ReadStats:
    """How much of the file was read: every OSM object seen, and the places found."""

    objects: int = 0
    places: int = 0
    skipped: int = 0  # objects with a tag-map key that no rule accepts, or without a name
    bad_geometry: int = 0


def _point_of_way(coords: list[tuple[float, float]], closed: bool) -> Point | None:
    if len(coords) < 2:
        return Point(coords[0]) if coords else None
    if closed and len(coords) >= 4:
        shape: BaseGeometry = Polygon(coords)
        if not shape.is_valid:
            shape = shape.buffer(0)
        if not shape.is_empty:
            return shape.representative_point()
    line = LineString(coords)
    return line.interpolate(0.5, normalized=True)


def _point_of_area(area: osmium.osm.Area) -> Point | None:
    polygons = []
    for outer in area.outer_rings():
        shell = [(n.lon, n.lat) for n in outer]
        holes = [[(n.lon, n.lat) for n in inner] for inner in area.inner_rings(outer)]
        polygons.append(Polygon(shell, holes))
    if not polygons:
        return None
    shape: BaseGeometry = MultiPolygon(polygons)
    if not shape.is_valid:
        shape = shape.buffer(0)
    return None if shape.is_empty else shape.representative_point()


def read_places(
    path: Path,
    *,
    rules: tuple[TagRule, ...] | None = None,
    stats: ReadStats | None = None,
    on_object: Callable[[int], None] | None = None,
) -> Iterator[PlaceRecord]:
    """Every place in the file that a tag-map rule accepts, as a record with a point."""
    rules = rules or load_tag_map()
    stats = stats if stats is not None else ReadStats()
    untagged = osmium.filter.EmptyTagFilter()  # untagged objects are never places: drop them early
    processor = (
        osmium.FileProcessor(str(path))
        .with_locations()
        .with_areas()
        .with_filter(untagged)
        .with_filter(osmium.filter.KeyFilter(*primary_keys(rules)))
    )
    seen = 0
    for obj in processor:
        seen += 1
        if on_object is not None and seen % 1000 == 0:
            on_object(seen)
        tags = {tag.k: tag.v for tag in obj.tags}
        point: Point | None
        if isinstance(obj, osmium.osm.Node):
            if not obj.location.valid():
                continue
            osm_id, point = f"n{obj.id}", Point(obj.location.lon, obj.location.lat)
        elif isinstance(obj, osmium.osm.Way):
            try:
                coords = [(n.lon, n.lat) for n in obj.nodes]
            except osmium.InvalidLocationError:
                stats.bad_geometry += 1
                continue
            osm_id, point = f"w{obj.id}", _point_of_way(coords, obj.is_closed())
        elif isinstance(obj, osmium.osm.Area):
            if obj.from_way():
                continue  # handled as a way above
            osm_id, point = f"r{obj.orig_id()}", _point_of_area(obj)
        else:
            continue
        if point is None:
            stats.bad_geometry += 1
            continue
        record = to_record(osm_id, tags, point.y, point.x, rules)
        if record is None:
            stats.skipped += 1
            continue
        stats.places += 1
        yield record
    stats.objects = _count_objects(path)


def _count_objects(path: Path) -> int:
    """Nodes + ways + relations in the file (for throughput figures).

    osmium-tool counts in C++ in a fraction of the time a Python callback per
    object takes; without it, pyosmium counts.
    """
    tool = shutil.which("osmium")
    if tool:
        done = subprocess.run([tool, "fileinfo", "-e", "-j", str(path)], capture_output=True, text=True)
        if done.returncode == 0:
            count = json.loads(done.stdout)["data"]["count"]
            return int(count["nodes"]) + int(count["ways"]) + int(count["relations"])

    class Count:
        n = 0

        def node(self, _: object) -> None:
            self.n += 1

        def way(self, _: object) -> None:
            self.n += 1

        def relation(self, _: object) -> None:
            self.n += 1

    counter = Count()
    osmium.apply(str(path), counter)
    return counter.n
