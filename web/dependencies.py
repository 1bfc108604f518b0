"""Per-request dependencies: one database transaction per request, and who is acting.

No blocking database step of a request runs on the event loop. Litestar runs a
sync generator dependency's steps on the loop itself; a loop blocked on a
database call stalls every request of the worker, and before this module ran
its steps in threads, a burst at start-up left the next request waiting 12-34 s.

The session's connection is taken lazily, in the handler's own thread. COMMIT,
ROLLBACK and giving the connection back run in threads of their own limiter
(`cleanup_limiter`): were they to wait for the handlers' threads, handlers
waiting for a pooled connection could hold every thread while the requests
holding the connections wait for one to give them back.

Handlers that only read (marked `opt=READS_ONLY`; the public API reads) get a
session in autocommit mode instead (`read_sessionmaker`): no BEGIN and no COMMIT
round trip, and nothing to finish after the handler, so such a read costs one
thread hop and only its own queries. Such a session refuses to write
(`refuse_writes`): a handler that wrote would otherwise commit statement by
statement. Not every GET qualifies: the import preview writes in a savepoint and
rolls back.
"""

from collections.abc import AsyncIterator
from typing import Any

from anyio import CancelScope, CapacityLimiter, to_thread
from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency
from sqlalchemy import Engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker

from directory.db import sessionmaker_for
from directory.errors import ServiceUnavailableError
from directory.services.entries import Actor, EntryService
from web.accounts.current import current_user
from web.accounts.names import PublicNames
from web.pages.common import language


def set_request_limits(state: State, pool_size: int) -> None:
    """Size the worker's threads to its connection pool (call at start-up, on the event loop).

    At most `pool_size` handlers run at once, so they never need the pool's overflow
    connections (each a new PostgreSQL backend, closed again on return); the rest wait
    on the loop, which costs nothing. Clean-ups get their own threads.
    """
    to_thread.current_default_thread_limiter().total_tokens = max(4, pool_size)
    state.cleanup_limiter = CapacityLimiter(max(4, pool_size * 2))


def cleanup_limiter(state: State) -> CapacityLimiter:
    """The threads for COMMIT/ROLLBACK (made on first use when the app did not set them)."""
    limiter: CapacityLimiter | None = state.get("cleanup_limiter")
    if limiter is None:
        limiter = state.cleanup_limiter = CapacityLimiter(16)
    return limiter


#: A handler's `opt` saying it only reads: its requests run without a transaction (autocommit).
READS_ONLY: dict[str, Any] = {"reads_only": True}


class ReadOnlySessionError(RuntimeError):
    """A handler marked READS_ONLY tried to write: such handlers run without a transaction."""


def refuse_writes(factory: sessionmaker[Session]) -> None:
    """Make every session of `factory` raise instead of writing (ORM flush or DML)."""

    @event.listens_for(factory, "before_flush")
    def _no_flush(session: Session, *_: object) -> None:
        if session.new or session.dirty or session.deleted:
            raise ReadOnlySessionError("a handler marked READS_ONLY may not change data")

    @event.listens_for(factory, "do_orm_execute")
    def _no_dml(state: ORMExecuteState) -> None:
        if state.is_insert or state.is_update or state.is_delete:
            raise ReadOnlySessionError("a handler marked READS_ONLY may not change data")


def read_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Sessions for reads: autocommit (no BEGIN/COMMIT round trips), refusing to write.

    Each statement sees the data as committed when it runs; a read that needs one
    snapshot over several statements must say so in one statement.
    """
    factory = sessionmaker_for(engine.execution_options(isolation_level="AUTOCOMMIT"))
    refuse_writes(factory)
    return factory


def _commit(session: Session) -> None:
    try:
        session.commit()
    except OperationalError as exc:
        raise ServiceUnavailableError("the database went away while saving; nothing was saved") from exc
    finally:
        session.close()


def _rollback(session: Session) -> None:
    try:
        session.rollback()
    finally:
        session.close()


async def provide_db(state: State, request: Request) -> AsyncIterator[Session]:  # type: ignore[type-arg]
    """A session in a transaction: committed when the handler succeeds, rolled back otherwise.

    For a handler marked READS_ONLY a session without a transaction: closing it makes
    no round trip (the connection is idle, autocommit), so it runs here, on the loop,
    and the request needs no second thread.
    """
    reads: sessionmaker[Session] | None = state.get("read_sessionmaker")
    if reads is not None and request.route_handler.opt.get("reads_only"):
        read_session = reads()
        try:
            yield read_session
        finally:
            read_session.close()
        return
    # Neither makes a round trip: the connection is taken by the first query, in the handler's thread.
    session: Session = state.sessionmaker()
    session.begin()
    limiter = cleanup_limiter(state)
    try:
        yield session
    except BaseException:
        # Shielded: a client that hangs up must still give its connection back.
        with CancelScope(shield=True):
            await to_thread.run_sync(_rollback, session, limiter=limiter)
        raise
    else:
        with CancelScope(shield=True):
            await to_thread.run_sync(_commit, session, limiter=limiter)


def provide_actor(request: Request) -> Actor:  # type: ignore[type-arg]
    """Who is making the change: the logged-in user (session or API token), so revisions name them."""
    user = current_user(request)
    return Actor(name=user.username if user else "anonymous")


def provide_entries(request: Request, db: NamedDependency[Session]) -> EntryService:  # type: ignore[type-arg]
    """The entry service bound to this request's transaction and actor."""
    # The actor is made here, not as a dependency of its own: Litestar resolves the
    # dependencies of one level that do not depend on each other in an anyio task group,
    # and those tasks (two groups per entry read) cost more than the dependencies did.
    return EntryService(db, provide_actor(request))


def provide_names(request: Request, entries: NamedDependency[EntryService]) -> PublicNames:  # type: ignore[type-arg]
    """People's names as this request's user may see them (usernames for brokers only)."""
    # Through `entries` (its session) for the same reason: db -> entries -> names is a chain.
    return PublicNames(entries.session, current_user(request), language(request))
