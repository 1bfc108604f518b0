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
@click.option(
    "--buurten",
    "buurten_file",
    metavar="FILE",
    help="The buurten GeoJSON in FOLDER (default: the one amsterdam-buurten-YEAR.geojson).",
)
@click.option(
    "--code-property",
    default="code",
    show_default=True,
    metavar="NAME",
    help="Property holding a buurt's code (CBS files: buurtcode).",
)
@click.option(
    "--name-property",
    default="naam",
    show_default=True,
    metavar="NAME",
    help="Property holding a buurt's name (CBS files: buurtnaam).",
)
@click.option(
    "--wijk-property",
    metavar="NAME",
    help="Property holding the buurt's wijk code (CBS files: wijkcode). Without it, wijk and "
    "stadsdeel come from Amsterdam-style codes (AF05 lies in wijk AF in stadsdeel A).",
)
@click.option(
    "--stadsdeel-property",
    metavar="NAME",
    help="Property holding the buurt's stadsdeel or district code, with --wijk-property.",
)
@click.option(
    "--year",
    type=click.IntRange(1900, 2100),
    metavar="YYYY",
    help="The data set's year (default: the year in the file name).",
)
@friendly_errors
def import_boundaries_cmd(
    folder: Path,
    buurten_file: str | None,
    code_property: str,
    name_property: str,
    wijk_property: str | None,
    stadsdeel_property: str | None,
    year: int | None,
) -> None:
    """Replace stadsdelen, wijken and buurten with those in FOLDER (../shared/data/boundaries).

    The levels in the files replace the stored ones in one transaction (vintages never pile up)
    and every location gets its codes again; a folder that yields no area is refused, changing nothing.
    """
    from geo.boundaries import BoundaryMapping
    from geo.build import build_boundaries

    mapping = BoundaryMapping(
        buurten_file=buurten_file,
        code_property=code_property,
        name_property=name_property,
        wijk_property=wijk_property,
        stadsdeel_property=stadsdeel_property,
    )
    ensure_database()
    start = time.perf_counter()
    with console.status("importing boundaries"):
        summary = build_boundaries(get_engine(), folder, mapping, year)
    replaced = sum(summary.replaced.values())
    console.print(
        f"[green]boundaries[/] from {summary.source} ({summary.vintage or 'year unknown'}): "
        f"{summary.stadsdelen} stadsdelen, {summary.wijken} wijken, {summary.buurten} buurten "
        f"(replacing {replaced} stored areas); "
        f"{summary.locations_changed} locations got new codes, in {time.perf_counter() - start:.1f} s"
    )
    for problem in summary.problems:
        console.print(f"[yellow]note:[/] {problem}")


@geo_group.command("import-basemap")
@FILE
@friendly_errors
def import_basemap_cmd(file: Path) -> None:
    """Load the base map (streets, water, green, buildings, railways, places) from an OSM FILE.

    Runs osm2pgsql (flex output, geo/basemap/style.lua) into a staging schema and swaps it in
    for the schema `basemap` in one transaction, so the map tiles never see half a base map;
    the cached base tiles are dropped. Needs osm2pgsql (apt-get install osm2pgsql).
    """
    from geo.basemap.load import TABLES, import_basemap

    ensure_database()

    def said(stage: str, n: int) -> str:
        return f"{stage} ({n}/{len(TABLES)})" if stage.startswith("sorting") else f"{n:,} {stage} read"

    with Progress(SpinnerColumn(), TextColumn("osm2pgsql: {task.fields[what]}"), TimeElapsedColumn(),
                  console=console, transient=True) as progress:  # fmt: skip
        task = progress.add_task("load", what="starting")
        summary = import_basemap(
            get_engine(), file, lambda stage, n: progress.update(task, what=said(stage, n))
        )
    rows = ", ".join(f"{count:,} {table}" for table, count in summary.rows.items())
    console.print(
        f"[green]base map[/] from {summary.source}: {rows}; osm2pgsql {summary.osm2pgsql_seconds:.1f} s, "
        f"in all {summary.seconds:.1f} s; base tiles now version {summary.version}"
    )


@geo_group.command("prepare-demo")
@friendly_errors
def prepare_demo_cmd() -> None:
    """Build network, addresses and base map from the demo cuts shipped with wijkgram, unless built."""
    from directory.settings import get_settings
    from geo.demo import prepare_demo_geo

    ensure_database()
    prepare_demo_geo(get_engine(), console, get_settings().data.shared_dir / "boundaries")
