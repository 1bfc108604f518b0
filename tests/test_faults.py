"""Faults: the database going away mid-run, oversized and pathological requests."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import httpx
from litestar.testing import TestClient
from sqlalchemy import Engine, create_engine, func, select
from sqlalchemy.orm import Session

from directory.db import migrate
from directory.db.cluster import EmbeddedCluster
from directory.models import Location
from tests import factories
from tests.conftest import make_broker_token
from tests.live_server import live_server
from web.app import create_app


def test_database_restart_gives_503_then_recovers(tmp_path: Path) -> None:
    """Requests while the database is down fail cleanly with 503; afterwards the app reconnects."""
    cluster = EmbeddedCluster(tmp_path / "data", db_name="faults")
    cluster.start()
    try:
        migrate.upgrade(cluster.url())
        engine = create_engine(cluster.url())
        auth = {"Authorization": f"Bearer {make_broker_token(engine)}"}
        engine.dispose()
        with live_server(cluster.url(), log_file=tmp_path / "server.log") as base:
            created = httpx.post(
                f"{base}/api/v1/locations", json=factories.location(name="Voor"), headers=auth
            )
            assert created.status_code == 201

            cluster.stop()
            down = httpx.get(f"{base}/health")
            assert down.status_code == 503
            assert "not reachable" in down.json()["detail"]
            write = httpx.post(
                f"{base}/api/v1/locations", json=factories.location(name="Tijdens"), headers=auth
            )
            assert write.status_code == 503

            cluster.start()
            assert httpx.get(f"{base}/health").status_code == 200, "the pool reconnects by itself"
            after = httpx.post(f"{base}/api/v1/locations", json=factories.location(name="Na"), headers=auth)
            assert after.status_code == 201
        engine = create_engine(cluster.url())
        with Session(engine) as session:
            names = set(session.scalars(select(Location.name)))
            assert names == {"Voor", "Na"}, "nothing half-written from the failed request"
            assert session.scalar(select(func.count()).select_from(Location)) == 2
        engine.dispose()
    finally:
        cluster.stop()


def test_no_free_connection_is_503_busy_not_500(clean_db: Engine) -> None:
    """Every pooled connection busy past the pool timeout: 503 with Retry-After, then normal again."""
    tiny = create_engine(clean_db.url, pool_size=1, max_overflow=0, pool_timeout=0.2)
    try:
        held = tiny.connect()
        with TestClient(app=create_app(tiny)) as client:
            busy = client.get("/api/v1/locations")
            assert busy.status_code == 503, busy.text
            assert "busy" in busy.json()["detail"] and busy.headers["Retry-After"] == "5"
            # The start-up warm-ups wait for a connection too: let them give up before freeing it.
            # Only those: the reference listener runs until the app shuts down, so joining it
            # here would only wait out the timeout.
            for thread in threading.enumerate():
                if thread.name.startswith("wijkgram-") and thread.name.endswith("warm-up"):
                    thread.join(timeout=10)
            held.close()
            assert client.get("/api/v1/locations").status_code == 200
    finally:
        tiny.dispose()


def test_oversized_body_is_413(client: TestClient[Any]) -> None:
    payload = factories.location(description="x" * 3_000_000)
    response = client.post("/api/v1/locations", json=payload)
    assert response.status_code == 413


def test_pathological_lists_are_422(client: TestClient[Any]) -> None:
    payload = factories.service(support_functions=["company"] * 10_000)
    response = client.post("/api/v1/services", json=payload)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "support_functions"
