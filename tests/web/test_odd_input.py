"""Odd input answers 422 naming the parameter, on every page and endpoint (never a 500).

Each case here once answered 500: a NUL character reached PostgreSQL, an integer
overflowed its `integer` column or Python's dates, or a parser recursed 5,000
levels deep. The table holds the inputs that were found; the property tests
generate more of each class. The same classes run through schemathesis
(tests/schemathesis_hooks.py) for every operation of the OpenAPI document.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar.testing import TestClient
from sqlalchemy import Engine, text

from directory.schemas.limits import MAX_INT
from tests.web.conftest import csrf_token, log_in

DEEP = "[" * 5000 + "]" * 5000
HUGE = "9223372036854775807"


@pytest.fixture
def broker(web: TestClient[Any], demo_db: Engine) -> Iterator[dict[str, Any]]:
    """The web client logged in as broker `bram`, a CSRF token and a demo location's id and version."""
    log_in(web, "bram")
    with demo_db.connect() as conn:
        row = conn.execute(text("SELECT id, version FROM location ORDER BY name LIMIT 1")).one()
    yield {"client": web, "csrf": csrf_token(web, "/beheer"), "id": row.id, "version": row.version}


def _field(response: Any) -> str:
    body = response.json()
    assert body["status"] == 422 and body["detail"], body
    return str(body["errors"][0]["field"])


API_GETS = [
    ("/api/v1/locations?category=a%00b", "category"),
    ("/api/v1/search?kind=loc%00ation", "kind"),
    ("/api/v1/search?category=x%00", "category"),
    ("/api/v1/search?languages=n%00l", "languages"),
    ("/api/v1/search?q=koffie%00", "q"),
    ("/api/v1/taxonomy?vocabulary=category%00", "vocabulary"),
    ("/api/v1/reach?lat=52.37&lon=4.9&category=a%00", "category"),
    (f"/api/v1/search?page={HUGE}", "page"),
    (f"/api/v1/locations?page={HUGE}", "page"),
    (f"/api/v1/services?page={HUGE}", "page"),
    ("/api/v1/search?open_at=9999-12-31T23:59:59-14:00", "open_at"),
    ("/api/v1/search?open_at=0001-01-01T00:00:00%2B14:00", "open_at"),
    (f"/api/v1/search?polygon={DEEP}", "polygon"),
    ('/api/v1/search?polygon={"type":"Polygon","coordinates":' + DEEP + "}", "polygon"),
]


@pytest.mark.parametrize(("url", "field"), API_GETS, ids=[f for _, f in API_GETS])
def test_odd_query_parameters_are_a_422_naming_them(web: TestClient[Any], url: str, field: str) -> None:
    response = web.get(url)
    assert response.status_code == 422, response.text[:300]
    assert _field(response) == field


def test_odd_api_bodies_and_ids_are_a_422_naming_the_field(broker: dict[str, Any]) -> None:
    client, headers = broker["client"], {"x-csrftoken": broker["csrf"]}
    location = f"/api/v1/locations/{broker['id']}"
    cases: list[tuple[Any, str]] = [
        (
            client.post(
                "/api/v1/locations", json={"name": "a\x00b", "lat": 52.37, "lon": 4.9}, headers=headers
            ),
            "name",
        ),
        (
            client.post(
                "/api/v1/services",
                json={"name": "x", "meetings": [{"rrule": "FREQ=WEEKLY", "note": "\x00"}]},
                headers=headers,
            ),
            "meetings.0.note",
        ),
        (
            client.post(
                "/api/v1/services",
                content='{"name": "x", "service_area": {"type": "Polygon", "coordinates": ' + DEEP + "}}",
                headers={**headers, "content-type": "application/json"},
            ),
            "body",
        ),
        (
            client.patch(
                location,
                json={"version": broker["version"], "last_verified_at": "9999-12-31T23:59:59-14:00"},
                headers=headers,
            ),
            "last_verified_at",
        ),
        (
            client.post(f"{location}/revisions/{HUGE}/restore", json={"version": 1}, headers=headers),
            "revision",
        ),
        (client.delete(f"{location}?version={HUGE}", headers=headers), "version"),
    ]
    for response, field in cases:
        assert response.status_code == 422, (field, response.text[:300])
        assert _field(response) == field
    # Nothing of it was stored: the entry still reads back, at the version it had.
    assert client.get(location).json()["version"] == broker["version"]


def _page_cases(b: dict[str, Any]) -> list[tuple[str, dict[str, str], str]]:
    entry = f"/entries/location/{b['id']}"
    return [
        (f"{entry}/herstel/1", {"version": "x"}, "version"),
        (f"{entry}/herstel/{HUGE}", {"version": str(b["version"])}, "revision"),
        (f"{entry}/gecontroleerd", {"version": "x"}, "version"),
        (f"{entry}/gecontroleerd", {"version": HUGE}, "version"),
        (f"{entry}/opslaan", {"version": str(b["version"]), "name": "a\x00b"}, "name"),
        (f"/beheer/meldingen/{HUGE}/accepteren", {}, "report_id"),
        (f"/beheer/meldingen/{HUGE}/afwijzen", {}, "report_id"),
        ("/inloggen", {"username": "bram\x00", "password": "x", "next": "/"}, "username"),
    ]


def test_odd_form_input_on_pages_is_a_422_page_naming_the_field(broker: dict[str, Any]) -> None:
    client = broker["client"]
    for url, form, field in _page_cases(broker):
        response = client.post(url, data={**form, "_csrf_token": broker["csrf"]}, follow_redirects=False)
        assert response.status_code == 422, (url, response.text[:300])
        assert "<html" in response.text and field in response.text, (url, field)


SEARCH_TEXT_PARAMETERS = ("q", "kind", "category", "languages", "support_functions", "stadsdeel_code")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=st.sampled_from(SEARCH_TEXT_PARAMETERS),
    before=st.text(max_size=8),
    after=st.text(max_size=8),
)
def test_a_nul_anywhere_in_any_text_parameter_is_a_422(
    web: TestClient[Any], name: str, before: str, after: str
) -> None:
    response = web.get("/api/v1/search", params={name: before + "\x00" + after})
    assert response.status_code == 422
    assert _field(response) == name


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(number=st.integers(min_value=MAX_INT + 1, max_value=10**30) | st.integers(max_value=0))
def test_ids_and_pages_beyond_an_integer_are_a_422(broker: dict[str, Any], number: int) -> None:
    client = broker["client"]
    assert _field(client.get(f"/api/v1/search?page={number}")) == "page"
    assert _field(client.get(f"/api/v1/organizations?page={number}")) == "page"
    response = client.post(
        f"/api/v1/locations/{broker['id']}/revisions/{number}/restore",
        json={"version": broker["version"]},
        headers={"x-csrftoken": broker["csrf"]},
    )
    assert response.status_code in (404, 422)  # a negative number does not match the route's {revision:int}
    if response.status_code == 422:
        assert _field(response) == "revision"


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(year=st.integers(min_value=3000, max_value=9999) | st.integers(min_value=1, max_value=999))
def test_dates_far_from_now_are_a_422(web: TestClient[Any], year: int) -> None:
    response = web.get("/api/v1/search", params={"open_at": f"{year:04d}-06-01T12:00:00-14:00"})
    assert response.status_code == 422
    assert _field(response) == "open_at"
