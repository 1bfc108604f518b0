"""OpenStreetMap importer: PBF/XML files through pyosmium, Overpass JSON when online."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from rich.console import Console
from sqlalchemy.orm import Session

from directory.clock import today_amsterdam
from directory.search.documents import warm_caches
from importers.merge import ImportReport
from importers.osm.reader import ReadStats, read_places
from importers.osm.tags import SOURCE
from importers.prefetch import prefetch
from importers.records import PlaceRecord
from importers.run import RunOptions, run_import


def _warming(records: Iterator[PlaceRecord]) -> Iterator[PlaceRecord]:
    """The records, each after its document's schedule and word forms are in their caches.

    Run in the reader's thread: a first import spent a third of its writing thread on these
    (a schedule per distinct opening-hours string, a stem per distinct word), which now
    happens while that thread waits for PostgreSQL.
    """
    today = today_amsterdam()
    for record in records:
        location = record.location
        texts = [record.name, *(str(location.get(key) or "") for key in WARM_FIELDS)]
        warm_caches(location.get("opening_hours"), texts, today)
        yield record


#: The record's texts a location document searches (besides its name).
WARM_FIELDS = ("alternate_name", "description", "street", "city")


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
    report = run_import(
        session,
        prefetch(_warming(read_places(path, stats=stats))),  # read while batches are written
        source=SOURCE,
        scope=scope or path.name,
        options=options,
        console=console,
    )
    report.objects_read = stats.objects
    return report
