"""Partner lists uploaded on /beheer/import: preview in a rolled-back run, then apply the same bytes.

The upload is kept server-side between preview and apply, in a private folder,
named by the SHA-256 of its content. The confirm form carries that digest, the
file name and the chosen mode, signed with an HMAC for the logged-in broker.
Apply refuses when the signature does not match (a changed form), when the file
is gone (expired), or when the bytes on disk no longer hash to the digest (a
changed file): only what was previewed is ever applied.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import re
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from directory.errors import Problem
from directory.services.entries import EntryService
from directory.settings import get_settings
from geo.geocoding.base import Geocoder
from importers.merge import ImportReport
from importers.run import RunOptions, run_import
from importers.table import Mapping_, read_table, table_source

#: File types the importer reads (by suffix; CSV with ; , or tab).
UPLOAD_SUFFIXES = (".csv", ".xlsx")
#: Largest list accepted (bytes); a partner list of a few thousand rows is far below it.
MAX_UPLOAD_BYTES = 5_000_000
#: Kept uploads older than this are removed; a preview left open longer must be uploaded again.
PENDING_MAX_AGE_S = 24 * 3600


class UploadRefused(Exception):
    """An upload or confirmation that cannot be used; `key` is the message to show, `detail` the cause."""

    def __init__(self, key: str, detail: str = "") -> None:
        super().__init__(key)
        self.key = key
        self.detail = detail


@dataclass(frozen=True)
class PendingImport:
    """A previewed upload waiting for the broker's confirmation."""

    digest: str
    filename: str
    all_or_nothing: bool

    @property
    def mode(self) -> str:
        """The mode as the form sends it."""
        return "all" if self.all_or_nothing else "rows"


def clean_filename(name: str) -> str:
    """The uploaded file's own name without folders or odd characters (it names the source and scope)."""
    base = re.sub(r"[^\w.\- ]+", "", Path(name.replace("\\", "/")).name).strip(" .")
    return base[:120] or "lijst.csv"


class PendingUploads:
    """Uploads kept between preview and apply, in a folder only this process's user can read."""

    def __init__(self, folder: Path, secret: bytes) -> None:
        self.folder = folder
        self.secret = secret

    def _path(self, pending: PendingImport) -> Path:
        return self.folder / f"{pending.digest}{Path(pending.filename).suffix.lower()}"

    def keep(self, filename: str, content: bytes, *, all_or_nothing: bool) -> tuple[PendingImport, Path]:
        """Store the content under its digest; refuses empty, too large and unknown file types."""
        filename = clean_filename(filename)
        if Path(filename).suffix.lower() not in UPLOAD_SUFFIXES:
            raise UploadRefused("upload.wrong_type")
        if not content:
            raise UploadRefused("upload.empty")
        if len(content) > MAX_UPLOAD_BYTES:
            raise UploadRefused("upload.too_large")
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._purge()
        pending = PendingImport(hashlib.sha256(content).hexdigest(), filename, all_or_nothing)
        path = self._path(pending)
        path.write_bytes(content)
        return pending, path

    def ticket(self, pending: PendingImport, user: str) -> str:
        """The signature the confirm form carries: binds digest, name and mode to this broker."""
        message = "\n".join((user, pending.digest, pending.filename, pending.mode)).encode()
        return hmac.new(self.secret, message, hashlib.sha256).hexdigest()

    def claim(self, pending: PendingImport, ticket: str, user: str) -> Path:
        """The kept file for a confirmation, after checking the signature and the content's digest."""
        if not re.fullmatch(r"[0-9a-f]{64}", pending.digest) or not hmac.compare_digest(
            self.ticket(pending, user), ticket
        ):
            raise UploadRefused("upload.tampered")
        path = self._path(pending)
        if not path.is_file():
            raise UploadRefused("upload.expired")
        if hashlib.sha256(path.read_bytes()).hexdigest() != pending.digest:
            raise UploadRefused("upload.changed")
        return path

    def discard(self, pending: PendingImport) -> None:
        """Remove a file once it was applied."""
        self._path(pending).unlink(missing_ok=True)

    def _purge(self) -> None:
        cutoff = time.time() - PENDING_MAX_AGE_S
        for path in self.folder.iterdir():
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)


