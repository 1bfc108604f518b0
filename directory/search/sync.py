"""Push outbox changes to Meilisearch, and rebuild the index from scratch.

The outbox row of a change is marked done only after Meilisearch reported
its task as succeeded, so an outage or a crash loses nothing: the rows stay
pending and the next run applies them. Documents are read from
`search_document`, which the entry transaction already brought up to date,
so however many times an entry changed, the index ends at its latest version.
One worker runs at a time (a PostgreSQL advisory lock), so two workers can
never apply an old version after a new one.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import meilisearch
from meilisearch.errors import MeilisearchError
from requests.exceptions import RequestException
from sqlalchemy import Connection, Engine, text

from directory.errors import ServiceUnavailableError
from directory.search.documents import Labels, all_entry_ids, build_documents, count_entries, store_documents
from directory.search.meili import index_settings
from directory.settings import SearchSettings

log = logging.getLogger("wijkgram.search.sync")

#: Advisory lock key held by the one running sync worker ("wijkgram search sync").
SYNC_LOCK = 0x5717_2026
#: How many outbox rows one round sends to Meilisearch.
BATCH = 500
#: How long to wait for Meilisearch to finish one task.
TASK_TIMEOUT_MS = 120_000
#: Errors that mean "Meilisearch is not there or not healthy": retry later.
MEILI_ERRORS = (MeilisearchError, RequestException)


@dataclass
class SyncStats:
    """What one sync run did."""

    rows: int = 0
    upserted: int = 0
    deleted_scopes: int = 0
    rounds: int = 0
    errors: list[str] = field(default_factory=list)


def meili_client(settings: SearchSettings) -> meilisearch.Client:
    """A Meilisearch admin client, or a clear error when MEILI_URL is not set."""
    if not settings.meili_url:
        raise ServiceUnavailableError("MEILI_URL is not set: there is no Meilisearch index to sync")
    timeout = max(int(settings.timeout_s * 5), 10)
    return meilisearch.Client(settings.meili_url, settings.meili_key or None, timeout=timeout)


def _wait(client: meilisearch.Client, task_uid: int) -> None:
    """Wait for a task and raise unless it succeeded."""
    task = client.wait_for_task(task_uid, timeout_in_ms=TASK_TIMEOUT_MS, interval_in_ms=20)
    if task.status != "succeeded":
        raise RuntimeError(f"Meilisearch task {task_uid} {task.status}: {task.error}")


def ensure_index(client: meilisearch.Client, uid: str) -> None:
    """Create the index if needed and bring its settings up to date (only when they differ)."""
    wanted = index_settings()
    try:
        current = client.index(uid).get_settings()
    except MeilisearchError as exc:
        if getattr(exc, "code", "") != "index_not_found":
            raise
        _wait(client, client.create_index(uid, {"primaryKey": "id"}).task_uid)
        current = {}
    differs = {k: v for k, v in wanted.items() if not _same(current.get(k), v)}
    if differs:
        _wait(client, client.index(uid).update_settings(wanted).task_uid)


def _same(current: Any, wanted: Any) -> bool:
    """True when the current setting already holds what we want (extra keys Meilisearch adds are fine)."""
    if (
        isinstance(wanted, dict)
        and isinstance(current, dict)
        and not any(isinstance(v, list) for v in wanted.values())
    ):
        return all(_same(current.get(k), v) for k, v in wanted.items())
    return bool(_normal(current) == _normal(wanted))


def _normal(value: Any) -> Any:
    """Settings compared without caring about list order of sets (synonyms, stopwords)."""
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return sorted(json.dumps(_normal(v), sort_keys=True) for v in value)
    return value


@contextmanager
def sync_lock(conn: Connection) -> Iterator[bool]:
    """Hold the one-worker lock while the block runs; yields False when another worker has it."""
    got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": SYNC_LOCK}).scalar())
    conn.commit()
    try:
        yield got
    finally:
        if got:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": SYNC_LOCK})
            conn.commit()


def pending_count(db: Engine) -> int:
    """How many outbox rows wait to be sent."""
    with db.connect() as conn:
        return int(
            conn.execute(text("SELECT count(*) FROM search_outbox WHERE processed_at IS NULL")).scalar() or 0
        )


def _quoted(values: list[str]) -> str:
    return "[" + ", ".join(json.dumps(v) for v in values) + "]"


def sync_round(db: Engine, client: meilisearch.Client, uid: str, stats: SyncStats, batch: int = BATCH) -> int:
    """Send one batch of pending outbox rows; returns how many rows were marked done."""
    with db.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT id, entity_type, entity_id FROM search_outbox WHERE processed_at IS NULL "
                "ORDER BY id LIMIT :n"
            ),
            {"n": batch},
        ).all()
        if not rows:
            return 0
        scopes: dict[str, set[str]] = {"location": set(), "service": set(), "organization": set()}
        for row in rows:
            scopes.setdefault(row.entity_type, set()).add(str(row.entity_id))
        column = {"location": "location_id", "service": "service_id", "organization": "organization_id"}
        conditions = [f"{column[k]} = ANY(CAST(:{k} AS uuid[]))" for k, ids in scopes.items() if ids]
        docs = [
            r[0]
            for r in conn.execute(
                text(
                    "SELECT b.doc FROM search_document JOIN search_document_body b USING (id) "
                    f"WHERE {' OR '.join(conditions)} ORDER BY id"
                ),
                {k: sorted(v) for k, v in scopes.items() if v},
            )
        ]
        conn.rollback()
    index = client.index(uid)
    try:
        tasks = []
        if docs:
            tasks.append(index.add_documents(docs, primary_key="id").task_uid)
        # Whatever the scope held before and no longer holds (deleted or closed entries,
        # a service that left a location) goes; the documents just sent stay.
        scope_filter = " OR ".join(
            f"{column[k]} IN {_quoted(sorted(ids))}" for k, ids in scopes.items() if ids
        )
        keep = [d["id"] for d in docs]
        delete_filter = f"({scope_filter})" + (f" AND NOT id IN {_quoted(keep)}" if keep else "")
        tasks.append(index.delete_documents(filter=delete_filter).task_uid)
        for task_uid in tasks:
            _wait(client, task_uid)
    except (*MEILI_ERRORS, RuntimeError) as exc:
        message = f"{type(exc).__name__}: {str(exc)[:300]}"
        with db.begin() as conn:
            conn.execute(
                text(
                    "UPDATE search_outbox SET attempts = attempts + 1, last_error = :e "
                    "WHERE id = ANY(CAST(:ids AS bigint[]))"
                ),
                {"e": message, "ids": [r.id for r in rows]},
            )
        stats.errors.append(message)
        raise
    with db.begin() as conn:
        conn.execute(
            text("UPDATE search_outbox SET processed_at = now() WHERE id = ANY(CAST(:ids AS bigint[]))"),
            {"ids": [r.id for r in rows]},
        )
    stats.rows += len(rows)
    stats.upserted += len(docs)
    stats.deleted_scopes += sum(len(ids) for ids in scopes.values())
    stats.rounds += 1
    return len(rows)


def sync(
    db: Engine,
    settings: SearchSettings,
    *,
    batch: int = BATCH,
    progress: Callable[[int], None] | None = None,
) -> SyncStats:
    """Send every pending outbox row to Meilisearch; raise when Meilisearch fails (rows stay pending)."""
    client = meili_client(settings)
    stats = SyncStats()
    with db.connect() as lock_conn, sync_lock(lock_conn) as got:
        if not got:
            raise ServiceUnavailableError("another `wijkgram index sync` is running; try again when it ends")
        ensure_index(client, settings.index_name)
        while True:
            done = sync_round(db, client, settings.index_name, stats, batch)
            if progress:
                progress(done)
            if done == 0:
                break
    return stats


def watch(
    db: Engine,
    settings: SearchSettings,
    *,
    interval_s: float = 1.0,
    retry_s: float = 5.0,
    stop: Callable[[], bool] = lambda: False,
    report: Callable[[SyncStats | Exception], None] = lambda _: None,
) -> None:
    """Keep syncing until `stop()` says so; when Meilisearch is down, wait and try again."""
    while not stop():
        try:
            stats = sync(db, settings)
            if stats.rows:
                report(stats)
            time.sleep(interval_s)
        except (*MEILI_ERRORS, RuntimeError, ServiceUnavailableError) as exc:
            report(exc)
            time.sleep(retry_s)


@dataclass
class RebuildStats:
    """What a rebuild did."""

    entries: int = 0
    documents: int = 0
    meili: bool = False
    outbox_done: int = 0


def rebuild_postgres(db: Engine, progress: Callable[[int], None] | None = None) -> tuple[int, int]:
    """Rebuild `search_document` from the directory in one transaction; returns (entries, documents)."""
    entries = documents = 0
    with db.begin() as conn:
        from sqlalchemy.orm import Session

        session = Session(bind=conn)
        # The bodies first: deleting documents would otherwise look for bodies row by row.
        session.execute(text("DELETE FROM search_document_body"))
        session.execute(text("DELETE FROM search_document"))
        labels = Labels.load(session)
        for loc_ids, svc_ids in all_entry_ids(session):
            docs = build_documents(session, location_ids=loc_ids, service_ids=svc_ids, labels=labels)
            store_documents(session, docs)
            session.expunge_all()
            entries += len(loc_ids) + len(svc_ids)
            documents += len(docs)
            if progress:
                progress(len(loc_ids) + len(svc_ids))
        session.flush()
    return entries, documents


def documents_missing(db: Engine) -> bool:
    """True when the directory holds entries but the search has no documents at all.

    That is the state of a database upgraded from a version before search (the
    documents table is created empty), or after a rebuild was cut short.
    """
    with db.connect() as conn:
        has_docs = conn.execute(text("SELECT EXISTS (SELECT 1 FROM search_document)")).scalar()
        has_entries = conn.execute(
            text("SELECT EXISTS (SELECT 1 FROM location) OR EXISTS (SELECT 1 FROM service)")
        ).scalar()
    return bool(has_entries) and not has_docs


def rebuild_meili(
    db: Engine, settings: SearchSettings, progress: Callable[[int], None] | None = None, batch: int = 10_000
) -> int:
    """Fill a fresh index from `search_document`, then swap it in; returns outbox rows marked done."""
    client = meili_client(settings)
    uid = settings.index_name
    fresh = f"{uid}_rebuild_{uuid.uuid4().hex[:8]}"
    with db.connect() as lock_conn, sync_lock(lock_conn) as got:
        if not got:
            raise ServiceUnavailableError("`wijkgram index sync` is running; stop it before a rebuild")
        ensure_index(client, uid)
        ensure_index(client, fresh)
        with db.connect() as conn:
            # One snapshot: the documents read and the outbox high-water mark agree.
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
            high = int(conn.execute(text("SELECT coalesce(max(id), 0) FROM search_outbox")).scalar() or 0)
            result = conn.execution_options(stream_results=True, max_row_buffer=batch).execute(
                text("SELECT doc FROM search_document_body ORDER BY id")
            )
            tasks = []
            for chunk in result.partitions(batch):
                docs = [r[0] for r in chunk]
                tasks.append(client.index(fresh).add_documents(docs, primary_key="id").task_uid)
                if progress:
                    progress(len(docs))
            conn.rollback()
        for task_uid in tasks:
            _wait(client, task_uid)
        _wait(client, client.swap_indexes([{"indexes": [uid, fresh]}]).task_uid)
        _wait(client, client.index(fresh).delete().task_uid)
        with db.begin() as conn:
            done = conn.execute(
                text("UPDATE search_outbox SET processed_at = now() WHERE processed_at IS NULL AND id <= :h"),
                {"h": high},
            ).rowcount
    return int(done or 0)


def rebuild(
    db: Engine,
    settings: SearchSettings,
    *,
    progress: Callable[[str, int], None] | None = None,
) -> RebuildStats:
    """Rebuild the PostgreSQL documents, then (when configured) the Meilisearch index from them."""
    stats = RebuildStats()
    stats.entries, stats.documents = rebuild_postgres(
        db, (lambda n: progress("postgresql", n)) if progress else None
    )
    if settings.meili_url:
        stats.outbox_done = rebuild_meili(
            db, settings, (lambda n: progress("meilisearch", n)) if progress else None
        )
        stats.meili = True
    return stats


def entries_to_rebuild(db: Engine) -> int:
    """How many entries a rebuild walks (for a progress bar)."""
    from sqlalchemy.orm import Session

    with Session(db) as session:
        return count_entries(session)
