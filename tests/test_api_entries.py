"""CRUD of entries through the JSON API, with validation, locking, revisions and restore."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from tests import factories

Client = TestClient[Any]


def create(client: Client, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    response = client.post(f"/api/v1/{kind}", json=payload)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def test_create_read_update_delete_location(client: Client) -> None:
    created = create(client, "locations", factories.location(postcode="1011ab", phone="020 555 1234"))
    assert created["version"] == 1
    assert created["postcode"] == "1011 AB"
    assert created["phone"] == "+31 20 555 1234"

    fetched = client.get(f"/api/v1/locations/{created['id']}").json()
    assert fetched["lat"] == pytest.approx(factories.DAM.y)
    assert fetched["lon"] == pytest.approx(factories.DAM.x)

    updated = client.patch(
        f"/api/v1/locations/{created['id']}", json={"version": 1, "kitchen_available": True, "capacity": 12}
    )
    assert updated.status_code == 200
    assert updated.json()["version"] == 2
    assert updated.json()["capacity"] == 12
    assert updated.json()["name"] == created["name"], "a partial update keeps other fields"

    assert client.delete(f"/api/v1/locations/{created['id']}?version=2").status_code == 204
    assert client.get(f"/api/v1/locations/{created['id']}").status_code == 404


def test_service_links_to_organization_and_locations(client: Client) -> None:
    org = create(client, "organizations", factories.organization())
    loc = create(client, "locations", factories.location())
    svc = create(client, "services", factories.service(organization_id=org["id"], location_ids=[loc["id"]]))
    assert svc["organization_id"] == org["id"]
    assert svc["location_ids"] == [loc["id"]]
    assert svc["cost_amount_eur"] == "3.50"
    assert svc["meetings"][0]["rrule"] == "FREQ=MONTHLY;BYDAY=1TU"


@pytest.mark.parametrize(
    ("kind", "payload", "field", "fragment"),
    [
        ("locations", factories.location(category="zwembadje"), "category", "unknown category"),
        ("locations", factories.location(lat=52.5, lon=3.4), "lat", "outside the Netherlands"),
        ("locations", factories.location(lat=50.85, lon=4.35), "lat", "outside the Netherlands"),
        ("locations", factories.location(postcode="12345"), "postcode", "not a Dutch postcode"),
        (
            "locations",
            factories.location(opening_hours="maandag tot vrijdag"),
            "opening_hours",
            "opening-hours",
        ),
        (
            "locations",
            factories.location(cost_amount_eur="-3"),
            "cost_amount_eur",
            "greater than or equal to 0",
        ),
        ("services", factories.service(cost_amount_eur=-1), "cost_amount_eur", "greater than or equal to 0"),
        ("services", factories.service(support_functions=["gezelligheid"]), "support_functions", "unknown"),
        ("services", factories.service(meetings=[{"rrule": "FREQ=SOMETIMES"}]), "meetings.0.rrule", "RRULE"),
        ("services", factories.service(languages=["Nederlands"]), "languages", "ISO 639"),
        ("organizations", {"category": "cafe"}, "name", "name is required"),
        ("organizations", factories.organization(unknown_field=1), "unknown_field", "Extra inputs"),
    ],
)
def test_invalid_input_is_422_naming_the_field(
    client: Client, kind: str, payload: dict[str, Any], field: str, fragment: str
) -> None:
    response = client.post(f"/api/v1/{kind}", json=payload)
    assert response.status_code == 422, response.text
    body = response.json()
    fields = [e["field"] for e in body["errors"]]
    assert field in fields, body
    assert fragment in body["detail"]


def test_stale_update_gets_409_with_current_version(client: Client) -> None:
    loc = create(client, "locations", factories.location())
    first = client.patch(f"/api/v1/locations/{loc['id']}", json={"version": 1, "phone": "020 111 2222"})
    assert first.status_code == 200
    second = client.patch(f"/api/v1/locations/{loc['id']}", json={"version": 1, "phone": "020 333 4444"})
    assert second.status_code == 409
    body = second.json()
    assert body["current_version"] == 2
    assert body["current"]["phone"] == "+31 20 111 2222"
    # The first writer's value survived.
    assert client.get(f"/api/v1/locations/{loc['id']}").json()["phone"] == "+31 20 111 2222"
    # A stale delete is refused too.
    assert client.delete(f"/api/v1/locations/{loc['id']}?version=1").status_code == 409


def test_revisions_record_who_what_and_restore_brings_back_old_content(client: Client) -> None:
    loc = create(client, "locations", factories.location(name="De Kas"))
    client.patch(f"/api/v1/locations/{loc['id']}", json={"version": 1, "name": "De Kas (verhuisd)"})
    client.patch(f"/api/v1/locations/{loc['id']}", json={"version": 2, "capacity": 30})

    revisions = client.get(f"/api/v1/locations/{loc['id']}/revisions").json()
    assert [r["version"] for r in revisions] == [3, 2, 1]
    assert revisions[1]["changes"]["name"] == ["De Kas", "De Kas (verhuisd)"]
    assert revisions[0]["changes"] == {"capacity": [None, 30]}
    assert all(r["changed_by"] == "api" for r in revisions)

    restored = client.post(f"/api/v1/locations/{loc['id']}/revisions/1/restore", json={"version": 3})
    assert restored.status_code == 200, restored.text
    assert restored.json()["name"] == "De Kas"
    assert restored.json()["capacity"] is None
    assert restored.json()["version"] == 4
    latest = client.get(f"/api/v1/locations/{loc['id']}/revisions").json()[0]
    assert latest["kind"] == "restore"
    assert latest["changes"]["name"] == ["De Kas (verhuisd)", "De Kas"]


def test_restore_refuses_stale_version_and_unknown_revision(client: Client) -> None:
    loc = create(client, "locations", factories.location())
    client.patch(f"/api/v1/locations/{loc['id']}", json={"version": 1, "capacity": 5})
    assert (
        client.post(f"/api/v1/locations/{loc['id']}/revisions/1/restore", json={"version": 1}).status_code
        == 409
    )
    assert (
        client.post(f"/api/v1/locations/{loc['id']}/revisions/9/restore", json={"version": 2}).status_code
        == 404
    )


def test_update_without_changes_makes_no_revision(client: Client) -> None:
    loc = create(client, "locations", factories.location(capacity=10))
    same = client.patch(f"/api/v1/locations/{loc['id']}", json={"version": 1, "capacity": 10})
    assert same.json()["version"] == 1
    assert len(client.get(f"/api/v1/locations/{loc['id']}/revisions").json()) == 1


def test_update_records_field_provenance_as_manual(client: Client) -> None:
    loc = create(client, "locations", factories.location())
    updated = client.patch(f"/api/v1/locations/{loc['id']}", json={"version": 1, "capacity": 8}).json()
    assert updated["field_provenance"]["capacity"]["source"] == "manual"
    assert updated["field_provenance"]["capacity"]["by"] == "api"


def test_lists_paginate(client: Client) -> None:
    for i in range(7):
        create(client, "organizations", factories.organization(name=f"Org {i:02d}"))
    page1 = client.get("/api/v1/organizations?page=1&page_size=3").json()
    page3 = client.get("/api/v1/organizations?page=3&page_size=3").json()
    assert page1["total"] == 7
    assert [o["name"] for o in page1["items"]] == ["Org 00", "Org 01", "Org 02"]
    assert [o["name"] for o in page3["items"]] == ["Org 06"]
    assert client.get("/api/v1/organizations?page_size=500").status_code == 422
    assert client.get("/api/v1/organizations?page=0").status_code == 422


def test_not_found_and_bad_id(client: Client) -> None:
    assert client.get("/api/v1/services/00000000-0000-0000-0000-000000000000").status_code == 404
    assert client.get("/api/v1/services/not-a-uuid").status_code == 404


def test_taxonomy_has_dutch_and_english_labels(client: Client) -> None:
    terms = client.get("/api/v1/taxonomy?vocabulary=support_function").json()
    codes = {t["code"]: t for t in terms}
    assert {"practical", "company", "information", "peers", "language", "money", "activity"} <= set(codes)
    assert codes["money"]["label_nl"] == "Geld en budget"
    assert codes["money"]["label_en"] == "Money and budget"


def test_health_reports_database(client: Client, clean_db: Engine) -> None:
    from web.accounts.service import create_token, create_user

    assert client.get("/health").json() == {"status": "ok"}, "versions are for admins only"
    with Session(clean_db) as s, s.begin():
        admin_token = create_token(s, create_user(s, "root-admin", "an admin password", "admin"))
    body = client.get("/health", headers={"Authorization": f"Bearer {admin_token}"}).json()
    assert body["status"] == "ok"
    assert body["database"].startswith("PostgreSQL")
    assert body["postgis"].startswith("3.")


def test_openapi_documents_the_api(client: Client) -> None:
    schema = client.get("/schema/openapi.json").json()
    assert "/api/v1/locations" in schema["paths"]
    params = {p["name"] for p in schema["paths"]["/api/v1/locations"]["get"]["parameters"]}
    assert {"near", "radius_m", "page", "page_size"} <= params
