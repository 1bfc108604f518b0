"""Search documents built from the directory: the one place both engines get their data.

Granularity: one document per location (`l_<id>`: "buurthuis" finds venues),
one per service at each of its locations (`s_<service>_<location>`:
"taalmaatje" finds the activity, with the point where it happens), and one
per service without a location but with a service area (`s_<service>`: found
by place filters whose point or shape meets the area). Closed entries get no
document. The rows live in `search_document` (PostgreSQL engine) and the
`doc` column is exactly what Meilisearch receives.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import msgspec
from geoalchemy2.shape import to_shape
from sqlalchemy import ColumnElement, delete, false, func, or_, select, text
from sqlalchemy.orm import Session

from directory.clock import today_amsterdam
from directory.models import (
    Location,
    Organization,
    SearchOutbox,
    Service,
    TaxonomyTerm,
    service_at_location,
)
from directory.search.compounds import clear_seeded_forms, forms_of, seed_forms, word_parts
from directory.search.fields import SUPPORT_CATEGORIES, TEXT_WEIGHTS
from directory.search.grid import document_cells
from directory.search.models import SearchDocument
from directory.search.schedule import (
    Schedule,
    clear_seeded_schedules,
    opening_schedule,
    schedule,
    seed_schedules,
)
from directory.search.text import words
from directory.services.serialize import StoredEntry
from directory.services.stale import is_stale
from directory.settings import get_settings

#: Amsterdam stadsdeel codes (first letter of wijk and buurt codes) and their names.
STADSDEEL_NAMES = {
    "A": "Centrum",
    "B": "Westpoort",
    "E": "West",
    "F": "Nieuw-West",
    "K": "Zuid",
    "M": "Oost",
    "N": "Noord",
    "S": "Weesp",
    "T": "Zuidoost",
}
#: Accessibility facet values and the location column each comes from.
ACCESSIBILITY = ("step_free", "accessible_toilet", "scootmobiel_parking")
#: Facilities for groups (facet value, location column).
FACILITIES = (("kitchen", "kitchen_available"), ("room", "room_available"))
#: Words a document gets for facts people type ("gratis eten").
FREE_WORDS = ("gratis",)
#: Entries with these statuses are searchable; `closed` ones are not.
SEARCHABLE_STATUSES = ("active", "needs_review")


@dataclass(frozen=True)
class Labels:
    """Taxonomy labels by code (Dutch and English, with the parent's labels for categories)."""

    by_code: dict[str, list[str]]

    @classmethod
    def load(cls, session: Session) -> Labels:
        """Read every term once."""
        terms = session.scalars(select(TaxonomyTerm)).all()
        own = {t.code: [t.label_nl, t.label_en] for t in terms}
        parents = {t.code: t.parent_code for t in terms}
        by_code = {
            code: labels + (own.get(parents[code] or "", []) if parents.get(code) else [])
            for code, labels in own.items()
        }
        return cls(by_code)

    def of(self, codes: Iterable[str | None]) -> list[str]:
        """Labels of several codes, in order, without duplicates."""
        out: list[str] = []
        for code in codes:
            for label in self.by_code.get(code or "", []):
                if label not in out:
                    out.append(label)
        return out


def _place(location: Location | StoredEntry | None) -> dict[str, Any]:
    if location is None:
        return {
            "stadsdeel_code": None,
            "wijk_code": None,
            "buurt_code": None,
            "place_names": [],
            "address": "",
        }
    stadsdeel = location.stadsdeel_code or (location.wijk_code or location.buurt_code or "")[:1] or None
    names = [n for n in (STADSDEEL_NAMES.get(stadsdeel or ""), location.city) if n]
    street = " ".join(p for p in (location.street, location.house_number) if p)
    address = ", ".join(
        p for p in (street, " ".join(p for p in (location.postcode, location.city) if p)) if p
    )
    return {
        "stadsdeel_code": stadsdeel,
        "wijk_code": location.wijk_code,
        "buurt_code": location.buurt_code,
        "place_names": names,
        "address": address,
    }


def _cost(entry: Location | Service | StoredEntry) -> float | None:
    if entry.cost_free:
        return 0.0
    return float(entry.cost_amount_eur) if entry.cost_amount_eur is not None else None


def _accessibility(location: Location | StoredEntry | None) -> list[str]:
    if location is None:
        return []
    return [name for name in ACCESSIBILITY if getattr(location, name)]


def _facilities(location: Location | StoredEntry | None) -> list[str]:
    if location is None:
        return []
    return [name for name, column in FACILITIES if getattr(location, column)]


def _capacity(location: Location | StoredEntry | None) -> int | None:
    """How many people the place holds (None: not known, or no place)."""
    value = getattr(location, "capacity", None) if location is not None else None
    return int(value) if value is not None else None


def _base(
    entry: Location | Service | StoredEntry, org: Organization | None, labels: Labels
) -> dict[str, Any]:
    return {
        "name": entry.name,
        "alternate_name": entry.alternate_name or "",
        "description": entry.description or "",
        "organization_id": str(entry.organization_id) if entry.organization_id else None,
        "organization_name": org.name if org else "",
        "category": entry.category,
        "category_labels": labels.of([entry.category]),
        "status": entry.status,
        "cost_eur": _cost(entry),
        "cost_note": entry.cost_note,
        "tags": list(FREE_WORDS) if entry.cost_free else [],
        "phone": entry.phone,
        "email": entry.email,
        "website": entry.website,
        "last_verified_at": entry.last_verified_at.isoformat() if entry.last_verified_at else None,
        # Ranks below fresh entries of equal relevance. Computed when the document is written,
        # so the nightly rebuild (see "Open at a given time") keeps it current as time passes.
        "stale": is_stale(entry.last_verified_at, get_settings().web.stale_after_months),
        # 1 for an activity or a place of informal support, 0 for the places around them.
        "support": int(isinstance(entry, Service) or entry.category in SUPPORT_CATEGORIES),
    }


def _open_fields(opening: str | None, meetings: list[dict[str, Any]] | None, today: date) -> dict[str, Any]:
    """The schedule fields both engines filter "open at" on (see schedule.py)."""
    when = schedule(opening, meetings, today)
    return {"open_hours": when.weekly, "open_exact": when.exact, "open_until": when.exact_until}


def _lat_lon(location: Location | StoredEntry) -> tuple[float, float]:
    """A location's point (a bulk write's read-back carries it as numbers already)."""
    if isinstance(location, StoredEntry):
        return location.lat, location.lon
    point = to_shape(location.geom)
    return point.y, point.x


def location_document(
    location: Location | StoredEntry, org: Organization | None, labels: Labels, today: date
) -> dict[str, Any]:
    """The document of a venue (a mapped location, or one a bulk write read back)."""
    lat, lon = _lat_lon(location)
    return {
        "id": f"l_{location.id}",
        "kind": "location",
        "entry_id": str(location.id),
        "service_id": None,
        "location_id": str(location.id),
        **_base(location, org, labels),
        "location_name": "",
        "how_to_join": "",
        "support_functions": [],
        "support_labels": [],
        "target_groups": [],
        "target_labels": [],
        "communities": [],
        "languages": list(location.languages or []),
        "accessibility": _accessibility(location),
        "facilities": _facilities(location),
        "capacity": _capacity(location),
        **_place(location),
        **_open_fields(location.opening_hours, [], today),
        "_geo": {"lat": lat, "lng": lon},
        **document_cells(lat, lon),
        "has_area": False,
        "delivery_modes": [],
        "service_area_name": None,
    }


def service_document(
    service: Service,
    location: Location | None,
    org: Organization | None,
    labels: Labels,
    today: date,
) -> dict[str, Any]:
    """The document of a service at one location, or of a service known only by its area."""
    doc: dict[str, Any] = {
        "id": f"s_{service.id}_{location.id}" if location else f"s_{service.id}",
        "kind": "service",
        "entry_id": str(service.id),
        "service_id": str(service.id),
        "location_id": str(location.id) if location else None,
        **_base(service, org, labels),
        "location_name": location.name if location else "",
        "how_to_join": service.how_to_join or "",
        "support_functions": list(service.support_functions or []),
        "support_labels": labels.of(service.support_functions or []),
        "target_groups": list(service.target_groups or []),
        "target_labels": labels.of(service.target_groups or []),
        "communities": list(service.communities or []),
        "languages": list(service.languages or (location.languages if location else []) or []),
        "accessibility": _accessibility(location),
        "facilities": _facilities(location),
        # An activity held at a place fits the groups the place fits.
        "capacity": _capacity(location),
        **_place(location),
        "has_area": location is None,
        # How a service without a venue reaches people, and the area it serves in words
        # ("komt bij je thuis", "in heel Amsterdam"): shown where a venue shows a distance.
        "delivery_modes": list(service.delivery_modes or []) if location is None else [],
        "service_area_name": service.service_area_name if location is None else None,
    }
    if location is None and service.service_area_name:
        doc["place_names"] = [service.service_area_name]
    # A service without its own schedule happens when its venue is open.
    if service.opening_hours or service.meetings:
        doc.update(_open_fields(service.opening_hours, service.meetings, today))
    else:
        doc.update(_open_fields(location.opening_hours if location else None, [], today))
    if location is not None:
        point = to_shape(location.geom)
        doc["_geo"] = {"lat": point.y, "lng": point.x}
        doc.update(document_cells(point.y, point.x))
    return doc


@dataclass
class CacheSeeds:
    """What new places' documents need, computed in another process: schedules and word forms.

    An importer that reads its source in a separate process (`importers.prefetch`) fills
    these there with a `CacheSeeder`, sends them with the records, and the writing process
    takes them with `seed_caches`, so building the documents computes neither again.
    """

    schedules: dict[tuple[str | None, date], Schedule] = dataclasses.field(default_factory=dict)
    forms: dict[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)


class CacheSeeder:
    """Collects `CacheSeeds` place by place, each schedule and word once per import."""

    def __init__(self, today: date) -> None:
        self.today = today
        self._openings: set[str | None] = set()
        self._words: set[str] = set()
        self._pending = CacheSeeds()

    def add(self, opening_hours: str | None, texts: Iterable[str]) -> None:
        """The schedule and the word forms of one place, unless taken before."""
        if opening_hours not in self._openings:
            self._openings.add(opening_hours)
            key = (opening_hours, self.today)
            self._pending.schedules[key] = opening_schedule(opening_hours, self.today)
        self._pending.forms.update(forms_of(texts, self._words))

    def take(self) -> CacheSeeds:
        """What was added since the last `take`."""
        out, self._pending = self._pending, CacheSeeds()
        return out


def seed_caches(seeds: CacheSeeds) -> None:
    """Take schedules and word forms computed elsewhere (see `CacheSeeds`)."""
    seed_schedules(seeds.schedules)
    seed_forms(seeds.forms)


def clear_seeded_caches() -> None:
    """Forget what `seed_caches` took (the regular caches stay)."""
    clear_seeded_schedules()
    clear_seeded_forms()


def with_word_parts(doc: dict[str, Any]) -> dict[str, Any]:
    """The document with `word_parts`: the stems and compound parts of its searched words."""
    texts: list[str] = []
    for fields in TEXT_WEIGHTS.values():
        for name in fields:
            value = doc.get(name)
            if name == "word_parts" or not value:
                continue
            if isinstance(value, list):
                texts.extend(str(v) for v in value)
            else:
                texts.append(str(value))
    doc["word_parts"] = word_parts(texts)
    return doc


def searchable_text(doc: dict[str, Any]) -> dict[str, str]:
    """The text of a document per PostgreSQL weight (A..D)."""
    out: dict[str, str] = {}
    for weight, fields in TEXT_WEIGHTS.items():
        parts: list[str] = []
        for field in fields:
            value = doc.get(field)
            if isinstance(value, list):
                parts.extend(str(v) for v in value)
            elif value:
                parts.append(str(value))
        out[weight] = " ".join(parts)
    return out


def _location_documents(
    locations: Iterable[Location | StoredEntry],
    orgs: dict[uuid.UUID, Organization],
    labels: Labels,
    today: date,
) -> list[tuple[dict[str, Any], Any]]:
    """The documents of searchable locations whose organisations (if any) are searchable too."""
    out: list[tuple[dict[str, Any], Any]] = []
    for loc in locations:
        org = orgs.get(loc.organization_id) if loc.organization_id else None
        if org is not None and org.status not in SEARCHABLE_STATUSES:
            continue  # the organisation stopped: its places are not there for anyone either
        out.append((with_word_parts(location_document(loc, org, labels, today)), None))
    return out


def build_documents(
    session: Session,
    *,
    location_ids: Sequence[uuid.UUID] = (),
    service_ids: Sequence[uuid.UUID] = (),
    labels: Labels | None = None,
    today: date | None = None,
) -> list[tuple[dict[str, Any], Any]]:
    """Documents (with their service-area geometry, if any) of the given locations and services."""
    labels = labels or Labels.load(session)
    today = today or today_amsterdam()
    out: list[tuple[dict[str, Any], Any]] = []
    locations = (
        session.scalars(
            select(Location)
            .where(Location.id.in_(location_ids), Location.status.in_(SEARCHABLE_STATUSES))
            .execution_options(populate_existing=True)
        ).all()
        if location_ids
        else []
    )
    services = (
        session.scalars(
            select(Service)
            .where(Service.id.in_(service_ids), Service.status.in_(SEARCHABLE_STATUSES))
            .execution_options(populate_existing=True)
        ).all()
        if service_ids
        else []
    )
    links: dict[uuid.UUID, list[uuid.UUID]] = {}
    if services:
        for sid, lid in session.execute(
            select(service_at_location.c.service_id, service_at_location.c.location_id).where(
                service_at_location.c.service_id.in_([s.id for s in services])
            )
        ):
            links.setdefault(sid, []).append(lid)
    linked_ids = {lid for lids in links.values() for lid in lids}
    venues = (
        {
            loc.id: loc
            for loc in session.scalars(
                select(Location).where(Location.id.in_(linked_ids), Location.status.in_(SEARCHABLE_STATUSES))
            )
        }
        if linked_ids
        else {}
    )
    entries: list[Location | Service] = [*locations, *services]
    org_ids = {e.organization_id for e in entries if e.organization_id is not None}
    orgs = (
        {o.id: o for o in session.scalars(select(Organization).where(Organization.id.in_(org_ids)))}
        if org_ids
        else {}
    )
    out.extend(_location_documents(locations, orgs, labels, today))
    for svc in services:
        org = orgs.get(svc.organization_id) if svc.organization_id else None
        if org is not None and org.status not in SEARCHABLE_STATUSES:
            continue
        places = [venues[lid] for lid in links.get(svc.id, []) if lid in venues]
        for venue in places:
            out.append((with_word_parts(service_document(svc, venue, org, labels, today)), None))
        if not links.get(svc.id) and svc.service_area is not None:
            out.append((with_word_parts(service_document(svc, None, org, labels, today)), svc.service_area))
    return out


#: One statement for a whole batch of documents: the rows come as one JSON array, in the order
#: they were built (a rebuild stores them in spatial order, see `all_entry_ids`). Thousands of
#: single-row inserts cost an import more than the index updates they cause.
INSERT_SQL = text(
    """
    INSERT INTO search_document (id, kind, service_id, location_id, organization_id, name, category,
        support_functions, target_groups, languages, accessibility, facilities, capacity, cost_eur,
        stadsdeel_code, wijk_code, buurt_code, open_hours, open_exact, open_until, stale, geom, area, tsv)
    SELECT r.id, r.kind, r.service_id, r.location_id, r.organization_id, r.name, r.category,
        r.support_functions, r.target_groups, r.languages, r.accessibility, r.facilities, r.capacity,
        r.cost_eur, r.stadsdeel_code, r.wijk_code, r.buurt_code, r.open_hours, r.open_exact, r.open_until,
        r.stale,
        ST_GeomFromEWKT(r.geom),
        ST_SetSRID(ST_Multi(ST_GeomFromEWKB(decode(r.area, 'hex'))), 4326),
        setweight(to_tsvector('wijkgram_nl', r.text_a), 'A')
        || setweight(to_tsvector('wijkgram_nl', r.text_b), 'B')
        || setweight(to_tsvector('wijkgram_nl', r.text_c), 'C')
        || setweight(to_tsvector('wijkgram_nl', r.text_d), 'D')
    FROM jsonb_array_elements(CAST(:rows AS jsonb)) WITH ORDINALITY AS e(row, n),
        jsonb_to_record(e.row) AS r(id text, kind text, service_id uuid, location_id uuid,
            organization_id uuid, name text, category text, support_functions text[],
            target_groups text[], languages text[], accessibility text[], facilities text[],
            capacity integer, cost_eur numeric, stadsdeel_code text, wijk_code text, buurt_code text,
            open_hours smallint[], open_exact integer[], open_until integer, stale boolean,
            geom text, area text, text_a text, text_b text, text_c text, text_d text)
    ORDER BY e.n
    """
)
INSERT_BODY_SQL = text(
    "INSERT INTO search_document_body (id, doc) "
    "SELECT doc->>'id', doc FROM jsonb_array_elements(CAST(:docs AS jsonb)) AS e(doc)"
)

#: The words of a batch, one statement whatever their number (a VALUES list would be compiled anew).
INSERT_WORDS_SQL = text(
    "INSERT INTO search_word (word) SELECT unnest(CAST(:words AS text[])) ON CONFLICT DO NOTHING"
)


def _row(doc: dict[str, Any], area: Any, parts: dict[str, str]) -> dict[str, Any]:
    geo = doc.get("_geo")
    return {
        **{key: doc[key] for key in ("id", "kind", "service_id", "location_id", "organization_id", "name")},
        **{key: doc[key] for key in ("category", "support_functions", "target_groups", "languages")},
        "accessibility": doc["accessibility"],
        "facilities": doc.get("facilities", []),
        "capacity": doc.get("capacity"),
        "cost_eur": doc["cost_eur"],
        "stadsdeel_code": doc["stadsdeel_code"],
        "wijk_code": doc["wijk_code"],
        "buurt_code": doc["buurt_code"],
        "open_hours": doc["open_hours"],
        "open_exact": doc["open_exact"],
        "open_until": doc["open_until"],
        "stale": doc["stale"],
        "geom": f"SRID=4326;POINT({geo['lng']} {geo['lat']})" if geo else None,
        "area": bytes(area.data).hex() if area is not None else None,
        "text_a": parts["A"],
        "text_b": parts["B"],
        "text_c": parts["C"],
        "text_d": parts["D"],
    }


def store_documents(session: Session, docs: Sequence[tuple[dict[str, Any], Any]]) -> None:
    """Insert documents into `search_document` and their words into `search_word`."""
    if not docs:
        return
    texts = [searchable_text(doc) for doc, _ in docs]
    rows = [_row(doc, area, parts) for (doc, area), parts in zip(docs, texts, strict=True)]
    session.execute(INSERT_SQL, {"rows": msgspec.json.encode(rows).decode()})
    session.execute(INSERT_BODY_SQL, {"docs": msgspec.json.encode([doc for doc, _ in docs]).decode()})
    vocabulary = sorted({w for parts in texts for part in parts.values() for w in words(part)})
    if vocabulary:
        session.execute(INSERT_WORDS_SQL, {"words": vocabulary})


def store_new_locations(session: Session, locations: Sequence[Location | StoredEntry]) -> None:
    """Store the documents of locations created just now (bulk imports), without reading them again.

    A new location has no documents yet and no services, so nothing is deleted or rebuilt
    beside its own document.
    """
    store_documents(session, new_location_documents(session, locations))


def new_location_documents(
    session: Session, locations: Sequence[Location | StoredEntry], labels: Labels | None = None
) -> list[tuple[dict[str, Any], Any]]:
    """The documents of locations created just now (what `store_new_locations` stores)."""
    searchable = [loc for loc in locations if loc.status in SEARCHABLE_STATUSES]
    if not searchable:
        return []
    org_ids = {loc.organization_id for loc in searchable if loc.organization_id is not None}
    orgs = (
        {o.id: o for o in session.scalars(select(Organization).where(Organization.id.in_(org_ids)))}
        if org_ids
        else {}
    )
    # The same documents `build_documents` makes of them (one function for both).
    return _location_documents(searchable, orgs, labels or Labels.load(session), today_amsterdam())


def refresh_entry(session: Session, kind: str, entry_id: uuid.UUID) -> None:
    """Rebuild the documents an entry change affects, in the caller's transaction.

    A location change also rewrites the documents of services held there; an
    organisation change those of its services and locations (they carry its name).
    """
    refresh_entries(session, [(kind, entry_id)])


def refresh_entries(session: Session, changes: Iterable[tuple[str, uuid.UUID]]) -> None:
    """Rebuild the documents of many changed entries at once (an import's batch), as `refresh_entry`.

    One delete, one build and one insert for the whole batch instead of eight statements
    per entry: this is most of what an import of new places costs.
    """
    ids: dict[str, set[uuid.UUID]] = {"location": set(), "service": set(), "organization": set()}
    for kind, entry_id in changes:
        ids[kind].add(entry_id)
    if not any(ids.values()):
        return
    session.flush()
    doc = SearchDocument
    services, locations = set(ids["service"]), set(ids["location"])
    scopes: list[ColumnElement[bool]] = []
    if ids["location"]:
        scopes.append(doc.location_id.in_(ids["location"]))
        services.update(
            session.scalars(
                select(service_at_location.c.service_id).where(
                    service_at_location.c.location_id.in_(ids["location"])
                )
            )
        )
    if ids["service"]:
        scopes.append(doc.service_id.in_(ids["service"]))
    if ids["organization"]:
        scopes.append(doc.organization_id.in_(ids["organization"]))
        services.update(
            session.scalars(select(Service.id).where(Service.organization_id.in_(ids["organization"])))
        )
        locations.update(
            session.scalars(select(Location.id).where(Location.organization_id.in_(ids["organization"])))
        )
    for row in session.execute(select(doc.service_id, doc.location_id, doc.kind).where(or_(*scopes))):
        if row.service_id is not None:
            services.add(row.service_id)
        elif row.location_id is not None:
            locations.add(row.location_id)
    session.execute(
        delete(doc).where(
            or_(
                doc.service_id.in_(services) if services else false(),
                (doc.location_id.in_(locations) & (doc.kind == "location")) if locations else false(),
            )
        )
    )
    store_documents(
        session, build_documents(session, location_ids=sorted(locations), service_ids=sorted(services))
    )
    if ids["organization"]:
        # Documents carry the organisation's name; once it is gone they no longer name it, so
        # the Meilisearch sync must be told about each of them by their own id.
        session.add_all(
            [
                SearchOutbox(entity_type="service", entity_id=i, operation="upsert", attempts=0)
                for i in services
            ]
            + [
                SearchOutbox(entity_type="location", entity_id=i, operation="upsert", attempts=0)
                for i in locations
            ]
        )


def all_entry_ids(session: Session, batch: int = 1000) -> Iterator[tuple[list[uuid.UUID], list[uuid.UUID]]]:
    """Location and service ids of the whole directory, in batches and in spatial order, for a rebuild.

    Documents are stored in the order they are built, so a rebuild in geohash order
    (services at their first venue) puts neighbours on the same table pages: a radius
    or box search then reads a few hundred pages instead of one per match.
    """
    place = func.ST_GeoHash(Location.geom, 7)
    loc_ids = list(session.scalars(select(Location.id).order_by(place, Location.id)))
    svc_ids = list(
        session.scalars(
            select(Service.id)
            .outerjoin(service_at_location, service_at_location.c.service_id == Service.id)
            .outerjoin(Location, Location.id == service_at_location.c.location_id)
            .group_by(Service.id)
            .order_by(func.min(place), Service.id)
        )
    )
    for start in range(0, len(loc_ids), batch):
        yield loc_ids[start : start + batch], []
    for start in range(0, len(svc_ids), batch):
        yield [], svc_ids[start : start + batch]


def count_entries(session: Session) -> int:
    """How many locations and services a rebuild walks through."""
    return (session.scalar(select(func.count()).select_from(Location)) or 0) + (
        session.scalar(select(func.count()).select_from(Service)) or 0
    )
