"""The app's pool pings a connection only after it sat idle, and replaces one the database closed."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.pool import NullPool

from directory.db import engine as engine_module
from directory.db.engine import pooled_engine


def test_busy_connections_are_not_pinged_idle_and_dead_ones_are(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Back-to-back requests cost no ping; after an idle spell a terminated backend is replaced."""
    engine = pooled_engine(database_url, 1, pre_ping=True)
    pings: list[Any] = []
    real_ping = engine.dialect.do_ping

    def counted(dbapi_connection: Any) -> bool:
        pings.append(dbapi_connection)
        return real_ping(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", counted)
    try:
        pids = []
        for _ in range(5):
            with engine.connect() as conn:
                pids.append(conn.scalar(text("SELECT pg_backend_pid()")))
        assert len(set(pids)) == 1 and pings == []  # one connection, reused at once: never pinged

        # The database ends that backend while it waits in the pool (as a restart would).
        admin = create_engine(database_url, poolclass=NullPool)
        with admin.connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pids[0]})
        admin.dispose()
        monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_S", 0.0)
        with engine.connect() as conn:
            fresh = conn.scalar(text("SELECT pg_backend_pid()"))
        assert len(pings) == 1 and fresh != pids[0]  # pinged, found dead, replaced: no error
    finally:
        engine.dispose()


def test_app_connections_start_no_parallel_workers(database_url: str) -> None:
    """Set at connect, next to the URL's own options, which still hold."""
    url = make_url(database_url).update_query_dict({"options": "-c statement_timeout=4321"})
    engine = engine_module.get_engine(url.render_as_string(hide_password=False), pool_size=1)
    try:
        with engine.connect() as conn:
            workers = conn.scalar(text("SHOW max_parallel_workers_per_gather"))
            timeout = conn.scalar(text("SHOW statement_timeout"))
        assert (workers, timeout) == ("0", "4321ms")
    finally:
        engine.dispose()
