"""The seam to the importers (built in importers/): preview a partner's CSV/XLSX list.

The broker CSV/XLSX importer is not merged yet. `importer_available()` says
whether it is; the upload page shows "not available yet" until then. When it
lands, `preview_import` calls it in dry-run mode and maps its summary to
`ImportPreview` (a few lines).
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass, field

from directory.services.entries import EntryService

#: The module the importers area is expected to provide.
IMPORTER_MODULE = "importers.broker_list"


@dataclass
class ImportPreview:
    """What a file would change: new, changed and unchanged entries, and problems by line."""

    filename: str
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    problems: list[str] = field(default_factory=list)


def importer_available() -> bool:
    """True once the broker-list importer is installed."""
    try:
        return importlib.util.find_spec(IMPORTER_MODULE) is not None
    except ModuleNotFoundError:
        return False


def preview_import(entries: EntryService, filename: str, content: bytes) -> ImportPreview:
    """Run the importer without saving (the caller rolls back); only reached when it is available."""
    module = importlib.import_module(IMPORTER_MODULE)
    summary = module.preview(entries, filename, content)
    return ImportPreview(
        filename=filename,
        created=list(getattr(summary, "created", [])),
        updated=list(getattr(summary, "updated", [])),
        unchanged=int(getattr(summary, "unchanged", 0)),
        problems=[str(p) for p in getattr(summary, "problems", [])],
    )
