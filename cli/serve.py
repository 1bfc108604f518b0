"""`wijkgram serve` and `wijkgram demo`."""

from __future__ import annotations

import click
import uvicorn

from cli.common import console, ensure_database, friendly_errors
from directory.db import get_engine, session_scope
from directory.demo import load_demo
from directory.settings import get_settings
from geo.demo import prepare_demo_geo


def proxy_options(forwarded_allow_ips: str) -> dict[str, object]:
    """uvicorn's proxy options: believe X-Forwarded-* only from the proxies named (default none).

    uvicorn on its own believes them from 127.0.0.1, so anything on the same machine
    (or a proxy forwarding whatever the client sent) could pick its own address.
    """
    trusted = forwarded_allow_ips.strip()
    return {"proxy_headers": bool(trusted), "forwarded_allow_ips": trusted or None}


#: Seconds uvicorn's supervisor waits for a worker to answer its health check before it kills
#: the worker. Its default of 5 s killed a worker warming up its search arrays at 100,000
#: entries on a busy 2-core machine, in the middle of requests (docs/reliability.md).
WORKER_HEALTHCHECK_S = 60


def _serve(host: str, port: int, workers: int, reload: bool) -> None:
    console.print(f"wijkgram serves on [bold]http://{host}:{port}[/]")
    uvicorn.run(
        "web.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        reload=reload,
        log_level="info",
        # Access logs hold query strings, and a query string may hold a
        # client's address: we never log them.
        access_log=False,
        # No "server: uvicorn" header: anonymous callers need not learn what we run.
        server_header=False,
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_S,
        **proxy_options(get_settings().web.forwarded_allow_ips),  # type: ignore[arg-type]
    )


HOST = click.option(
    "--host", default=lambda: get_settings().web.host, show_default="127.0.0.1", help="Address to listen on."
)
PORT = click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=lambda: get_settings().web.port,
    show_default="8000",
    help="Port to listen on.",
)
WORKERS = click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Worker processes sharing the database.",
)


@click.command("serve")
@HOST
@PORT
@WORKERS
@click.option("--reload", is_flag=True, help="Restart on code changes (development).")
@friendly_errors
def serve(host: str, port: int, workers: int, reload: bool) -> None:
    """Serve the web app and JSON API (starts the embedded database and migrates first)."""
    ensure_database()
    _serve(host, port, workers, reload)


def _import_demo_osm() -> None:
    """Import the shipped OSM cut (real places, ODbL) through the OSM importer; idempotent."""
    from directory.demo import DEMO_DIR
    from importers.osm import import_osm_file

    with session_scope() as session:
        report = import_osm_file(
            session, DEMO_DIR / "centrum-cut.osm.pbf", scope="demo:centrum-cut", console=console
        )
    counts = report.counts()
    console.print(
        "demo places from OpenStreetMap (© OpenStreetMap contributors, ODbL): "
        + ", ".join(f"{counts[o]} {o}" for o in ("created", "updated", "unchanged") if counts[o])
        + f" in {report.seconds:.1f} s"
    )


def _import_demo_partner_list() -> None:
    """Import the shipped list of offers without a venue (served by area) through the table importer."""
    from directory.demo import DEMO_DIR
    from importers.run import run_import
    from importers.table import Mapping_, TableReader
    from importers.vocabulary import Vocabulary

    path = DEMO_DIR / "aanbod-zonder-adres.csv"
    with session_scope() as session:
        reader = TableReader(
            path, mapping=Mapping_(source="demo:aanbod"), vocabulary=Vocabulary.load(session)
        )
        report = run_import(session, list(reader), source="demo:aanbod", scope=path.name)
    counts = report.counts()
    console.print(
        "demo offers without a venue: "
        + ", ".join(f"{counts[o]} {o}" for o in ("created", "updated", "unchanged") if counts[o])
    )


@click.command("demo")
@HOST
@PORT
@click.option(
    "--serve/--no-serve", "then_serve", default=True, show_default=True, help="Serve the app after loading."
)
@friendly_errors
def demo(host: str, port: int, then_serve: bool) -> None:
    """Load the demo data shipped with wijkgram (idempotent), then serve."""
    ensure_database()
    # Streets, addresses and (with ../shared) boundaries first: the boundary
    # trigger then gives every demo place its stadsdeel/wijk/buurt as it is saved.
    prepare_demo_geo(get_engine(), console, get_settings().data.shared_dir / "boundaries")
    with session_scope() as session:
        summary = load_demo(session, progress=console)
    console.print(f"demo data: {summary}")
    _import_demo_osm()
    _import_demo_partner_list()
    if then_serve:
        _serve(host, port, 1, False)
