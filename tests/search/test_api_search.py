"""GET /api/v1/search: parameters, 422s naming the parameter, OpenAPI, and the PostgreSQL fallback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, time
from typing import Any

import pytest
from dateutil.rrule import MONTHLY, TU, rrule
from litestar.testing import TestClient
from sqlalchemy import Engine

from directory.clock import AMSTERDAM, today_amsterdam
from directory.search.service import search_service
from directory.search.sync import sync
from directory.settings import SearchSettings
from tests import factories
from tests.search.conftest import MeiliServer, _free_port, writer
from web.app import create_app


@pytest.fixture
def directory(clean_db: Engine) -> dict[str, str]:
    """Two venues and a stamtafel, written through EntryService."""
    session, entries = writer(clean_db)
    with session:
        a = entries.create("location", factories.location(name="Buurthuis De Pijp", step_free=True))
        b = entries.create(
            "location", factories.location(factories.CENTRAAL, name="Café Centraal", category="cafe")
        )
        s = entries.create("service", factories.service(name="Stamtafel Pijp", location_ids=[str(a.id)]))
        session.commit()
    return {"buurthuis": str(a.id), "cafe": str(b.id), "stamtafel": str(s.id)}


def app_client(engine: Engine, settings: SearchSettings | None) -> Iterator[TestClient[Any]]:
    """A client whose search uses the given settings (None: PostgreSQL only)."""
    app = create_app(engine)
    # Set before the app starts, so its warm-up thread finds this service instead of making one.
    app.state.search_service = search_service(
        engine, settings or SearchSettings(meili_url="", meili_key="", index_name="x", timeout_s=1)
    )
    with TestClient(app=app) as client:
        yield client


def test_search_on_postgresql(clean_db: Engine, directory: dict[str, str]) -> None:
    """The embedded engine answers by default, with facets and distances."""
    for client in app_client(clean_db, None):
        body = client.get("/api/v1/search", params={"q": "buurthuis", "near": "52.3731,4.8932"}).json()
        assert body["engine"] == "postgresql" and body["fallback_reason"] is None
        assert body["hits"][0]["entry_id"] == directory["buurthuis"]
        assert body["hits"][0]["distance_m"] is not None
        assert body["facets"]["category"] == {"community_centre": 1, "shared_meal": 1}
        listed = client.get(
            "/api/v1/search",
            params=[("category", "community_centre"), ("category", "cafe"), ("page_size", "1")],
        ).json()
        assert listed["total"] == 2 and len(listed["hits"]) == 1


def test_search_on_meilisearch_and_fallback_when_it_is_down(
    clean_db: Engine, directory: dict[str, str], meili_server: MeiliServer, meili_settings: SearchSettings
) -> None:
    """Meilisearch answers when up; when it is down PostgreSQL answers and the response says so."""
    sync(clean_db, meili_settings)
    for client in app_client(clean_db, meili_settings):
        body = client.get("/api/v1/search", params={"q": "stamtafl"}).json()
        assert body["engine"] == "meilisearch"
        assert [h["entry_id"] for h in body["hits"]] == [directory["stamtafel"]]
    dead = SearchSettings(
        meili_url=f"http://127.0.0.1:{_free_port()}", meili_key="x", index_name="gone", timeout_s=0.5
    )
    for client in app_client(clean_db, dead):
        for _ in range(2):  # the second goes straight to PostgreSQL (Meilisearch failed recently)
            response = client.get("/api/v1/search", params={"q": "stamtafl"})
            assert response.status_code == 200
            body = response.json()
            assert body["engine"] == "postgresql" and body["fallback_reason"]
            assert [h["entry_id"] for h in body["hits"]] == [directory["stamtafel"]]


SQUARE = {"type": "Polygon", "coordinates": [[[4.8, 52.3], [4.9, 52.3], [4.9, 52.4], [4.8, 52.3]]]}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"facets": "category,colour"}, "facets"),
        ({"near": "52.37,4.89", "radius": "-1"}, "radius"),
        ({"near": "52.37,4.89", "radius": "50001"}, "radius"),
        ({"radius": "100"}, "near"),
        ({"near": "52.37"}, "near"),
        ({"polygon": "{not json"}, "polygon"),
        ({"polygon": json.dumps({"type": "Point", "coordinates": [4.9, 52.3]})}, "polygon"),
        (
            {
                "polygon": json.dumps(
                    {
                        "type": "Polygon",
                        "coordinates": [
                            [[4.8 + i * 1e-4, 52.3 + (i % 2) * 1e-4] for i in range(600)] + [[4.8, 52.3]]
                        ],
                    }
                )
            },
            "polygon",
        ),
        ({"bbox": "52.4,4.8,52.3,4.9"}, "bbox"),
        ({"sort": "distance"}, "sort"),
        ({"sort": "price"}, "sort"),
        ({"page_size": "500"}, "page_size"),
        ({"max_cost": "-2"}, "max_cost"),
        ({"min_capacity": "0"}, "min_capacity"),
        ({"min_capacity": "501"}, "min_capacity"),
        ({"min_capacity": "twintig"}, "min_capacity"),
        ({"lang": "de"}, "lang"),
        ({"open_at": "dinsdagavond"}, "open_at"),
        ({"near": "52.37,4.89", "radius": "10", "bbox": "52.3,4.8,52.4,4.9"}, "polygon"),
    ],
)
def test_bad_parameters_get_422_naming_the_parameter(
    clean_db: Engine, params: dict[str, str], field: str
) -> None:
    """Each mistake is refused with 422 and the parameter's name."""
    for client in app_client(clean_db, None):
        response = client.get("/api/v1/search", params=params)
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == field


