"""SQL and HTML injection attempts in every text field are stored and returned as plain text."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from directory.models import Location, Organization, Service
from tests import factories

ATTACKS = [
    "'; DROP TABLE location; --",
    '" OR 1=1 --',
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    "Robert'); DELETE FROM organization;--",
    "%' AND pg_sleep(5) IS NULL --",
]
TEXT_FIELDS = {
    "locations": [
        "name",
        "alternate_name",
        "description",
        "street",
        "city",
        "accessibility_note",
        "cost_note",
    ],
    "organizations": ["name", "alternate_name", "description", "verified_by", "source", "source_id"],
    "services": ["name", "description", "how_to_join", "contact_role", "contact_name", "cost_note"],
}
PAYLOADS = {
    "locations": factories.location,
    "organizations": factories.organization,
    "services": factories.service,
}


@pytest.mark.parametrize("attack", ATTACKS)
@pytest.mark.parametrize("kind", sorted(TEXT_FIELDS))
def test_text_fields_keep_attacks_as_text(
    client: TestClient[Any], clean_db: Engine, kind: str, attack: str
) -> None:
    payload = PAYLOADS[kind](**{field: f"{attack} {field}" for field in TEXT_FIELDS[kind]})
    response = client.post(f"/api/v1/{kind}", json=payload)
    assert response.status_code == 201, response.text
    body = response.json()
    for field in TEXT_FIELDS[kind]:
        assert body[field] == f"{attack} {field}"
    again = client.get(f"/api/v1/{kind}/{body['id']}").json()
    assert again["name"] == f"{attack} name"
    with Session(clean_db) as session:
        # The tables are all still there and hold exactly what we wrote: one entry of this kind.
        counts = {
            "locations": session.scalar(select(func.count()).select_from(Location)),
            "organizations": session.scalar(select(func.count()).select_from(Organization)),
            "services": session.scalar(select(func.count()).select_from(Service)),
        }
    assert counts == {name: int(name == kind) for name in counts}


@pytest.mark.parametrize("attack", ATTACKS)
def test_query_parameters_resist_injection(client: TestClient[Any], attack: str) -> None:
    client.post("/api/v1/locations", json=factories.location(name="Blijft"))
    for query in (f"category={attack}", f"near={attack}&radius_m=10", f"page_size={attack}"):
        response = client.get("/api/v1/locations", params=dict(p.split("=", 1) for p in query.split("&")))
        assert response.status_code in (200, 422), (query, response.text)
    assert client.get("/api/v1/locations").json()["total"] == 1
