"""Create many new entries at once: the bulk half of `EntryService` for imports.

`EntryService.create` costs a dozen statements per entry (insert, refresh,
revision, outbox, search documents), which held an import of a city's places
to about 200 per second. `create_many` writes the same rows for a whole chunk
with one `COPY` per table: the entries, then (after reading them back once, so
the revision snapshots are exactly what the per-entry path stores) their first
revisions and their search outbox rows, and their search documents in one
rebuild. Same validation, same field provenance, same transaction: a chunk
that breaks a rule raises before anything is written.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import msgspec
import psycopg
from psycopg.types.json import Jsonb
from sqlalchemy import Table, any_, bindparam, func, inspect, select
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import Mapper, Session

from directory.models import ENTITY_MODELS, Revision, SearchOutbox
from directory.search.documents import new_location_documents, store_documents
from directory.services.serialize import META_FIELDS, SERVER_FIELDS, StoredEntry, stored_dict, stored_keys

if TYPE_CHECKING:
    from directory.services.entries import Entry, EntryService

#: Kinds `create_many` writes. A service also needs its place links and service area,
#: which imports still write one by one.
BULK_KINDS = frozenset({"organization", "location"})


def copy_rows(session: Session, table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Write rows into a table with one `COPY ... FROM STDIN`, in the session's transaction.

    JSONB values must come wrapped in `Jsonb`; geometry as (E)WKT or hex EWKB text.
    """
    session.flush()  # pending ORM rows first, so foreign keys and the order of writes hold
    driver = session.connection().connection.driver_connection
    assert driver is not None
    names = ", ".join(f'"{c}"' for c in columns)
    with driver.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)


@contextmanager
def pipelined(session: Session) -> Iterator[None]:
    """Statements sent without waiting for each result (psycopg's pipeline mode), until the end
    of the block, which waits for them all and raises the first error. No `COPY` inside."""
    driver = session.connection().connection.driver_connection
    assert isinstance(driver, psycopg.Connection)
    with driver.pipeline():
        yield


def _jsonb(value: Any) -> Jsonb:
    """A JSONB value for `COPY`, encoded by msgspec (several times faster than `json.dumps`)."""
    return Jsonb(value, dumps=_dumps)


def _dumps(value: Any) -> str:
    return msgspec.json.encode(value).decode()


def _python_default(table: Table, name: str) -> Any:
    """The value SQLAlchemy's Python-side default would give a column on insert (None if none)."""
    default = table.columns[name].default
    if default is None:
        return None
    arg = getattr(default, "arg", None)
    if callable(arg):
        return arg(None)  # SQLAlchemy wraps zero-argument callables to take the execution context
    return arg


def _converter(table: Table, name: str) -> Any:
    """How `COPY` takes a field value for its column: JSONB wrapped, arrays as lists, else as is."""
    column_type = table.columns[name].type
    if isinstance(column_type, JSONB):
        return _jsonb
    if isinstance(column_type, ARRAY):
        return list
    return None


def read_back(
    session: Session,
    model: type[Entry],
    ids: Sequence[uuid.UUID],
    written: dict[str, list[Any]] | None = None,
) -> list[StoredEntry]:
    """The stored columns of entries just written, in the order of `ids`, as `StoredEntry`s.

    One Core query: every column as the database stores it (numerics, time zones, what
    triggers filled in, such as a location's area codes), the point as latitude and
    longitude. Mapped objects would cost several times more to build, and an import only
    needs the values. `written` gives columns by key whose stored value is the written one
    (JSONB holds the same JSON; parsing field provenance again cost more than the rest of
    the row), one value per id.
    """
    written = written or {}
    columns: list[Any] = []
    mapper: Mapper[Any] = inspect(model)
    for attribute in mapper.column_attrs:
        column = attribute.columns[0]
        if attribute.key in written:
            continue
        if attribute.key == "geom":
            columns += [func.ST_Y(column).label("lat"), func.ST_X(column).label("lon")]
        else:
            columns.append(column.label(attribute.key))
    table: Table = model.__table__  # type: ignore[assignment]
    rows = session.execute(
        select(*columns).where(table.c.id == any_(bindparam("ids", ids, type_=ARRAY(UUID(as_uuid=True)))))
    )
    stored = {row.id: row._asdict() for row in rows}
    return [
        StoredEntry(**stored[entry_id], **{key: values[n] for key, values in written.items()})
        for n, entry_id in enumerate(ids)
    ]


