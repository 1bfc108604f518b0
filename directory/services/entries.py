"""Create, read, update, delete and restore entries, with revisions and optimistic locking.

Every write goes through `EntryService`, whatever its origin (API, broker
form, importer): it validates against the vocabularies, checks the version
the writer read, records a revision, stamps field provenance and queues the
change for the search index, all in the caller's transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from pydantic import BaseModel
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from directory.errors import ConflictError, InvalidInputError, NotFoundError
from directory.models import (
    ENTITY_MODELS,
    Location,
    Organization,
    Revision,
    SearchOutbox,
    Service,
    TaxonomyTerm,
)
from directory.search.documents import Labels, refresh_entries, refresh_entry
from directory.services.bulk import create_many
from directory.services.serialize import (
    META_FIELDS,
    SERVER_FIELDS,
    StoredEntry,
    apply_fields,
    entries_to_dicts,
    entry_to_dict,
)

Entry = Organization | Location | Service

#: Columns that may not be cleared by an update.
NOT_NULL_FIELDS = frozenset(
    {
        "name",
        "status",
        "languages",
        "support_functions",
        "target_groups",
        "communities",
        "meetings",
        "lat",
        "lon",
    }
)

#: Source name for edits made by a person (broker, API user).
MANUAL = "manual"


@dataclass(frozen=True)
class Actor:
    """Who makes a change and where its values come from."""

    name: str
    source: str = MANUAL


def model_for(kind: str) -> type[Entry]:
    """The mapped class for an entry kind ('organization', 'location', 'service')."""
    try:
        return ENTITY_MODELS[kind]
    except KeyError as exc:
        raise NotFoundError(f"unknown entry kind {kind!r}") from exc


def _changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """{field: [old, new]} for every content field that differs."""
    keys = (set(before) | set(after)) - META_FIELDS
    return {k: [before.get(k), after.get(k)] for k in sorted(keys) if before.get(k) != after.get(k)}


class EntryService:
    """All writes and reads of directory entries, within one session."""

    def __init__(self, session: Session, actor: Actor | None = None) -> None:
        self.session = session
        self.actor = actor or Actor("api")
        self._codes: dict[str, set[str]] = {}
        self._labels: Labels | None = None
        #: While set, search documents of changed entries are rebuilt together at the end.
        self._deferred: list[tuple[str, uuid.UUID]] | None = None

    # -- reads -----------------------------------------------------------------------

    def get(self, kind: str, entry_id: uuid.UUID, *, for_update: bool = False) -> Entry:
        """One entry by id, or NotFoundError."""
        entry = cast(Entry | None, self.session.get(model_for(kind), entry_id, with_for_update=for_update))
        if entry is None:
            raise NotFoundError(f"{kind} {entry_id} does not exist")
        return entry

    def to_dict(self, entry: Entry) -> dict[str, Any]:
        """The entry in API shape."""
        return entry_to_dict(self.session, entry)

    def to_dicts(self, entries: Sequence[Entry]) -> list[dict[str, Any]]:
        """Several entries in API shape, without a query per entry."""
        return entries_to_dicts(self.session, entries)

    def list(
        self,
        kind: str,
        *,
        page: int = 1,
        page_size: int = 50,
        query: Select[Any] | None = None,
        category: str | None = None,
    ) -> tuple[Sequence[Entry], int]:
        """A page of entries (by name), and the total count; only those of `category` when given."""
        model = model_for(kind)
        stmt = query if query is not None else select(model)
        if category:
            stmt = stmt.where(model.category == category)
        total = self.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = self.session.scalars(
            stmt.order_by(model.name, model.id).limit(page_size).offset((page - 1) * page_size)
        ).all()
        return rows, total

    def revisions(self, kind: str, entry_id: uuid.UUID) -> Sequence[Revision]:
        """Every revision of an entry, newest first (also of a deleted entry)."""
        rows = self.session.scalars(
            select(Revision)
            .where(Revision.entity_type == kind, Revision.entity_id == entry_id)
            .order_by(Revision.version.desc())
        ).all()
        if not rows:
            self.get(kind, entry_id)
        return rows

    def names(self, kind: str) -> dict[str, str]:
        """{id: name} of every entry of a kind, by name (the choices of a form)."""
        model = model_for(kind)
        rows = self.session.execute(select(model.id, model.name).order_by(model.name, model.id))
        return {str(entry_id): name for entry_id, name in rows}

    # -- validation against the data ---------------------------------------------------

    def codes(self, vocabulary: str) -> set[str]:
        """The codes of one vocabulary (cached for this service's lifetime)."""
        if vocabulary not in self._codes:
            self._codes[vocabulary] = set(
                self.session.scalars(select(TaxonomyTerm.code).where(TaxonomyTerm.vocabulary == vocabulary))
            )
        return self._codes[vocabulary]

    def labels(self) -> Labels:
        """Every term's labels, for search documents (cached for this service's lifetime, as `codes`:
        an import's batches read them once, not once per batch)."""
        if self._labels is None:
            self._labels = Labels.load(self.session)
        return self._labels

    def _check_codes(self, field: str, vocabulary: str, values: Iterable[str]) -> None:
        known = self.codes(vocabulary)
        unknown = sorted(set(values) - known)
        if unknown:
            raise InvalidInputError(
                field,
                f"unknown {vocabulary.replace('_', ' ')} {', '.join(map(repr, unknown))}; "
                f"see GET /api/v1/taxonomy?vocabulary={vocabulary}",
                code="unknown_code",
                params={"value": ", ".join(map(repr, unknown))},
            )

    def _check_references(self, fields: dict[str, Any]) -> None:
        for key, value in fields.items():
            if value is None and key in NOT_NULL_FIELDS:
                raise InvalidInputError(key, "may not be empty", code="empty")
        if fields.get("category") is not None:
            self._check_codes("category", "category", [fields["category"]])
        if fields.get("support_functions"):
            self._check_codes("support_functions", "support_function", fields["support_functions"])
        if fields.get("target_groups"):
            self._check_codes("target_groups", "target_group", fields["target_groups"])
        if fields.get("organization_id") is not None and (
            self.session.get(Organization, fields["organization_id"]) is None
        ):
            raise InvalidInputError(
                "organization_id",
                f"organization {fields['organization_id']} does not exist",
                code="organization_missing",
            )
        if fields.get("location_ids"):
            wanted = {uuid.UUID(str(i)) for i in fields["location_ids"]}
            found = set(self.session.scalars(select(Location.id).where(Location.id.in_(wanted))))
            missing = sorted(str(i) for i in wanted - found)
            if missing:
                raise InvalidInputError(
                    "location_ids",
                    f"locations do not exist: {', '.join(missing)}",
                    code="locations_missing",
                    params={"value": ", ".join(missing)},
                )

    # -- writes --------------------------------------------------------------------------

    def create(self, kind: str, data: BaseModel | dict[str, Any], *, note: str | None = None) -> Entry:
        """Insert a new entry and its first revision."""
        status, fields = self.new_entry_fields(data)
        entry = model_for(kind)()
        entry.id = uuid.uuid4()
        entry.version = 1
        entry.status = status
        self.session.add(entry)
        apply_fields(self.session, entry, fields)
        self._stamp(entry, {key for key, value in fields.items() if value not in (None, [], {})})
        self.session.flush()
        self.session.refresh(entry)
        after = self.to_dict(entry)
        self._record(kind, entry, "create", _changes({}, after), after, note)
        return entry

    def create_many(
        self, kind: str, items: Sequence[dict[str, Any]], *, note: str | None = None
    ) -> Sequence[StoredEntry]:
        """Insert many new entries at once (imports), writing what `create` writes for each.

        One `COPY` per table instead of a dozen statements per entry; see `directory.services.bulk`.
        Returns the stored values of the new entries, in order (not mapped objects).
        """
        return create_many(self, kind, items, note=note)

    def new_entry_fields(self, data: BaseModel | dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """(status, fields) of a new entry: input checked against the data, status split off."""
        fields = self._input(data)
        self._check_references(fields)
        status = fields.pop("status", None) or "active"
        if fields.get("last_verified_at") is None and self.actor.source == MANUAL:
            fields.pop("last_verified_at", None)
        return status, fields

    def update(
        self,
        kind: str,
        entry_id: uuid.UUID,
        data: BaseModel | dict[str, Any],
        *,
        expected_version: int | None = None,
        kind_of_change: str = "update",
        note: str | None = None,
    ) -> Entry:
        """Apply a partial update; refuse it when the entry changed since `expected_version`."""
        fields = self._input(data)
        version = fields.pop("version", None)
        expected = expected_version if expected_version is not None else version
        entry = self.get(kind, entry_id, for_update=True)
        before = self.to_dict(entry)
        if expected is not None and expected != entry.version:
            raise ConflictError(
                f"{kind} {entry_id} was changed by someone else: you edited version {expected}, "
                f"the current version is {entry.version}",
                extra={"current_version": entry.version, "current": before},
            )
        self._check_references(fields)
        apply_fields(self.session, entry, fields)
        self.session.flush()
        self.session.expire(entry)
        after = self.to_dict(entry)
        changes = _changes(before, after)
        if not changes:
            return entry
        entry.version = entry.version + 1
        entry.updated_at = datetime.now(UTC)
        self._stamp(entry, set(changes))
        self.session.flush()
        after = self.to_dict(entry)
        self._record(kind, entry, kind_of_change, changes, after, note)
        return entry

    def delete(self, kind: str, entry_id: uuid.UUID, *, expected_version: int) -> None:
        """Delete an entry; its revisions stay, so the history is kept."""
        entry = self.get(kind, entry_id, for_update=True)
        if expected_version != entry.version:
            raise ConflictError(
                f"{kind} {entry_id} was changed by someone else (current version {entry.version})",
                extra={"current_version": entry.version, "current": self.to_dict(entry)},
            )
        before = self.to_dict(entry)
        self.session.delete(entry)
        self.session.flush()
        self._write_revision(kind, entry.id, entry.version + 1, "delete", _changes(before, {}), before, None)
        self._enqueue(kind, entry.id, "delete")

    def restore(
        self,
        kind: str,
        entry_id: uuid.UUID,
        revision_version: int,
        *,
        expected_version: int,
        note: str | None = None,
    ) -> Entry:
        """Bring an entry back to the content it had at one of its revisions."""
        revision = self.session.scalar(
            select(Revision).where(
                Revision.entity_type == kind,
                Revision.entity_id == entry_id,
                Revision.version == revision_version,
            )
        )
        if revision is None or revision.kind == "delete":
            raise NotFoundError(f"{kind} {entry_id} has no revision {revision_version} to restore")
        fields = {k: v for k, v in revision.snapshot.items() if k not in SERVER_FIELDS}
        return self.update(
            kind,
            entry_id,
            fields,
            expected_version=expected_version,
            kind_of_change="restore",
            note=note or f"restored revision {revision_version}",
        )

    # -- bookkeeping ----------------------------------------------------------------------

    def _input(self, data: BaseModel | dict[str, Any]) -> dict[str, Any]:
        if isinstance(data, BaseModel):
            return data.model_dump(exclude_unset=True, mode="json")
        return dict(data)

    def _stamp(self, entry: Entry, fields: set[str]) -> None:
        """Record where each changed field's value came from."""
        entry.field_provenance = self.provenance(entry.field_provenance, fields)

    def provenance(
        self, current: dict[str, Any] | None, fields: Iterable[str], *, at: str | None = None
    ) -> dict[str, Any]:
        """`current` field provenance with `fields` stamped as this actor's, at `at` (default now)."""
        stamp = self.stamp(at)
        provenance = dict(current or {})
        for field in set(fields) - META_FIELDS:
            provenance[field] = dict(stamp)
        return provenance

    def stamp(self, at: str | None = None) -> dict[str, str]:
        """The provenance of a value this actor writes at `at` (default now)."""
        return {"source": self.actor.source, "by": self.actor.name, "at": at or datetime.now(UTC).isoformat()}

    @staticmethod
    def changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
        """{field: [old, new]} for every content field that differs (a revision's `changes`)."""
        return _changes(before, after)

    def _record(
        self,
        kind: str,
        entry: Entry,
        change: str,
        changes: dict[str, Any],
        snapshot: dict[str, Any],
        note: str | None,
    ) -> None:
        self._write_revision(kind, entry.id, entry.version, change, changes, snapshot, note)
        self._enqueue(kind, entry.id, "upsert")

    def _write_revision(
        self,
        kind: str,
        entry_id: uuid.UUID,
        version: int,
        change: str,
        changes: dict[str, Any],
        snapshot: dict[str, Any],
        note: str | None,
    ) -> None:
        self.session.add(
            Revision(
                entity_type=kind,
                entity_id=entry_id,
                version=version,
                kind=change,
                changed_by=self.actor.name,
                changes=changes,
                snapshot=snapshot,
                note=note,
            )
        )

    def _enqueue(self, kind: str, entry_id: uuid.UUID, operation: str) -> None:
        self.session.add(SearchOutbox(entity_type=kind, entity_id=entry_id, operation=operation, attempts=0))
        # The PostgreSQL search documents change in this same transaction; Meilisearch follows
        # from the outbox.
        if self._deferred is not None:
            self._deferred.append((kind, entry_id))
        else:
            refresh_entry(self.session, kind, entry_id)

    @contextmanager
    def batched_search_refresh(self) -> Iterator[None]:
        """Rebuild the search documents of every entry changed in the block once, at its end.

        For importers: one rebuild for a batch of places instead of eight statements per
        place. Still in the same transaction, so the documents never disagree with the
        entries once it commits. When the block fails nothing is rebuilt (its caller
        rolls the changes back).
        """
        if self._deferred is not None:  # already batching: the outer block rebuilds
            yield
            return
        self._deferred = []
        try:
            yield
            changed, self._deferred = self._deferred, None
            refresh_entries(self.session, changed)
        finally:
            self._deferred = None
