"""Load the base map layers from an OpenStreetMap file with osm2pgsql (flex output, `style.lua`).

osm2pgsql writes into a staging schema of its own; when it succeeded, one
transaction replaces the schema `basemap` with it and bumps the 'base' tile
version (dropping the cached base tiles). So the tiles never see a half-loaded
base map, and a failed load changes nothing.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, make_url, text

from directory.errors import InvalidInputError, SetupError
from directory.services.tiles import bump_version

STYLE = Path(__file__).with_name("style.lua")
SCHEMA = "basemap"
#: The tables style.lua makes, one per tile layer.
TABLES = ("streets", "water", "waterways", "green", "buildings", "railways", "places")
INSTALL_HINT = "apt-get install osm2pgsql (Debian 12 has 1.8; scripts/setup.sh installs it)"

#: (stage, count) while osm2pgsql works: 'nodes', 'ways' or 'relations' read, then
#: 'sorting and indexing TABLE' with the table's number (1..7).
Progress = Callable[[str, int], None]

# osm2pgsql's progress line: "Processing: Node(36k 36.1k/s) Way(3k 3.43k/s) Relation(0 0.0/s)"
_PROGRESS = re.compile(r"Node\((\d+)k.*?Way\((\d+)k.*?Relation\((\d+)")
_TABLE_STEP = re.compile(r"Clustering table '(\w+)'")


@dataclass
class BasemapSummary:
    """What one base map import did."""

    source: str
    rows: dict[str, int] = field(default_factory=dict)
    version: int = 0
    seconds: float = 0.0
    osm2pgsql_seconds: float = 0.0


def osm2pgsql_binary() -> str:
    """The osm2pgsql program, or SetupError saying how to install it."""
    found = shutil.which("osm2pgsql")
    if found is None:
        raise SetupError(f"osm2pgsql is not installed; install it: {INSTALL_HINT}")
    return found


def _libpq(engine: Engine) -> tuple[str, dict[str, str]]:
    """A libpq connection string for osm2pgsql, and its environment (the password stays out of argv)."""
    url = make_url(engine.url)
    parts = {"dbname": url.database or ""}
    if url.host:
        parts["host"] = url.host
    if url.port:
        parts["port"] = str(url.port)
    if url.username:
        parts["user"] = url.username
    env = dict(os.environ)
    for key, value in url.query.items():
        single = value if isinstance(value, str) else value[-1]
        if key == "passfile":
            env["PGPASSFILE"] = single
        else:
            parts[key] = single
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    conninfo = " ".join(f"{key}='{value}'" for key, value in parts.items() if value)
    return conninfo, env


def _run_osm2pgsql(engine: Engine, path: Path, schema: str, progress: Progress | None) -> None:
    conninfo, env = _libpq(engine)
    env["WIJKGRAM_BASEMAP_SCHEMA"] = schema
    command = [
        osm2pgsql_binary(),
        "--create",
        "--output=flex",
        f"--style={STYLE}",
        "--number-processes=1",
        "--cache=256",
        f"--database={conninfo}",
        str(path),
    ]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert process.stdout is not None
    log: list[str] = []
    buffer = b""
    while chunk := process.stdout.read1(4096):  # type: ignore[attr-defined]
        buffer += chunk
        # Progress lines end with a carriage return, the others with a newline.
        *lines, buffer = re.split(rb"[\r\n]", buffer)
        for raw in lines:
            line = raw.decode("utf-8", "replace").strip()
            if not line:
                continue
            match = _PROGRESS.search(line)
            if match and progress is not None:
                nodes, ways, relations = (int(g) for g in match.groups())
                if relations:
                    progress("relations", relations)
                elif ways:
                    progress("ways", ways * 1000)
                else:
                    progress("nodes", nodes * 1000)
            elif not match:
                log.append(line)
                # "Clustering table 'streets' by geometry...": sorting and indexing, table by table.
                indexing = _TABLE_STEP.search(line)
                if indexing and progress is not None and indexing[1] in TABLES:
                    progress(f"sorting and indexing {indexing[1]}", TABLES.index(indexing[1]) + 1)
    if process.wait() != 0:
        tail = "\n".join(log[-8:])
        raise InvalidInputError(
            "FILE", f"osm2pgsql could not load {path.name}:\n{tail}", code="file_unreadable"
        )


def import_basemap(engine: Engine, path: Path, progress: Progress | None = None) -> BasemapSummary:
    """Load the base map layers from `path` and put them in place of the stored ones (all or nothing)."""
    if not path.is_file():
        raise InvalidInputError("FILE", f"{path} does not exist", code="file_missing")
    if not path.name.endswith((".pbf", ".osm", ".osm.gz", ".osm.bz2")):
        raise InvalidInputError(
            "FILE", f"{path.name}: expected an OpenStreetMap file (.osm.pbf, .osm)", code="file_type"
        )
    osm2pgsql_binary()
    start = time.perf_counter()
    staging = f"{SCHEMA}_load_{os.getpid()}"
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {staging} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {staging}"))
    try:
        _run_osm2pgsql(engine, path, staging, progress)
        loaded = time.perf_counter() - start
        summary = BasemapSummary(source=path.name, osm2pgsql_seconds=loaded)
        with engine.begin() as conn:
            for table in TABLES:
                conn.execute(text(f"ANALYZE {staging}.{table}"))
                summary.rows[table] = int(
                    conn.execute(text(f"SELECT count(*) FROM {staging}.{table}")).scalar_one()
                )
            conn.execute(
                text(
                    f"CREATE TABLE {staging}.source AS SELECT CAST(:name AS text) AS file, now() AS loaded_at"
                ),
                {"name": path.name},
            )
            conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
            conn.execute(text(f"ALTER SCHEMA {staging} RENAME TO {SCHEMA}"))
            summary.version = bump_version(conn, "base")
    finally:
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {staging} CASCADE"))
    summary.seconds = time.perf_counter() - start
    return summary


def basemap_source(engine: Engine) -> str | None:
    """The file the stored base map was loaded from, or None when there is none."""
    with engine.connect() as conn:
        if conn.execute(text(f"SELECT to_regclass('{SCHEMA}.source')")).scalar() is None:
            return None
        return conn.execute(text(f"SELECT file FROM {SCHEMA}.source")).scalar()
