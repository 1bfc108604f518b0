"""The entry page: everything we know about one entry, its map, sources and history."""

from __future__ import annotations

import uuid
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
from web.accounts.names import PublicNames
from web.i18n import Translator, field_label
from web.maps import LeafletMap, Popup, marker
from web.pages.common import KINDS, redirect, render, translator
from web.present import datetime_text, hours_text, meeting_text, money_text

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


def display_value(t: Translator, labels: dict[str, str], key: str, value: Any) -> str:
    """A field value in words for the entry page."""
    if isinstance(value, bool):
        return t("yes") if value else t("no")
    if key == "meetings":
        return "; ".join(meeting_text(t, m) for m in value)
    if key == "opening_hours":
        return hours_text(t, str(value))
    if key == "service_area":
        return t("fact.comes_to_you")
    if key == "delivery_modes":
        return ", ".join(t(f"fact.{mode}") for mode in value)
    if key == "status":
        return t(f"status.{value}")
    if key in ("category",):
        return labels.get(str(value), str(value))
    if isinstance(value, list):
        return ", ".join(labels.get(str(v), str(v)) for v in value)
    if key == "cost_amount_eur":
        return money_text(t.lang, value)
    if key.endswith("_at") and isinstance(value, str):
        return datetime_text(t.lang, value)
    return str(value)


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
    labels = vocabulary_labels(entries.session, t.lang)
    order = list(FIELD_ORDER)
    shown = sorted(
        (key for key, value in data.items() if key not in HIDDEN_FIELDS and value not in (None, "", [], {})),
        key=lambda key: order.index(key) if key in order else len(order),
    )
    facts = [(field_label(t.lang, key), display_value(t, labels, key, data[key])) for key in shown]
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
    revisions = [names.revision(r) for r in entries.revisions(kind, entry_id)]
    return render(
        request,
        "entry.html",
        kind=kind,
        entry=entry,
        data=data,
        facts=facts,
        related=related,
        map_html=entry_map(entry.name, t.lang, points),
        provenance=provenance,
        revisions=revisions,
        field_label=lambda key: field_label(t.lang, key),
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
