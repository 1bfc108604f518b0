"""`wijkgram backup` and `wijkgram restore`."""

from __future__ import annotations

import time
from pathlib import Path

import click

from cli.common import console, ensure_database, friendly_errors
from directory.db import backup as backups
from directory.db import database_url


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@friendly_errors
def backup(file: Path) -> None:
    """Write the whole database (entries, revisions, accounts, ...) to FILE (pg_dump custom format)."""
    ensure_database(upgrade=False)
    start = time.perf_counter()
    result = backups.backup(database_url(), file)
    console.print(
        f"backup written: {result.path} ({result.size_bytes / 1024:.0f} KiB) "
        f"in {time.perf_counter() - start:.1f} s"
    )


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask before replacing the database's contents.")
@friendly_errors
def restore(file: Path, yes: bool) -> None:
    """Replace the database's contents with the backup in FILE, all or nothing."""
    if not yes:
        click.confirm("This replaces everything in the database with the backup. Continue?", abort=True)
    ensure_database(upgrade=False)
    start = time.perf_counter()
    backups.restore(database_url(), file)
    console.print(f"restored from {file} in {time.perf_counter() - start:.1f} s")
