"""Run one import: records in, one transaction, a progress bar and a summary out.

The whole run is one transaction: a run that is killed midway leaves
nothing behind, and the rerun ends in the same state as an uninterrupted
run. With `dry_run` the transaction is rolled back after the report is
made; with `all_or_nothing` any rejected record rolls everything back.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from sqlalchemy.orm import Session

from importers.merge import OUTCOMES, ImportReport, Merger
from importers.records import EntryRecord, PlaceRecord, Rejected

#: Records applied under one savepoint (see `Merger.apply_batch`).
BATCH_SIZE = 200


@dataclass(frozen=True)
class RunOptions:
    """How to run an import."""

    dry_run: bool = False
    all_or_nothing: bool = False
    flag_missing: bool = True


class AllOrNothingError(Exception):
    """Raised inside the transaction so that --all-or-nothing rolls the whole import back."""


#: The youngest generation's collection threshold during an import (Python's default is 700).
GC_THRESHOLD = 20_000


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Run the block with the garbage collector's youngest generation collected less often.

    An import makes millions of small dicts and lists that live for one batch; at the
    default threshold the collector ran so often that it took a sixth of a first
    import's CPU time. The collector still runs, and the previous thresholds come back
    afterwards.
    """
    before = gc.get_threshold()
    gc.set_threshold(max(before[0], GC_THRESHOLD), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


def run_import(
    session: Session,
    items: Iterable[PlaceRecord | EntryRecord | Rejected],
    *,
    source: str,
    scope: str,
    options: RunOptions | None = None,
    total: int | None = None,
    console: Console | None = None,
) -> ImportReport:
    """Merge every record into the directory and commit (or roll back), returning the report."""
    with fewer_collections():
        return _run_import(
            session, items, source=source, scope=scope, options=options, total=total, console=console
        )


def _run_import(
    session: Session,
    items: Iterable[PlaceRecord | EntryRecord | Rejected],
    *,
    source: str,
    scope: str,
    options: RunOptions | None,
    total: int | None,
    console: Console | None,
) -> ImportReport:
    options = options or RunOptions()
    start = time.perf_counter()
    merger = Merger(session, source, scope, dry_run=options.dry_run)
    progress = Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=console is None,
        transient=True,
    )
    with progress:
        task = progress.add_task(f"import {source}", total=total)
        batch: list[PlaceRecord] = []

        def flush() -> None:
            merger.apply_batch(batch)
            progress.advance(task, len(batch))
            batch.clear()

        records = iter(items)  # a `Prefetch` starts reading here ...
        try:
            merger.prepare()  # ... while the merger loads what it matches against
            for item in records:
                if isinstance(item, PlaceRecord):
                    batch.append(item)
                    if len(batch) >= BATCH_SIZE:
                        flush()
                    continue
                flush()  # keep the input order
                if isinstance(item, Rejected):
                    merger.reject(
                        item.source_id, item.reason, name=item.name, line=item.line, problem=item.problem
                    )
                else:
                    merger.apply_entry(item)
                progress.advance(task)
            flush()
        finally:
            close = getattr(records, "close", None)
            if close is not None:
                close()  # a reader thread stops when writing failed
    # Flagging runs in a dry run too (it is rolled back), so the report shows what a real run would flag.
    report = merger.finish(flag_missing=options.flag_missing)
    report.dry_run = options.dry_run
    report.seconds = time.perf_counter() - start
    rolled_back = options.dry_run or (options.all_or_nothing and bool(report.rejects()))
    if rolled_back:
        session.rollback()
    else:
        session.commit()
    return report


def print_summary(report: ImportReport, console: Console, *, rows: bool = False) -> None:
    """Counts per category and outcome, time, rejects and values set aside."""
    counts = report.counts()
    table = Table(title=f"import {report.source} ({report.scope})", show_lines=False)
    table.add_column("category")
    for outcome in OUTCOMES:
        table.add_column(outcome, justify="right")
    for category, row in sorted(report.by_category().items()):
        table.add_row(category, *(str(row.get(o, 0) or "") for o in OUTCOMES))
    table.add_row("[bold]total", *(f"[bold]{counts.get(o, 0)}" for o in OUTCOMES))
    console.print(table)
    if rows:
        for o in report.outcomes:
            where = f"line {o.line}: " if o.line is not None else ""
            console.print(
                f"{where}{o.outcome} {o.name or o.source_id}" + (f" - {o.reason}" if o.reason else ""),
                markup=False,
            )
    else:
        for o in report.rejects():
            where = f"line {o.line}" if o.line is not None else o.source_id
            console.print(f"[red]rejected[/] {where} {o.name or ''}: {o.reason}")
    aside = report.problems()
    if aside:
        console.print(f"[yellow]{len(aside)} values set aside[/] (kept in source_link.raw):")
        for o, p in aside[:20]:
            console.print(f"  {o.source_id} {o.name}: {p.field} {p.value!r}: {p.reason}")
        if len(aside) > 20:
            console.print(f"  ... and {len(aside) - 20} more")
    state = "dry run, nothing written" if report.dry_run else "committed"
    console.print(f"{len(report.outcomes)} records in {report.seconds:.1f} s ({state})")
