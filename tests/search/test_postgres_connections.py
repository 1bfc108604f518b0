"""The PostgreSQL engine's own connections: their settings, and a dead one replaced unseen."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, create_engine, text

from directory.search.base import EngineUnavailable
from directory.search.postgres import PostgresEngine
from directory.search.query import SearchQuery
from tests import factories
from tests.search.conftest import writer


def _pooled_backend(engine: PostgresEngine) -> int:
    """The server process of the search connection the pool lends next (LIFO: the last used)."""
    with engine._connection() as conn:
        return conn.info.backend_pid


def test_search_connections_carry_the_search_settings(clean_db: Engine) -> None:
    """Set at connect, not per search; the application's own connections keep the defaults."""
    engine = PostgresEngine(clean_db)
    try:
        with engine._connection() as conn:
            shown = {
                name: conn.execute(f"SHOW {name}").fetchone()[0]  # type: ignore[index]
                for name in (
                    "jit",
                    "max_parallel_workers_per_gather",
                    "work_mem",
                    "pg_trgm.similarity_threshold",
                    "cpu_index_tuple_cost",
                )
            }
            assert conn.autocommit
        assert shown == {
            "jit": "off",
            "max_parallel_workers_per_gather": "0",
            "work_mem": "32MB",
            "pg_trgm.similarity_threshold": "0.2",
            "cpu_index_tuple_cost": "0.1",
        }
        with clean_db.connect() as app_conn:
            assert app_conn.execute(text("SHOW work_mem")).scalar() != "32MB"
    finally:
        engine.close()


def test_options_in_the_database_url_still_hold(clean_db: Engine) -> None:
    url = clean_db.url.update_query_dict({"options": "-c statement_timeout=4321"})
    db = create_engine(url)
    engine = PostgresEngine(db)
    try:
        with engine._connection() as conn:
            timeout = conn.execute("SHOW statement_timeout").fetchone()
            jit = conn.execute("SHOW jit").fetchone()
        assert timeout is not None and timeout[0] == "4321ms"
        assert jit is not None and jit[0] == "off"
    finally:
        engine.close()
        db.dispose()


def test_a_search_whose_connection_died_is_answered_on_a_new_one(clean_db: Engine) -> None:
    """No pre-ping: a pooled connection killed (as by a database restart) costs one retry, no error."""
    session, entries = writer(clean_db)
    with session:
        entries.create("location", factories.location(name="Buurthuis Herstart"))
        session.commit()
    engine = PostgresEngine(clean_db)
    try:
        assert engine.search(SearchQuery(q="herstart")).total == 1
        before = _pooled_backend(engine)  # idle in the pool
        with clean_db.connect() as conn:
            # With a timeout, PostgreSQL waits until the process is gone.
            killed = conn.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": before}).scalar()
        assert killed
        assert engine.search(SearchQuery(q="herstart")).total == 1
        assert _pooled_backend(engine) != before
    finally:
        engine.close()


def test_an_unreachable_database_makes_the_engine_unavailable(clean_db: Engine) -> None:
    db = create_engine(clean_db.url.set(database="wijkgram_no_such_database"))
    engine = PostgresEngine(db)
    try:
        with pytest.raises(EngineUnavailable, match="PostgreSQL search failed"):
            engine.search(SearchQuery(q="buurthuis"))
        assert not engine.healthy()
    finally:
        engine.close()
        db.dispose()
