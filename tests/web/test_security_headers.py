"""Security headers on every response, no-store on private pages, and the map frames locked down."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from litestar.testing import TestClient

from tests.web.conftest import csrf_token, log_in
from tests.web.test_browser import browser_login
from tests.web.test_pages import support_form
from tests.web.test_scout import post_group, post_reach
from web.maps import MAP_SANDBOX, json_for_html

Client = TestClient[Any]
TEMPLATES = Path(__file__).parents[2] / "web" / "templates"


def _csp(response: Any) -> dict[str, str]:
    policy = response.headers["content-security-policy"]
    return {part.split()[0]: part.strip() for part in policy.split(";") if part.strip()}


def assert_secured(response: Any) -> None:
    """The headers every response must carry."""
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "same-origin"
    assert response.headers["x-content-type-options"] == "nosniff"
    policy = _csp(response)
    assert policy["script-src"] == "script-src 'self'", "no inline script, no eval, no other host"
    assert policy["frame-ancestors"] == "frame-ancestors 'none'"
    assert policy["object-src"] == "object-src 'none'" and policy["base-uri"] == "base-uri 'none'"


def test_every_kind_of_response_carries_the_security_headers(web: Client) -> None:
    for path, status in [
        ("/", 200),
        ("/kaart", 200),
        ("/steun", 200),
        ("/inloggen", 200),
        ("/static/map.js", 200),
        ("/api/v1/locations", 200),
        ("/health", 200),
        ("/bestaat-niet", 404),  # answered by the router itself, before any middleware
        ("/beheer", 303),  # to the login page
    ]:
        response = web.get(path, follow_redirects=False)
        assert response.status_code == status, path
        assert_secured(response)
    assert "no-store" not in web.get("/static/map.js").headers.get("cache-control", ""), (
        "assets stay cacheable"
    )
    assert "no-store" not in web.get("/kaart").headers.get("cache-control", ""), (
        "the public map may be cached"
    )


def test_pages_with_a_clients_address_are_never_stored(web: Client) -> None:
    searched = web.post("/steun/zoeken", data=support_form(web, "1011 EC", need_company="on"))
    assert searched.status_code == 200
    handout = web.post(
        "/steun/folder", data=support_form(web, "", lat="52.3719578", lon="4.9034827", need_company="on")
    )
    assert handout.status_code == 200
    reach = post_reach(web, "1011 EC")
    group = post_group(web, ["1011 EC", "Recht Boomssloot 52"])
    refused = web.post("/steun/zoeken", data=support_form(web, ""))  # an error page repeats what was typed
    for response in (searched, handout, reach, group, refused):
        assert response.headers["cache-control"] == "no-store", response.url
        assert response.headers.get_list("cache-control") == ["no-store"], "one header, not two"
        assert_secured(response)


def test_broker_pages_are_never_stored(web: Client) -> None:
    log_in(web, "ada")
    for path in ("/beheer", "/beheer/import", "/beheer/gebruikers", "/kaart"):
        response = web.get(path)
        assert response.status_code == 200, path
        assert response.headers["cache-control"] == "no-store", path
    token = csrf_token(web, "/beheer")
    assert web.post("/uitloggen", data={"_csrf_token": token}, follow_redirects=False).status_code in (
        302,
        303,
    )


def test_the_openapi_viewer_keeps_working_under_its_own_policy(web: Client) -> None:
    response = web.get("/schema/swagger")
    assert response.status_code == 200
    policy = _csp(response)
    assert policy["script-src"] == "script-src 'self' 'unsafe-inline'", "Swagger UI is our own copy"
    assert policy["frame-ancestors"] == "frame-ancestors 'none'"
    assert _csp(web.get("/schema/openapi.json"))["script-src"] == "script-src 'self'"


def test_every_map_frame_is_sandboxed_without_same_origin() -> None:
    """Each <iframe> in the templates uses MAP_SANDBOX; no template has inline script or handlers."""
    assert "allow-same-origin" not in MAP_SANDBOX.split()
    frames = 0
    for template in sorted(TEMPLATES.glob("*.html")):
        text = template.read_text(encoding="utf-8")
        for tag in re.findall(r"<iframe\b[^>]*>", text):
            frames += 1
            match = re.search(r'sandbox="([^"]*)"', tag)
            assert match and match[1] == MAP_SANDBOX, f"{template.name}: {tag}"
        for tag in re.findall(r"<script\b[^>]*>", text):
            assert "src=" in tag, f"{template.name}: inline script is blocked by the CSP"
        assert not re.search(r"\son[a-z]+\s*=", text), f"{template.name}: inline event handler"
        assert "javascript:" not in text, template.name
    assert frames == 2, "map and entry page (the handout's map is an SVG drawn on the server)"


@given(st.text())
def test_json_for_html_round_trips_and_never_writes_markup(value: str) -> None:
    encoded = json_for_html({"text": value, "list": [value]})
    assert json.loads(encoded) == {"text": value, "list": [value]}
    for char in "<>&\u2028\u2029":
        assert char not in encoded
    assert "</script" not in encoded.lower() and "<!--" not in encoded


@pytest.mark.parametrize(
    "value",
    [
        "LOC \\x3cimg src=x onerror=alert(4)\\x3e",
        "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e",
        "${alert(1)}",
        "`",
        "eindigt op \\",
        "eindigt op \\u",
        "</script><script>alert(1)</script>",
        "\u2028\u2029",
    ],
)
def test_json_for_html_with_the_known_payloads(value: str) -> None:
    assert json.loads(json_for_html(value)) == value


@pytest.mark.browser
def test_back_after_logout_does_not_show_a_broker_page(live_server: str, chromium: Any) -> None:
    page = chromium.new_page()
    browser_login(page, live_server, "bram")
    page.goto(f"{live_server}/beheer")
    broker_heading = page.locator("h1").inner_text()
    page.click("header form button[type=submit]")  # log out
    page.wait_for_load_state()
    page.go_back()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() != broker_heading, "the browser asked the server again"
    assert "bram" not in page.locator("header").inner_text()


@pytest.mark.browser
def test_the_handout_print_button_works_without_inline_script(live_server: str, chromium: Any) -> None:
    """The button's handler comes from /static/print.js (an inline onclick would be blocked by the CSP)."""
    context = chromium.new_context()
    context.add_init_script("window.__printed = 0; window.print = () => { window.__printed += 1; };")
    page = context.new_page()
    violations: list[str] = []

    def watch(message: Any) -> None:
        if "Content Security Policy" in message.text:
            violations.append(message.text)

    page.on("console", watch)
    page.goto(f"{live_server}/steun")
    page.fill("#address", "1011 EC")
    page.check("input[name=need_company]")
    page.click("#support-form button[type=submit]")
    page.wait_for_selector("#results")
    with page.expect_popup() as opened:
        page.click("#handout-form button")
    handout = opened.value
    handout.on("console", watch)
    handout.wait_for_load_state()
    # The handout's map is an SVG drawn on the server (no frame, no script): its places are there at load.
    handout.locator("#handout-map svg g.place").first.wait_for(timeout=20_000)
    handout.click("button[data-print]")
    assert handout.evaluate("() => window.__printed") == 1
    assert violations == [], "no page breaks a rule of its own policy"
    context.close()
