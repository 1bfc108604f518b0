"""The outbox sync: nothing lost when Meilisearch stops, latest version wins, deletes propagate."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx
import pytest
from shapely.geometry import Point
from sqlalchemy import Engine, text

from directory.errors import ServiceUnavailableError
from directory.search.meili import MeiliEngine
from directory.search.query import SearchQuery
from directory.search.sync import pending_count, rebuild, sync
from directory.settings import SearchSettings
from tests import factories
from tests.search.conftest import MeiliServer, writer


def meili_docs(settings: SearchSettings) -> dict[str, dict[str, Any]]:
    """Every document in the test index, by id."""
    response = httpx.get(
        f"{settings.meili_url}/indexes/{settings.index_name}/documents",
        params={"limit": 1000},
        headers={"Authorization": f"Bearer {settings.meili_key}"},
    )
    response.raise_for_status()
    return {d["id"]: d for d in response.json()["results"]}


def pg_docs(engine: Engine) -> dict[str, dict[str, Any]]:
    """Every document in search_document, by id."""
    with engine.connect() as conn:
        return {row[0]: row[1] for row in conn.execute(text("SELECT id, doc FROM search_document_body"))}


def test_meilisearch_stopped_mid_sync_loses_nothing(
    clean_db: Engine, meili_server: MeiliServer, meili_settings: SearchSettings
) -> None:
    """Meilisearch dies after the first batch: rows stay pending, and after a restart all arrive."""
    session, entries = writer(clean_db)
    with session:
        for i in range(12):
            point = Point(4.89 + i * 0.001, 52.37)
            entries.create("location", factories.location(point, name=f"Huiskamer {i}"))
        session.commit()
    assert pending_count(clean_db) == 12
    sync(clean_db, meili_settings, batch=100)  # creates the index while Meilisearch is up
    with session:
        for i in range(12, 20):
            entries.create("location", factories.location(name=f"Huiskamer {i}"))
        session.commit()

    rounds = []

    def stop_after_first_round(done: int) -> None:
        rounds.append(done)
        if len(rounds) == 1:
            meili_server.stop()

    try:
        with pytest.raises(Exception, match=r"(?i)connect|refused|Connection"):
            sync(clean_db, meili_settings, batch=3, progress=stop_after_first_round)
        assert rounds == [3]
        assert pending_count(clean_db) == 5
        with clean_db.connect() as conn:
            # The failed round took the 3 oldest pending rows; the 2 after them were not tried.
            pending = conn.execute(
                text("SELECT attempts, last_error FROM search_outbox WHERE processed_at IS NULL ORDER BY id")
            ).all()
        assert [row.attempts for row in pending] == [1, 1, 1, 0, 0]
        assert all(row.last_error for row in pending[:3])
    finally:
        meili_server.start()
    stats = sync(clean_db, meili_settings)
    assert stats.rows == 5 and pending_count(clean_db) == 0
    assert set(meili_docs(meili_settings)) == set(pg_docs(clean_db))
    assert len(pg_docs(clean_db)) == 20


def test_entry_edited_twice_ends_at_latest_version(clean_db: Engine, meili_settings: SearchSettings) -> None:
    """Two quick edits before a sync: the index holds the second."""
    session, entries = writer(clean_db)
    with session:
        loc = entries.create("location", factories.location(name="Buurtkamer Eerste"))
        session.commit()
        sync(clean_db, meili_settings)
        entries.update("location", loc.id, {"name": "Buurtkamer Tweede", "version": 1})
        session.commit()
        entries.update("location", loc.id, {"name": "Buurtkamer Derde", "version": 2})
        session.commit()
    assert pending_count(clean_db) == 2
    sync(clean_db, meili_settings)
    doc = meili_docs(meili_settings)[f"l_{loc.id}"]
    assert doc["name"] == "Buurtkamer Derde"
    engine = MeiliEngine(meili_settings, clean_db)
    assert engine.search(SearchQuery(q="derde")).total == 1
    assert engine.search(SearchQuery(q="tweede")).total == 0


def test_location_change_reaches_services_and_deletes_propagate(
    clean_db: Engine, meili_settings: SearchSettings
) -> None:
    """Renaming a venue rewrites its services' documents; deleting entries removes their documents."""
    session, entries = writer(clean_db)
    with session:
        org = entries.create("organization", factories.organization(name="Stichting Samen"))
        loc = entries.create(
            "location", factories.location(name="Wijkhuis Noord", organization_id=str(org.id))
        )
        svc = entries.create(
            "service",
            factories.service(name="Eettafel", location_ids=[str(loc.id)], organization_id=str(org.id)),
        )
        session.commit()
        sync(clean_db, meili_settings)
        pair = f"s_{svc.id}_{loc.id}"
        assert meili_docs(meili_settings)[pair]["location_name"] == "Wijkhuis Noord"

        entries.update("location", loc.id, {"name": "Wijkhuis Zuid", "version": 1})
        session.commit()
        sync(clean_db, meili_settings)
        assert meili_docs(meili_settings)[pair]["location_name"] == "Wijkhuis Zuid"

        entries.delete("organization", org.id, expected_version=1)
        session.commit()
        sync(clean_db, meili_settings)
        docs = meili_docs(meili_settings)
        assert set(docs) == {pair, f"l_{loc.id}"}
        assert docs[pair]["organization_name"] == "" and docs[pair]["organization_id"] is None

        entries.delete("location", loc.id, expected_version=2)
        session.commit()
        sync(clean_db, meili_settings)
        assert set(meili_docs(meili_settings)) == set(pg_docs(clean_db)) == set()
        assert MeiliEngine(meili_settings, clean_db).search(SearchQuery(q="wijkhuis")).total == 0


