"""The servers a benchmark runs against, each started by a context manager that stops it again.

A benchmark that fails halfway (a server that does not come up, a timing that raises,
Ctrl-C) leaves nothing running behind it: every server is stopped on the way out of
its `with`, the last started first, and one that does not stop within seconds is killed.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
from sqlalchemy import make_url

from directory.db.cluster import EmbeddedCluster
from directory.db.url import normalise_url
from directory.settings import REPO_ROOT
from tests.live_server import free_port, uvicorn_command
from tests.search.conftest import MEILI_BIN, MeiliServer

#: Where the benchmarks keep their data between runs (a private cluster, Meilisearch's data).
BENCH_DIR = REPO_ROOT / "var" / "bench"
__all__ = ["BENCH_DIR", "MEILI_BIN", "bench_database", "engine_apis", "meilisearch", "wait_http"]

#: The engines an API server can be started for.
ENGINES = ("meilisearch", "postgresql")


def wait_http(url: str, seconds: float = 60) -> None:
    """Wait until a URL answers 200."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


@contextmanager
def bench_database(name: str) -> Iterator[tuple[str, str]]:
    """The admin and the benchmark database's URLs: on DATABASE_URL's server, else on a private
    cluster in var/bench/pg, which is stopped after (a server of DATABASE_URL is not ours to stop).
    """
    if os.environ.get("DATABASE_URL"):
        admin = str(make_url(normalise_url(os.environ["DATABASE_URL"])).set(database="postgres"))
        yield admin, str(make_url(admin).set(database=name))
        return
    cluster = EmbeddedCluster(BENCH_DIR / "pg")
    cluster.start()
    try:
        yield cluster.url("postgres"), cluster.url(name)
    finally:
        cluster.stop()


@contextmanager
def meilisearch(data_dir: Path, key: str | None = None) -> Iterator[MeiliServer]:
    """Meilisearch on a free loopback port over the data in `data_dir`, with this master key (or a
    new one); yields the server (its `url` and `key`).
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    server = MeiliServer(data_dir) if key is None else MeiliServer(data_dir, key=key)
    try:
        server.start()
        yield server
    finally:
        server.stop()


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def engine_apis(database_url: str, meili_url: str, key: str) -> Iterator[dict[str, int]]:
    """One API server (uvicorn, one worker) per search engine on `database_url`; yields their ports
    by engine. The PostgreSQL one has no Meilisearch URL, so it answers with PostgreSQL alone.
    """
    with ExitStack() as stack:
        ports = {}
        for engine_name in ENGINES:
            port = free_port()
            env = {**os.environ, "DATABASE_URL": database_url, "WIJKGRAM_DB_POOL_SIZE": "4"}
            env["MEILI_URL"] = meili_url if engine_name == "meilisearch" else ""
            env["MEILI_MASTER_KEY"] = key
            env["MEILI_INDEX"] = "entries"
            process = subprocess.Popen(
                uvicorn_command(port, extra=["--log-level", "warning"]), env=env, cwd=REPO_ROOT
            )
            stack.callback(_stop, process)
            ports[engine_name] = port
        for port in ports.values():
            wait_http(f"http://127.0.0.1:{port}/health")
        yield ports
