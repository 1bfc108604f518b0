"""`wijkgram index ...`: keep the search index in step with the directory."""

from __future__ import annotations

import signal
import time
from types import FrameType

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from cli.common import console, ensure_database, friendly_errors
from directory.db import get_engine
from directory.search.sync import (
    MEILI_ERRORS,
    SyncStats,
    entries_to_rebuild,
    pending_count,
    rebuild,
    sync,
    watch,
)
from directory.settings import get_settings


@click.group("index")
def index_group() -> None:
    """Search index: send pending changes to Meilisearch, or rebuild everything."""


def _report(stats: SyncStats, seconds: float) -> None:
    console.print(
        f"[green]synced[/] {stats.rows} change(s) in {stats.rounds} round(s): "
        f"{stats.upserted} document(s) sent, {seconds:.1f} s"
    )


@index_group.command("sync")
@click.option("--watch", "keep_watching", is_flag=True, help="Keep running and send changes as they come.")
@click.option(
    "--batch",
    type=click.IntRange(1, 10_000),
    default=500,
    show_default=True,
    help="Outbox rows per round sent to Meilisearch.",
)
@click.option(
    "--interval",
    type=click.FloatRange(0.1, 3600),
    default=1.0,
    show_default=True,
    help="With --watch: seconds between looks at the outbox.",
)
@friendly_errors
def sync_command(keep_watching: bool, batch: int, interval: float) -> None:
    """Send pending outbox changes to Meilisearch (needs MEILI_URL); safe to repeat."""
    settings = get_settings().search
    if not settings.meili_url:
        raise click.UsageError(
            "MEILI_URL is not set, so search runs on PostgreSQL, which is always up to date. "
            "Set MEILI_URL (and MEILI_MASTER_KEY) to sync a Meilisearch index."
        )
    ensure_database()
    db = get_engine()
    if keep_watching:
        stopping = False

        def stop(_signum: int, _frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)

        def report(event: SyncStats | Exception) -> None:
            if isinstance(event, SyncStats):
                _report(event, 0.0)
            else:
                console.print(f"[yellow]Meilisearch not reachable[/] ({type(event).__name__}); retrying")

        console.print(f"watching the outbox every {interval:g} s; Ctrl-C stops")
        watch(db, settings, interval_s=interval, stop=lambda: stopping, report=report)
        console.print(f"stopped; {pending_count(db)} change(s) pending")
        return
    total = pending_count(db)
    start = time.perf_counter()
    with Progress(
        TextColumn("sync"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
    ) as progress:
        task = progress.add_task("sync", total=total)
        try:
            stats = sync(db, settings, batch=batch, progress=lambda n: progress.advance(task, n))
        except (*MEILI_ERRORS, RuntimeError) as exc:
            raise click.ClickException(
                f"Meilisearch failed ({type(exc).__name__}: {str(exc)[:200]}); nothing was lost: "
                f"{pending_count(db)} change(s) stay pending. Run `wijkgram index sync` again when it is up."
            ) from exc
    _report(stats, time.perf_counter() - start)


@index_group.command("rebuild")
@friendly_errors
def rebuild_command() -> None:
    """Rebuild the search documents from the directory, and the Meilisearch index when MEILI_URL is set."""
    settings = get_settings().search
    ensure_database()
    db = get_engine()
    total = entries_to_rebuild(db)
    start = time.perf_counter()
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        tasks = {
            "postgresql": progress.add_task("postgresql (entries)", total=total),
            "meilisearch": progress.add_task(
                "meilisearch (documents)", total=None, visible=bool(settings.meili_url)
            ),
        }
        try:
            stats = rebuild(db, settings, progress=lambda stage, n: progress.advance(tasks[stage], n))
        except (*MEILI_ERRORS, RuntimeError) as exc:
            raise click.ClickException(
                f"Meilisearch failed during the rebuild ({type(exc).__name__}); the PostgreSQL documents "
                "are rebuilt, the old Meilisearch index is still in place. Try again when it is up."
            ) from exc
    where = "PostgreSQL and Meilisearch" if stats.meili else "PostgreSQL (MEILI_URL not set)"
    console.print(
        f"[green]rebuilt[/] {where}: {stats.entries} entries -> {stats.documents} documents, "
        f"{stats.outbox_done} pending change(s) covered, {time.perf_counter() - start:.1f} s"
    )


@index_group.command("status")
@friendly_errors
def status_command() -> None:
    """Show which engine answers searches, whether it is up, and how many changes wait."""
    settings = get_settings().search
    ensure_database(upgrade=False)
    db = get_engine()
    from directory.search.service import search_service

    service = search_service(db, settings)
    click.echo(f"engine: {service.engine_name}")
    click.echo(f"healthy: {'yes' if service.primary.healthy() else 'no'}")
    if settings.meili_url:
        click.echo(f"index: {settings.index_name} at {settings.meili_url}")
    click.echo(f"pending changes: {pending_count(db)}")
