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
from importers.table import Mapping_, TableReader, table_source
from importers.table_files import UnreadableFile
from importers.table_report import row_messages
from importers.vocabulary import Vocabulary

#: File types the importer reads (by suffix; CSV with ; , or tab).
UPLOAD_SUFFIXES = (".csv", ".xlsx")
#: Largest list accepted (bytes); a partner list of a few thousand rows is far below it.
MAX_UPLOAD_BYTES = 5_000_000
#: Kept uploads older than this are removed; a preview left open longer must be uploaded again.
PENDING_MAX_AGE_S = 24 * 3600
#: Rows shown per page of a preview (a list of thousands of rows is paged, not one huge page).
PAGE_ROWS = 100


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
    #: 'location' (a place) or 'service' (an offer known by its area, or a draft).
    kind: str = "location"


@dataclass
class RowOutcome:
    """One row of the file as the JSON report has it: line, outcome, name and messages."""

    line: int | None
    name: str
    outcome: str
    messages: list[str] = field(default_factory=list)
    #: The messages as data, so the page can say them in its language.
    problems: list[Problem] = field(default_factory=list)


@dataclass
class ImportSummary:
    """What a list changes (preview) or changed (applied), for the page."""

    filename: str
    all_or_nothing: bool
    applied: bool
    created: list[RowChange] = field(default_factory=list)
    updated: list[RowChange] = field(default_factory=list)
    unchanged: int = 0
    #: Offers kept as drafts in the broker's queue: they need a location.
    drafts: list[RowChange] = field(default_factory=list)
    #: Fields kept because a broker (or another source) owns them; stored as suggestions.
    kept: list[RowChange] = field(default_factory=list)
    #: Entries of this list that the file no longer holds; they get status needs_review.
    missing: list[RowChange] = field(default_factory=list)
    rejected: list[RowChange] = field(default_factory=list)
    set_aside: list[RowChange] = field(default_factory=list)
    #: Header as in the file -> field, 'extra:description' or 'ignored'.
    columns: dict[str, str] = field(default_factory=dict)
    #: Every row with its outcome, in file order.
    rows: list[RowOutcome] = field(default_factory=list)
    page: int = 1

    @property
    def blocked(self) -> bool:
        """True when all-or-nothing was chosen and a row is rejected: nothing would be written."""
        return self.all_or_nothing and bool(self.rejected)

    @property
    def pages(self) -> int:
        """How many pages the rows fill."""
        return max(1, -(-len(self.rows) // PAGE_ROWS))

    def page_rows(self) -> list[RowOutcome]:
        """The rows of the current page."""
        start = (self.page - 1) * PAGE_ROWS
        return self.rows[start : start + PAGE_ROWS]


def summarise(report: ImportReport, filename: str, *, all_or_nothing: bool, applied: bool) -> ImportSummary:
    """The importer's report grouped the way the broker reads it."""
    summary = ImportSummary(filename, all_or_nothing, applied)
    written = applied and not summary.blocked
    groups = {
        "created": summary.created,
        "updated": summary.updated,
        "draft": summary.drafts,
        "rejected": summary.rejected,
        "missing": summary.missing,
    }
    for o in report.outcomes:
        entity_id = str(o.entity_id) if written and o.entity_id else None
        name = o.name or o.source_id
        row = RowChange(
            o.line, name, list(o.changed_fields), o.reason or "", list(o.errors), entity_id, o.entity_type
        )
        if o.outcome == "unchanged":
            summary.unchanged += 1
        elif o.outcome in groups:
            groups[o.outcome].append(row)
        if o.suggested_fields:
            summary.kept.append(RowChange(o.line, name, list(o.suggested_fields), kind=o.entity_type))
        for p in o.problems:
            problem = Problem(p.code, p.reason, {"value": repr(p.value)}, p.field)
            summary.set_aside.append(
                RowChange(o.line, name, [], f"{p.field} {p.value!r}: {p.reason}", [problem])
            )
        if o.line is not None:
            said = [
                *o.errors,
                *(Problem(p.code, p.reason, {"value": repr(p.value)}, p.field) for p in o.problems),
            ]
            summary.rows.append(RowOutcome(o.line, name, o.outcome, row_messages(o), said))
    return summary


def run_upload(
    entries: EntryService,
    path: Path,
    filename: str,
    *,
    geocoder: Geocoder | None,
    all_or_nothing: bool,
    dry_run: bool,
    page: int = 1,
) -> ImportSummary:
    """Run the table importer on a kept upload: rolled back for a preview, committed for apply.

    The source and scope come from the upload's own name (the kept file is named
    by its digest), so the same list uploaded again updates its own entries. A file
    that cannot be read (broken, hostile, too large) is refused with the reason.
    """
    session: Session = entries.session
    source = table_source(Path(filename), None)
    try:
        reader = TableReader(
            path,
            mapping=Mapping_(source=source),
            geocoder=geocoder,
            vocabulary=Vocabulary.load(session),
        )
        items = list(reader)
    except (UnreadableFile, csv.Error, zipfile.BadZipFile) as exc:
        raise UploadRefused("upload.unreadable", str(exc)) from exc
    report = run_import(
        session,
        items,
        source=source,
        scope=filename,
        options=RunOptions(dry_run=dry_run, all_or_nothing=all_or_nothing),
        total=len(items),
    )
    summary = summarise(report, filename, all_or_nothing=all_or_nothing, applied=not dry_run)
    summary.columns = reader.plan.report()
    summary.page = min(max(1, page), summary.pages)
    return summary
