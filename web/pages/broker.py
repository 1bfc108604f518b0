"""Broker pages: edit with validation and conflict handling, restore, stale list, reports, import."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

from dateutil.relativedelta import relativedelta
from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Template
from sqlalchemy import or_, select

from directory.errors import ConflictError, InvalidInputError, NotFoundError
from directory.models import ENTITY_MODELS
from directory.services.entries import EntryService
from directory.settings import get_settings
from web.accounts.current import current_user, requires_broker
from web.i18n import field_label
from web.importing import ImportPreview, importer_available, preview_import
from web.pages.common import redirect, render, translator
from web.pages.entries import check_kind
from web.pages.forms import FORM_FIELDS, parse_submission, raw_values, submitted_raw, validate
from web.pages.labels import vocabulary_labels
from web.reports.models import Report

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
STALE_LIST_LIMIT = 200


def _codes(entries: EntryService) -> dict[str, list[str]]:
    return {v: sorted(entries.codes(v)) for v in ("support_function", "target_group", "category")}


def _edit_page(
    request: Request[Any, Any, Any],
    entries: EntryService,
    kind: str,
    entry: Any,
    raw: dict[str, Any],
    version: int,
    errors: dict[str, str],
    status_code: int = 200,
) -> Template:
    t = translator(request)
    return render(
        request,
        "edit.html",
        status_code,
        kind=kind,
        entry=entry,
        fields=FORM_FIELDS[kind],
        raw=raw,
        version=version,
        errors=errors,
        labels=vocabulary_labels(entries.session, t.lang),
        vocab={
            v: vocabulary_labels(entries.session, t.lang, v) for v in ("support_function", "target_group")
        },
        categories=vocabulary_labels(entries.session, t.lang, "category"),
        field_label=lambda key: field_label(t.lang, key),
    )


@get(
    "/entries/{kind:str}/{entry_id:uuid}/bewerken",
    guards=[requires_broker],
    include_in_schema=False,
    sync_to_thread=True,
)
def edit_page(
    request: Request[Any, Any, Any],
    entries: NamedDependency[EntryService],
    kind: FromPath[str],
    entry_id: FromPath[uuid.UUID],
) -> Template:
    """The edit form with the entry's current values and version."""
    entry = entries.get(check_kind(kind), entry_id)
    return _edit_page(
        request, entries, kind, entry, raw_values(kind, entries.to_dict(entry)), entry.version, {}
    )


@post(
    "/entries/{kind:str}/{entry_id:uuid}/opslaan",
    guards=[requires_broker],
    include_in_schema=False,
    sync_to_thread=True,
)
def save_entry(
    request: Request[Any, Any, Any],
    entries: NamedDependency[EntryService],
    kind: FromPath[str],
    entry_id: FromPath[uuid.UUID],
    data: Form,
) -> Response[Any]:
    """Save through EntryService; errors go next to their field, a newer version shows the conflict page."""
    check_kind(kind)
    codes = _codes(entries)
    raw = submitted_raw(kind, data, codes)
    try:
        version = int(data.get("version", ""))
    except ValueError as exc:
        raise InvalidInputError("version", "the form lacks the version it was based on") from exc
    values, errors = parse_submission(kind, data, codes)
    model = None
    if not errors:
        model, errors = validate(kind, values, version)
    if errors or model is None:
        entry = entries.get(kind, entry_id)
        return _edit_page(request, entries, kind, entry, raw, version, errors, 422)
    try:
        entries.update(kind, entry_id, model, expected_version=version)
    except InvalidInputError as exc:
        entries.session.rollback()
        entry = entries.get(kind, entry_id)
        message = exc.message.split(": ", 1)[-1]
        return _edit_page(request, entries, kind, entry, raw, version, {exc.field: message}, 422)
    except ConflictError as exc:
        return _conflict_page(request, entries, kind, entry_id, raw, exc)
    return redirect(f"/entries/{kind}/{entry_id}", "broker.saved")


