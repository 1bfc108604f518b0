"""Reference data kept in process memory: vocabularies, area names and people's display names.

Every public read used to ask PostgreSQL again for data that changes a few times a
year (the category labels, the area names) or a few times a day (display names). Each
app process now keeps them, and forgets them the moment they change:

- triggers on `taxonomy_term`, `geo_boundary` and `app_user` announce every change with
  `pg_notify('wijkgram_reference', topic)` (migration 2026_12_05_0200), so a broker's
  edit, an import in another process and a hand-made `UPDATE` in psql all count;
  a new version of a tile layer set (`tile_layer_version`, migration 2026_12_06_0200)
  is announced the same way, and the app's tiles in memory (`directory.services.tiles.
  TileMemory`) follow the topics `tiles_base` and `tiles_entries`;
- each process listens on one connection of its own (`ReferenceCache`, a daemon thread)
  and raises the topic's generation when told; a value is used only while the generation
  it was read at is the current one; the last app on an engine to shut down stops the
  listener and closes its connection (`release_reference_cache`);
- while the listener has no connection (start-up, the database restarting) nothing is
  cached: every lookup reads the database, so a change can never be missed.

Why not a version counter read per request, or a short TTL: the counter costs the round
trip the cache saves, and a TTL serves old names for its whole length. A notification
reaches the other processes about a millisecond after the writer's COMMIT; the process
that wrote through its engine forgets at once (`_watch_writes`), so its next request is
exact.

Processes without an app (the command line, importers) register no cache and read the
database every time, as before.
"""

from __future__ import annotations

import logging
import re
import selectors
import socket
import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import psycopg
from sqlalchemy import Connection, Engine, event
from sqlalchemy.orm import Session
from sqlalchemy.pool import Pool

log = logging.getLogger("wijkgram.reference")

#: The notification channel the triggers announce changes on (payload: the topic).
CHANNEL = "wijkgram_reference"
#: vocabulary: taxonomy_term; areas: geo_boundary; people: app_user's usernames and display names;
#: tiles_base, tiles_entries: a new data version of that tile layer set (tile_layer_version).
TOPICS = ("vocabulary", "areas", "people", "tiles_base", "tiles_entries")
#: How long the listener waits before connecting again after losing its connection.
RECONNECT_S = 2.0
#: How long one wait for notifications lasts at most (`stop` wakes the listener at once).
WAIT_S = 5.0
#: How long `stop` waits for the listener to close its connection and end.
STOP_S = 5.0
#: The listener's connection in pg_stat_activity.
APPLICATION_NAME = "wijkgram-reference"

T = TypeVar("T")


