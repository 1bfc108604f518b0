"""The entry page: everything we know about one entry, its map, sources and history."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Template

from directory.errors import NotFoundError
from directory.models import REPORT_KINDS
from directory.services.entries import EntryService
from directory.services.related import related_entries
from directory.services.reports import file_report
from directory.services.stale import is_stale
from directory.services.taxonomy import vocabulary_labels
from directory.settings import get_settings
from web.accounts.current import requires_viewer
from web.accounts.names import PublicNames, RevisionView
from web.field_words import FieldWords
from web.i18n import Translator, field_label
from web.maps import LeafletMap, Popup, marker
from web.pages.common import KINDS, redirect, render, translator
from web.present import address_text, cost_text, reach_text

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
#: Fields the page shows elsewhere or that mean nothing to a reader.
HIDDEN_FIELDS = frozenset(
    {
        "id",
        "version",
        "created_at",
        "updated_at",
        "field_provenance",
        "lat",
        "lon",
        "organization_id",
        "location_ids",
    }
)


#: Entry fields in the order the entry page lists them (labels: `field.<name>` in the catalogues).
FIELD_ORDER = (
    "name",
    "alternate_name",
    "description",
    "category",
    "status",
    "email",
    "website",
    "phone",
    "languages",
    "last_verified_at",
    "verified_by",
    "verification_method",
    "source",
    "source_id",
    "fetched_at",
    "cost_free",
    "cost_amount_eur",
    "cost_note",
    "organization_id",
    "lat",
    "lon",
    "street",
    "house_number",
    "postcode",
    "city",
    "stadsdeel_code",
    "wijk_code",
    "buurt_code",
    "opening_hours",
    "step_free",
    "accessible_toilet",
    "scootmobiel_parking",
    "accessibility_note",
    "kitchen_available",
    "room_available",
    "capacity",
    "support_functions",
    "target_groups",
    "communities",
    "meetings",
    "walk_in",
    "referral_required",
    "waiting_time_days",
    "response_time_days",
    "how_to_join",
    "contact_role",
    "contact_name",
    "service_area",
    "location_ids",
)


def check_kind(kind: str) -> str:
    """The kind from a URL, or 404."""
    if kind not in KINDS:
        raise NotFoundError(f"unknown entry kind {kind!r}")
    return kind


#: Fields the facts list says as one line ("Kosten: € 3,50 per maaltijd", "Adres: ...").
COST_FIELDS = frozenset({"cost_free", "cost_amount_eur", "cost_note"})
ADDRESS_FIELDS = frozenset({"street", "house_number", "postcode", "city"})
#: Said calmly above the facts (the verification) or in "Waar" (a service's area).
SHOWN_APART = frozenset({"last_verified_at", "service_area", "service_area_name", "delivery_modes"})

#: Machine notes of the history (English, written by the services) -> catalogue keys with one value.
NOTE_PATTERNS = (
    (re.compile(r"^verified today$"), "history.note_verified"),
    (re.compile(r"^restored revision (\d+)$"), "history.note_restored"),
    (re.compile(r"^(?:imported from|import) (?:table:)?(.+)$"), "history.note_import"),
    (re.compile(r"^accepted the value from (?:table:)?(.+)$"), "history.note_accepted"),
    (re.compile(r"^no longer listed by (?:table:)?(\S+).*$"), "history.note_missing"),
    (re.compile(r"^report (\d+)$"), "history.note_report"),
)


def note_text(t: Translator, note: str | None) -> str:
    """A revision's note in the page language when it is one the services write, else as written."""
    if not note:
        return ""
    for pattern, key in NOTE_PATTERNS:
        match = pattern.match(note)
        if match:
            return t(key, value=match[1] if match.groups() else "")
    return note


