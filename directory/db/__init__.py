"""Persistence: the database URL, engine and sessions, and the embedded cluster."""

from directory.db.engine import get_engine, session_scope, sessionmaker_for
from directory.db.url import database_url

__all__ = ["database_url", "get_engine", "session_scope", "sessionmaker_for"]
