"""Import a partner's list: upload -> preview (rolled back) -> confirm -> apply the same bytes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from litestar import Request, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Template
from rapidfuzz import fuzz, process
from sqlalchemy.orm import Session

from directory.errors import Problem
from directory.services.entries import EntryService
from directory.services.taxonomy import vocabulary_labels
from web.accounts.current import requires_broker
from web.i18n import Translator, field_label
from web.importing import (
    MAX_UPLOAD_BYTES,
    ImportSummary,
    PendingImport,
    PendingUploads,
    UploadRefused,
    run_upload,
)
from web.pages.common import render, translator
from web.problem_text import problem_said

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
Upload = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]


def _pending_uploads(request: Request[Any, Any, Any]) -> PendingUploads:
    uploads: PendingUploads = request.app.state.pending_uploads
    return uploads


def _dry_run(
    request: Request[Any, Any, Any],
    entries: EntryService,
    pending: PendingImport,
    path: Path,
    *,
    page: int = 1,
) -> ImportSummary:
    """Import a kept upload in a transaction that is rolled back: the preview's rows and counts."""
    return run_upload(
        entries,
        path,
        pending.filename,
        geocoder=request.app.state.geocoder,
        all_or_nothing=pending.all_or_nothing,
        dry_run=True,
        page=page,
    )


#: Problem codes of a value the vocabulary does not know -> the vocabulary whose values to offer.
UNKNOWN_VALUE_CODES = {"category_other": "category", "target_group_kept": "target_group"}


def allowed_values(session: Session, lang: str) -> dict[str, dict[str, str]]:
    """{vocabulary: {code: label}} of the values a list may name, in the page language."""
    return {
        vocabulary: vocabulary_labels(session, lang, vocabulary)
        for vocabulary in UNKNOWN_VALUE_CODES.values()
    }


def _closest(value: str, labels: dict[str, str], limit: int = 3) -> list[str]:
    """The labels a value a partner wrote resembles most ('Knutselclub' -> 'Hobbyclub', ...)."""
    found = process.extract(value.strip("'\""), list(labels.values()), scorer=fuzz.WRatio, limit=limit)
    return [str(label) for label, score, _ in found if score >= 50]


def _said(t: Translator, problem: Problem, allowed: dict[str, dict[str, str]]) -> str:
    """A problem in the page language; an unknown category or target group with the closest labels."""
    text = problem_said(t, problem)
    vocabulary = UNKNOWN_VALUE_CODES.get(problem.code)
    if vocabulary and allowed.get(vocabulary):
        closest = _closest(str(problem.params.get("value", "")), allowed[vocabulary])
        if closest:
            text += " " + t("upload.closest", labels=", ".join(closest))
    return text


def _item(t: Translator, name: str, line: int | None) -> str:
    """A row's name; a row without one is 'regel 7' (the importer names it 'line 7')."""
    return t("upload.row_n", line=line) if line is not None and name == f"line {line}" else name


def _say_reasons(t: Translator, summary: ImportSummary, allowed: dict[str, dict[str, str]]) -> set[str]:
    """Each row's reason in the page's language, from its problems' codes; the vocabularies it names.

    A reason without problems (a rule that gives no code yet) stays as the importer wrote it.
    Returns the vocabularies whose allowed values the page should list (a value was unknown).
    """
    unknown: set[str] = set()
    for row in (*summary.rejected, *summary.set_aside):
        if row.problems:
            row.reason = "; ".join(_said(t, p, allowed) for p in row.problems)
        unknown |= {UNKNOWN_VALUE_CODES[p.code] for p in row.problems if p.code in UNKNOWN_VALUE_CODES}
    groups = (summary.rejected, summary.set_aside, summary.created, summary.updated, summary.drafts)
    for row in (r for group in (*groups, summary.kept, summary.missing) for r in group):
        row.name = _item(t, row.name, row.line)
    for outcome in summary.rows:
        outcome.name = _item(t, outcome.name, outcome.line)
        merged = any(m.startswith("merged into") for m in outcome.messages)
        if outcome.problems or merged:
            outcome.messages = [_said(t, p, allowed) for p in outcome.problems]
            outcome.messages += [t("upload.merged_offer")] if merged else []
    return unknown