class ReferenceCache:
    """Values per (topic, key), valid until the database announces a change of the topic."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        # Kept: `engine.dispose()` gives the engine a new pool, and the registry knows this one.
        self._pool = engine.pool
        self._generation = dict.fromkeys(TOPICS, 0)
        self._values: dict[tuple[str, Hashable], tuple[int, Any]] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        # Closing the write end makes the read end readable: that wakes a listener waiting
        # for notifications at once, so stopping costs no wait and no round trip.
        self._wake_read, self._wake_write = socket.socketpair()
        self._unwatch: Callable[[], None] | None = None
        #: How many apps use this cache (`start_reference_cache`, `release_reference_cache`).
        self.users = 0
        #: Set while the listener holds a connection on which it LISTENs.
        self.listening = threading.Event()
        #: The server process of the listener's connection while it has one (diagnostics, tests).
        self.backend_pid: int | None = None
        self.thread = threading.Thread(target=self._listen, name="wijkgram-reference-listener", daemon=True)

    @property
    def pool(self) -> Pool:
        """The connection pool whose database this cache follows."""
        return self._pool

    def start(self) -> None:
        """Start listening (in a daemon thread); until it listens, every lookup reads the database."""
        self._unwatch = _watch_writes(self._engine, self)
        self.thread.start()

    def stop(self, timeout: float = STOP_S) -> None:
        """Stop listening, close the listener's connection and forget everything.

        Waits up to `timeout` for the listener to end; it ends at once unless it is in the
        middle of connecting.
        """
        self._stop.set()
        if self._unwatch is not None:
            self._unwatch()
            self._unwatch = None
        self._wake_write.close()
        if self.thread.is_alive() and self.thread is not threading.current_thread():
            self.thread.join(timeout)

    def get(self, topic: str, key: Hashable, load: Callable[[], T]) -> T:
        """The value of `key` under `topic`: kept, or read now with `load` (and kept)."""
        if not self.listening.is_set():
            return load()
        # The generation is taken before reading: a change announced while `load` runs
        # leaves the value marked with the older generation, so the next lookup reads again.
        generation = self._generation[topic]
        cached = self._values.get((topic, key))
        if cached is not None and cached[0] == generation:
            return cached[1]  # type: ignore[no-any-return]
        value = load()
        self._values[(topic, key)] = (generation, value)
        return value

    def forget(self, *topics: str) -> None:
        """Forget the values of these topics (all when none is named)."""
        with self._lock:
            for topic in topics or TOPICS:
                if topic in self._generation:
                    self._generation[topic] += 1
                else:  # a topic this version does not know: be safe
                    for known in self._generation:
                        self._generation[known] += 1

    def generation(self, topic: str) -> int:
        """How often `topic` has been forgotten in this process (for tests and diagnostics)."""
        return self._generation[topic]

    def _connect(self) -> psycopg.Connection[Any]:
        # A connection of its own, outside the app's pool: it stays open until `stop`.
        cargs, cparams = self._engine.dialect.create_connect_args(self._engine.url)
        options = {**cparams, "autocommit": True, "application_name": APPLICATION_NAME}
        conn: psycopg.Connection[Any] = psycopg.Connection.connect(*cargs, **options)
        return conn

    def _listen(self) -> None:
        try:
            self._listen_until_stopped()
        finally:
            self._wake_read.close()

    def _listen_until_stopped(self) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                with self._connect() as conn:
                    self.backend_pid = conn.info.backend_pid
                    if not _announced(conn):
                        # A database not yet migrated announces nothing: keeping values there
                        # would keep them for ever. Read every time, and look again later.
                        conn.close()
                        self._stop.wait(RECONNECT_S * 15)
                        continue
                    conn.execute(f"LISTEN {CHANNEL}")
                    # Whatever changed while nobody listened is forgotten before anything is kept.
                    self.forget()
                    self.listening.set()
                    failures = 0
                    self._hear(conn)
            except psycopg.Error as exc:
                failures += 1
                if failures == 1:
                    log.warning("reference data listener lost its connection (%s)", type(exc).__name__)
            finally:
                self.backend_pid = None
                self.listening.clear()
                self.forget()
            self._stop.wait(RECONNECT_S)

    def _hear(self, conn: psycopg.Connection[Any]) -> None:
        """Forget each announced topic until `stop`.

        libpq's own pattern: wait until the socket or the wake-up is readable, then take
        every notification that has arrived without waiting (`timeout=0`). A notification
        arriving after that leaves the socket readable, so none is missed between the two.
        """
        with selectors.DefaultSelector() as selector:
            selector.register(conn.fileno(), selectors.EVENT_READ)
            selector.register(self._wake_read, selectors.EVENT_READ)
            while not self._stop.is_set():
                for note in conn.notifies(timeout=0):
                    self.forget(note.payload)
                selector.select(WAIT_S)


def _announced(conn: psycopg.Connection[Any]) -> bool:
    """True when the database has the triggers that announce changes (migration 2026_12_05_0200)."""
    row = conn.execute("SELECT to_regprocedure('wijkgram_reference_changed()') IS NOT NULL").fetchone()
    return bool(row and row[0])


#: The caches of this process, one per connection pool (an app registers its engine's).
_caches: dict[Pool, ReferenceCache] = {}
_registry_lock = threading.Lock()


#: Statements that may change a table, and the topic of each table the cache keeps.
_WRITE = re.compile(r"\s*(INSERT|UPDATE|DELETE|TRUNCATE|MERGE|COPY)\b", re.IGNORECASE)
_TABLES = re.compile(r"\b(taxonomy_term|geo_boundary|app_user|tile_layer_version|location)\b", re.IGNORECASE)
_TOPICS_OF = {
    "taxonomy_term": ("vocabulary",),
    "geo_boundary": ("areas",),
    "app_user": ("people",),
    # The statement does not say which set; a location's write bumps the entries at COMMIT.
    "tile_layer_version": ("tiles_base", "tiles_entries"),
    "location": ("tiles_entries",),
}


def _watch_writes(engine: Engine, cache: ReferenceCache) -> Callable[[], None]:
    """Forget at once what this process itself changes through `engine`; returns the undo.

    The notification reaches this process too, a moment after the COMMIT; this makes the
    next request of the same process exact: the topic is forgotten after the statement and
    again at its COMMIT, so a value read in between is not kept.
    """

    def _written(conn: Connection, cursor: Any, statement: str, *_: Any) -> None:
        if _WRITE.match(statement):
            topics = {topic for t in _TABLES.findall(statement) for topic in _TOPICS_OF[t.lower()]}
            if topics:
                conn.info.setdefault("reference_topics", set()).update(topics)
                cache.forget(*topics)

    def _committed(conn: Connection) -> None:
        topics = conn.info.pop("reference_topics", None)
        if topics:
            cache.forget(*topics)

    def _rolled_back(conn: Connection) -> None:
        # A connection lost with the database (a restart) is invalid: reading its `info`
        # would raise in the middle of the rollback and turn a clean 503 into a 500. A
        # topic left behind there only makes a later COMMIT forget once more, which is safe.
        if conn.invalidated:
            return
        conn.info.pop("reference_topics", None)

    # An engine outlives its apps (tests build many on one): a stopped cache's hooks go with it.
    hooks: list[tuple[str, Callable[..., None]]] = [
        ("after_cursor_execute", _written),
        ("commit", _committed),
        ("rollback", _rolled_back),
    ]
    for name, hook in hooks:
        event.listen(engine, name, hook)

    def unwatch() -> None:
        for name, hook in hooks:
            event.remove(engine, name, hook)

    return unwatch


def start_reference_cache(engine: Engine) -> ReferenceCache:
    """The cache of `engine`'s database in this process, listening (made once per pool).

    Apps on one engine share it; each call is matched by one `release_reference_cache`.
    """
    with _registry_lock:
        cache = _caches.get(engine.pool)
        if cache is None:
            cache = _caches[engine.pool] = ReferenceCache(engine)
            cache.start()
        cache.users += 1
        return cache


def release_reference_cache(cache: ReferenceCache) -> None:
    """One app fewer uses `cache`: the last one stops its listener and closes its connection."""
    with _registry_lock:
        cache.users -= 1
        if cache.users > 0:
            return
        if _caches.get(cache.pool) is cache:
            del _caches[cache.pool]
    # Outside the lock: another app may start a fresh cache meanwhile, it does not wait for this one.
    cache.stop()


def _pool_of(bind: Session | Connection | Engine) -> Pool | None:
    if isinstance(bind, Session):
        found = bind.get_bind()
        return found.pool if isinstance(found, Engine) else found.engine.pool
    if isinstance(bind, Connection):
        return bind.engine.pool
    return bind.pool


def reference_cache(bind: Session | Connection | Engine | None) -> ReferenceCache | None:
    """The cache registered for this session's, connection's or engine's database, if any."""
    if bind is None or not _caches:
        return None
    return _caches.get(_pool_of(bind))  # type: ignore[arg-type]


def cached(bind: Session | Connection | Engine | None, topic: str, key: Hashable, load: Callable[[], T]) -> T:
    """`load()`, kept in this process until `topic` changes; read every time without a cache."""
    cache = reference_cache(bind)
    return load() if cache is None else cache.get(topic, key, load)


def forget(bind: Session | Connection | Engine | None, *topics: str) -> None:
    """Forget `topics` at once in this process (after this process changed them; others hear it)."""
    cache = reference_cache(bind)
    if cache is not None:
        cache.forget(*topics)
