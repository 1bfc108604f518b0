"""The vocabularies, area names and display names an app keeps in memory change when the data does.

directory/reference.py: triggers announce every change with pg_notify; the app process
forgets what it kept, at once when it wrote the change itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import Engine, create_engine, event, pool, text
from sqlalchemy.orm import Session

from directory.reference import APPLICATION_NAME, ReferenceCache, reference_cache

CATEGORY = "library"


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements sent through `engine` inside the block."""
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _label(client: TestClient[Any], code: str = CATEGORY) -> str:
    response = client.get("/api/v1/taxonomy", params={"vocabulary": "category"})
    assert response.status_code == 200
    labels = {t["code"]: t["label_nl"] for t in response.json()}
    return str(labels[code])


def listening_cache(engine: Engine) -> ReferenceCache:
    cache = reference_cache(engine)
    assert cache is not None, "the app registers a reference cache for its engine"
    assert cache.listening.wait(10), "the listener connects within seconds"
    return cache


def wait_for_announcement(cache: ReferenceCache, topic: str, before: int) -> None:
    """Until the notification of the other connection's change has arrived (milliseconds)."""
    deadline = time.monotonic() + 10
    while cache.generation(topic) == before:
        assert time.monotonic() < deadline, f"no notification for {topic}"
        time.sleep(0.01)


@pytest.fixture
def app_client(clean_db: Engine) -> Iterator[TestClient[Any]]:
    """An anonymous client of the app on the clean test database, its reference cache listening."""
    from web.app import create_app

    with TestClient(app=create_app(clean_db)) as c:
        listening_cache(clean_db)
        yield c


@pytest.fixture
def other_process(database_url: str) -> Iterator[Engine]:
    """A connection that is not the app's, as an import in another process or psql has."""
    engine = create_engine(database_url, poolclass=pool.NullPool)
    yield engine
    engine.dispose()


@pytest.fixture
def original_label(clean_db: Engine) -> Iterator[str]:
    """The category's label; put back after the test (the taxonomy is seeded, not emptied per test)."""
    with clean_db.connect() as conn:
        label = conn.execute(
            text("SELECT label_nl FROM taxonomy_term WHERE code = :c"), {"c": CATEGORY}
        ).scalar_one()
    yield label
    with clean_db.begin() as conn:
        conn.execute(
            text("UPDATE taxonomy_term SET label_nl = :l WHERE code = :c"), {"l": label, "c": CATEGORY}
        )


def test_the_vocabulary_is_read_once_and_kept(app_client: TestClient[Any], clean_db: Engine) -> None:
    first = _label(app_client)
    with statements(clean_db) as seen:
        assert _label(app_client) == first
    assert not [s for s in seen if "taxonomy_term" in s], seen


def test_a_changed_category_name_is_seen_by_the_next_request(
    app_client: TestClient[Any], clean_db: Engine, original_label: str
) -> None:
    assert _label(app_client) == original_label  # now kept in memory
    with clean_db.begin() as conn:
        conn.execute(
            text("UPDATE taxonomy_term SET label_nl = 'Bieb (test)' WHERE code = :c"), {"c": CATEGORY}
        )
    assert _label(app_client) == "Bieb (test)"


def test_a_change_made_by_another_process_is_announced_and_seen(
    app_client: TestClient[Any], clean_db: Engine, other_process: Engine, original_label: str
) -> None:
    cache = listening_cache(clean_db)
    assert _label(app_client) == original_label
    before = cache.generation("vocabulary")
    with other_process.begin() as conn:
        conn.execute(
            text("UPDATE taxonomy_term SET label_nl = 'Boekenhuis' WHERE code = :c"), {"c": CATEGORY}
        )
    wait_for_announcement(cache, "vocabulary", before)
    assert _label(app_client) == "Boekenhuis"


def test_a_rolled_back_change_is_not_announced(
    app_client: TestClient[Any], clean_db: Engine, other_process: Engine, original_label: str
) -> None:
    cache = listening_cache(clean_db)
    assert _label(app_client) == original_label
    before = cache.generation("vocabulary")
    with other_process.connect() as conn:
        conn.execute(text("UPDATE taxonomy_term SET label_nl = 'Nooit' WHERE code = :c"), {"c": CATEGORY})
        conn.rollback()
    time.sleep(0.3)
    assert cache.generation("vocabulary") == before
    assert _label(app_client) == original_label


def _marieke(engine: Engine) -> None:
    from web.accounts.service import create_user

    with Session(engine) as s, s.begin():
        create_user(s, "marieke", "a long test password", "broker")


def _public_name(client: TestClient[Any], engine: Engine) -> object:
    from web.accounts.names import PublicNames

    with Session(engine) as s:
        return PublicNames(s, None).person("marieke")


def _wijk_outlines(client: TestClient[Any], engine: Engine) -> object:
    response = client.get("/api/v1/map/outlines/wijk")
    assert response.status_code == 200
    return "Vogelkwartier" in {str(f["properties"]["label"]) for f in response.json()["features"]}


