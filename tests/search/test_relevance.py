"""Measured relevance: the judgement list run on both real engines through the search service.

Fails below success@5 0.9, when a query finds nothing although the directory holds
an entry it asks for, or when a closed entry shows. The data (demo, OpenStreetMap
cut, partner lists) is loaded once per test run into a database of its own, so the
other search tests' truncations cannot touch it. docs/search.md says how to add a
judgement.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine

from directory.db import migrate
from directory.search.query import SearchQuery, SearchResult
from directory.search.service import SearchService, search_service
from directory.search.sync import sync
from directory.settings import SearchSettings, get_settings
from tests.conftest import _start_test_cluster, create_database, drop_database
from tests.search.conftest import MeiliServer
from tests.search.relevance import (
    Judgement,
    entry_names,
    evaluate,
    load_judgements,
    load_relevance_data,
    unknown_names,
)

#: The bar the issue sets: a relevant entry in the top five for nine queries in ten.
MIN_SUCCESS_AT_5 = 0.9


@pytest.fixture(scope="session")
def judgements() -> list[Judgement]:
    """The judgement list."""
    return load_judgements()


@pytest.fixture(scope="session")
def relevance_db() -> Iterator[Engine]:
    """A database of its own holding the judged data, imported once per run."""
    _start_test_cluster()
    name = f"wijkgram_relevance_{os.getpid()}"
    url = create_database(name)
    migrate.upgrade(url)
    engine = create_engine(url, pool_size=5)
    shared: Path = get_settings().data.shared_dir
    load_relevance_data(engine, shared / "boundaries")
    yield engine
    engine.dispose()
    drop_database(name)


@pytest.fixture(scope="session")
def relevance_services(relevance_db: Engine, meili_server: MeiliServer) -> Iterator[dict[str, SearchService]]:
    """The search service the API builds (`search_service`), once per engine, over the judged data."""
    settings = SearchSettings(
        meili_url=meili_server.url,
        meili_key=meili_server.key,
        index_name=f"relevance_{uuid.uuid4().hex[:8]}",
        timeout_s=5,
    )
    sync(relevance_db, settings)
    services = {
        "postgresql": search_service(relevance_db, replace(settings, meili_url="")),
        "meilisearch": search_service(relevance_db, settings),
    }
    yield services
    for service in services.values():
        service.close()


def test_judgement_list_covers_three_kinds_of_users(
    judgements: list[Judgement], relevance_db: Engine
) -> None:
    """At least 60 queries from kwartiermakers, wijkteams and brokers, each naming entries that exist."""
    assert len(judgements) >= 60
    kinds = {j.who for j in judgements}
    assert kinds == {"K", "W", "B"}
    for kind in kinds:
        assert sum(j.who == kind for j in judgements) >= 15, kind
    assert sum(j.near is not None for j in judgements) >= 3  # radius searches around an address
    keys = [(j.q, j.near) for j in judgements]
    assert len(keys) == len(set(keys)), "a query is judged twice"
    assert unknown_names(judgements, entry_names(relevance_db)) == []


@pytest.mark.parametrize("engine_name", ["postgresql", "meilisearch"])
def test_relevance(
    engine_name: str,
    judgements: list[Judgement],
    relevance_db: Engine,
    relevance_services: dict[str, SearchService],
) -> None:
    """success@5 >= 0.9, no zero-result query that has a relevant entry, no closed entry found."""
    service = relevance_services[engine_name]

    def search(query: SearchQuery) -> SearchResult:
        result = service.search(query, interpret=True)  # as the API asks by default
        assert result.engine == engine_name, result.fallback_reason  # no silent fallback
        return result

    figures = evaluate(engine_name, search, judgements, entry_names(relevance_db))
    print("\n" + figures.summary())
    report = figures.summary() + "\n" + figures.table()
    assert figures.absent_found == [], report
    assert figures.zero_with_relevant == [], report
    assert figures.success_at_5 >= MIN_SUCCESS_AT_5, report
