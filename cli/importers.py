"""`wijkgram import ...` and `wijkgram export ...`: bring data in from sources, and HSDS out."""

from __future__ import annotations

import json
from pathlib import Path

import click

from cli.common import console, ensure_database, friendly_errors
from directory.db import session_scope
from geo.geocoding.base import Geocoder
from importers.geocode_osm import OsmAddressGeocoder
from importers.run import RunOptions, print_summary

DRY_RUN = click.option("--dry-run", is_flag=True, help="Show the report without writing anything.")
ALL_OR_NOTHING = click.option(
    "--all-or-nothing",
    is_flag=True,
    help="Write nothing when any record is rejected (default: skip bad rows).",
)
SCOPE = click.option(
    "--scope",
    help="Name of the dataset this run covers (default: the file name). Entries of this scope that the "
    "run does not see are flagged needs_review.",
)


@click.group("import")
def import_group() -> None:
    """Import places and activities from OpenStreetMap, partner lists, open data or HSDS."""


@import_group.command("osm")
@click.argument("file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--overpass", is_flag=True, help="Fetch from the Overpass API instead of a file (needs internet)."
)
@click.option(
    "--bbox", help="With --overpass: south,west,north,east in degrees, e.g. 52.365,4.893,52.377,4.910."
)
@click.option("--area", help="With --overpass: an area name, e.g. 'Amsterdam'.")
@click.option(
    "--overpass-url",
    default="https://overpass-api.de/api/interpreter",
    show_default=True,
    help="With --overpass: the API endpoint.",
)
@SCOPE
@DRY_RUN
@friendly_errors
def import_osm(
    file: Path | None,
    overpass: bool,
    bbox: str | None,
    area: str | None,
    overpass_url: str,
    scope: str | None,
    dry_run: bool,
) -> None:
    """Import places from an OpenStreetMap extract (FILE.osm.pbf) or from Overpass."""
    from importers.osm import import_osm_file
    from importers.osm.overpass import import_overpass

    if overpass == (file is not None):
        raise click.UsageError("give either FILE or --overpass (with --bbox or --area)")
    if overpass and not (bbox or area):
        raise click.UsageError("--overpass needs --bbox south,west,north,east or --area NAME")
    ensure_database()
    options = RunOptions(dry_run=dry_run)
    with session_scope() as session:
        if file is not None:
            report = import_osm_file(session, file, scope=scope, options=options, console=console)
        else:
            report = import_overpass(
                session, url=overpass_url, bbox=bbox, area=area, scope=scope, options=options, console=console
            )
    print_summary(report, console)
    if report.objects_read:
        console.print(f"{report.objects_read} OSM objects read")


@import_group.command("table")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--mapping",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="TOML or JSON file mapping column headers to fields (see docs/importers.md).",
)
@click.option(
    "--addresses",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="OSM file whose addr:* tags geocode rows without coordinates (offline).",
)
@click.option(
    "--report",
    "report_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: tables for people; json: one object with every row's outcome and every column's use.",
)
@SCOPE
@DRY_RUN
@ALL_OR_NOTHING
@friendly_errors
def import_table(
    file: Path,
    mapping: Path | None,
    addresses: Path | None,
    report_format: str,
    scope: str | None,
    dry_run: bool,
    all_or_nothing: bool,
) -> None:
    """Import a partner's list (CSV or XLSX, Dutch or English headers such as naam, adres, werkgebied)."""
    from importers.run import run_import
    from importers.table import TableReader, load_mapping, table_source
    from importers.table_files import UnreadableFile
    from importers.table_report import table_report
    from importers.vocabulary import Vocabulary

    try:
        mapped = load_mapping(mapping)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--mapping") from exc
    ensure_database()
    geocoder: Geocoder | None = OsmAddressGeocoder.from_file(addresses) if addresses else _default_geocoder()
    as_json = report_format == "json"
    with session_scope() as session:
        try:
            reader = TableReader(file, mapping=mapped, geocoder=geocoder, vocabulary=Vocabulary.load(session))
            items = list(reader)
        except UnreadableFile as exc:
            raise click.ClickException(f"{file.name}: {exc}") from exc
        report = run_import(
            session,
            items,
            source=table_source(file, mapped),
            scope=scope or file.name,
            options=RunOptions(dry_run=dry_run, all_or_nothing=all_or_nothing),
            total=len(items),
            console=None if as_json else console,
        )
    if as_json:
        data = table_report(report, reader.plan, reader.header_line)
        click.echo(json.dumps(data, ensure_ascii=False, indent=1))
    else:
        print_summary(report, console, rows=True)
        ignored = [h for h, target in reader.plan.report().items() if target == "ignored"]
        if ignored:
            console.print(f"columns ignored: {', '.join(ignored)}")
        if reader.header_line > 1:
            # The lines above the header (a title, notes) are not rows: say so, or they seem lost.
            console.print(f"header on line {reader.header_line}; the lines above it were read as a title")
    if all_or_nothing and report.rejects():
        raise click.ClickException(
            f"{len(report.rejects())} rows rejected; nothing was written (--all-or-nothing)"
        )


