"""What Litestar refuses reaches the client as codes and parameters, not as sentences to parse.

A body that fails its pydantic model keeps pydantic's `type` and `ctx` (or our own
rule's code); a query parameter is checked again against the handler's declaration,
so its problem has pydantic's code too; a missing required parameter says `missing`.
Pages say each problem from the catalogue.
"""

from __future__ import annotations

from typing import Annotated, Any

import pytest
from litestar import get
from litestar.params import QueryParameter
from litestar.testing import TestClient
from sqlalchemy import Engine

from tests import factories
from web.app import create_app

Client = TestClient[Any]


def _errors(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["title"] == "Invalid input" and body["detail"]
    return list(body["errors"])


@pytest.mark.parametrize(
    ("kind", "payload", "field", "code", "params"),
    [
        ("locations", factories.location(postcode="12345"), "postcode", "postcode", {"value": "'12345'"}),
        ("locations", factories.location(lat=50.85, lon=4.35), "lat", "outside_netherlands", {}),
        ("locations", factories.location(capacity=-3), "capacity", "greater_than_equal", {"ge": 0}),
        ("organizations", {"category": "cafe"}, "name", "name_required", {}),
        ("organizations", factories.organization(unknown_field=1), "unknown_field", "extra_forbidden", {}),
        (
            "services",
            factories.service(meetings=[{"rrule": "FREQ=SOMETIMES"}]),
            "meetings.0.rrule",
            "rrule",
            {"value": "'FREQ=SOMETIMES'"},
        ),
    ],
)
def test_a_refused_body_names_field_code_and_parameters(
    client: Client, kind: str, payload: dict[str, Any], field: str, code: str, params: dict[str, Any]
) -> None:
    (error,) = _errors(client.post(f"/api/v1/{kind}", json=payload))
    assert (error["field"], error["code"], error["params"]) == (field, code, params)
    assert error["message"] and ": " not in error["message"][:12]  # no field name glued on


def test_a_body_that_is_no_object_says_so_with_pydantic_s_code(client: Client) -> None:
    (error,) = _errors(client.post("/api/v1/locations", json=[1, 2]))
    assert (error["field"], error["code"]) == ("body", "model_type")


@pytest.mark.parametrize(
    ("path", "field", "code", "params"),
    [
        ("/api/v1/locations?page=0", "page", "greater_than_equal", {"ge": 1}),
        ("/api/v1/locations?page_size=500", "page_size", "less_than_equal", {"le": 200}),
        ("/api/v1/locations?page=twee", "page", "int_parsing", {}),
        ("/api/v1/venues?kitchen=misschien", "kitchen", "bool_parsing", {}),
    ],
)
def test_a_refused_parameter_has_pydantic_s_code(
    client: Client, path: str, field: str, code: str, params: dict[str, Any]
) -> None:
    (error,) = _errors(client.get(path))
    assert (error["field"], error["code"], error["params"]) == (field, code, params)


def test_a_missing_required_parameter_is_named(client: Client) -> None:
    errors = _errors(client.get("/api/v1/support", params={"lat": 52.37, "needs": "company"}))
    assert [(e["field"], e["code"]) for e in errors] == [("lon", "missing")]


@get("/proef", sync_to_thread=False, include_in_schema=False)
def _page_with_a_number(n: Annotated[int, QueryParameter(ge=1)]) -> str:
    """A page taking a typed parameter (the real pages read theirs as text)."""
    return f"n={n}"


def test_a_page_says_a_refused_parameter_in_dutch_and_in_english(clean_db: Engine) -> None:
    with TestClient(app=create_app(clean_db, extra_handlers=[_page_with_a_number])) as web:
        dutch = web.get("/proef?n=0")
        assert dutch.status_code == 422 and "text/html" in dutch.headers["content-type"]
        assert "n: Dit moet 1 of meer zijn." in dutch.text and "Expected" not in dutch.text
        english = web.get("/proef?n=0&lang=en")
        assert "n: This must be 1 or more." in english.text
        missing = web.get("/proef?lang=nl")
        assert missing.status_code == 422 and "n: Vul dit in." in missing.text


def test_the_openapi_document_names_the_422_problem_not_litestar_s_generic_400(client: Client) -> None:
    document = client.get("/schema/openapi.json").json()
    search = document["paths"]["/api/v1/search"]["get"]["responses"]
    assert "400" not in search
    assert search["422"]["content"]["application/problem+json"]["schema"] == {
        "$ref": "#/components/schemas/Problem"
    }
    entry = document["components"]["schemas"]["Problem"]["properties"]["errors"]["items"]
    assert entry["required"] == ["field", "code", "params", "message"]
    # No operation documents Litestar's own validation answer any more.
    generic = [
        (path, method)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if isinstance(operation, dict)
        and "Validation Exception" in str(operation.get("responses", {}).get("400", ""))
    ]
    assert generic == []