def entry_facts(t: Translator, words: FieldWords, data: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value in words) of every field worth showing; the cost and the address each on one line."""
    order = list(FIELD_ORDER)
    shown = sorted(
        (
            key
            for key, value in data.items()
            if key not in HIDDEN_FIELDS | SHOWN_APART and value not in (None, "", [], {})
        ),
        key=lambda key: order.index(key) if key in order else len(order),
    )
    lines = {
        "cost": (t("fact.cost"), cost_text(t, _namespace(data, COST_FIELDS))),
        "address": (t("fact.address"), address_text(_namespace(data, ADDRESS_FIELDS))),
    }
    facts: list[tuple[str, str]] = []
    for key in shown:
        group = "cost" if key in COST_FIELDS else "address" if key in ADDRESS_FIELDS else None
        if group is None:
            facts.append((words.label(key), words.value(key, data[key])))
        elif group in lines:
            facts.append(lines.pop(group))
    return facts


def _namespace(data: dict[str, Any], keys: frozenset[str]) -> SimpleNamespace:
    return SimpleNamespace(**{key: data.get(key) for key in keys})


@dataclass(frozen=True)
class HistoryRow:
    """One revision as the history shows it: who, when, what changed in words."""

    version: int
    kind: str
    changed_at: Any
    changed_by: str
    lines: list[tuple[str, str]]
    note: str


def history_row(t: Translator, words: FieldWords, revision: RevisionView) -> HistoryRow:
    """A revision in words ("Kosten: € 3,50 → gratis"); a creation lists nothing, it is the entry."""
    lines = [] if revision.kind == "create" else words.changes(revision.changes, revision.snapshot)
    note = note_text(t, revision.note)
    return HistoryRow(revision.version, revision.kind, revision.changed_at, revision.changed_by, lines, note)


@dataclass(frozen=True)
class Where:
    """Where a service takes place: a linked place with its address, or the area it serves."""

    text: str
    href: str | None = None
    detail: str = ""


def where_lines(t: Translator, service: Any, locations: list[Any]) -> list[Where]:
    """The places a service is held at (name and address), or how it reaches people in its area."""
    lines = [Where(loc.name, f"/entries/location/{loc.id}", address_text(loc)) for loc in locations]
    if service.service_area is not None or service.delivery_modes or service.service_area_name:
        lines.append(Where(reach_text(t, service)))
    return lines


def entry_map(title: str, lang: str, points: list[tuple[str, float, float]]) -> str | None:
    """A small map of the entry's place(s), or None when it has none."""
    if not points:
        return None
    lmap = LeafletMap((points[0][1], points[0][2]), zoom=16)
    lmap.add_markers("", [marker(lat, lon, popup=Popup(name)) for name, lat, lon in points])
    lmap.fit([(lat, lon) for _, lat, lon in points], padding=(30, 30))
    return lmap.document(title, lang)


@get("/entries/{kind:str}/{entry_id:uuid}", include_in_schema=False, sync_to_thread=True)
def entry_page(
    request: Request[Any, Any, Any],
    entries: NamedDependency[EntryService],
    names: NamedDependency[PublicNames],
    kind: FromPath[str],
    entry_id: FromPath[uuid.UUID],
) -> Template:
    """One entry with all its facts, map, sources (field provenance) and revision history."""
    t = translator(request)
    entry = entries.get(check_kind(kind), entry_id)
    data = names.entry(entries.to_dict(entry))  # people as the viewer may see them
    words = FieldWords(t, vocabulary_labels(entries.session, t.lang), entries.names)
    facts = entry_facts(t, words, data)
    related = related_entries(
        entries.session,
        kind,
        entry.id,
        organization_id=uuid.UUID(data["organization_id"]) if data.get("organization_id") else None,
        location_ids=[uuid.UUID(i) for i in data.get("location_ids") or []],
    )
    points: list[tuple[str, float, float]] = []
    if kind == "location":
        points.append((entry.name, data["lat"], data["lon"]))
    for loc in related.locations:
        loc_data = entries.to_dict(loc)
        points.append((loc.name, loc_data["lat"], loc_data["lon"]))
    provenance = sorted(
        (field_label(t.lang, key), value) for key, value in (data.get("field_provenance") or {}).items()
    )
    revisions = [history_row(t, words, names.revision(r)) for r in entries.revisions(kind, entry_id)]
    return render(
        request,
        "entry.html",
        kind=kind,
        entry=entry,
        data=data,
        facts=facts,
        where=where_lines(t, entry, related.locations) if kind == "service" else [],
        related=related,
        map_html=entry_map(entry.name, t.lang, points),
        provenance=provenance,
        revisions=revisions,
        stale=is_stale(entry.last_verified_at, get_settings().web.stale_after_months),
        report_kinds=REPORT_KINDS,
        reported=request.query_params.get("msg") == "entry.report_thanks",
    )


@post(
    "/entries/{kind:str}/{entry_id:uuid}/melden",
    guards=[requires_viewer],
    include_in_schema=False,
    sync_to_thread=True,
)
def report_entry(
    entries: NamedDependency[EntryService],
    kind: FromPath[str],
    entry_id: FromPath[uuid.UUID],
    data: Form,
) -> Response[Any]:
    """A logged-in user says an entry is wrong; it waits in the brokers' queue."""
    file_report(entries, check_kind(kind), entry_id, data.get("kind", ""), data.get("message"))
    return redirect(f"/entries/{kind}/{entry_id}", "entry.report_thanks")


ENTRY_PAGE_HANDLERS = [entry_page, report_entry]
