"""Run Alembic migrations from code (CLI, tests, app start)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, create_engine, pool
from sqlalchemy.exc import OperationalError

from directory.db.url import database_url
from directory.errors import SetupError

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    """An Alembic config pointing at our migrations and the given database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("file_template", "%%(year)d_%%(month).2d_%%(day).2d_%%(rev)s_%%(slug)s")
    config.set_main_option("sqlalchemy.url", (url or database_url()).replace("%", "%%"))
    return config


def _missing_database(exc: OperationalError) -> SetupError | None:
    """A SetupError saying how to create the database, when `exc` is PostgreSQL's "does not exist"."""
    message = str(exc.orig or exc)
    if "does not exist" not in message or "database" not in message:
        return None
    return SetupError(
        "the database named in DATABASE_URL does not exist on that server; create it first "
        "with `createdb NAME` as a user allowed to (the migrations then add PostGIS), or correct DATABASE_URL"
    )


def upgrade(url: str | None = None, target: str = "head") -> None:
    """Bring the database schema up to `target`."""
    try:
        command.upgrade(alembic_config(url), target)
    except OperationalError as exc:
        raise (_missing_database(exc) or exc) from exc


def downgrade(url: str | None = None, target: str = "base") -> None:
    """Take the database schema down to `target`."""
    command.downgrade(alembic_config(url), target)


def current_revision(url: str | None = None) -> str | None:
    """The revision the database is at, or None for an empty database."""
    engine = create_engine(url or database_url(), poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            rev = MigrationContext.configure(connection).get_current_revision()
    except OperationalError as exc:
        raise (_missing_database(exc) or exc) from exc
    finally:
        engine.dispose()
    return rev


def head_revision() -> str | None:
    """The newest revision in the code."""
    return ScriptDirectory.from_config(alembic_config("postgresql://unused")).get_current_head()


#: Tables in our schema that extensions own (PostGIS); autogenerate and its test leave them alone.
EXTENSION_TABLES = frozenset({"spatial_ref_sys"})


def target_metadata() -> MetaData:
    """Every table wijkgram maps, as the migrations must build them (for autogenerate and its test)."""
    from directory.models import Base
    from directory.search import models as _search_models  # noqa: F401  (search tables in the metadata)

    return Base.metadata