def create_many(
    service: EntryService, kind: str, items: Sequence[dict[str, Any]], *, note: str | None = None
) -> list[StoredEntry]:
    """Insert new entries with their first revisions, provenance and outbox rows; return them in order.

    Writes what `EntryService.create` writes for each item, with a statement per table
    instead of a dozen per entry. The entries come back as `StoredEntry`s (their stored
    values), not as mapped objects: load those with `session.get` when needed.
    """
    if kind not in BULK_KINDS:
        raise ValueError(f"create_many takes {sorted(BULK_KINDS)}, not {kind!r}")
    if not items:
        return []
    session = service.session
    model = ENTITY_MODELS[kind]
    table: Table = model.__table__  # type: ignore[assignment]
    # Columns the server fills (created_at, updated_at: the transaction's now(), as for `create`).
    columns = [c.name for c in table.columns if c.server_default is None]
    defaults = {name: _python_default(table, name) for name in columns}
    converters = [(name, _converter(table, name)) for name in columns]
    ids: list[uuid.UUID] = []
    rows: list[list[Any]] = []
    provenance: list[dict[str, Any]] = []
    # As `create` stamps them: every field given a value, the point as lat and lon. The
    # stamp is the same for every field of the chunk, so they share one (read-only) dict.
    stamp = service.stamp(datetime.now(UTC).isoformat())
    for item in items:
        status, fields = service.new_entry_fields(item)
        entry_id = uuid.uuid4()
        values: dict[str, Any] = {**defaults, "id": entry_id, "version": 1, "status": status}
        values["field_provenance"] = {
            key: stamp
            for key, value in fields.items()
            if value not in (None, [], {}) and key not in META_FIELDS
        }
        lat, lon = fields.pop("lat", None), fields.pop("lon", None)
        if lat is not None and lon is not None:
            values["geom"] = f"SRID=4326;POINT({float(lon)!r} {float(lat)!r})"
        for key, value in fields.items():
            if key in defaults and key not in SERVER_FIELDS:
                values[key] = value
        ids.append(entry_id)
        provenance.append(values["field_provenance"])
        rows.append(
            [
                value if value is None or convert is None else convert(value)
                for value, (_, convert) in zip((values[name] for name in columns), converters, strict=True)
            ]
        )
    copy_rows(session, table, columns, rows)

    # Read the entries back once: snapshots then hold exactly what the database stores
    # (numerics, time zones, trigger-filled columns), as `create` gets them from its refresh.
    entries = read_back(session, model, ids, {"field_provenance": provenance})
    keys = stored_keys(model)

    def revision_rows() -> list[list[Any]]:
        return [
            [
                kind,
                entry.id,
                1,
                "create",
                service.actor.name,
                _dumps(service.changes({}, after)),
                _dumps(after),
                note,
            ]
            for entry, after in ((entry, stored_dict(entry, keys)) for entry in entries)
        ]

    if kind == "location":  # a new organisation has no search documents of its own
        # Pipelined: PostgreSQL stores the documents (a third of a batch's database time)
        # while this thread builds the revisions, instead of one waiting for the other.
        documents = new_location_documents(session, entries, service.labels())
        with pipelined(session):
            store_documents(session, documents)
            revisions = revision_rows()
    else:
        revisions = revision_rows()
    revision_table: Table = Revision.__table__  # type: ignore[assignment]
    copy_rows(
        session,
        revision_table,
        ["entity_type", "entity_id", "version", "kind", "changed_by", "changes", "snapshot", "note"],
        revisions,
    )
    outbox_table: Table = SearchOutbox.__table__  # type: ignore[assignment]
    copy_rows(
        session,
        outbox_table,
        ["entity_type", "entity_id", "operation", "attempts"],
        ([kind, entry.id, "upsert", 0] for entry in entries),
    )
    return entries