def _conflict_page(
    request: Request[Any, Any, Any],
    entries: EntryService,
    kind: str,
    entry_id: uuid.UUID,
    mine: dict[str, Any],
    exc: ConflictError,
) -> Template:
    """Both versions side by side; the broker keeps theirs or saves theirs over with mine."""
    t = translator(request)
    current = exc.extra["current"]
    theirs = raw_values(kind, current)
    last = entries.revisions(kind, entry_id)[0]
    labels = vocabulary_labels(entries.session, t.lang)

    def shown(kind_of_input: str, value: Any) -> str:
        """A form value in words, so both columns read like the entry page."""
        if isinstance(value, list):
            return ", ".join(labels.get(str(v), str(v)) for v in value)
        if kind_of_input == "bool":
            return {"yes": t("yes"), "no": t("no")}.get(str(value), "")
        if kind_of_input == "status" and value:
            return t(f"status.{value}")
        if kind_of_input == "category":
            return labels.get(str(value), str(value or ""))
        return str(value or "")

    rows = [
        (
            field.name,
            field_label(t.lang, field.name),
            shown(field.kind, theirs[field.name]),
            shown(field.kind, mine.get(field.name)),
        )
        for field in FORM_FIELDS[kind]
    ]
    hidden: list[tuple[str, str]] = []
    for field in FORM_FIELDS[kind]:
        value = mine.get(field.name)
        if isinstance(value, list) and field.kind.startswith("codes:"):
            hidden += [(f"{field.name}__{code}", "on") for code in value]
        else:
            hidden.append((field.name, str(value or "")))
    return render(
        request,
        "conflict.html",
        409,
        kind=kind,
        entry_id=entry_id,
        name=current.get("name"),
        rows=rows,
        hidden=hidden,
        current_version=exc.extra["current_version"],
        who=last.changed_by,
    )


@post(
    "/entries/{kind:str}/{entry_id:uuid}/herstel/{revision:int}",
    guards=[requires_broker],
    include_in_schema=False,
    sync_to_thread=True,
)
def restore_entry(
    entries: NamedDependency[EntryService],
    kind: FromPath[str],
    entry_id: FromPath[uuid.UUID],
    revision: FromPath[int],
    data: Form,
) -> Response[Any]:
    """Bring back the content of an earlier revision (a new revision records it)."""
    check_kind(kind)
    entries.restore(kind, entry_id, revision, expected_version=int(data.get("version") or 0))
    return redirect(f"/entries/{kind}/{entry_id}", "broker.restored_ok")


@post(
    "/entries/{kind:str}/{entry_id:uuid}/gecontroleerd",
    guards=[requires_broker],
    include_in_schema=False,
    sync_to_thread=True,
)
def mark_verified(
    request: Request[Any, Any, Any],
    entries: NamedDependency[EntryService],
    kind: FromPath[str],
    entry_id: FromPath[uuid.UUID],
    data: Form,
) -> Response[Any]:
    """'Verified today': the broker confirms the entry as it is now."""
    check_kind(kind)
    user = current_user(request)
    entries.update(
        kind,
        entry_id,
        {
            "last_verified_at": datetime.now(UTC),
            "verified_by": user.username if user else None,
            "verification_method": "broker",
        },
        expected_version=int(data.get("version") or 0),
        note="verified today",
    )
    back = data.get("back") or f"/entries/{kind}/{entry_id}"
    return redirect(
        back if back.startswith("/") and not back.startswith("//") else "/", "broker.verified_done"
    )


