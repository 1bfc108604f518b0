"""Login throttling attacked over real HTTP (uvicorn on loopback, several source addresses).

Linux answers on all of 127.0.0.0/8, so a client bound to 127.0.0.2 and one bound to
127.0.0.3 are two different machines as far as the server can tell.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, text

from tests.live_server import live_server
from tests.web.conftest import PASSWORDS


def _client(base: str, source: str) -> httpx.Client:
    return httpx.Client(
        base_url=base, transport=httpx.HTTPTransport(local_address=source), timeout=30, follow_redirects=False
    )


def _login(client: httpx.Client, username: str, password: str, headers: dict[str, str] | None = None) -> int:
    page = client.get("/inloggen")
    match = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
    assert match, "no CSRF field on the login page"
    data = {"username": username, "password": password, "_csrf_token": match[1]}
    return client.post("/inloggen", data=data, headers=headers or {}).status_code


@pytest.fixture(scope="module")
def shared_server(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """uvicorn with two workers, started once for the module (each start imports the app twice)."""
    log = tmp_path_factory.mktemp("throttle") / "server.log"
    with live_server(database_url, workers=2, log_file=log) as base:
        yield base


@pytest.fixture
def server(demo_db: Engine, shared_server: str) -> str:
    """The shared server on a freshly loaded demo: every count it keeps is in the database
    (login_throttle, emptied with the entries), and a new client brings new cookies, so no
    test sees another's tries."""
    return shared_server


def test_attacker_cannot_lock_the_owner_out_from_elsewhere(server: str) -> None:
    with _client(server, "127.0.0.2") as attacker, _client(server, "127.0.0.3") as owner:
        for _ in range(5):
            assert _login(attacker, "bram", "guessed wrong 1") == 401
        assert _login(attacker, "bram", PASSWORDS["bram"]) == 429, "the attacker's address is throttled"
        assert _login(owner, "bram", PASSWORDS["bram"]) == 303, "the owner logs in from her own machine"


def test_a_new_x_forwarded_for_per_try_changes_nothing(server: str) -> None:
    with _client(server, "127.0.0.2") as attacker:
        codes = [
            _login(attacker, "bram", "guessed wrong 2", {"X-Forwarded-For": f"203.0.113.{i}"})
            for i in range(8)
        ]
    assert codes == [401] * 5 + [429] * 3, codes


def test_forwarded_for_is_believed_from_the_configured_proxy_only(
    demo_db: Engine, database_url: str, tmp_path: Path
) -> None:
    log = tmp_path / "server.log"
    with (
        live_server(database_url, log_file=log, forwarded_allow_ips="127.0.0.4") as base,
        _client(base, "127.0.0.4") as proxy,
    ):
        for _ in range(5):
            assert _login(proxy, "bram", "wrong again 3", {"X-Forwarded-For": "198.51.100.7"}) == 401
        assert _login(proxy, "bram", PASSWORDS["bram"], {"X-Forwarded-For": "198.51.100.7"}) == 429
        owner = _login(proxy, "bram", PASSWORDS["bram"], {"X-Forwarded-For": "198.51.100.8"})
        assert owner == 303, "behind the proxy, each client is counted on its own"


def test_concurrent_tries_do_not_beat_the_count(server: str, demo_db: Engine) -> None:
    """Twelve wrong passwords at once, over two workers: five are checked, the rest refused."""
    codes: list[int] = []
    lock = threading.Lock()

    def one_try() -> None:
        with _client(server, "127.0.0.5") as client:
            code = _login(client, "ada", "concurrent wrong 4")
        with lock:
            codes.append(code)

    threads = [threading.Thread(target=one_try) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) == [401] * 5 + [429] * 7, codes


def test_throttle_rows_expire_and_are_removed(demo_db: Engine) -> None:
    from web.accounts.ratelimit import LoginRateLimiter

    limiter = LoginRateLimiter(demo_db)
    for i in range(50):
        assert limiter.attempt(f"user{i}", "192.0.2.1" if i < 20 else f"192.0.2.{i}") is None or i >= 20
    with demo_db.begin() as conn:
        assert conn.execute(text("SELECT count(*) FROM login_throttle")).scalar_one() > 20
        conn.execute(text("UPDATE login_throttle SET expires_at = now() - interval '1 second'"))
    assert limiter.attempt("someone", "192.0.2.200") is None
    with demo_db.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM login_throttle")).scalar_one() == 2, (
            "expired rows are deleted: only the new try's two rows are left"
        )
        keys = conn.execute(text("SELECT key FROM login_throttle")).scalars().all()
    assert all(re.fullmatch(r"[0-9a-f]{64}", key) for key in keys), "neither names nor addresses in the clear"


def test_a_right_password_is_taken_back_from_the_address_count(demo_db: Engine) -> None:
    from web.accounts.ratelimit import LoginRateLimiter

    limiter = LoginRateLimiter(demo_db, per_client=3)
    for _ in range(10):  # an office's logins behind one address: all good passwords
        assert limiter.attempt("vera", "192.0.2.9") is None
        limiter.succeeded("vera", "192.0.2.9")
    refused = [limiter.attempt(f"x{i}", "192.0.2.9") for i in range(4)]
    assert refused[:3] == [None, None, None] and refused[3] is not None
    assert 0 < refused[3].retry_after_s <= 15 * 60


def test_anonymous_callers_learn_no_versions(server: str) -> None:
    """Over real HTTP (uvicorn as `wijkgram serve` runs it): no server header, no versions."""
    response = httpx.get(f"{server}/health", timeout=30)
    assert response.status_code == 200
    assert "server" not in response.headers, response.headers.get("server")
    assert response.json() == {"status": "ok"}
