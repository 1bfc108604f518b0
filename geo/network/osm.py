"""Read the pedestrian network out of an OpenStreetMap file (pyosmium).

Ways usable on foot (and ferry routes) are split at every node they share
with another usable way, so each edge runs between two junctions (or dead
ends) and carries its own geometry, length and the tags the profiles read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import osmium

from directory.points import distance_m
from geo.network.profiles import foot_usable, kerb_height_m

#: Tags kept on each edge: what the profiles and the map need, nothing else.
KEPT_TAGS = (
    "highway", "name", "footway", "route", "duration", "foot", "access", "bicycle", "mofa", "moped",
    "segregated", "wheelchair", "surface", "smoothness", "tracktype", "incline", "width", "est_width",
    "ramp", "ramp:wheelchair", "bridge", "tunnel", "area",
)  # fmt: skip


@dataclass
class RawEdge:
    """One edge between two junction nodes, as read from OSM."""

    source: int
    target: int
    way_id: int
    coords: list[tuple[float, float]]
    length_m: float
    tags: dict[str, str]
    #: The highest kerb (metres) crossed on this edge, when kerbs are tagged on its nodes.
    max_kerb_m: float | None = None


@dataclass
class RawNetwork:
    """Nodes (OSM id -> lon, lat) and edges of the pedestrian network."""

    nodes: dict[int, tuple[float, float]] = field(default_factory=dict)
    edges: list[RawEdge] = field(default_factory=list)
    ways: int = 0
    ferries: int = 0
    skipped_ways: int = 0


@dataclass
class _Way:
    id: int
    refs: list[int]
    coords: list[tuple[float, float]]
    tags: dict[str, str]


def read_network(path: Path, progress: Callable[[int], None] | None = None) -> RawNetwork:
    """Read the usable ways and kerb nodes of an OSM file into a split network."""
    kerbs: dict[int, float] = {}
    ways: list[_Way] = []
    skipped = 0
    seen = 0
    processor = osmium.FileProcessor(str(path)).with_locations()
    for obj in processor:
        seen += 1
        if progress is not None and seen % 20000 == 0:
            progress(seen)
        if isinstance(obj, osmium.osm.Node):
            if "kerb" in obj.tags or "kerb:height" in obj.tags:
                height = kerb_height_m(obj.tags.get("kerb"), obj.tags.get("kerb:height"))
                if height is not None:
                    kerbs[obj.id] = height
            continue
        if not isinstance(obj, osmium.osm.Way):
            continue
        tags = {k: v for k, v in obj.tags if k in KEPT_TAGS}
        if not foot_usable(tags):
            continue
        refs: list[int] = []
        coords: list[tuple[float, float]] = []
        try:
            for node in obj.nodes:
                refs.append(node.ref)
                coords.append((node.lon, node.lat))
        except osmium.InvalidLocationError:
            skipped += 1  # a way that leaves the extract: its missing nodes have no location
            continue
        if len(refs) >= 2:
            ways.append(_Way(obj.id, refs, coords, tags))
    return split_ways(ways, kerbs, skipped)


def split_ways(ways: list[_Way], kerbs: dict[int, float], skipped: int = 0) -> RawNetwork:
    """Split ways at shared nodes into junction-to-junction edges."""
    uses: dict[int, int] = {}
    for way in ways:
        for i, ref in enumerate(way.refs):
            # Ends of a way always become graph nodes; interior nodes when shared.
            uses[ref] = uses.get(ref, 0) + (2 if i in (0, len(way.refs) - 1) else 1)
    network = RawNetwork(skipped_ways=skipped)
    for way in ways:
        network.ways += 1
        is_ferry = way.tags.get("route") == "ferry"
        network.ferries += is_ferry
        start = 0
        for i in range(1, len(way.refs)):
            if i < len(way.refs) - 1 and uses[way.refs[i]] < 2:
                continue
            refs = way.refs[start : i + 1]
            coords = way.coords[start : i + 1]
            start = i
            if refs[0] == refs[-1] and len(refs) <= 2:
                continue
            # OSM coordinates are (lon, lat); the distance takes latitude first.
            length = sum(
                distance_m(coords[j][1], coords[j][0], coords[j + 1][1], coords[j + 1][0])
                for j in range(len(coords) - 1)
            )
            # A kerb at an edge's end belongs to the junction, except on a
            # crossing, which is exactly where the kerb is met.
            crossing = way.tags.get("footway") == "crossing" or way.tags.get("highway") == "crossing"
            checked = refs if crossing else refs[1:-1]
            heights = [kerbs[r] for r in checked if r in kerbs]
            edge = RawEdge(
                source=refs[0],
                target=refs[-1],
                way_id=way.id,
                coords=coords,
                length_m=max(length, 0.1),
                tags=way.tags,
                max_kerb_m=max(heights) if heights else None,
            )
            network.edges.append(edge)
            network.nodes[refs[0]] = coords[0]
            network.nodes[refs[-1]] = coords[-1]
    return network
