"""The machine-readable report of a partner-list import: every row's outcome and every column's fate.

`wijkgram import table FILE --report json` prints it, the upload preview shows
the same rows and columns. Shape:

    {"rows": [{"line": 2, "outcome": "created", "name": "...", "messages": ["..."]}],
     "columns": {"Naam organisatie": "name", "Opmerkingen": "extra:description", "Ingevoerd door": "ignored"},
     "counts": {"created": 1, ...}, "header_line": 1}

`header_line` is where the header was found: lines above it (a title, notes) are not rows.

Outcomes of rows: created, updated, unchanged, draft (kept in the broker's queue
because it needs a location), rejected, skipped (deleted by a broker earlier).
"""

from __future__ import annotations

from typing import Any

from importers.merge import OUTCOMES, ImportReport, Outcome
from importers.table_headers import ColumnPlan


def row_messages(outcome: Outcome) -> list[str]:
    """What a broker should know about a row: why it was refused, what was set aside, what it merged into."""
    messages = [outcome.reason] if outcome.reason else []
    messages += [f"{p.field} {p.value!r}: {p.reason}" for p in outcome.problems]
    if outcome.matched_by == "name+area+contact":
        messages.append("merged into the same offer from another list (same name, area and contact)")
    return messages


def table_report(report: ImportReport, plan: ColumnPlan, header_line: int = 1) -> dict[str, Any]:
    """The report as one JSON-ready object (see the module docstring)."""
    rows = [
        {"line": o.line, "outcome": o.outcome, "name": o.name, "messages": row_messages(o)}
        for o in report.outcomes
        if o.line is not None
    ]
    counts = report.counts()
    return {
        "rows": rows,
        "columns": plan.report(),
        "counts": {outcome: counts.get(outcome, 0) for outcome in OUTCOMES},
        "header_line": header_line,
    }
