"""The one step that writes imported records into the directory.

Every importer hands its `PlaceRecord`s to `Merger`. For each record it
finds the entry the record is about (by source id first, then by a similar
name close by), and creates or updates it through `EntryService`, so
revisions, optimistic locking, field provenance and the search outbox stay
the same as for a broker's edit. Rules:

- A field whose provenance is `manual` (a broker typed it) is never
  overwritten; the source's differing value becomes a `SourceSuggestion`.
- A field filled by another import source keeps that value too: the first
  source owns a field, and a second source's differing value is recorded as
  a suggestion. So running two sources in any order is stable.
- An entry a source stops listing is set to `needs_review`, never deleted.
- Same input, same state: an unchanged record writes no revision.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, cast

from pydantic import ValidationError
from sqlalchemy import any_, bindparam, select
from sqlalchemy import update as sql_update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.orm import Session

from directory.errors import Problem as RuleProblem
from directory.errors import WijkgramError
from directory.models import Location, Organization, Service, SourceLink, SourceSuggestion
from directory.schemas.entries import (
    LocationCreate,
    LocationFields,
    OrganizationCreate,
    OrganizationFields,
    ServiceCreate,
    ServiceFields,
)
from directory.schemas.problems import problems as rule_problems
from directory.services.entries import Actor, EntryService
from importers.match_places import MATCH_RADIUS_M, NAME_THRESHOLD, PlaceIndex, name_similarity, normalise_name
from importers.match_services import find_same_service
from importers.merge_links import NewLink, insert_links
from importers.merge_plan import Plan, clean, plan_fields
from importers.outcomes import (
    OUTCOMES,
    ImportOutcome,
    ImportReport,
    Outcome,
    domain_problems,
    validation_reason,
)
from importers.records import EntryRecord, PlaceRecord

__all__ = [
    "MATCH_RADIUS_M",
    "NAME_THRESHOLD",
    "OUTCOMES",
    "ImportOutcome",
    "ImportReport",
    "Merger",
    "Outcome",
    "name_similarity",
    "normalise_name",
]


class Merger:
    """Applies records of one source run to the directory, in the caller's transaction."""

    def __init__(
        self,
        session: Session,
        source: str,
        scope: str,
        *,
        match_radius_m: float = MATCH_RADIUS_M,
        name_threshold: float = NAME_THRESHOLD,
        dry_run: bool = False,
    ) -> None:
        self.session = session
        self.source = source
        self.scope = scope
        self.match_radius_m = match_radius_m
        self.name_threshold = name_threshold
        self.entries = EntryService(session, Actor(name=f"import:{source}", source=source))
        self.now = datetime.now(UTC)
        self.run_id = f"{source}:{self.now.isoformat()}:{uuid.uuid4().hex[:8]}"
        self.report = ImportReport(source=source, scope=scope, run_id=self.run_id, dry_run=dry_run)
        #: {(entity type, source id): link, or the id of a link written in bulk in this run}.
        self._links: dict[tuple[str, str], SourceLink | int] | None = None
        self._seen: set[int] = set()  # links of unchanged records, marked seen in one statement
        self._loaded: list[object] = []
        self._places: PlaceIndex | None = None
        self._matches: dict[str, Location] = {}  # records matched while sorting out new places
        # What the record being applied writes and suggests, copied onto its Outcome.
        self._changed: list[tuple[str, str]] = []
        self._suggested: list[tuple[str, str]] = []

    # -- public --------------------------------------------------------------------------

    def apply(self, record: PlaceRecord) -> Outcome:
        """Create, update or leave one record; a bad record is rejected alone (savepoint)."""
        fast = self._unchanged(record)
        if fast is not None:
            fast.line = record.line
            fast.problems = list(record.problems)
            self.report.outcomes.append(fast)
            return fast
        try:
            with self.session.begin_nested():
                outcome = self._apply(record)
        except ValidationError as exc:
            self._reset_caches()  # the savepoint took back what this record wrote
            outcome = Outcome(
                record.source_id, record.name, "rejected", record.category, validation_reason(exc)
            )
            outcome.errors = rule_problems(exc)
        except WijkgramError as exc:
            self._reset_caches()
            outcome = Outcome(record.source_id, record.name, "rejected", record.category, exc.message)
            outcome.errors = domain_problems(exc)
        outcome.line = record.line
        outcome.problems = list(record.problems)
        self.report.outcomes.append(outcome)
        return outcome

    def apply_batch(self, records: Sequence[PlaceRecord]) -> None:
        """Apply records under one savepoint; when one fails, redo them with a savepoint each.

        Rejections are rare in most sources, so one savepoint per batch saves two
        statements per record; a batch with a bad record costs one retry.
        """
        mark, seen = len(self.report.outcomes), set(self._seen)
        try:
            with self.session.begin_nested(), self.entries.batched_search_refresh():
                outcomes: list[Outcome | None] = []
                fresh: list[tuple[int, PlaceRecord, dict[str, Any]]] = []
                pending: set[str] = set()
                for record in records:
                    outcome = self._unchanged(record)
                    if outcome is None:
                        fields = self._fresh_fields(record, pending)
                        if fields is not None:
                            fresh.append((len(outcomes), record, fields))
                            pending.add(record.source_id)
                            outcomes.append(None)
                            continue
                        self._create_fresh(fresh, outcomes)  # first, so writes keep the input order
                        pending.clear()
                        outcome = self._apply(record)
                    outcomes.append(outcome)
                self._create_fresh(fresh, outcomes)
                for record, done in zip(records, outcomes, strict=True):
                    assert done is not None
                    done.line = record.line
                    done.problems = list(record.problems)
                    self.report.outcomes.append(done)
        except (ValidationError, WijkgramError):
            del self.report.outcomes[mark:]
            self._seen = seen
            self._reset_caches()
            for record in records:
                self.apply(record)

    def prepare(self) -> None:
        """Load what applying records needs before the first one comes (same queries, earlier).

        The import calls this while its reader thread reads the first records, so the
        writer's one-time work (this source's links and their entries, the vocabularies new
        entries are checked against, the ORM's mapper configuration on first use) overlaps the
        reading instead of following it. The other sources' places are loaded too when this
        source has no places yet: then every record is new and is matched against them.
        """
        self._link("location", "")
        for vocabulary in ("category", "support_function", "target_group"):
            self.entries.codes(vocabulary)
        if self._places is None and not any(kind == "location" for kind, _ in self._links or {}):
            self._places = PlaceIndex.load(self.session, self.source)

    def _reset_caches(self) -> None:
        """Forget what was loaded or noted during a rolled-back savepoint; reload on next use."""
        self._links = None
        self._places = None
        self._loaded = []
        self._matches = {}

    def _fresh_fields(self, record: PlaceRecord, pending: set[str]) -> dict[str, Any] | None:
        """The fields of a new location, when the record makes one and nothing else; else None.

        Such records (most of a first import) are created together by `_create_fresh`;
        a record that is already linked, matches another source's place, brings an
        organisation or a service, or repeats a pending record's id takes `_apply`.
        """
        if record.organization or record.service is not None or record.source_id in pending:
            return None
        if self._link("location", record.source_id) is not None:
            return None
        match = self._match_location(record)
        if match is not None:
            self._matches[record.source_id] = match  # for `_apply`: the index has handed it out
            return None
        fields = clean(LocationCreate, record.location_fields())  # LocationFields' rules + the required ones
        return dict(fields, source=self.source, source_id=record.source_id, fetched_at=self.now.isoformat())

    def _create_fresh(
        self, fresh: list[tuple[int, PlaceRecord, dict[str, Any]]], outcomes: list[Outcome | None]
    ) -> None:
        """Create the pending new locations in one bulk write and fill in their outcomes."""
        if not fresh:
            return
        created = self.entries.create_many(
            "location", [fields for _, _, fields in fresh], note=f"imported from {self.source}"
        )
        link_ids = insert_links(
            self.session,
            [
                NewLink("location", location.id, record.source_id, self._raw(record))
                for (_, record, _), location in zip(fresh, created, strict=True)
            ],
            source=self.source,
            scope=self.scope,
            fetched_at=self.now,
            run=self.run_id,
        )
        if self._links is not None:
            for (_, record, _), link_id in zip(fresh, link_ids, strict=True):
                self._links[("location", record.source_id)] = link_id  # loaded if ever needed
        for (index, record, _), location in zip(fresh, created, strict=True):
            outcomes[index] = Outcome(
                record.source_id,
                record.name,
                "created",
                location.category or record.category,
                entity_id=location.id,
            )
        fresh.clear()

    def apply_entry(self, record: EntryRecord) -> Outcome:
        """Create or update an organisation or a place-less service, matched on its source id."""
        try:
            with self.session.begin_nested():
                outcome = self._apply_entry(record)
        except ValidationError as exc:
            self._reset_caches()
            outcome = Outcome(record.source_id, record.name, "rejected", None, validation_reason(exc))
            outcome.errors = rule_problems(exc)
        except WijkgramError as exc:
            self._reset_caches()
            outcome = Outcome(record.source_id, record.name, "rejected", None, exc.message)
            outcome.errors = domain_problems(exc)
        outcome.line = record.line
        outcome.problems = list(record.problems)
        self.report.outcomes.append(outcome)
        return outcome

    def _apply_entry(self, record: EntryRecord) -> Outcome:
        data = {k: v for k, v in record.fields.items() if v not in (None, "", [], {})}
        data["name"] = record.name
        if record.kind == "organization":
            entity_id, outcome = self._apply_organization({"source_id": record.source_id, **data})
            return Outcome(record.source_id, record.name, outcome, data.get("category"), entity_id=entity_id)
        if record.organization:
            data.setdefault("organization_id", str(self._apply_organization(record.organization)[0]))
        fields = clean(ServiceFields, data)
        link = self._link("service", record.source_id)
        service = self.session.get(Service, link.entity_id) if link is not None else None
        matched_by = "source_id" if service is not None else None
        if link is not None and service is None:
            return Outcome(record.source_id, record.name, "skipped", data.get("category"),
                           "deleted in wijkgram by a broker; not recreated")  # fmt: skip
        self._changed, self._suggested = [], []
        if service is None:
            # Another partner's list may name the same offer: same name, same area, a shared contact.
            service = find_same_service(
                self.session, self.source, fields, similarity=name_similarity, threshold=self.name_threshold
            )
            matched_by = "name+area+contact" if service is not None else None
        if service is None:
            ServiceCreate.model_validate(fields)
            create = dict(
                fields, source=self.source, source_id=record.source_id, fetched_at=self.now.isoformat()
            )
            service = cast(Service, self.entries.create("service", create))
            outcome = "created"
        else:
            outcome = "updated" if self._update("service", service, fields) else "unchanged"
        if link is None:
            link = SourceLink(
                entity_type="service",
                entity_id=service.id,
                source=self.source,
                source_id=record.source_id,
                raw=record.raw,
            )
            self.session.add(link)
            self._remember(link)
        link.scope, link.fetched_at, link.last_seen_run, link.missing_since = (
            self.scope,
            self.now,
            self.run_id,
            None,
        )
        if record.problems:
            raw = {**record.raw, "_set_aside": [p.__dict__ for p in record.problems]}
            if link.raw != raw:
                link.raw = raw
        if outcome != "unchanged" and service.status == "draft":
            outcome = "draft"
        return Outcome(
            record.source_id,
            record.name,
            outcome,
            data.get("category"),
            entity_id=service.id,
            matched_by=matched_by,
            changed_fields=list(dict.fromkeys(self._changed)),
            suggested_fields=list(dict.fromkeys(self._suggested)),
            entity_type="service",
        )

    def enrich(self, kind: str, entry: Location | Service, fields: dict[str, Any], source_id: str) -> Outcome:
        """Set a few fields on an existing entry (e.g. its buurt code) under the same ownership rules."""
        with self.session.begin_nested():
            changed = self._update(kind, entry, fields)
        outcome = Outcome(
            source_id, entry.name, "updated" if changed else "unchanged", entry.category, entity_id=entry.id
        )
        self.report.outcomes.append(outcome)
        return outcome

    def reject(
        self,
        source_id: str,
        reason: str,
        *,
        name: str | None = None,
        line: int | None = None,
        problem: RuleProblem | None = None,
    ) -> None:
        """Note a source row that never became a record."""
        outcome = Outcome(source_id, name, "rejected", None, reason, line)
        outcome.errors = [problem] if problem else []
        self.report.outcomes.append(outcome)

    def finish(self, *, flag_missing: bool = True) -> ImportReport:
        """Flag entries of this scope that the run did not see; return the report."""
        if self._seen:
            self.session.execute(
                sql_update(SourceLink)
                .where(SourceLink.id.in_(self._seen))
                .values(scope=self.scope, fetched_at=self.now, last_seen_run=self.run_id)
                .execution_options(synchronize_session=False)
            )
            self.session.expire_all()
        if flag_missing:
            self._flag_missing()
        self.session.flush()
        return self.report

    # -- matching ------------------------------------------------------------------------

    def _link(self, kind: str, source_id: str) -> SourceLink | None:
        """This source's link for a source id; all links are loaded in one query on first use."""
        if self._links is None:
            rows = self.session.scalars(select(SourceLink).where(SourceLink.source == self.source)).all()
            self._links = {(link.entity_type, link.source_id): link for link in rows}
            # Load the linked entries too, so matching a known record costs no query per record
            # (held here because the session's identity map keeps objects only weakly).
            for model, entity_type in ((Location, "location"), (Service, "service")):
                ids = [link.entity_id for link in rows if link.entity_type == entity_type]
                for start in range(0, len(ids), 5000):
                    # One array parameter: an IN list of 5,000 values is compiled anew for every chunk.
                    chunk = bindparam("ids", ids[start : start + 5000], type_=ARRAY(PgUUID(as_uuid=True)))
                    self._loaded += self.session.scalars(select(model).where(model.id == any_(chunk))).all()
        link = self._links.get((kind, source_id))
        if isinstance(link, int):  # written in bulk during this run: loaded on first use
            link = self.session.get(SourceLink, link)
            if link is None:
                return None
            self._links[(kind, source_id)] = link
        return link

    def _remember(self, link: SourceLink) -> None:
        if self._links is not None:
            self._links[(link.entity_type, link.source_id)] = link

    def _match_location(self, record: PlaceRecord) -> Location | None:
        """The nearby location with the most similar name, if similar enough and not this source's.

        Other sources' locations do not change during a run, so they are loaded once
        (`PlaceIndex`) instead of a spatial query per new record.
        """
        if record.source_id in self._matches:
            return self._matches.pop(record.source_id)
        if self._places is None:
            self._places = PlaceIndex.load(self.session, self.source)
        entity_id = self._places.take(
            record.name, record.lat, record.lon, radius_m=self.match_radius_m, threshold=self.name_threshold
        )
        return self.session.get(Location, entity_id) if entity_id is not None else None

    # -- writing -------------------------------------------------------------------------

    def _apply(self, record: PlaceRecord) -> Outcome:
        self._changed, self._suggested = [], []
        organization_id = self._apply_organization(record.organization)[0] if record.organization else None
        location_fields = record.location_fields()
        if organization_id is not None:
            location_fields["organization_id"] = str(organization_id)
            if record.service is not None and "organization" not in record.service:
                record.service.setdefault("organization_id", str(organization_id))
        fields = clean(LocationFields, location_fields)
        link = self._link("location", record.source_id)
        matched_by: str | None = None
        location: Location | None
        if link is not None:
            location = self.session.get(Location, link.entity_id)
            matched_by = "source_id"
            if location is None:
                return Outcome(
                    record.source_id,
                    record.name,
                    "skipped",
                    record.category,
                    "deleted in wijkgram by a broker; not recreated",
                )
        else:
            location = self._match_location(record)
            matched_by = "name+distance" if location is not None else None

        if location is None:
            LocationCreate.model_validate(fields)
            create = dict(
                fields, source=self.source, source_id=record.source_id, fetched_at=self.now.isoformat()
            )
            location = cast(
                Location, self.entries.create("location", create, note=f"imported from {self.source}")
            )
            outcome: ImportOutcome = "created"
        else:
            changed = self._update("location", location, fields)
            outcome = "updated" if changed else "unchanged"
        self._touch_link("location", location.id, record, link)

        service_fields = record.service_fields()
        changed = service_fields is not None and self._apply_service(record, location.id, service_fields)
        if changed and outcome == "unchanged":
            outcome = "updated"
        return Outcome(
            record.source_id,
            record.name,
            outcome,
            location.category or record.category,  # the entry's category when merged into another's place
            entity_id=location.id,
            matched_by=matched_by,
            changed_fields=list(dict.fromkeys(self._changed)),
            suggested_fields=list(dict.fromkeys(self._suggested)),
        )

    def _apply_organization(self, data: dict[str, Any]) -> tuple[uuid.UUID, ImportOutcome]:
        """Create or update the organisation behind a record (matched on its source id only)."""
        raw = dict(data)
        source_id = str(raw.pop("source_id"))
        fields = clean(OrganizationFields, raw)
        link = self._link("organization", source_id)
        organization = self.session.get(Organization, link.entity_id) if link is not None else None
        if organization is None:
            OrganizationCreate.model_validate(fields)
            create = dict(fields, source=self.source, source_id=source_id, fetched_at=self.now.isoformat())
            organization = cast(Organization, self.entries.create("organization", create))
            outcome: ImportOutcome = "created"
        else:
            outcome = "updated" if self._update("organization", organization, fields) else "unchanged"
        if link is None:
            link = SourceLink(
                entity_type="organization",
                entity_id=organization.id,
                source=self.source,
                source_id=source_id,
                raw={"organization": data},
            )
            self.session.add(link)
            self._remember(link)
        link.scope = self.scope
        link.fetched_at = self.now
        link.last_seen_run = self.run_id
        link.missing_since = None
        return organization.id, outcome

    def _apply_service(self, record: PlaceRecord, location_id: uuid.UUID, raw: dict[str, Any]) -> bool:
        """Create or update the record's service at its location; True when something changed."""
        raw = dict(raw)
        organization = raw.pop("organization", None)
        if organization:
            raw["organization_id"] = str(self._apply_organization(organization)[0])
        raw.setdefault("name", record.name)
        raw.setdefault("category", record.category)
        fields = clean(ServiceFields, raw)
        service_id = record.service_source_id or record.source_id
        link = self._link("service", service_id)
        service = self.session.get(Service, link.entity_id) if link is not None else None
        if link is not None and service is None:
            return False  # deleted by a broker: leave it deleted
        if service is None:
            ServiceCreate.model_validate(fields)
            create = dict(
                fields,
                location_ids=[str(location_id)],
                source=self.source,
                source_id=service_id,
                fetched_at=self.now.isoformat(),
            )
            service = cast(
                Service, self.entries.create("service", create, note=f"imported from {self.source}")
            )
            changed = True
        else:
            current = self.entries.to_dict(service)
            if str(location_id) not in current.get("location_ids", []):
                fields["location_ids"] = [*current.get("location_ids", []), str(location_id)]
            changed = self._update("service", service, fields)
        self._touch_link("service", service.id, record, link, service_id)
        return changed

    def _plan(self, entry: Organization | Location | Service, fields: dict[str, Any]) -> Plan:
        """(fields this source may write, {field: (its value, current value)} to suggest); no writes."""
        return plan_fields(
            self.source, self.entries.to_dict(entry), entry.field_provenance or {}, entry.status, fields
        )

    def _update(self, kind: str, entry: Organization | Location | Service, fields: dict[str, Any]) -> bool:
        """Write the fields this source may write; record suggestions for the others."""
        update, suggest = self._plan(entry, fields)
        for key, (value, have) in suggest.items():
            self._suggest(kind, entry.id, key, value, have)
        self._suggested += [(kind, key) for key in suggest]
        self._changed += [(kind, key) for key in update if key != "location_ids"]
        if not update:
            return False
        before = entry.version
        self.entries.update(
            kind, entry.id, update, expected_version=entry.version, note=f"import {self.source}"
        )
        return entry.version != before

    def _unchanged(self, record: PlaceRecord) -> Outcome | None:
        """The outcome when a known record would change nothing (checked without writing), else None.

        Most records of a rerun are unchanged; skipping the savepoint and the per-link
        update for them makes a rerun several times faster.
        """
        link = self._link("location", record.source_id)
        if link is None or link.missing_since is not None or record.organization:
            return None
        location = self.session.get(Location, link.entity_id)
        if location is None:
            return None
        try:
            fields = clean(LocationFields, record.location_fields())
            update, suggest = self._plan(location, fields)
            if update or suggest:
                return None
            raw = record.service_fields()
            service_link: SourceLink | None = None
            if raw is not None:
                if "organization" in raw:
                    return None
                raw.setdefault("name", record.name)
                raw.setdefault("category", record.category)
                service_link = self._link("service", record.service_source_id or record.source_id)
                service = self.session.get(Service, service_link.entity_id) if service_link else None
                if service_link is None or service is None or service_link.missing_since is not None:
                    return None
                service_fields = clean(ServiceFields, raw)
                service_fields["location_ids"] = sorted(
                    {*self.entries.to_dict(service).get("location_ids", []), str(location.id)}
                )
                update, suggest = self._plan(service, service_fields)
                if update or suggest:
                    return None
        except (ValidationError, WijkgramError):
            return None  # the full path reports it
        self._seen.add(link.id)
        if service_link is not None:
            self._seen.add(service_link.id)
        return Outcome(
            record.source_id,
            record.name,
            "unchanged",
            location.category or record.category,
            entity_id=location.id,
            matched_by="source_id",
        )

    def _suggest(self, kind: str, entity_id: uuid.UUID, key: str, value: Any, current: Any) -> None:
        """Keep the source's value for a field it may not write, once per (entry, field, source)."""
        row = self.session.scalar(
            select(SourceSuggestion).where(
                SourceSuggestion.entity_type == kind,
                SourceSuggestion.entity_id == entity_id,
                SourceSuggestion.field == key,
                SourceSuggestion.source == self.source,
            )
        )
        if row is None:
            self.session.add(
                SourceSuggestion(
                    entity_type=kind,
                    entity_id=entity_id,
                    field=key,
                    source=self.source,
                    value=value,
                    current=current,
                )
            )
        elif row.value != value:
            # A new value reopens the question; the same value a broker dismissed stays dismissed.
            row.value, row.current, row.resolved_at, row.resolution = value, current, None, None

    @staticmethod
    def _raw(record: PlaceRecord) -> dict[str, Any]:
        """What a link keeps of the source's record: its raw data and the values set aside."""
        raw = dict(record.raw)
        if record.problems:
            raw["_set_aside"] = [p.__dict__ for p in record.problems]
        return raw

    def _touch_link(
        self,
        kind: str,
        entity_id: uuid.UUID,
        record: PlaceRecord,
        link: SourceLink | None,
        source_id: str | None = None,
    ) -> None:
        raw = self._raw(record)
        if link is None:
            link = SourceLink(
                entity_type=kind,
                entity_id=entity_id,
                source=self.source,
                source_id=source_id or record.source_id,
                raw=raw,
            )
            self.session.add(link)
            self._remember(link)
        elif link.raw != raw:
            link.raw = raw
        link.scope = self.scope
        link.fetched_at = self.now
        link.last_seen_run = self.run_id
        link.missing_since = None

    def _flag_missing(self) -> None:
        self.session.flush()
        gone = self.session.scalars(
            select(SourceLink).where(
                SourceLink.source == self.source,
                SourceLink.scope == self.scope,
                SourceLink.last_seen_run.is_distinct_from(self.run_id),
                SourceLink.missing_since.is_(None),
            )
        ).all()
        for link in gone:
            link.missing_since = self.now
            if link.entity_type == "organization":
                continue  # an organisation is not a place: only its places and services are flagged
            entry: Location | Service | None = (
                self.session.get(Location, link.entity_id)
                if link.entity_type == "location"
                else self.session.get(Service, link.entity_id)
            )
            if entry is None:
                continue
            if entry.status == "active":
                self.entries.update(
                    link.entity_type,
                    entry.id,
                    {"status": "needs_review"},
                    expected_version=entry.version,
                    note=f"no longer listed by {self.source} ({self.scope})",
                )
            if link.entity_type == "location":
                self.report.outcomes.append(
                    Outcome(
                        link.source_id,
                        entry.name,
                        "missing",
                        entry.category,
                        "no longer in the source",
                        entity_id=entry.id,
                    )
                )