def _default_geocoder() -> Geocoder:
    """geo's geocoder (PDOK, then the offline address table), as for searches."""
    from directory.db import get_engine
    from directory.settings import get_settings
    from geo.geocoding.chain import make_geocoder

    return make_geocoder(get_engine(), get_settings().geo)


@import_group.command("repaircafes")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@SCOPE
@DRY_RUN
@friendly_errors
def import_repaircafes(file: Path, scope: str | None, dry_run: bool) -> None:
    """Import the Amsterdam repair-café list (cafes.json) with its schedules."""
    from importers.repaircafes import SOURCE, read_repaircafes
    from importers.run import run_import

    ensure_database()
    with session_scope() as session:
        items = list(read_repaircafes(file))
        report = run_import(
            session,
            items,
            source=SOURCE,
            scope=scope or file.name,
            options=RunOptions(dry_run=dry_run),
            total=len(items),
            console=console,
        )
    print_summary(report, console)


@import_group.command("amsterdam")
@click.option(
    "--dataset",
    "datasets",
    type=click.Choice(["voorzieningen", "sport", "gebieden"]),
    multiple=True,
    help="Which dataset(s); default all three (gebieden last, so new places get their buurt).",
)
@click.option(
    "--base-url", default="https://api.data.amsterdam.nl/v1", show_default=True, help="The API root (DSO v1)."
)
@DRY_RUN
@friendly_errors
def import_amsterdam_cmd(datasets: tuple[str, ...], base_url: str, dry_run: bool) -> None:
    """Import the City of Amsterdam's open data: facilities, sports providers and area codes (online)."""
    from importers.amsterdam import import_amsterdam

    ensure_database()
    for dataset in datasets or ("voorzieningen", "sport", "gebieden"):
        with session_scope() as session:
            report = import_amsterdam(
                session, dataset, base_url=base_url, options=RunOptions(dry_run=dry_run), console=console
            )
        print_summary(report, console)


@import_group.command("hsds")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@SCOPE
@DRY_RUN
@friendly_errors
def import_hsds(folder: Path, scope: str | None, dry_run: bool) -> None:
    """Import Open Referral HSDS 3.0 data: a tabular package (datapackage.json + CSV), API JSON
    (service objects, e.g. service_list.json) or wijkgram's older JSON layout (docs/importers.md)."""
    from sqlalchemy import select

    from directory.models import TaxonomyTerm
    from importers.hsds import read_hsds
    from importers.run import run_import

    ensure_database()
    with session_scope() as session:
        groups = set(
            session.scalars(select(TaxonomyTerm.code).where(TaxonomyTerm.vocabulary == "target_group"))
        )
        try:
            items = list(read_hsds(folder, groups))
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="FOLDER") from exc
        report = run_import(
            session,
            items,
            source="hsds",
            scope=scope or folder.name,
            options=RunOptions(dry_run=dry_run),
            total=len(items),
            console=console,
        )
    print_summary(report, console)


@click.group("export")
def export_group() -> None:
    """Export the directory for other systems."""


@export_group.command("hsds")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--json",
    "api",
    is_flag=True,
    help="Also write the HSDS API form: service_list.json and the other *_list.json pages.",
)
@friendly_errors
def export_hsds_cmd(folder: Path, api: bool) -> None:
    """Write the whole directory as the official HSDS 3.0 tabular package (datapackage.json and
    one CSV per resource) into FOLDER."""
    from importers.hsds import export_hsds

    ensure_database()
    with session_scope() as session:
        counts = export_hsds(session, folder, api=api)
    written = ", ".join(f"{n} {table}" for table, n in counts.items() if n)
    console.print(f"{written} written to {folder}", soft_wrap=True)
