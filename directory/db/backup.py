"""Backups with pg_dump / pg_restore, for the embedded cluster and for DATABASE_URL alike."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import make_url

from directory.db.cluster import find_pg_bin
from directory.errors import SetupError, WijkgramError


@dataclass(frozen=True)
class BackupResult:
    """What a backup or restore did."""

    path: Path
    size_bytes: int


def _tool(name: str) -> str:
    """pg_dump/pg_restore of the server's major version when we can find it."""
    try:
        candidate = find_pg_bin() / name
        if candidate.is_file():
            return str(candidate)
    except SetupError:
        pass
    found = shutil.which(name)
    if not found:
        raise SetupError(f"{name} not found. Install: apt-get install postgresql-client-15")
    return found


def _libpq_args(url: str) -> tuple[list[str], dict[str, str]]:
    """Connection arguments for the command-line tools; the password goes in the environment."""
    parsed = make_url(url)
    args = ["--dbname", parsed.database or "postgres"]
    host = parsed.query.get("host") or parsed.host
    if isinstance(host, tuple):
        host = host[0]
    if host:
        args += ["--host", str(host)]
    if parsed.port:
        args += ["--port", str(parsed.port)]
    if parsed.username:
        args += ["--username", parsed.username]
    env = {"PGPASSWORD": parsed.password} if parsed.password else {}
    passfile = parsed.query.get("passfile")  # the embedded cluster's password file
    if passfile:
        env["PGPASSFILE"] = str(passfile if isinstance(passfile, str) else passfile[0])
    return args, env


def _run(args: list[str], env: dict[str, str], what: str) -> None:
    import os

    result = subprocess.run(args, capture_output=True, text=True, env={**os.environ, **env})
    if result.returncode != 0:
        raise WijkgramError(f"{what} failed: {result.stderr.strip()[-2000:]}")


def backup(url: str, path: Path) -> BackupResult:
    """Dump the whole database (schema, entries, revisions, outbox) to one file."""
    args, env = _libpq_args(url)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".partial")
    _run([_tool("pg_dump"), *args, "--format=custom", "--no-owner", "--file", str(tmp)], env, "pg_dump")
    # Only a complete dump takes the final name, so a killed backup never looks done.
    tmp.replace(path)
    return BackupResult(path, path.stat().st_size)


def restore(url: str, path: Path) -> BackupResult:
    """Replace the database's contents with a dump, in one transaction (all or nothing).

    Extensions (PostGIS, pg_trgm, ...) are left in place: dropping and
    recreating them would change their internal ids under every open
    connection, and PostGIS caches those per connection.
    """
    if not path.is_file():
        raise WijkgramError(f"no backup file at {path}")
    args, env = _libpq_args(url)
    listing = subprocess.run([_tool("pg_restore"), "--list", str(path)], capture_output=True, text=True)
    if listing.returncode != 0:
        raise WijkgramError(f"pg_restore failed: {listing.stderr.strip()[-2000:]}")
    keep = [line for line in listing.stdout.splitlines() if " EXTENSION " not in line]
    with tempfile.NamedTemporaryFile("w", suffix=".list", delete=False) as handle:
        handle.write("\n".join(keep) + "\n")
        list_file = Path(handle.name)
    try:
        _run(
            [
                _tool("pg_restore"),
                *args,
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                "--use-list",
                str(list_file),
                str(path),
            ],
            env,
            "pg_restore",
        )
    finally:
        list_file.unlink(missing_ok=True)
    return BackupResult(path, path.stat().st_size)
