"""Per-request dependencies: one database transaction per request, and who is acting.

Every blocking database step of a request (checking out a connection, BEGIN,
COMMIT, ROLLBACK, returning the connection) runs in a worker thread, never on
the event loop. Litestar runs a sync generator dependency's steps on the loop
itself, and a loop blocked on an empty pool cannot run the clean-ups that
would give connections back: the whole worker stalls for the pool timeout.
"""

from collections.abc import AsyncIterator

from anyio import CancelScope, to_thread
from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from directory.errors import ServiceUnavailableError
from directory.services.entries import Actor, EntryService
from web.accounts.current import current_user


def _open(state: State) -> Session:
    session: Session = state.sessionmaker()
    try:
        session.begin()
        # Take the connection now, in this thread, so a full pool is waited for off the loop.
        session.connection()
    except OperationalError as exc:
        session.close()
        raise ServiceUnavailableError("the database is not reachable right now; try again shortly") from exc
    except BaseException:
        session.close()
        raise
    return session


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


async def provide_db(state: State) -> AsyncIterator[Session]:
    """A session in a transaction: committed when the handler succeeds, rolled back otherwise."""
    session = await to_thread.run_sync(_open, state)
    try:
        yield session
    except BaseException:
        # Shielded: a client that hangs up must still give its connection back.
        with CancelScope(shield=True):
            await to_thread.run_sync(_rollback, session)
        raise
    else:
        with CancelScope(shield=True):
            await to_thread.run_sync(_commit, session)


def provide_actor(request: Request) -> Actor:  # type: ignore[type-arg]
    """Who is making the change: the logged-in user (session or API token), so revisions name them."""
    user = current_user(request)
    return Actor(name=user.username if user else "anonymous")


def provide_entries(db: NamedDependency[Session], actor: NamedDependency[Actor]) -> EntryService:
    """The entry service bound to this request's transaction and actor."""
    return EntryService(db, actor)
