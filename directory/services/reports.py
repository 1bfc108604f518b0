"""Reports that an entry is wrong: filed by a user, accepted or rejected by a broker.

Accepting a "closed" report closes the entry through `EntryService` (a revision
names the report); any other accepted report leaves the fix to the broker's edit.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from directory.errors import NotFoundError, require_choice
from directory.models import ENTITY_MODELS, EntryKind, Report, ReportKind, ReportState
from directory.services.entries import Actor, EntryService

#: The longest message a report keeps (characters).
MAX_MESSAGE = 2000


def file_report(
    entries: EntryService, kind: str, entry_id: uuid.UUID, report_kind: str, message: str | None
) -> Report:
    """Queue a report about an existing entry for the brokers, filed by the service's actor."""
    entries.get(kind, entry_id)
    require_choice("kind", report_kind, tuple(ReportKind), code="one_of")
    report = Report(
        entity_type=kind,
        entity_id=entry_id,
        kind=ReportKind(report_kind),
        message=(message or "").strip()[:MAX_MESSAGE] or None,
        status=ReportState.OPEN,
        reported_by=entries.actor.name,
    )
    entries.session.add(report)
    return report


@dataclass(frozen=True)
class OpenReport:
    """A report waiting for a broker, with the name of the entry it is about ('?' when gone)."""

    report: Report
    entry_name: str


def open_reports(entries: EntryService) -> list[OpenReport]:
    """The reports waiting for a broker, oldest first."""
    reports = entries.session.scalars(
        select(Report).where(Report.status == ReportState.OPEN).order_by(Report.id)
    ).all()
    found = []
    for report in reports:
        model = ENTITY_MODELS.get(report.entity_type, ENTITY_MODELS[EntryKind.LOCATION])
        entry: Any = entries.session.get(model, report.entity_id)
        found.append(OpenReport(report, entry.name if entry is not None else "?"))
    return found


def _open_report(entries: EntryService, report_id: int) -> Report:
    report = entries.session.get(Report, report_id, with_for_update=True)
    if report is None or report.status != ReportState.OPEN:
        raise NotFoundError(f"report {report_id} is not open")
    return report


def _handle(report: Report, state: ReportState, actor: Actor) -> None:
    report.status, report.handled_by, report.handled_at = state, actor.name, datetime.now(UTC)


def accept_report(entries: EntryService, report_id: int) -> Report:
    """Accept an open report: a 'closed' one closes its entry; others wait for the broker's edit."""
    report = _open_report(entries, report_id)
    _handle(report, ReportState.ACCEPTED, entries.actor)
    if report.kind == ReportKind.CLOSED:
        entries.update(report.entity_type, report.entity_id, {"status": "closed"}, note=f"report {report.id}")
    return report


def reject_report(entries: EntryService, report_id: int) -> Report:
    """Reject an open report; the entry stays as it is."""
    report = _open_report(entries, report_id)
    _handle(report, ReportState.REJECTED, entries.actor)
    return report
