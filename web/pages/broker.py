"""Broker pages: edit with validation and conflict handling, restore, stale list, reports.

Import (web/pages/imports.py) and suggestions (web/pages/suggestions.py) live beside it.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Template

from directory.errors import ConflictError, InvalidInputError, NotFoundError
from directory.models import ReportKind
from directory.services.drafts import open_drafts
from directory.services.entries import EntryService
from directory.services.reports import accept_report, open_reports, reject_report
from directory.services.serialize import SERVER_FIELDS
from directory.services.stale import stale_entries
from directory.services.suggestions import count_open_suggestions
from directory.services.taxonomy import vocabulary_labels
from directory.settings import get_settings
from web.accounts.current import requires_broker
from web.field_words import FieldWords
from web.geocode import place_note, problem_key, resolve_field
from web.i18n import field_label
from web.pages.common import redirect, render, translator
from web.pages.conflict import conflict_page, merged_form
from web.pages.entries import check_kind
from web.pages.forms import FORM_FIELDS, parse_submission, raw_values, submitted_raw, validate
from web.pages.imports import IMPORT_HANDLERS
from web.pages.suggestions import SUGGESTION_HANDLERS, entry_suggestions
from web.present import meeting_text
from web.problem_text import problems_text

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


CODE_VOCABULARIES = ("support_function", "target_group")


def _codes(entries: EntryService) -> dict[str, list[str]]:
    codes = {v: sorted(entries.codes(v)) for v in ("support_function", "target_group", "category")}
    codes["places"] = list(entries.names("location"))
    return codes


def _edit_page(
    request: Request[Any, Any, Any],
    entries: EntryService,
    kind: str,
    entry: Any,
    raw: dict[str, Any],
    version: int,
    errors: dict[str, str],
    status_code: int = 200,
    **extra: Any,
) -> Template:
    t = translator(request)
    return render(
        request,
        "edit.html",
        status_code,
        **extra,
        kind=kind,
        entry=entry,
        fields=FORM_FIELDS[kind],
        raw=raw,
        version=version,
        errors=errors,
        labels=vocabulary_labels(entries.session, t.lang),
        vocab={
            **{
                v: vocabulary_labels(entries.session, t.lang, v) for v in ("support_function", "target_group")
            },
            **({"places": entries.names("location")} if kind == "service" else {}),
        },
        organizations=entries.names("organization") if kind == "service" else {},
        meeting_words=lambda row: meeting_text(t, json.loads(row.get("base") or "{}")),
        categories=vocabulary_labels(entries.session, t.lang, "category"),
        field_label=lambda key: field_label(t.lang, key),
        suggestions=entry_suggestions(entries, t.lang, kind, entry.id),
        back=f"/entries/{kind}/{entry.id}/bewerken",
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
    return _save(request, entries, check_kind(kind), entry_id, data)


@post(
    "/entries/{kind:str}/{entry_id:uuid}/samenvoegen",
    guards=[requires_broker],
    include_in_schema=False,
    sync_to_thread=True,
)
def merge_entry(
    request: Request[Any, Any, Any],
    entries: NamedDependency[EntryService],
    kind: FromPath[str],
    entry_id: FromPath[uuid.UUID],
    data: Form,
) -> Response[Any]:
    """Save the per-field choices of the conflict page, based on the version that page showed."""
    check_kind(kind)
    return _save(request, entries, kind, entry_id, merged_form(kind, data, _codes(entries)))


def _save(
    request: Request[Any, Any, Any],
    entries: EntryService,
    kind: str,
    entry_id: uuid.UUID,
    data: dict[str, str],
) -> Response[Any]:
    codes = _codes(entries)
    raw = submitted_raw(kind, data, codes)
    try:
        version = int(data.get("version", ""))
    except ValueError as exc:
        raise InvalidInputError(
            "version", "the form lacks the version it was based on", code="version"
        ) from exc
    if kind == "location" and data.get("locate"):
        return _locate(request, entries, entry_id, data, raw, version)
    t = translator(request)
    values, unreadable = parse_submission(kind, data, codes)
    model, errors = validate(kind, values, version)
    errors.update(unreadable)  # every field's problem at once; an unreadable value says why
    if errors or model is None:
        entry = entries.get(kind, entry_id)
        return _edit_page(request, entries, kind, entry, raw, version, problems_text(t, errors), 422)
    try:
        entries.update(kind, entry_id, model, expected_version=version)
    except InvalidInputError as exc:
        entries.session.rollback()
        entry = entries.get(kind, entry_id)
        shown = problems_text(t, {exc.field: exc.problem})
        return _edit_page(request, entries, kind, entry, raw, version, shown, 422)
    except ConflictError as exc:
        return conflict_page(request, entries, kind, entry_id, raw, version, exc)
    return redirect(f"/entries/{kind}/{entry_id}", "broker.saved")


def address_query(raw: dict[str, Any]) -> str:
    """The address fields of the form as one line to geocode: 'Damrak 1, 1012 LG Amsterdam'."""
    street = f"{raw.get('street') or ''} {raw.get('house_number') or ''}".strip()
    town = f"{raw.get('postcode') or ''} {raw.get('city') or ''}".strip()
    return ", ".join(part for part in (street, town) if part)


def _locate(
    request: Request[Any, Any, Any],
    entries: EntryService,
    entry_id: uuid.UUID,
    data: dict[str, str],
    raw: dict[str, Any],
    version: int,
) -> Template:
    """The form again (nothing saved) with lat/lon from the address, or "Bedoelt u ...?" to pick from.

    Only an exact match or the broker's own pick fills the point without a second look:
    any other match is filled in with a note saying what was used, and a guess is never filled in.
    """
    t = translator(request)
    entry = entries.get("location", entry_id)
    query = address_query(raw)
    if not query:
        errors = {"street": t("support.no_address")}
        return _edit_page(request, entries, "location", entry, raw, version, errors, 422)
    answer = resolve_field(query, request.app.state.geocoder, data, "pick")
    place = answer.usable
    if place is None:
        errors = {"lat": t(problem_key(answer))}
        choice = answer if answer.candidates else None
        return _edit_page(
            request, entries, "location", entry, raw, version, errors, 422, choice=choice, located_for=query
        )
    raw["lat"], raw["lon"] = f"{place.lat:.6f}", f"{place.lon:.6f}"
    note = " ".join(filter(None, [t("broker.located", label=place.label), place_note(t, answer)]))
    return _edit_page(request, entries, "location", entry, raw, version, {}, located=note)


def _restore_page(
    request: Request[Any, Any, Any], entries: EntryService, kind: str, entry_id: uuid.UUID, revision: int
) -> Template:
    """What restoring `revision` would change, in words, with the button that does it."""
    t = translator(request)
    entry = entries.get(kind, entry_id)
    chosen = next((r for r in entries.revisions(kind, entry_id) if r.version == revision), None)
    if chosen is None or chosen.kind == "delete":
        raise NotFoundError(f"{kind} {entry_id} has no revision {revision} to restore")
    current = entries.to_dict(entry)
    wanted = {k: v for k, v in (chosen.snapshot or {}).items() if k not in SERVER_FIELDS}
    changes = {k: [current.get(k), v] for k, v in wanted.items() if current.get(k) != v}
    words = FieldWords(t, vocabulary_labels(entries.session, t.lang), entries.names)
    return render(
        request,
        "restore.html",
        kind=kind,
        entry=entry,
        revision=chosen,
        lines=words.changes(changes, {**current, **wanted}),
    )


@get(
    "/entries/{kind:str}/{entry_id:uuid}/terugzetten/{revision:int}",
    guards=[requires_broker],
    include_in_schema=False,
    sync_to_thread=True,
)
def restore_confirm(
    request: Request[Any, Any, Any],
    entries: NamedDependency[EntryService],
    kind: FromPath[str],
    entry_id: FromPath[uuid.UUID],
    revision: FromPath[int],
) -> Template:
    """Asks first: restoring overwrites the entry, so the broker sees what would change.

    (A GET beside the POST on `/herstel/...` would be simpler, but Litestar 2.25 then wraps
    this sync handler twice and it answers with a coroutine; hence its own path.)
    """
    return _restore_page(request, entries, check_kind(kind), entry_id, revision)


@post(
    "/entries/{kind:str}/{entry_id:uuid}/herstel/{revision:int}",
    guards=[requires_broker],
    include_in_schema=False,
    sync_to_thread=True,
    status_code=200,
)
def restore_entry(
    request: Request[Any, Any, Any],
    entries: NamedDependency[EntryService],
    kind: FromPath[str],
    entry_id: FromPath[uuid.UUID],
    revision: FromPath[int],
    data: Form,
) -> Response[Any]:
    """Bring back the content of an earlier revision (a new revision records it), once confirmed.

    Without `confirm=yes` (an old form, a stray click) nothing changes: the confirmation page is shown.
    """
    check_kind(kind)
    try:
        version = int(data.get("version", ""))
    except ValueError as exc:
        raise InvalidInputError(
            "version", "the form lacks the version it was based on", code="version"
        ) from exc
    if data.get("confirm") != "yes":
        return _restore_page(request, entries, kind, entry_id, revision)
    entries.restore(kind, entry_id, revision, expected_version=version)
    return redirect(f"/entries/{kind}/{entry_id}", "broker.restored_ok")


@post(
    "/entries/{kind:str}/{entry_id:uuid}/gecontroleerd",
    guards=[requires_broker],
    include_in_schema=False,
    sync_to_thread=True,
)
def mark_verified(
    entries: NamedDependency[EntryService],
    kind: FromPath[str],
    entry_id: FromPath[uuid.UUID],
    data: Form,
) -> Response[Any]:
    """'Verified today': the broker confirms the entry as it is now."""
    check_kind(kind)
    entries.update(
        kind,
        entry_id,
        {
            "last_verified_at": datetime.now(UTC),
            "verified_by": entries.actor.name,
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
    waiting = open_reports(entries)
    return render(
        request,
        "broker.html",
        stale=stale_entries(entries.session, months),
        drafts=open_drafts(entries.session),
        months=months,
        reports=[r.report for r in waiting],
        names={r.report.entity_id: r.entry_name for r in waiting},
        suggestion_count=count_open_suggestions(entries.session),
    )


@post(
    "/beheer/meldingen/{report_id:int}/accepteren",
    guards=[requires_broker],
    include_in_schema=False,
    sync_to_thread=True,
)
def accept(entries: NamedDependency[EntryService], report_id: FromPath[int]) -> Response[Any]:
    """Accept: 'closed' closes the entry; other reports open the edit form to fix it."""
    report = accept_report(entries, report_id)
    if report.kind == ReportKind.CLOSED:
        return redirect("/beheer", "broker.report_accepted")
    return redirect(f"/entries/{report.entity_type}/{report.entity_id}/bewerken", "broker.report_accepted")


@post(
    "/beheer/meldingen/{report_id:int}/afwijzen",
    guards=[requires_broker],
    include_in_schema=False,
    sync_to_thread=True,
)
def reject(entries: NamedDependency[EntryService], report_id: FromPath[int]) -> Response[Any]:
    """Reject a report; the entry stays as it is."""
    reject_report(entries, report_id)
    return redirect("/beheer", "broker.report_rejected")


BROKER_HANDLERS = [
    edit_page,
    save_entry,
    restore_confirm,
    restore_entry,
    mark_verified,
    dashboard,
    accept,
    reject,
    merge_entry,
    *IMPORT_HANDLERS,
    *SUGGESTION_HANDLERS,
]
