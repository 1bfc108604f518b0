"""Per-request dependencies: one database transaction per request, and who is acting."""

from collections.abc import Iterator

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from directory.errors import ServiceUnavailableError
from directory.services.entries import Actor, EntryService
from web.accounts.current import current_user


def provide_db(state: State) -> Iterator[Session]:
    """A session in a transaction: committed when the handler succeeds, rolled back otherwise."""
    try:
        session: Session = state.sessionmaker()
        session.begin()
    except OperationalError as exc:
        raise ServiceUnavailableError("the database is not reachable right now; try again shortly") from exc
    with session:
        try:
            yield session
        except BaseException:
            session.rollback()
            raise
        else:
            try:
                session.commit()
            except OperationalError as exc:
                raise ServiceUnavailableError(
                    "the database went away while saving; nothing was saved"
                ) from exc


def provide_actor(request: Request) -> Actor:  # type: ignore[type-arg]
    """Who is making the change: the logged-in user (session or API token), so revisions name them."""
    user = current_user(request)
    return Actor(name=user.username if user else "anonymous")


def provide_entries(db: NamedDependency[Session], actor: NamedDependency[Actor]) -> EntryService:
    """The entry service bound to this request's transaction and actor."""
    return EntryService(db, actor)
