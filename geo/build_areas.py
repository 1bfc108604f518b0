"""Build the shipped Amsterdam outlines (`geo/data/amsterdam-areas.geojson`) from the city's buurten.

    python -m geo.build_areas ../shared/data/boundaries geo/data/amsterdam-areas.geojson

Stadsdelen and gebieden are the union of their buurten (City of Amsterdam,
dataset `gebieden`, 2022 indeling: a buurt's code starts with its stadsdeel's
letter, and `ligtInGgwgebiedId` names its gebied), simplified to about 20 m
and cut to 5 decimals so the file stays small enough to ship. Gebied names come
from the named gebieden file, by the largest overlap. Source and licence:
geo/data/ATTRIBUTION.md.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from shapely.geometry import MultiPolygon, mapping, shape
from shapely.ops import unary_union

from directory.search.documents import STADSDEEL_NAMES

#: Simplification tolerance in degrees (about 15-20 m in Amsterdam).
TOLERANCE = 0.0002


def _round(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 5)
    if isinstance(value, list | tuple):
        return [_round(v) for v in value]
    return value


def _feature(level: str, code: str, name: str, geometry: Any) -> dict[str, Any]:
    simple = geometry.simplify(TOLERANCE, preserve_topology=True)
    if simple.geom_type == "Polygon":
        simple = MultiPolygon([simple])
    geo = mapping(simple)
    return {
        "type": "Feature",
        "properties": {"level": level, "code": code, "name": name},
        "geometry": {"type": geo["type"], "coordinates": _round(geo["coordinates"])},
    }


def build(folder: Path) -> dict[str, Any]:
    """The FeatureCollection of stadsdelen and gebieden from the buurten (and gebied names) in a folder."""
    buurten = json.loads((folder / "amsterdam-buurten-2022.geojson").read_text(encoding="utf-8"))["features"]
    by_stadsdeel: dict[str, list[Any]] = defaultdict(list)
    by_gebied: dict[str, list[Any]] = defaultdict(list)
    for feature in buurten:
        props = feature["properties"]
        geometry = shape(feature["geometry"]).buffer(0)
        by_stadsdeel[props["code"][0]].append(geometry)
        if props.get("ligtInGgwgebiedId"):
            by_gebied[props["ligtInGgwgebiedId"]].append(geometry)
    named = [
        (f["properties"]["name"], shape(f["geometry"]).buffer(0))
        for f in json.loads((folder / "amsterdam-gebieden-names.geojson").read_text(encoding="utf-8"))[
            "features"
        ]
    ]
    features = [
        _feature("stadsdeel", code, STADSDEEL_NAMES.get(code, code), unary_union(parts))
        for code, parts in sorted(by_stadsdeel.items())
    ]
    for gebied_id, parts in sorted(by_gebied.items()):
        union = unary_union(parts)
        name = max(named, key=lambda n: n[1].intersection(union).area)[0].replace(" (1)", "")
        features.append(_feature("gebied", gebied_id, name, union))
    return {"type": "FeatureCollection", "features": features}


if __name__ == "__main__":
    source, target = Path(sys.argv[1]), Path(sys.argv[2])
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(build(source), separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{target}: {target.stat().st_size:,} bytes")
