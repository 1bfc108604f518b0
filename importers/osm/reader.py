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

from importers.osm.tags import TagRule, classify, load_tag_map, primary_keys, to_record
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
    count: bool = True,
) -> Iterator[PlaceRecord]:
    """Every place in the file that a tag-map rule accepts, as a record with a point.

    An object is classified first, on pyosmium's own tag list: two in three objects that
    pass the key filter match no rule (benches, parking), and they cost neither a dict of
    their tags nor a geometry.

    With `count`, `stats.objects` is every object in the file (counted by osmium-tool
    beside the read); without, the caller counts (`count_objects`) when it suits it.
    """
    rules = rules or load_tag_map()
    stats = stats if stats is not None else ReadStats()
    keys = osmium.filter.KeyFilter(*primary_keys(rules))
    untagged = osmium.filter.EmptyTagFilter()  # untagged objects are never places: drop them early
    processor = (
        osmium.FileProcessor(str(path))
        .with_locations()
        .with_areas(keys)  # only multipolygons with a tag-map key are assembled
        .with_filter(untagged)
        .with_filter(keys)
    )
    # osmium-tool counts the file's objects on the other core while this one reads it.
    counting = _start_count(path) if count else None
    seen = 0
    try:
        for obj in processor:
            seen += 1
            if on_object is not None and seen % 1000 == 0:
                on_object(seen)
            if isinstance(obj, osmium.osm.Area) and obj.from_way():
                continue  # a closed way, read as a way
            rule = classify(obj.tags, rules)
            if rule is None:
                stats.skipped += 1
                continue
            record = _record(obj, rule, rules, stats)
            if record is None:
                continue
            stats.places += 1
            yield record
        if count:
            stats.objects = _finish_count(counting, path)
    finally:
        if counting is not None and counting.poll() is None:
            counting.kill()
            counting.wait()


def _record(
    obj: osmium.osm.Node | osmium.osm.Way | osmium.osm.Relation | osmium.osm.Area | osmium.osm.Changeset,
    rule: TagRule,
    rules: tuple[TagRule, ...],
    stats: ReadStats,
) -> PlaceRecord | None:
    """The record of an object a rule accepts, at its point (None: no point, or no name)."""
    lat: float
    lon: float
    if isinstance(obj, osmium.osm.Node):
        if not obj.location.valid():
            stats.bad_geometry += 1
            return None
        osm_id, lat, lon = f"n{obj.id}", obj.location.lat, obj.location.lon
    else:
        point: Point | None
        if isinstance(obj, osmium.osm.Way):
            try:
                coords = [(n.lon, n.lat) for n in obj.nodes]
            except osmium.InvalidLocationError:
                stats.bad_geometry += 1
                return None
            osm_id, point = f"w{obj.id}", _point_of_way(coords, obj.is_closed())
        elif isinstance(obj, osmium.osm.Area):
            osm_id, point = f"r{obj.orig_id()}", _point_of_area(obj)
        else:
            return None  # other relations (routes, sites) are not places
        if point is None:
            stats.bad_geometry += 1
            return None
        lat, lon = point.y, point.x
    tags = {tag.k: tag.v for tag in obj.tags}
    record = to_record(osm_id, tags, lat, lon, rules, rule=rule)
    if record is None:
        stats.skipped += 1
    return record


def _start_count(path: Path) -> subprocess.Popen[str] | None:
    """osmium-tool counting the file's objects in the background, or None without the tool."""
    tool = shutil.which("osmium")
    if tool is None:
        return None
    return subprocess.Popen(
        [tool, "fileinfo", "-e", "-j", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def _finish_count(counting: subprocess.Popen[str] | None, path: Path) -> int:
    """The count `_start_count` started; counted by pyosmium when the tool is missing or failed."""
    if counting is not None:
        out, _ = counting.communicate()
        if counting.returncode == 0:
            count = json.loads(out)["data"]["count"]
            return int(count["nodes"]) + int(count["ways"]) + int(count["relations"])
    return _count_objects(path)


def count_objects(path: Path) -> int:
    """Nodes + ways + relations in the file (osmium-tool, or pyosmium without it)."""
    return _finish_count(_start_count(path), path)


def _count_objects(path: Path) -> int:
    """Nodes + ways + relations in the file, counted by pyosmium (when osmium-tool cannot)."""

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
