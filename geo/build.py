"""Build the geo tables from files: the network and the address table from OSM, boundaries from GeoJSON."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from directory.errors import InvalidInputError
from geo.addresses import read_addresses, save_addresses
from geo.boundaries import BoundaryMapping, BoundarySummary, import_boundaries
from geo.network.osm import read_network
from geo.network.store import save_network

Progress = Callable[[int], None]


@dataclass
class NetworkSummary:
    """What `build_network` did."""

    source: str
    build_id: int
    ways: int
    ferries: int
    nodes: int
    edges: int
    length_km: float
    seconds: float
    problems: list[str] = field(default_factory=list)


def _check_file(path: Path) -> None:
    if not path.is_file():
        raise InvalidInputError("FILE", f"{path} does not exist", code="file_missing")
    if not path.name.endswith((".pbf", ".osm", ".osm.gz", ".osm.bz2")):
        raise InvalidInputError(
            "FILE", f"{path.name}: expected an OpenStreetMap file (.osm.pbf, .osm, .osm.gz)", code="file_type"
        )


def build_network(engine: Engine, path: Path, progress: Progress | None = None) -> NetworkSummary:
    """Read the pedestrian network from an OSM file and replace the stored one (all or nothing)."""
    _check_file(path)
    start = time.perf_counter()
    network = read_network(path, progress)
    if not network.edges:
        raise InvalidInputError("FILE", f"{path.name} holds no ways usable on foot", code="file_empty")
    with engine.begin() as conn:
        build_id = save_network(conn, network, path.name)
    problems = []
    if network.skipped_ways:
        problems.append(f"{network.skipped_ways} ways leave the extract and were skipped")
    return NetworkSummary(
        source=path.name,
        build_id=build_id,
        ways=network.ways,
        ferries=network.ferries,
        nodes=len(network.nodes),
        edges=len(network.edges),
        length_km=sum(e.length_m for e in network.edges) / 1000,
        seconds=time.perf_counter() - start,
        problems=problems,
    )


def build_addresses(engine: Engine, path: Path, progress: Progress | None = None) -> tuple[int, int]:
    """Upsert the addresses of an OSM file into the offline table; returns (inserted, updated)."""
    _check_file(path)
    with engine.begin() as conn:
        return save_addresses(conn, read_addresses(path, progress))


def build_boundaries(
    engine: Engine, folder: Path, mapping: BoundaryMapping | None = None, year: int | None = None
) -> BoundarySummary:
    """Replace the boundary polygons with those of a folder and reassign every location (all or nothing)."""
    if not folder.is_dir():
        raise InvalidInputError("DIR", f"{folder} is not a folder", code="file_missing")
    with engine.begin() as conn:
        return import_boundaries(conn, folder, mapping, year)