def _knows_vogelkwartier(client: TestClient[Any], engine: Engine) -> object:
    areas = client.app.state.search_service.areas
    assert areas is not None, "the search service reads area names"
    return ("vogelkwartier",) in areas.names()


@dataclass(frozen=True)
class Change:
    """A change another process makes to what the app keeps, and what the app reads before and after."""

    topic: str
    read: Callable[[TestClient[Any], Engine], object]
    before: object
    after: object
    sql: str
    params: dict[str, str] = field(default_factory=dict)
    #: What the test needs first, and what puts back a change the clean database does not empty.
    prepare: Callable[[Engine], None] = lambda engine: None
    undo: str = ""


#: A wijk another process adds (the geo tables are not emptied between tests: the undo removes it).
NEW_WIJK = (
    "INSERT INTO geo_boundary (level, code, name, source, geom) "
    "VALUES ('wijk', 'ZZ99', 'Vogelkwartier', 'test', ST_GeomFromText(:g, 4326))"
)
VOGELKWARTIER = {"g": "MULTIPOLYGON(((4.90 52.37, 4.91 52.37, 4.91 52.38, 4.90 52.38, 4.90 52.37)))"}
NO_WIJK = "DELETE FROM geo_boundary WHERE code = 'ZZ99'"

CHANGES = [
    pytest.param(
        Change(
            "people",
            _public_name,
            "een vrijwilliger",
            "Marieke",
            "UPDATE app_user SET display_name = 'Marieke' WHERE username = 'marieke'",
            prepare=_marieke,
        ),
        id="a new display name shows in the public history",
    ),
    pytest.param(
        Change("areas", _knows_vogelkwartier, False, True, NEW_WIJK, VOGELKWARTIER, undo=NO_WIJK),
        id="a new area name is understood in a question",
    ),
    pytest.param(
        Change("areas", _wijk_outlines, False, True, NEW_WIJK, VOGELKWARTIER, undo=NO_WIJK),
        id="a new area's outline is on the map",
    ),
]


@pytest.mark.parametrize("change", CHANGES)
def test_a_change_by_another_process_is_announced_and_used(
    app_client: TestClient[Any], clean_db: Engine, other_process: Engine, change: Change
) -> None:
    change.prepare(clean_db)
    cache = listening_cache(clean_db)
    try:
        assert change.read(app_client, clean_db) == change.before
        before = cache.generation(change.topic)
        with other_process.begin() as conn:
            conn.execute(text(change.sql), change.params)
        wait_for_announcement(cache, change.topic, before)
        assert change.read(app_client, clean_db) == change.after
    finally:
        if change.undo:
            with clean_db.begin() as conn:
                conn.execute(text(change.undo))


def test_the_map_page_reads_the_outlines_once(app_client: TestClient[Any], clean_db: Engine) -> None:
    listening_cache(clean_db)
    assert app_client.get("/kaart").status_code == 200  # the outlines are simplified and kept
    with statements(clean_db) as seen:
        assert app_client.get("/kaart").status_code == 200
    assert not [s for s in seen if "geo_boundary" in s], "no fingerprint or outline query per view"


def _backend_alive(engine: Engine, pid: int) -> bool:
    with engine.connect() as conn:
        return bool(
            conn.execute(
                text("SELECT count(*) FROM pg_stat_activity WHERE pid = :p AND application_name = :a"),
                {"p": pid, "a": APPLICATION_NAME},
            ).scalar_one()
        )


def _gone(engine: Engine, pid: int) -> bool:
    """True once the server process of the listener's connection has ended (it ends just after the close)."""
    deadline = time.monotonic() + 5
    while _backend_alive(engine, pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_the_listener_and_its_connection_end_with_the_app(clean_db: Engine) -> None:
    from web.app import create_app

    hooks = len(clean_db.dispatch.commit)
    with TestClient(app=create_app(clean_db)):
        cache = listening_cache(clean_db)
        pid = cache.backend_pid
        assert pid is not None and _backend_alive(clean_db, pid), "the listener's connection is open"
    assert not cache.thread.is_alive(), "the app's shutdown ends the listener thread"
    assert _gone(clean_db, pid), "and closes its connection"
    assert reference_cache(clean_db) is None, "a stopped cache is no longer handed out"
    assert len(clean_db.dispatch.commit) == hooks, "the engine keeps no hook of the stopped cache"


def test_apps_on_one_engine_share_the_listener_until_the_last_shuts_down(clean_db: Engine) -> None:
    from web.app import create_app

    with TestClient(app=create_app(clean_db)):
        cache = listening_cache(clean_db)
        with TestClient(app=create_app(clean_db)):
            assert reference_cache(clean_db) is cache, "one listener per engine, not per app"
        assert cache.thread.is_alive() and cache.listening.is_set(), "the other app still uses it"
    assert not cache.thread.is_alive()
