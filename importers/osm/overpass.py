"""Places from the Overpass API (JSON output), for a bounding box or a named area.

The query asks for every object carrying a key the tag map looks at, with
`out center tags`, so ways and relations come with a centre point. When an
element has no centre (an older `out body` answer), its point is computed
from the nodes in the same answer. A `remark` holding a runtime error
(timeout, out of memory) fails the import instead of importing half an area.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

import httpx
from rich.console import Console
from shapely.geometry import LineString, Point, Polygon
from sqlalchemy.orm import Session

from directory.errors import ServiceUnavailableError, WijkgramError
from importers.merge import ImportReport
from importers.osm.tags import SOURCE, TagRule, load_tag_map, primary_keys, to_record
from importers.records import PlaceRecord
from importers.run import RunOptions, run_import

_BBOX = re.compile(r"^\s*-?\d+(\.\d+)?\s*(,\s*-?\d+(\.\d+)?\s*){3}$")


class OverpassError(WijkgramError):
    """Overpass answered with an error remark, or not at all."""

    status_code = 502
    title = "Overpass error"


def build_query(
    *,
    bbox: str | None = None,
    area: str | None = None,
    rules: tuple[TagRule, ...] | None = None,
    timeout_s: int = 120,
) -> str:
    """Overpass QL for every object with a tag-map key in the bbox (s,w,n,e) or the named area."""
    keys = primary_keys(rules or load_tag_map())
    if bbox:
        if not _BBOX.match(bbox):
            raise ValueError(f"bbox {bbox!r} must be south,west,north,east in degrees")
        where, head = f"({bbox})", ""
    elif area:
        safe = area.replace('"', "")
        head = f'area["name"="{safe}"]["boundary"="administrative"]->.a;\n'
        where = "(area.a)"
    else:
        raise ValueError("give a bbox or an area name")
    body = "\n".join(f'  nwr["{k}"]{where};' for k in keys)
    return f"[out:json][timeout:{timeout_s}];\n{head}(\n{body}\n);\nout center tags;"


def _check_remark(data: Mapping[str, Any]) -> None:
    remark = str(data.get("remark") or "")
    if remark.startswith("runtime error"):
        raise OverpassError(f"Overpass could not answer: {remark} (try a smaller bbox)")


def element_point(
    element: Mapping[str, Any], nodes: Mapping[int, tuple[float, float]], ways: Mapping[int, list[int]]
) -> Point | None:
    """The point of one Overpass element: its own, its centre, or one computed from its members."""
    if "lat" in element and "lon" in element:
        return Point(element["lon"], element["lat"])
    center = element.get("center") or {}
    if "lat" in center and "lon" in center:  # real answers can carry an empty "center": {}
        return Point(center["lon"], center["lat"])
    if element.get("type") == "way":
        coords = [(nodes[n][1], nodes[n][0]) for n in element.get("nodes", []) if n in nodes]
        if not coords:
            return None
        if len(coords) >= 4 and coords[0] == coords[-1]:
            return Polygon(coords).representative_point()
        return LineString(coords).interpolate(0.5, normalized=True) if len(coords) > 1 else Point(coords[0])
    if element.get("type") == "relation":
        points = []
        for member in element.get("members", []):
            if member["type"] == "node" and member["ref"] in nodes:
                lat, lon = nodes[member["ref"]]
                points.append((lon, lat))
            elif member["type"] == "way" and member["ref"] in ways:
                points += [(nodes[n][1], nodes[n][0]) for n in ways[member["ref"]] if n in nodes]
        if points:
            return Point(sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))
    return None


def parse_overpass(
    data: Mapping[str, Any], rules: tuple[TagRule, ...] | None = None
) -> Iterator[PlaceRecord]:
    """Place records from an Overpass JSON answer; raises OverpassError on an error remark."""
    _check_remark(data)
    elements = data.get("elements", [])
    nodes = {e["id"]: (e["lat"], e["lon"]) for e in elements if e.get("type") == "node" and "lat" in e}
    ways = {e["id"]: e.get("nodes", []) for e in elements if e.get("type") == "way"}
    prefix = {"node": "n", "way": "w", "relation": "r"}
    for element in elements:
        tags = element.get("tags") or {}
        kind = element.get("type")
        if not tags or kind not in prefix:
            continue  # untagged member nodes, and Overpass 'area' objects (derived, not real OSM)
        point = element_point(element, nodes, ways)
        if point is None:
            continue
        record = to_record(f"{prefix[kind]}{element['id']}", tags, point.y, point.x, rules)
        if record is not None:
            yield record


def fetch_overpass(url: str, query: str, *, timeout_s: float = 180) -> dict[str, Any]:
    """POST a query to Overpass and return the JSON answer."""
    try:
        response = httpx.post(url, data={"data": query}, timeout=timeout_s)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        raise ServiceUnavailableError(f"Overpass API at {url} is not reachable: {exc}") from exc
    data: dict[str, Any] = response.json()
    return data


def import_overpass(
    session: Session,
    *,
    url: str,
    bbox: str | None = None,
    area: str | None = None,
    scope: str | None = None,
    options: RunOptions | None = None,
    console: Console | None = None,
) -> ImportReport:
    """Fetch places from Overpass and merge them; the scope defaults to the bbox or area."""
    try:
        query = build_query(bbox=bbox, area=area)
    except ValueError as exc:
        raise OverpassError(str(exc)) from exc
    data = fetch_overpass(url, query)
    records = list(parse_overpass(data))
    report = run_import(
        session,
        records,
        source=SOURCE,
        scope=scope or f"overpass:{bbox or area}",
        options=options,
        total=len(records),
        console=console,
    )
    report.objects_read = len(data.get("elements", []))
    return report
