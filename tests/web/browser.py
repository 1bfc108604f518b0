"""Serve the app with uvicorn on a free loopback port and drive it with headless Chromium."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn
from sqlalchemy import Engine

from tests.web.conftest import PASSWORDS

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(engine: Engine, **app_options: Any) -> Iterator[str]:
    """Run the app in a thread (access log off, as in production); yields its base URL."""
    from web.app import create_app

    port = free_port()
    config = uvicorn.Config(
        create_app(engine, **app_options),
        host="127.0.0.1",
        port=port,
        log_level="debug",
        access_log=False,
        # No logging config of its own: uvicorn's records then reach pytest's caplog, which the
        # privacy tests search for the searched address.
        log_config=None,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start within 20 s")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def open_page(chromium: Any, width: int, **options: Any) -> Any:
    """A page in a fresh context (own cookies) at a width; a phone at 390 px."""
    phone = width < 500
    context = chromium.new_context(
        viewport={"width": width, "height": 844 if phone else 900},
        is_mobile=phone,
        has_touch=phone,
        **options,
    )
    return context.new_page()


def log_in(page: Any, base: str, username: str) -> None:
    """Log in through the form."""
    page.goto(f"{base}/inloggen")
    page.fill("#username", username)
    page.fill("#password", PASSWORDS[username])
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/")


def sideways(page: Any) -> int:
    """How many pixels the page scrolls sideways (0 on a page that fits)."""
    return int(page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth"))


def words(page: Any, selector: str) -> str:
    """The text a person reads in an element, with no-break spaces ('€\xa03,50') as spaces."""
    return str(page.locator(selector).inner_text()).replace("\xa0", " ")


def close(page: Any) -> None:
    """Close a page's context (and so the page)."""
    page.context.close()
