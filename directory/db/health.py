"""Is the database there: the health check's one question."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session


def database_versions(session: Session) -> tuple[str, str]:
    """The PostgreSQL and PostGIS versions; fails when the database does not answer."""
    row = session.execute(text("SELECT version(), postgis_lib_version()")).one()
    return str(row[0]).split(",")[0], str(row[1])
