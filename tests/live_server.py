"""Run the real app under uvicorn on a free loopback port, for tests that need HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx

from cli.serve import WORKER_HEALTHCHECK_S


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def uvicorn_command(port: int, *, workers: int = 1, extra: Sequence[str] = ()) -> list[str]:
    """uvicorn serving the app factory on 127.0.0.1:`port` with no access log and no server header.

    Access logs would hold query strings (a client's address may be in one), as in `wijkgram serve`.
    """
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "web.app:create_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--no-access-log",
        "--no-server-header",
        "--timeout-worker-healthcheck",
        str(WORKER_HEALTHCHECK_S),
        *extra,
    ]


@contextmanager
def live_server(
    database_url: str, *, workers: int = 1, log_file: Path | None = None, forwarded_allow_ips: str = ""
) -> Iterator[str]:
    """Serve wijkgram on the given database; yields the base URL, stops the server after.

    uvicorn gets the proxy and header options `wijkgram serve` gives it (cli/serve.py).
    """
    from cli.serve import proxy_options

    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "LITESTAR_WARN_IMPLICIT_SYNC_TO_THREAD": "0"}
    proxy = proxy_options(forwarded_allow_ips)
    proxy_args = (
        ["--proxy-headers", "--forwarded-allow-ips", str(proxy["forwarded_allow_ips"])]
        if proxy["proxy_headers"]
        else ["--no-proxy-headers"]
    )
    out = log_file.open("w") if log_file else subprocess.DEVNULL
    process = subprocess.Popen(
        uvicorn_command(port, workers=workers, extra=proxy_args),
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90  # a busy 2-core machine needs a while to import the app
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the app did not start (exit {process.poll()})")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        if log_file and not isinstance(out, int):
            out.close()