def test_open_at_takes_minutes_with_or_without_seconds_and_offset(
    clean_db: Engine, directory: dict[str, str]
) -> None:
    """'…T18:30' (as a browser's date-time field sends it) means the same as with seconds or offset."""
    # The stamtafel meets on the first Tuesday at 18:00: ask for the next one.
    today = datetime.combine(today_amsterdam(), time())
    first_tuesday = rrule(MONTHLY, byweekday=TU(1), dtstart=today).after(today, inc=True)
    assert first_tuesday is not None
    day = first_tuesday.date().isoformat()
    offset = first_tuesday.replace(tzinfo=AMSTERDAM).strftime("%z")
    offset = f"{offset[:3]}:{offset[3:]}"
    for client in app_client(clean_db, None):
        answers = [
            client.get("/api/v1/search", params={"open_at": at, "kind": "service"}).json()
            for at in (f"{day}T18:30", f"{day}T18:30:00", f"{day}T18:30:00{offset}")
        ]
        found = [[h["entry_id"] for h in a["hits"]] for a in answers]
        assert found == [[directory["stamtafel"]]] * 3, answers


def test_polygon_as_isochrone_feature(clean_db: Engine, directory: dict[str, str]) -> None:
    """An isochrone Feature is accepted as polygon."""
    feature = {"type": "Feature", "properties": {"minutes": 10}, "geometry": SQUARE}
    for client in app_client(clean_db, None):
        body = client.get("/api/v1/search", params={"polygon": json.dumps(feature)}).json()
        assert body["total"] >= 1
        assert all(4.8 <= h["lon"] <= 4.9 for h in body["hits"])


def test_openapi_documents_the_search_parameters(clean_db: Engine) -> None:
    """The endpoint and its parameters are in the OpenAPI schema."""
    for client in app_client(clean_db, None):
        schema = client.get("/schema/openapi.json").json()
        names = {p["name"] for p in schema["paths"]["/api/v1/search"]["get"]["parameters"]}
        assert {
            "q",
            "category",
            "near",
            "radius",
            "bbox",
            "polygon",
            "open_at",
            "max_cost",
            "min_capacity",
            "facets",
        } <= names