@get("/beheer", guards=[requires_broker], include_in_schema=False, sync_to_thread=True)
def dashboard(request: Request[Any, Any, Any], entries: NamedDependency[EntryService]) -> Template:
    """The stale list and the open reports."""
    months = get_settings().web.stale_after_months
    cutoff = datetime.now(UTC) - relativedelta(months=months)
    stale: list[tuple[str, Any]] = []
    for kind, model in ENTITY_MODELS.items():
        rows = entries.session.scalars(
            select(model)
            .where(
                model.status == "active",
                or_(model.last_verified_at.is_(None), model.last_verified_at < cutoff),
            )
            .order_by(model.last_verified_at.asc().nulls_first(), model.name)
            .limit(STALE_LIST_LIMIT)
        )
        stale += [(kind, row) for row in rows]
    reports = entries.session.scalars(select(Report).where(Report.status == "open").order_by(Report.id)).all()
    names: dict[uuid.UUID, str] = {}
    for report in reports:
        entry: Any = entries.session.get(
            ENTITY_MODELS.get(report.entity_type, ENTITY_MODELS["location"]), report.entity_id
        )
        names[report.entity_id] = entry.name if entry is not None else "?"
    return render(request, "broker.html", stale=stale, months=months, reports=reports, names=names)


def _open_report(entries: EntryService, report_id: int) -> Report:
    report = entries.session.get(Report, report_id, with_for_update=True)
    if report is None or report.status != "open":
        raise NotFoundError(f"report {report_id} is not open")
    return report


@post(
    "/beheer/meldingen/{report_id:int}/accepteren",
    guards=[requires_broker],
    include_in_schema=False,
    sync_to_thread=True,
)
def accept_report(
    request: Request[Any, Any, Any], entries: NamedDependency[EntryService], report_id: int
) -> Response[Any]:
    """Accept: 'closed' closes the entry; other reports open the edit form to fix it."""
    report = _open_report(entries, report_id)
    user = current_user(request)
    report.status, report.handled_by, report.handled_at = (
        "accepted",
        user.username if user else "?",
        datetime.now(UTC),
    )
    if report.kind == "closed":
        entries.update(report.entity_type, report.entity_id, {"status": "closed"}, note=f"report {report.id}")
        return redirect("/beheer", "broker.report_accepted")
    return redirect(f"/entries/{report.entity_type}/{report.entity_id}/bewerken", "broker.report_accepted")


@post(
    "/beheer/meldingen/{report_id:int}/afwijzen",
    guards=[requires_broker],
    include_in_schema=False,
    sync_to_thread=True,
)
def reject_report(
    request: Request[Any, Any, Any], entries: NamedDependency[EntryService], report_id: int
) -> Response[Any]:
    """Reject a report; the entry stays as it is."""
    report = _open_report(entries, report_id)
    user = current_user(request)
    report.status, report.handled_by, report.handled_at = (
        "rejected",
        user.username if user else "?",
        datetime.now(UTC),
    )
    return redirect("/beheer", "broker.report_rejected")


@get("/beheer/import", guards=[requires_broker], include_in_schema=False, sync_to_thread=True)
def import_page(request: Request[Any, Any, Any]) -> Template:
    """Upload a partner's CSV/XLSX list (or a clear 'not available yet')."""
    return render(request, "import.html", available=importer_available(), preview=None, error=None)


@post("/beheer/import/voorbeeld", guards=[requires_broker], include_in_schema=False, sync_to_thread=True)
def import_preview(
    request: Request[Any, Any, Any],
    entries: NamedDependency[EntryService],
    data: Annotated[dict[str, UploadFile], Body(media_type=RequestEncodingType.MULTI_PART)],
) -> Template:
    """Show what the file would change, without changing anything."""
    if not importer_available():
        return render(request, "import.html", 503, available=False, preview=None, error=None)
    upload = data.get("file")
    if upload is None:
        return render(request, "import.html", 422, available=True, preview=None, error="import.file")
    preview: ImportPreview = preview_import(entries, upload.filename or "upload", upload.file.read())
    entries.session.rollback()
    return render(request, "import.html", available=True, preview=preview, error=None)


BROKER_HANDLERS = [
    edit_page,
    save_entry,
    restore_entry,
    mark_verified,
    dashboard,
    accept_report,
    reject_report,
    import_page,
    import_preview,
]
