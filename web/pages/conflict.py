"""The conflict page: someone saved first; the broker picks theirs or mine per field, then saves.

The page carries both versions of every differing field as hidden inputs
(`theirs__<field>`, `mine__<field>`) and a radio `pick__<field>`; fields that
agree travel once as `mine__<field>`. `merged_form` turns that back into an
ordinary edit form based on the version the page showed, so the save goes
through the same validation and version check: a third save in between gives
this page again, never a silent overwrite.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from litestar import Request
from litestar.response import Template

from directory.errors import ConflictError
from directory.services.entries import EntryService
from directory.services.taxonomy import vocabulary_labels
from web.i18n import Translator, field_label
from web.pages.common import render, translator
from web.pages.forms import FORM_FIELDS, FormField, raw_values
from web.pages.meeting_form import meetings_of
from web.present import meeting_text

MINE, THEIRS = "mine", "theirs"


@dataclass(frozen=True)
class ConflictRow:
    """One field of the conflict table."""

    name: str
    label: str
    theirs: str
    mine: str
    differs: bool
    pick: str  # the preselected side


def _same(field: FormField, a: Any, b: Any) -> bool:
    if field.kind.startswith("codes:"):
        return set(a or []) == set(b or [])
    if field.kind == "meetings":
        return meetings_of(a or [])[0] == meetings_of(b or [])[0]
    return str(a or "").strip() == str(b or "").strip()


def _hidden(prefix: str, field: FormField, value: Any) -> list[tuple[str, str]]:
    if field.kind.startswith("codes:"):
        return [(f"{prefix}{field.name}__{code}", "on") for code in value or []]
    if field.kind == "meetings":
        return [(f"{prefix}{field.name}", json.dumps(value or []))]
    return [(f"{prefix}{field.name}", str(value or ""))]


def _shown(t: Translator, labels: dict[str, str], field: FormField, value: Any) -> str:
    """A form value in words, so both columns read like the entry page."""
    if field.kind == "meetings":
        return "; ".join(meeting_text(t, m) for m in meetings_of(value or [])[0])
    if field.kind == "organization":
        return labels.get(str(value), str(value or ""))
    if isinstance(value, list):
        return ", ".join(labels.get(str(v), str(v)) for v in value)
    if field.kind == "bool":
        return {"yes": t("yes"), "no": t("no")}.get(str(value), "")
    if field.kind == "status" and value:
        return t(f"status.{value}")
    if field.kind == "category":
        return labels.get(str(value), str(value or ""))
    return str(value or "")


def conflict_page(
    request: Request[Any, Any, Any],
    entries: EntryService,
    kind: str,
    entry_id: uuid.UUID,
    mine: dict[str, Any],
    base_version: int,
    exc: ConflictError,
) -> Template:
    """Both versions side by side, with a choice per differing field."""
    t = translator(request)
    current = exc.extra["current"]
    theirs = raw_values(kind, current)
    revisions = entries.revisions(kind, entry_id)
    # What the broker started from: a field they left as it was preselects theirs (the newer value).
    base_snapshot = next((r.snapshot for r in revisions if r.version == base_version), None)
    base = raw_values(kind, base_snapshot) if base_snapshot is not None else {}
    labels = vocabulary_labels(entries.session, t.lang)
    if kind == "service":  # places and the organisation by name, not by id
        labels |= entries.names("location") | entries.names("organization")
    rows: list[ConflictRow] = []
    hidden: list[tuple[str, str]] = []
    for field in FORM_FIELDS[kind]:
        differs = not _same(field, theirs[field.name], mine.get(field.name))
        untouched = field.name in base and _same(field, base[field.name], mine.get(field.name))
        rows.append(
            ConflictRow(
                field.name,
                field_label(t.lang, field.name),
                _shown(t, labels, field, theirs[field.name]),
                _shown(t, labels, field, mine.get(field.name)),
                differs,
                THEIRS if untouched else MINE,
            )
        )
        hidden += _hidden("mine__", field, mine.get(field.name))
        if differs:
            hidden += _hidden("theirs__", field, theirs[field.name])
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
        who=revisions[0].changed_by,
    )


def merged_form(kind: str, data: dict[str, str], codes: dict[str, list[str]]) -> dict[str, str]:
    """The edit form the broker's choices make: per field the picked side's value, plus the version."""
    form = {"version": data.get("version", "")}
    for field in FORM_FIELDS[kind]:
        prefix = "theirs__" if data.get(f"pick__{field.name}") == THEIRS else "mine__"
        if field.kind.startswith("codes:"):
            vocabulary = field.kind.split(":", 1)[1]
            for code in codes.get(vocabulary, []):
                if data.get(f"{prefix}{field.name}__{code}"):
                    form[f"{field.name}__{code}"] = "on"
        else:
            form[field.name] = data.get(f"{prefix}{field.name}", "")
    return form