def test_rebuild_matches_incremental_sync(clean_db: Engine, meili_settings: SearchSettings) -> None:
    """A full rebuild gives the same documents as the outbox path and clears the outbox."""
    session, entries = writer(clean_db)
    with session:
        loc = entries.create("location", factories.location(name="Buurthuis Rebuild"))
        entries.create("service", factories.service(name="Taalcafé", location_ids=[str(loc.id)]))
        session.commit()
    before = pg_docs(clean_db)
    with clean_db.begin() as conn:
        conn.execute(text("DELETE FROM search_document"))
    stats = rebuild(clean_db, meili_settings)
    assert stats.entries == 2 and stats.documents == 2 and stats.outbox_done == 2
    assert pg_docs(clean_db) == before
    assert set(meili_docs(meili_settings)) == set(before)
    assert pending_count(clean_db) == 0


def test_sync_without_meili_url_says_so(clean_db: Engine) -> None:
    """No MEILI_URL: a clear error instead of a crash."""
    with pytest.raises(ServiceUnavailableError, match="MEILI_URL"):
        sync(clean_db, SearchSettings(meili_url="", meili_key="", index_name=uuid.uuid4().hex, timeout_s=1))


def test_closing_an_entry_removes_it_and_watch_applies_changes(
    clean_db: Engine, meili_settings: SearchSettings
) -> None:
    """A closed entry leaves both engines; `watch` sends the change without a manual sync."""
    from directory.search.postgres import PostgresEngine
    from directory.search.sync import watch

    session, entries = writer(clean_db)
    with session:
        loc = entries.create(
            "location", factories.location(name="Repair Café Sluiting", category="repair_cafe")
        )
        session.commit()
        sync(clean_db, meili_settings)
        entries.update("location", loc.id, {"status": "closed", "version": 1})
        session.commit()
    assert PostgresEngine(clean_db).search(SearchQuery(q="sluiting")).total == 0
    reports: list[Any] = []
    deadline = time.monotonic() + 30
    watch(
        clean_db,
        meili_settings,
        interval_s=0.1,
        stop=lambda: bool(reports) or time.monotonic() > deadline,
        report=reports.append,
    )
    assert reports and getattr(reports[0], "rows", None) == 1
    assert f"l_{loc.id}" not in meili_docs(meili_settings)
    assert pending_count(clean_db) == 0
