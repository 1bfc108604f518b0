"""List endpoints use a fixed number of queries, however many entries a page holds (no N+1)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import Engine, event

from tests import factories


@contextmanager
def count_queries(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _add_services(client: TestClient[Any], n: int) -> None:
    location = client.post("/api/v1/locations", json=factories.location()).json()
    for _ in range(n):
        client.post("/api/v1/services", json=factories.service(location_ids=[location["id"]]))


@pytest.mark.parametrize("path", ["/api/v1/services", "/api/v1/locations", "/api/v1/organizations"])
def test_list_query_count_does_not_grow_with_page_size(
    client: TestClient[Any], clean_db: Engine, path: str
) -> None:
    _add_services(client, 2)
    with count_queries(clean_db) as few:
        assert client.get(f"{path}?page_size=50").status_code == 200
    _add_services(client, 12)
    with count_queries(clean_db) as many:
        assert client.get(f"{path}?page_size=50").status_code == 200
    assert len(many) == len(few), many
    assert len(few) <= 6, "auth lookup, count, page and links"


def _add_venues(client: TestClient[Any], n: int) -> None:
    for _ in range(n):
        location = client.post("/api/v1/locations", json=factories.location(kitchen_available=True)).json()
        client.post("/api/v1/services", json=factories.service(location_ids=[location["id"]]))


def test_venue_list_query_count_does_not_grow_with_the_places(
    client: TestClient[Any], clean_db: Engine
) -> None:
    """The map's venue question: places, the services held there and their links, in fixed queries."""
    paths = ("/api/v1/venues?kitchen=true", "/api/v1/venues?kitchen=true&weekday_evening=true")
    _add_venues(client, 2)
    with count_queries(clean_db) as few:
        totals = [client.get(path).json()["total"] for path in paths]
    assert totals[0] == 2
    _add_venues(client, 12)
    with count_queries(clean_db) as many:
        totals = [client.get(path).json()["total"] for path in paths]
    assert totals[0] == 14
    assert len(many) == len(few), many