def default_folder() -> Path:
    """Where uploads wait: WIJKGRAM_UPLOAD_DIR, else var/uploads beside the repository."""
    return get_settings().web.upload_dir


@dataclass
class RowChange:
    """One row's effect: its line in the file, the entry's name and the fields involved."""

    line: int | None
    name: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    reason: str = ""
    #: The reason as data; the page says it in its language (web/problem_text.py).
    problems: list[Problem] = field(default_factory=list)
    #: The place it became (only after applying; a preview's ids were rolled back).
    entity_id: str | None = None


@dataclass
class ImportSummary:
    """What a list changes (preview) or changed (applied), for the page."""

    filename: str
    all_or_nothing: bool
    applied: bool
    created: list[RowChange] = field(default_factory=list)
    updated: list[RowChange] = field(default_factory=list)
    unchanged: int = 0
    #: Fields kept because a broker (or another source) owns them; stored as suggestions.
    kept: list[RowChange] = field(default_factory=list)
    #: Entries of this list that the file no longer holds; they get status needs_review.
    missing: list[RowChange] = field(default_factory=list)
    rejected: list[RowChange] = field(default_factory=list)
    set_aside: list[RowChange] = field(default_factory=list)

    @property
    def blocked(self) -> bool:
        """True when all-or-nothing was chosen and a row is rejected: nothing would be written."""
        return self.all_or_nothing and bool(self.rejected)


def summarise(report: ImportReport, filename: str, *, all_or_nothing: bool, applied: bool) -> ImportSummary:
    """The importer's report grouped the way the broker reads it."""
    summary = ImportSummary(filename, all_or_nothing, applied)
    written = applied and not summary.blocked
    for o in report.outcomes:
        entity_id = str(o.entity_id) if written and o.entity_id else None
        row = RowChange(
            o.line, o.name or o.source_id, list(o.changed_fields), o.reason or "", list(o.errors), entity_id
        )
        if o.outcome == "created":
            summary.created.append(row)
        elif o.outcome == "updated":
            summary.updated.append(row)
        elif o.outcome == "unchanged":
            summary.unchanged += 1
        elif o.outcome == "rejected":
            summary.rejected.append(row)
        elif o.outcome == "missing":
            summary.missing.append(row)
        if o.suggested_fields:
            summary.kept.append(RowChange(o.line, row.name, list(o.suggested_fields)))
        for p in o.problems:
            problem = Problem(p.code, p.reason, {"value": repr(p.value)}, p.field)
            summary.set_aside.append(
                RowChange(o.line, row.name, [], f"{p.field} {p.value!r}: {p.reason}", [problem])
            )
    return summary


def run_upload(
    entries: EntryService,
    path: Path,
    filename: str,
    *,
    geocoder: Geocoder | None,
    all_or_nothing: bool,
    dry_run: bool,
) -> ImportSummary:
    """Run the table importer on a kept upload: rolled back for a preview, committed for apply.

    The source and scope come from the upload's own name (the kept file is named
    by its digest), so the same list uploaded again updates its own entries.
    """
    session: Session = entries.session
    source = table_source(Path(filename), None)
    try:
        items = list(
            read_table(
                path,
                mapping=Mapping_(source=source),
                geocoder=geocoder,
                categories=entries.codes("category"),
            )
        )
    except (ValueError, csv.Error, zipfile.BadZipFile, KeyError, StopIteration) as exc:
        raise UploadRefused("upload.unreadable", str(exc)) from exc
    report = run_import(
        session,
        items,
        source=source,
        scope=filename,
        options=RunOptions(dry_run=dry_run, all_or_nothing=all_or_nothing),
        total=len(items),
    )
    return summarise(report, filename, all_or_nothing=all_or_nothing, applied=not dry_run)
