"""Engines and sessions.

Services take a `Session` and never commit on their own; the caller owns the
transaction (`session_scope`), so an import or an API request is all or
nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session, sessionmaker

from directory.db.url import database_url


@lru_cache(maxsize=8)
def get_engine(url: str | None = None, pool_size: int = 10) -> Engine:
    """A pooled engine per URL; pre-ping so a restarted database is reconnected to."""
    return create_engine(
        url or database_url(),
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        pool_timeout=10,
    )


def sessionmaker_for(engine: Engine) -> sessionmaker[Session]:
    """A session factory that keeps loaded objects usable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """One transaction: commit when the block ends, roll back on any error."""
    factory = sessionmaker_for(engine or get_engine())
    with factory() as session, session.begin():
        yield session
