"""`wijkgram geo ...`: build the street network, the offline address table and the area boundaries."""

from __future__ import annotations

import time
from pathlib import Path

import click
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from cli.common import console, ensure_database, friendly_errors
from directory.db import get_engine

FILE = click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))


def _progress(label: str) -> Progress:
    return Progress(SpinnerColumn(), TextColumn(label + " {task.fields[count]:,}"), TimeElapsedColumn(),
                    console=console, transient=True)  # fmt: skip


@click.group("geo")
def geo_group() -> None:
    """Street network, offline geocoding and area boundaries."""


@geo_group.command("build-network")
@FILE
@friendly_errors
def build_network_cmd(file: Path) -> None:
    """Build the pedestrian network from an OpenStreetMap FILE (.osm.pbf), replacing the stored one."""
    from geo.build import build_network

    ensure_database()
    with _progress("reading OSM objects") as progress:
        task = progress.add_task("read", count=0)
        summary = build_network(get_engine(), file, lambda n: progress.update(task, count=n))
    console.print(
        f"[green]network built[/] from {summary.source}: {summary.ways:,} ways "
        f"({summary.ferries} ferries) -> {summary.nodes:,} nodes, {summary.edges:,} edges, "
        f"{summary.length_km:,.1f} km in {summary.seconds:.1f} s"
    )
    for problem in summary.problems:
        console.print(f"[yellow]note:[/] {problem}")


@geo_group.command("build-addresses")
@FILE
@friendly_errors
def build_addresses_cmd(file: Path) -> None:
    """Add the addresses (addr:*) of an OpenStreetMap FILE to the offline geocoding table (idempotent)."""
    from geo.build import build_addresses

    ensure_database()
    start = time.perf_counter()
    with _progress("reading addresses") as progress:
        task = progress.add_task("read", count=0)
        inserted, updated = build_addresses(get_engine(), file, lambda n: progress.update(task, count=n))
    console.print(
        f"[green]addresses[/] from {file.name}: {inserted:,} new, {updated:,} updated "
        f"in {time.perf_counter() - start:.1f} s"
    )


@geo_group.command("import-boundaries")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@friendly_errors
def import_boundaries_cmd(folder: Path) -> None:
    """Import stadsdelen, wijken and buurten from FOLDER (../shared/data/boundaries); assign locations."""
    from geo.build import build_boundaries

    ensure_database()
    start = time.perf_counter()
    with console.status("importing boundaries"):
        summary = build_boundaries(get_engine(), folder)
    console.print(
        f"[green]boundaries[/]: {summary.stadsdelen} stadsdelen, {summary.wijken} wijken, "
        f"{summary.buurten} buurten; "
        f"{summary.locations_changed} locations got new codes, in {time.perf_counter() - start:.1f} s"
    )
    for problem in summary.problems or []:
        console.print(f"[yellow]note:[/] {problem}")


@geo_group.command("prepare-demo")
@friendly_errors
def prepare_demo_cmd() -> None:
    """Build network and addresses from the demo cut shipped with wijkgram, unless already built."""
    from directory.settings import get_settings
    from geo.demo import prepare_demo_geo

    ensure_database()
    prepare_demo_geo(get_engine(), console, get_settings().data.shared_dir / "boundaries")
