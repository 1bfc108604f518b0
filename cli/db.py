"""`wijkgram db ...`: the embedded cluster and migrations."""

from __future__ import annotations

import click

from cli.common import console, ensure_database, fill_search_documents, friendly_errors
from directory.db import migrate
from directory.db.url import embedded_cluster
from directory.settings import get_settings


def _require_embedded() -> None:
    if not get_settings().database.embedded:
        raise click.UsageError(
            "DATABASE_URL is set, so wijkgram uses that database and runs no cluster of its own. "
            "Unset DATABASE_URL to use the embedded cluster."
        )


@click.group("db")
def db_group() -> None:
    """Manage the database: the embedded cluster and the schema."""


@db_group.command("start")
@friendly_errors
def start() -> None:
    """Start the embedded PostgreSQL cluster (creating it if needed). Safe to repeat."""
    _require_embedded()
    cluster = embedded_cluster()
    started = cluster.start()
    console.print(("started" if started else "already running") + f": {cluster.pgdata}")


@db_group.command("stop")
@friendly_errors
def stop() -> None:
    """Stop the embedded PostgreSQL cluster. Safe to repeat."""
    _require_embedded()
    cluster = embedded_cluster()
    console.print("stopped" if cluster.stop() else "not running")


@db_group.command("status")
@friendly_errors
def status() -> None:
    """Show where the database is, whether it runs, and its schema revision."""
    settings = get_settings().database
    if not settings.embedded:
        click.echo("database: DATABASE_URL (external)")
    else:
        state = embedded_cluster(settings).status()
        click.echo(f"database: embedded cluster in {state.data_dir}")
        click.echo(f"binaries: {state.pg_bin or 'NOT FOUND (apt-get install postgresql-15)'}")
        click.echo(f"initialised: {'yes' if state.initialised else 'no'}")
        click.echo(f"running: {'yes' if state.running else 'no'}")
        if not state.running:
            return
    click.echo(f"schema revision: {migrate.current_revision() or 'empty'} (code: {migrate.head_revision()})")


@db_group.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Alembic revision to upgrade to.")
@friendly_errors
def upgrade(revision: str) -> None:
    """Apply migrations (starting the embedded cluster if needed)."""
    ensure_database(upgrade=False)
    migrate.upgrade(target=revision)
    click.echo(f"schema revision: {migrate.current_revision()}")
    if migrate.current_revision() == migrate.head_revision():
        fill_search_documents()


@db_group.command("downgrade")
@click.option("--revision", required=True, help="Alembic revision to go down to ('base' empties the schema).")
@click.confirmation_option(prompt="This can drop tables and their data. Continue?")
@friendly_errors
def downgrade(revision: str) -> None:
    """Undo migrations down to a revision."""
    ensure_database(upgrade=False)
    migrate.downgrade(target=revision)
    click.echo(f"schema revision: {migrate.current_revision() or 'empty'}")
