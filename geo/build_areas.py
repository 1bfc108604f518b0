"""Build the shipped Amsterdam outlines from the city's buurten.

    python -m geo.build_areas ../shared/data/boundaries geo/data/amsterdam-areas.geojson
    python -m geo.build_areas --demo ../shared/data/boundaries geo/data/boundaries

The first writes `amsterdam-areas.geojson` (stadsdelen and gebieden, for reading
service areas). The second writes a folder that `import-boundaries` reads like the
shared one, so a clone without ../shared still gets buurt, wijk and stadsdeel
outlines and area filters in the demo: the buurten simplified to about 10 m,
wijken as the union of their buurten with the names of the named wijk file, and
the stadsdelen as the union of theirs.

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
#: Buurten are small: about 10 m keeps a place near a border in its own buurt.
BUURT_TOLERANCE = 0.0001
#: The properties of the city's export that `geo.boundaries` reads.
BUURT_PROPERTIES = ("code", "naam", "ligtInWijkId", "ligtInGgwgebiedId", "beginGeldigheid")


def _round(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 5)
    if isinstance(value, list | tuple):
        return [_round(v) for v in value]
    return value


def _geometry(geometry: Any, tolerance: float = TOLERANCE) -> dict[str, Any]:
    simple = geometry.simplify(tolerance, preserve_topology=True)
    if simple.geom_type == "Polygon":
        simple = MultiPolygon([simple])
    geo = mapping(simple)
    return {"type": geo["type"], "coordinates": _round(geo["coordinates"])}


def _feature(level: str, code: str, name: str, geometry: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {"level": level, "code": code, "name": name},
        "geometry": _geometry(geometry),
    }


def _collection(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


def _read(path: Path) -> list[dict[str, Any]]:
    features: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))["features"]
    return features


def _largest_overlap(named: list[tuple[str, Any]], area: Any) -> str:
    return str(max(named, key=lambda n: n[1].intersection(area).area)[0]).replace(" (1)", "")


def build(folder: Path) -> dict[str, Any]:
    """The FeatureCollection of stadsdelen and gebieden from the buurten (and gebied names) in a folder."""
    buurten = _read(folder / "amsterdam-buurten-2022.geojson")
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
        for f in _read(folder / "amsterdam-gebieden-names.geojson")
    ]
    features = [
        _feature("stadsdeel", code, STADSDEEL_NAMES.get(code, code), unary_union(parts))
        for code, parts in sorted(by_stadsdeel.items())
    ]
    for gebied_id, parts in sorted(by_gebied.items()):
        union = unary_union(parts)
        features.append(_feature("gebied", gebied_id, _largest_overlap(named, union), union))
    return _collection(features)


def build_demo_boundaries(folder: Path) -> dict[str, dict[str, Any]]:
    """The three files of a boundaries folder (name → FeatureCollection), small enough to ship."""
    buurten = _read(folder / "amsterdam-buurten-2022.geojson")
    by_wijk: dict[str, list[Any]] = defaultdict(list)
    by_stadsdeel: dict[str, list[Any]] = defaultdict(list)
    buurt_features = []
    for feature in buurten:
        props = feature["properties"]
        geometry = shape(feature["geometry"]).buffer(0)
        by_wijk[props["code"][:2]].append(geometry)
        by_stadsdeel[props["code"][0]].append(geometry)
        buurt_features.append(
            {
                "type": "Feature",
                "properties": {key: props.get(key) for key in BUURT_PROPERTIES},
                "geometry": _geometry(geometry, BUURT_TOLERANCE),
            }
        )
    named = [
        (f["properties"]["name"], shape(f["geometry"]).buffer(0))
        for f in _read(folder / "amsterdam-wijken-names.geojson")
    ]
    wijken = []
    for _wijk, parts in sorted(by_wijk.items()):
        union = unary_union(parts)
        wijken.append(
            {
                "type": "Feature",
                "properties": {"name": _largest_overlap(named, union)},
                "geometry": _geometry(union, BUURT_TOLERANCE),
            }
        )
    stadsdelen = [
        {
            "type": "Feature",
            "properties": {"Stadsdeelcode": code, "Stadsdeel": STADSDEEL_NAMES.get(code, code)},
            "geometry": _geometry(unary_union(parts)),
        }
        for code, parts in sorted(by_stadsdeel.items())
    ]
    return {
        "amsterdam-buurten-2022.geojson": _collection(buurt_features),
        "amsterdam-wijken-names.geojson": _collection(wijken),
        "amsterdam-stadsdelen.json": _collection(stadsdelen),
    }


def _write(target: Path, data: dict[str, Any]) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(data, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{target}: {target.stat().st_size:,} bytes")


if __name__ == "__main__":
    if sys.argv[1] == "--demo":
        for name, data in build_demo_boundaries(Path(sys.argv[2])).items():
            _write(Path(sys.argv[3]) / name, data)
    else:
        _write(Path(sys.argv[2]), build(Path(sys.argv[1])))