def test_slow_meilisearch_falls_back_to_postgresql(clean_db: Engine, directory: dict[str, str]) -> None:
    """A Meilisearch that accepts connections but never answers: PostgreSQL answers after the timeout."""
    import socket
    import time

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        slow = SearchSettings(
            meili_url=f"http://127.0.0.1:{port}", meili_key="x", index_name="slow", timeout_s=0.3
        )
        for client in app_client(clean_db, slow):
            start = time.monotonic()
            body = client.get("/api/v1/search", params={"q": "buurthuis"}).json()
            assert time.monotonic() - start < 5
            assert body["engine"] == "postgresql" and "TimeoutError" in body["fallback_reason"]
            assert body["hits"][0]["entry_id"] == directory["buurthuis"]


def test_the_answer_says_how_the_question_was_read(clean_db: Engine, directory: dict[str, str]) -> None:
    """'rolstoel stamtafel' filters step-free and searches 'stamtafel'; interpret=false: both are text."""
    for client in app_client(clean_db, None):
        body = client.get("/api/v1/search", params={"q": "Rolstoel stamtafel"}).json()
        assert body["interpreted"]["text"] == "stamtafel"
        (chip,) = body["interpreted"]["filters"]
        assert (chip["kind"], chip["value"], chip["words"], chip["without"]) == (
            "accessibility",
            "step_free",
            "rolstoel",
            "stamtafel",
        )
        assert [h["entry_id"] for h in body["hits"]] == [directory["stamtafel"]]
        literal = client.get(
            "/api/v1/search", params={"q": "rolstoel stamtafel", "interpret": "false"}
        ).json()
        assert literal["interpreted"] is None and literal["total"] == 0
        schema = client.get("/schema/openapi.json").json()
        parameters = {p["name"] for p in schema["paths"]["/api/v1/search"]["get"]["parameters"]}
        assert {"interpret", "facilities"} <= parameters
        assert "interpreted" in json.dumps(schema["components"]["schemas"])


def test_the_answer_says_what_was_asked_less_and_what_to_try(
    clean_db: Engine, directory: dict[str, str]
) -> None:
    """Too few: `relaxed` names the words left out; nothing: `suggestions` offers a respelling."""
    for client in app_client(clean_db, None):
        body = client.get("/api/v1/search", params={"q": "stamtafel zuidoost"}).json()
        assert body["relaxed"] == {"dropped": ["zuidoost"], "widened": [], "strict_total": 0, "split": []}
        assert [h["entry_id"] for h in body["hits"]] == [directory["stamtafel"]]
        # ("buurthuisjes" is found now: a diminutive is searched as its word)
        nothing = client.get("/api/v1/search", params={"q": "buurthiusje"}).json()
        assert nothing["total"] == 0 and nothing["relaxed"] is None
        assert {
            "q": "buurthuis",
            "word": "buurthiusje",
            "instead": "buurthuis",
            "category": None,
        } in nothing["suggestions"]


def test_a_group_size_is_read_and_shown_in_either_language(
    clean_db: Engine, directory: dict[str, str]
) -> None:
    """'buurthuis voor 20 personen' filters on capacity; the chip says so in Dutch or English."""
    for client in app_client(clean_db, None):
        body = client.get("/api/v1/search", params={"q": "buurthuis voor 20 personen"}).json()
        (chip,) = body["interpreted"]["filters"]
        assert (chip["kind"], chip["value"], chip["words"], chip["label"], chip["without"]) == (
            "capacity",
            "20",
            "voor 20 personen",
            "Voor 20 personen",
            "buurthuis",
        )
        assert directory["buurthuis"] in [h["entry_id"] for h in body["hits"]]  # capacity not known
        english = client.get("/api/v1/search", params={"q": "room for 1", "lang": "en"}).json()
        assert [f["label"] for f in english["interpreted"]["filters"]] == [None, "For 1 person"]
        given = client.get("/api/v1/search", params={"q": "voor 20 personen", "min_capacity": 5}).json()
        assert given["interpreted"]["filters"] == [] and given["interpreted"]["text"] == ""
