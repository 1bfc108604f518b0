"""Entry point of the `wijkgram` command."""

from __future__ import annotations

import logging

import click

from cli.backup import backup, restore
from cli.db import db_group
from cli.geo import geo_group
from cli.importers import export_group, import_group
from cli.search import index_group
from cli.serve import demo, serve
from cli.users import user_group


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Log debug messages.")
def cli(verbose: bool) -> None:
    """wijkgram: the informal support around a person, on a map."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("alembic").setLevel(logging.DEBUG if verbose else logging.WARNING)


cli.add_command(db_group)
cli.add_command(serve)
cli.add_command(demo)
cli.add_command(backup)
cli.add_command(restore)
cli.add_command(user_group)
cli.add_command(geo_group)
cli.add_command(import_group)
cli.add_command(export_group)
cli.add_command(index_group)


def main() -> None:
    """Run the command line."""
    cli()
