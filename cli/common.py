"""Helpers shared by command groups: database preparation and error reporting."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, TypeVar

import click
from rich.console import Console

from directory.db import migrate
from directory.db.url import embedded_cluster
from directory.errors import WijkgramError
from directory.settings import get_settings

console = Console(stderr=True)
F = TypeVar("F", bound=Callable[..., Any])


def friendly_errors(func: F) -> F:
    """Turn our own errors into a ClickException whose message says what to do."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except WijkgramError as exc:
            raise click.ClickException(exc.message) from exc

    return wrapper  # type: ignore[return-value]


def ensure_database(*, upgrade: bool = True) -> None:
    """Start the embedded cluster when no DATABASE_URL is set, then apply migrations."""
    settings = get_settings().database
    if settings.embedded:
        cluster = embedded_cluster(settings)
        if cluster.start():
            console.print(f"[green]started[/] embedded PostgreSQL in {cluster.pgdata}")
    if upgrade:
        before = migrate.current_revision()
        migrate.upgrade()
        after = migrate.current_revision()
        if before != after:
            console.print(f"[green]migrated[/] database {before or 'empty'} -> {after}")
            fill_search_documents()


def fill_search_documents() -> None:
    """Build the search documents when an upgrade left them empty beside existing entries."""
    from directory.db import get_engine
    from directory.search.sync import documents_missing, rebuild_postgres

    db = get_engine()
    if not documents_missing(db):
        return
    with timed("built the search documents"):
        entries, documents = rebuild_postgres(db)
    console.print(f"search: {documents} documents for {entries} entries")
    if get_settings().search.meili_url:
        console.print("search: run `wijkgram index rebuild` to fill Meilisearch as well")


@contextmanager
def timed(label: str) -> Iterator[None]:
    """Print how long a step took."""
    import time

    start = time.perf_counter()
    yield
    console.print(f"{label} in {time.perf_counter() - start:.1f} s")
