"""Smaller holes, attacked as a visitor would: off-site links, CDN scripts, versions, addresses in URLs."""

from __future__ import annotations

import re
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import Engine

from tests.web.conftest import log_in

Client = TestClient[Any]


def test_404_language_link_stays_on_this_site(web: Client) -> None:
    for attack in ("//evil.example/x", "/\\evil.example/x", "///evil.example/x"):
        page = web.get(f"http://testserver.local{attack}")
        assert page.status_code == 404, attack
        links = re.findall(r'href="([^"]*lang=[^"]*)"', page.text)
        assert links, "the page has a language link"
        for link in links:
            assert link.startswith("/") and not link.startswith(("//", "/\\")), (attack, link)
            assert "evil.example/x?lang=" in link, "it still points at the same (local) path"


def test_api_docs_load_no_script_from_elsewhere(web: Client) -> None:
    page = web.get("/schema/swagger")
    assert page.status_code == 200
    sources = re.findall(r'(?:src|href)=["\']([^"\']+)["\']', page.text)
    assert sources, "the page loads its scripts and styles"
    assert all(source.startswith("/static/vendor/swagger-ui/") for source in sources), sources
    for source in sources:
        asset = web.get(source)
        assert asset.status_code == 200 and len(asset.content) > 500, source
    assert web.get("/schema/scalar").status_code == 404, "Scalar (a CDN bundle) is not served"
    assert web.get("/schema/openapi.json").status_code == 200


def test_api_docs_can_be_turned_off(demo_db: Engine, settings_env: pytest.MonkeyPatch) -> None:
    from web.app import create_app

    settings_env.setenv("WIJKGRAM_API_DOCS", "0")
    with TestClient(app=create_app(demo_db)) as client:
        assert client.get("/schema/swagger").status_code == 404
        assert client.get("/schema/openapi.json").status_code == 404
        assert client.get("/health").status_code == 200


def test_health_gives_versions_to_admins_only(web: Client) -> None:
    anonymous = web.get("/health")
    assert anonymous.status_code == 200
    assert anonymous.json() == {"status": "ok"}
    assert "server" not in anonymous.headers
    log_in(web, "bram")
    assert "database" not in web.get("/health").json(), "not for brokers either"
    log_in(web, "ada")
    admin = web.get("/health").json()
    assert admin["database"].startswith("PostgreSQL") and admin["postgis"]


def test_geocode_by_post_keeps_the_address_out_of_the_url(web: Client) -> None:
    query = "Recht Boomssloot 52"
    by_get = web.get("/api/v1/geocode", params={"q": query})
    web.cookies.clear()  # an API client: no session, no CSRF cookie
    by_post = web.post("/api/v1/geocode", json={"q": query})
    assert by_post.status_code == by_get.status_code == 200, by_post.text
    assert by_post.json() == by_get.json()
    assert by_post.headers["cache-control"] == "no-store"
    empty = web.post("/api/v1/geocode", json={"q": ""})
    assert empty.status_code == 422 and empty.json()["errors"][0]["field"] == "q"
    assert web.post("/api/v1/geocode", json={"q": "Nergensstraat 999"}).status_code == 404
    other = web.post("/api/v1/locations", json={})
    assert other.status_code in (401, 403), "other API posts still need a broker"


def test_every_page_names_an_icon_the_site_serves(web: Client) -> None:
    """Without one the browser asks /favicon.ico on every page and logs a 404 in its console."""
    for path in ("/", "/kaart", "/zoeken", "/steun", "/inloggen"):
        page = web.get(path)
        assert page.status_code == 200, path
        assert re.findall(r'<link rel="icon" href="([^"]+)"', page.text) == ["/static/favicon.svg"], path
    icon = web.get("/static/favicon.svg")
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")
    assert icon.content.startswith(b"<svg") and b"<script" not in icon.content
