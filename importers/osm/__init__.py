"""OpenStreetMap importer: PBF/XML files through pyosmium, Overpass JSON when online."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from sqlalchemy.orm import Session

from importers.merge import ImportReport
from importers.osm.reader import ReadStats, read_places
from importers.osm.tags import SOURCE
from importers.prefetch import prefetch
from importers.run import RunOptions, run_import


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
        prefetch(read_places(path, stats=stats)),  # the file is read while batches are written
        source=SOURCE,
        scope=scope or path.name,
        options=options,
        console=console,
    )
    report.objects_read = stats.objects
    return report
