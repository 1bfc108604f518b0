"""Every query lives in directory/: under web/ only the two account modules run one themselves."""

from __future__ import annotations

import re
from pathlib import Path

WEB = Path(__file__).resolve().parents[2] / "web"
#: What running a query looks like: building one, or handing one to a session or connection.
QUERY = re.compile(
    r"from sqlalchemy import [^\n]*\b(select|text|insert|update|delete|func)\b"
    r"|\.(execute|scalar|scalars)\(|\b(session|db|conn)\.get\("
)
#: The accounts (users, sessions, tokens) and the login throttle: the issue's "if you must".
ALLOWED = {"accounts/service.py", "accounts/ratelimit.py"}


def test_only_the_account_modules_under_web_run_queries() -> None:
    running = {
        str(path.relative_to(WEB))
        for path in WEB.rglob("*.py")
        if QUERY.search(path.read_text(encoding="utf-8"))
    }
    assert running == ALLOWED, "move the query into a service in directory/services/"
