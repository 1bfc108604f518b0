"""Engines and sessions.

Services take a `Session` and never commit on their own; the caller owns the
transaction (`session_scope`), so an import or an API request is all or
nothing.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

import msgspec
from sqlalchemy import URL, Engine, create_engine, event, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

from directory.db.url import database_url


def get_engine(url: str | None = None, pool_size: int = 10) -> Engine:
    """A pooled engine for `url` (default: the configured database), one per URL per process."""
    # Resolve the URL before the cache: keyed on None, a changed DATABASE_URL
    # would keep getting the engine of the old database.
    return _engine(url or database_url(), pool_size)


#: Settings of every connection of the app's engine (given at connect, so no round trip).
#: No parallel workers: PostgreSQL shares the app's few cores with the app, and it planned
#: the radius listing of locations with a worker (its ST_DWithin on geography is priced as
#: very expensive per row), so each listing started a process and waited for it: 9.8 ms on
#: average against 6.7 ms without, at 100,000 locations (docs/reliability.md, "Public reads
#: at 100k"). The search's own pool says the same in its options (search/postgres.py).
APP_OPTIONS = "-c max_parallel_workers_per_gather=0"


def connect_options(url: str | URL, options: str) -> str:
    """libpq `options` for connections to `url`: the URL's own first (a search_path, say), then these.

    psycopg's `options` in connect_args would replace the URL's, not add to them.
    """
    own = make_url(url).query.get("options")
    return f"{own} {options}" if isinstance(own, str) else options


@lru_cache(maxsize=8)
def _engine(url: str, pool_size: int) -> Engine:
    # pre-ping: a restarted database is reconnected to instead of failing a request.
    return pooled_engine(
        url, pool_size, pre_ping=True, connect_args={"options": connect_options(url, APP_OPTIONS)}
    )


def pooled_engine(
    url: str | URL, pool_size: int, *, pre_ping: bool, connect_args: dict[str, Any] | None = None
) -> Engine:
    """A new engine with wijkgram's pool settings (the app's, and search's own pool)."""
    engine = create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_timeout=10,
        # The connection used last comes back first: its backend's caches are warm, and the
        # rest stay idle (a FIFO pool cycles every request through every backend).
        pool_use_lifo=True,
        connect_args=connect_args or {},
        # JSONB columns (provenance, meetings, revisions, search documents) in and out through
        # msgspec: several times faster than the json module for the same values.
        json_serializer=_json_text,
        json_deserializer=msgspec.json.decode,
        # An error's message (and so the error log) never holds the values of a statement:
        # they may be a client's address or the point of it (a geocoder's or a search's query).
        hide_parameters=True,
    )
    if pre_ping:
        _ping_after_idle(engine)
    return engine


def _json_text(value: Any) -> str:
    return msgspec.json.encode(value).decode()


#: A pooled connection idle for longer than this is pinged before it is handed out.
PING_AFTER_IDLE_S = 1.0


def _ping_after_idle(engine: Engine) -> None:
    """Ping a connection at checkout only when it sat idle in the pool for `PING_AFTER_IDLE_S`.

    SQLAlchemy's `pool_pre_ping` pings at every checkout: one more round trip per request,
    a tenth of a worker's samples under load (py-spy, docs/reliability.md). A connection
    handed back a moment ago was alive a moment ago; one that waited (a quiet spell, a
    database restart) is checked first, and a dead one is replaced: raising
    `DisconnectionError` makes the pool discard it and take another.
    """

    @event.listens_for(engine, "checkin")
    def _checked_in(dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_S:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError("the database closed this connection") from exc


def sessionmaker_for(engine: Engine) -> sessionmaker[Session]:
    """A session factory that keeps loaded objects usable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """One transaction: commit when the block ends, roll back on any error."""
    factory = sessionmaker_for(engine or get_engine())
    with factory() as session, session.begin():
        yield session