def _page(
    request: Request[Any, Any, Any],
    status_code: int = 200,
    *,
    summary: ImportSummary | None = None,
    pending: PendingImport | None = None,
    ticket: str = "",
    error: str | None = None,
    detail: str = "",
    mode: str = "rows",
    session: Session | None = None,
) -> Template:
    t = translator(request)
    allowed = allowed_values(session, t.lang) if session is not None else {}
    unknown = _say_reasons(t, summary, allowed) if summary is not None else set()
    return render(
        request,
        "import.html",
        status_code,
        summary=summary,
        pending=pending,
        ticket=ticket,
        error=error,
        detail=detail,
        mode=mode,
        allowed={vocabulary: labels for vocabulary, labels in allowed.items() if vocabulary in unknown},
        field_label=lambda kind_and_field: (
            f"{t('kind.' + kind_and_field[0])}: {field_label(t.lang, kind_and_field[1])}"
        ),
    )


@get("/beheer/import", guards=[requires_broker], include_in_schema=False, sync_to_thread=True)
def import_page(request: Request[Any, Any, Any]) -> Template:
    """The upload form: a CSV/XLSX file and the choice between per-row and all-or-nothing."""
    return _page(request)


@post(
    "/beheer/import/voorbeeld",
    guards=[requires_broker],
    include_in_schema=False,
    sync_to_thread=True,
    # The app's limit is sized for entry forms; a list may be larger (the file itself is checked too).
    request_max_body_size=MAX_UPLOAD_BYTES + 100_000,
)
def import_preview(
    request: Request[Any, Any, Any], entries: NamedDependency[EntryService], data: Upload
) -> Template:
    """Run the import in a transaction that is rolled back, and show what it would change."""
    mode = "all" if data.get("mode") == "all" else "rows"
    upload = data.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _page(request, 422, error="upload.no_file", mode=mode)
    uploads = _pending_uploads(request)
    try:
        pending, path = uploads.keep(upload.filename, upload.file.read(), all_or_nothing=mode == "all")
        summary = _dry_run(request, entries, pending, path)
    except UploadRefused as exc:
        entries.session.rollback()
        return _page(request, 422, error=exc.key, detail=exc.detail, mode=mode)
    entries.session.rollback()  # run_import already did; nothing of a preview may stay
    return _page(
        request,
        summary=summary,
        pending=pending,
        ticket=uploads.ticket(pending, entries.actor.name),
        mode=mode,
        session=entries.session,
    )


@get("/beheer/import/pagina", guards=[requires_broker], include_in_schema=False, sync_to_thread=True)
def import_preview_page(request: Request[Any, Any, Any], entries: NamedDependency[EntryService]) -> Template:
    """Another page of a preview: the kept upload is checked and run again, rolled back as before."""
    query = request.query_params
    pending = PendingImport(
        digest=query.get("digest", ""),
        filename=query.get("filename", ""),
        all_or_nothing=query.get("mode") == "all",
    )
    ticket = query.get("ticket", "")
    page = int(query["page"]) if query.get("page", "").isdigit() and len(query["page"]) < 7 else 1
    uploads = _pending_uploads(request)
    try:
        path = uploads.claim(pending, ticket, entries.actor.name)
        summary = _dry_run(request, entries, pending, path, page=page)
    except UploadRefused as exc:
        entries.session.rollback()
        status = 422 if exc.key == "upload.unreadable" else 409
        return _page(request, status, error=exc.key, detail=exc.detail)
    entries.session.rollback()
    return _page(
        request, summary=summary, pending=pending, ticket=ticket, mode=pending.mode, session=entries.session
    )


@post("/beheer/import/verwerken", guards=[requires_broker], include_in_schema=False, sync_to_thread=True)
def import_apply(
    request: Request[Any, Any, Any], entries: NamedDependency[EntryService], data: Form
) -> Template:
    """Apply the previewed file, refusing anything that is not exactly what was previewed."""
    pending = PendingImport(
        digest=data.get("digest", ""),
        filename=data.get("filename", ""),
        all_or_nothing=data.get("mode") == "all",
    )
    uploads = _pending_uploads(request)
    try:
        path = uploads.claim(pending, data.get("ticket", ""), entries.actor.name)
        summary = run_upload(
            entries,
            path,
            pending.filename,
            geocoder=request.app.state.geocoder,
            all_or_nothing=pending.all_or_nothing,
            dry_run=False,
        )
    except UploadRefused as exc:
        status = 422 if exc.key == "upload.unreadable" else 409
        return _page(request, status, error=exc.key, detail=exc.detail, mode=pending.mode)
    uploads.discard(pending)
    return _page(request, summary=summary, mode=pending.mode, session=entries.session)


IMPORT_HANDLERS = [import_page, import_preview, import_preview_page, import_apply]
