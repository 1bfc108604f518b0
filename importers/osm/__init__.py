"""OpenStreetMap importer: PBF/XML files through pyosmium, Overpass JSON when online."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from rich.console import Console
from sqlalchemy.orm import Session

from directory.clock import today_amsterdam
from directory.search.documents import CacheSeeder, CacheSeeds, clear_seeded_caches, seed_caches
from importers.merge import ImportReport
from importers.osm.reader import ReadStats, count_objects, read_places
from importers.osm.tags import SOURCE
from importers.prefetch import ITEMS_END, ProcessPrefetch, _ItemsEnd
from importers.records import PlaceRecord
from importers.run import RunOptions, run_import

#: The record's texts a location document searches (besides its name).
WARM_FIELDS = ("alternate_name", "description", "street", "city")


#: Records per message from the reader process: small enough that the writer's first batch
#: is not held back by the last records of a chunk, large enough that messages stay few.
CHUNK = 50


@dataclass
class _Chunk:
    """What the reader process sends beside a chunk's records."""

    seeds: CacheSeeds
    stats: ReadStats


def _chunks(path: Path) -> Iterator[tuple[list[PlaceRecord], _Chunk] | _ItemsEnd]:
    """Run in the reader process: the file's records in chunks, with what their documents need.

    The schedules and word forms computed here travel with the records (each once): the
    writer's documents find them instead of computing them under its own interpreter lock.
    The file's objects are counted (for the report) after the last record is sent: a second
    decoder running beside the read took a core from the reader, the writer or PostgreSQL,
    and afterwards it runs on the core the reader leaves while the last batch is written.
    """
    stats = ReadStats()
    seeder = CacheSeeder(today_amsterdam())
    chunk: list[PlaceRecord] = []
    for record in read_places(path, stats=stats, count=False):
        location = record.location
        seeder.add(
            location.get("opening_hours"),
            [record.name, *(str(location.get(key) or "") for key in WARM_FIELDS)],
        )
        chunk.append(record)
        if len(chunk) >= CHUNK:
            yield chunk, _Chunk(seeder.take(), stats)
            chunk = []
    yield chunk, _Chunk(seeder.take(), stats)
    yield ITEMS_END
    stats.objects = count_objects(path)
    yield [], _Chunk(CacheSeeds(), stats)


def import_osm_file(
    session: Session,
    path: Path,
    *,
    scope: str | None = None,
    options: RunOptions | None = None,
    console: Console | None = None,
) -> ImportReport:
    """Import every place of an OSM file; scope defaults to the file name."""
    stats = ReadStats()

    def receive(extra: _Chunk) -> None:
        seed_caches(extra.seeds)
        stats.objects = extra.stats.objects

    try:
        report = run_import(
            session,
            # read (with pyosmium) in a forked process, on the other core, while batches are written
            ProcessPrefetch[PlaceRecord, _Chunk](partial(_chunks, path), receive),
            source=SOURCE,
            scope=scope or path.name,
            options=options,
            console=console,
        )
    finally:
        clear_seeded_caches()
    report.objects_read = stats.objects
    return report
