"""Login throttling: failed tries per (account, client) and per client, counted in PostgreSQL.

Why this shape:
- Per (account, client), not per account: five wrong passwords from one address
  must not lock the owner out when she logs in from her own computer (an attacker
  who knows a broker's name could otherwise keep every broker locked out).
- Per client as well, across accounts: one address cannot try one password on
  every account.
- Counted before the password is checked, in one atomic upsert: ten concurrent
  tries get the numbers 1..10, and only the first five are checked. A try that
  turns out right is taken back.
- In the database, not in a worker's memory: every worker shares one count, and
  rows carry their expiry and are deleted once it passed, so the store stays small.
- "Client" is the peer address uvicorn reports. It only believes X-Forwarded-For
  from the proxies named in WIJKGRAM_FORWARDED_ALLOW_IPS (default: none).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine, text

_COUNT = text(
    """
    INSERT INTO login_throttle AS t (key, attempts, expires_at)
    VALUES (:key, 1, now() + make_interval(secs => :window))
    ON CONFLICT (key) DO UPDATE SET
        attempts = CASE WHEN t.expires_at <= now() THEN 1 ELSE t.attempts + 1 END,
        expires_at = CASE WHEN t.expires_at <= now() THEN EXCLUDED.expires_at ELSE t.expires_at END
    RETURNING attempts, GREATEST(EXTRACT(EPOCH FROM expires_at - now()), 1)
    """
)

_PRUNE = text(
    """
    DELETE FROM login_throttle WHERE key IN (
        SELECT key FROM login_throttle WHERE expires_at <= now() FOR UPDATE SKIP LOCKED
    )
    """
)


@dataclass(frozen=True)
class Refused:
    """A login not even checked: too many recent tries; `retry_after_s` until the next may."""

    retry_after_s: int


def _key(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


@dataclass
class LoginRateLimiter:
    """Counts login tries in the `login_throttle` table (see the module's docstring)."""

    engine: Engine
    per_account_client: int = 5
    per_client: int = 20
    window: timedelta = timedelta(minutes=15)

    def _keys(self, username: str, client: str) -> tuple[str, str]:
        account = username.strip().lower()
        return _key("client", client), _key("account+client", account, client)

    def attempt(self, username: str, client: str) -> Refused | None:
        """Count one try before checking its password; a `Refused` means: do not check it."""
        client_key, pair_key = self._keys(username, client)
        window = self.window.total_seconds()
        with self.engine.begin() as conn:
            # Expired rows go on the way, so the table only holds the last window's tries. In
            # its own transaction, skipping rows another login holds: no lock waits, no deadlock.
            conn.execute(_PRUNE)
        with self.engine.begin() as conn:
            # Always the client's row first, then the pair's: concurrent tries lock in one order.
            attempts, wait = conn.execute(_COUNT, {"key": client_key, "window": window}).one()
            if attempts > self.per_client:
                return Refused(int(wait))
            attempts, wait = conn.execute(_COUNT, {"key": pair_key, "window": window}).one()
            if attempts > self.per_account_client:
                return Refused(int(wait))
        return None

    def succeeded(self, username: str, client: str) -> None:
        """The password was right: forget this pair's tries and take this one back from the client."""
        client_key, pair_key = self._keys(username, client)
        with self.engine.begin() as conn:
            conn.execute(text("DELETE FROM login_throttle WHERE key = :key"), {"key": pair_key})
            conn.execute(
                text("UPDATE login_throttle SET attempts = GREATEST(attempts - 1, 0) WHERE key = :key"),
                {"key": client_key},
            )
