"""A real multi-worker server keeps answering after a burst at start-up and after clients hang up.

Before the per-request transaction moved off the event loop, a burst arriving the
moment the server answered /health left the next single request waiting 12-34 s:
blocking database steps ran on the event loop, so a worker waiting for a pooled
connection could not run the clean-ups that give connections back.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import Engine

from tests.live_server import live_server

#: Far above a normal answer (tens of ms) and far below the stalls seen (12-34 s).
NORMAL_S = 3.0
BURST = 50
#: More clients than a worker has threads and pooled connections together.
BIG_BURST = 120
READS = [
    "/api/v1/search?q=buurthuis",
    "/api/v1/search?q=eten&near=52.372,4.900&radius=1500",
    "/api/v1/locations?near=52.372,4.900&radius_m=1000",
    "/api/v1/locations?page_size=50",
    "/api/v1/taxonomy",
    "/kaart",
    "/health",
]


@pytest.fixture
def server(demo_db: Engine, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The app with two workers on the demo database; yields its URL the moment /health answers."""
    log = tmp_path / "server.log"
    with live_server(demo_db.url.render_as_string(hide_password=False), workers=2, log_file=log) as base:
        yield base, log


async def _burst(base: str, rounds: int, clients: int = BURST) -> tuple[list[int], list[str]]:
    """`clients` at once, each sending `rounds` reads; their status codes and transport failures."""
    codes: list[int] = []
    failures: list[str] = []
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:

        async def one_client(n: int) -> None:
            for i in range(rounds):
                path = READS[(n + i) % len(READS)]
                try:
                    codes.append((await client.get(path)).status_code)
                except httpx.TransportError as exc:
                    failures.append(f"{path}: {type(exc).__name__} {exc}")

        await asyncio.gather(*(one_client(n) for n in range(clients)))
    return codes, failures


def _run_burst(base: str, rounds: int, clients: int = BURST) -> tuple[list[int], list[str]]:
    """Run `_burst` on an event loop of its own thread (the browser tests leave one running here)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, _burst(base, rounds, clients)).result()


def _timed_get(base: str, path: str) -> float:
    start = time.perf_counter()
    response = httpx.get(base + path, timeout=60)
    assert response.status_code == 200
    return time.perf_counter() - start


def _hang_up(base: str, path: str, *, partial: bool) -> None:
    """Send a request (or half of one) and close the connection without reading the answer."""
    url = urlsplit(base)
    with socket.create_connection((url.hostname or "127.0.0.1", url.port or 80), timeout=5) as sock:
        request = f"GET {path} HTTP/1.1\r\nHost: {url.netloc}\r\n"
        sock.sendall(request.encode() if partial else (request + "\r\n").encode())


@pytest.mark.timeout(300)
def test_burst_at_start_and_hung_up_clients_leave_the_server_answering_in_normal_time(
    server: tuple[str, Path],
) -> None:
    base, log = server
    codes, failures = _run_burst(base, rounds=4)
    assert not failures, f"{len(failures)} requests failed: {failures[:5]}\n{_tail(log)}"
    assert all(code in (200, 503) for code in codes), sorted(set(codes))
    assert codes.count(200) >= len(codes) * 0.9, f"{codes.count(503)} busy answers of {len(codes)}"
    waits = [_timed_get(base, path) for path in ("/api/v1/locations?page_size=5", "/api/v1/search?q=kerk")]
    assert max(waits) < NORMAL_S, f"the next requests waited {waits} s after the burst\n{_tail(log)}"

    for n in range(BURST):
        _hang_up(base, READS[n % len(READS)], partial=n % 5 == 0)
    # The requests of the hung-up clients finish in the background; none may keep a connection.
    time.sleep(1)
    waits = [_timed_get(base, "/api/v1/locations?page_size=5") for _ in range(3)]
    assert max(waits) < NORMAL_S, f"requests waited {waits} s after {BURST} clients hung up\n{_tail(log)}"
    codes, failures = _run_burst(base, rounds=1, clients=BIG_BURST)
    assert not failures and codes.count(200) == len(codes), (sorted(set(codes)), failures[:5])
    assert "no database connection free" not in log.read_text()


def _tail(log: Path) -> str:
    return "server log:\n" + "\n".join(log.read_text().splitlines()[-30:])
