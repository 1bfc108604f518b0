"""Handlers that only read run without a transaction, and their sessions refuse to write."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import Engine, update

from directory.models import TaxonomyTerm
from tests import factories
from tests.test_query_count import count_queries
from web.dependencies import ReadOnlySessionError, read_sessionmaker


def test_a_public_read_sends_no_begin_or_commit(client: TestClient[Any], clean_db: Engine) -> None:
    location = client.post("/api/v1/locations", json=factories.location()).json()
    client.headers.pop("Authorization")  # the public: no user lookup
    with count_queries(clean_db) as seen:
        response = client.get(f"/api/v1/locations/{location['id']}")
    assert response.status_code == 200
    assert response.json()["name"] == location["name"]
    assert len(seen) == 2, seen  # the location, and (once per process) the display names
    with count_queries(clean_db) as again:
        assert client.get(f"/api/v1/locations/{location['id']}").status_code == 200
    assert len(again) == 1, again


def test_a_radius_listing_is_one_statement(client: TestClient[Any], clean_db: Engine) -> None:
    for _ in range(3):
        client.post("/api/v1/locations", json=factories.location())
    client.headers.pop("Authorization")
    client.get("/api/v1/locations?near=52.37,4.90&radius_m=5000")  # display names now kept
    with count_queries(clean_db) as seen:
        page = client.get("/api/v1/locations?near=52.37,4.90&radius_m=5000&page_size=2").json()
    assert len(seen) == 1, seen  # the page with its total
    assert page["total"] >= len(page["items"])
    past_end = client.get(f"/api/v1/locations?near=52.37,4.90&radius_m=5000&page_size=2&page={page['total']}")
    assert past_end.json()["total"] == page["total"], "a page past the end still says the total"


def test_a_read_session_refuses_to_write(clean_db: Engine) -> None:
    reads = read_sessionmaker(clean_db)
    with reads() as session:
        term = session.get(TaxonomyTerm, "library")
        assert term is not None
        term.label_nl = "changed"
        with pytest.raises(ReadOnlySessionError):
            session.flush()
        session.rollback()
        with pytest.raises(ReadOnlySessionError):
            session.execute(update(TaxonomyTerm).where(TaxonomyTerm.code == "library").values(label_nl="x"))
