"""Login rate limiting: failed attempts per account and per client address.

Kept in the process's memory: simple and enough for one server process; with
several workers each counts on its own (the limit then applies per worker).
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field


@dataclass
class LoginRateLimiter:
    """Refuses logins after too many recent failures for an account or from an address."""

    per_account: int = 5
    per_ip: int = 20
    window_s: float = 15 * 60
    _failures: dict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _recent(self, key: str, now: float) -> int:
        times = self._failures[key]
        while times and times[0] < now - self.window_s:
            times.popleft()
        return len(times)

    def blocked(self, username: str, ip: str) -> bool:
        """True when this account or this address has failed too often lately."""
        now = time.monotonic()
        with self._lock:
            return (
                self._recent("u:" + username.strip().lower(), now) >= self.per_account
                or self._recent("ip:" + ip, now) >= self.per_ip
            )

    def failed(self, username: str, ip: str) -> None:
        """Count one failed login."""
        now = time.monotonic()
        with self._lock:
            self._failures["u:" + username.strip().lower()].append(now)
            self._failures["ip:" + ip].append(now)

    def succeeded(self, username: str) -> None:
        """A good password clears the account's count (not the address's)."""
        with self._lock:
            self._failures.pop("u:" + username.strip().lower(), None)
