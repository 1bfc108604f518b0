"""The wijkgram page: from the support results, its state form, the link, the text list, the entry page."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

from litestar.testing import TestClient
from sqlalchemy import Engine, text

from directory.points import coarse_point
from tests.web.conftest import csrf_token
from tests.web.test_support_travel import ALL_NEEDS

Client = TestClient[Any]
ADDRESS = "1011 EC"
DOT = re.compile(
    r'<g class="dot" data-id="([0-9a-f-]+)" data-kind="\w+" data-ring="(\d)" data-sector="(\w+)">'
)
LISTED = re.compile(r'<li data-id="([0-9a-f-]+)" data-ring="(\d)" data-sector="(\w+)">')


def _hidden(html: str, name: str) -> str:
    match = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)">', html)
    return match[1] if match else ""


def open_from_support(web: Client, **needs: str) -> tuple[Any, Any]:
    """Search /steun like a professional, then press "Bekijk als wijkgram"."""
    token = csrf_token(web, "/steun")
    chosen = needs or {f"need_{n}": "on" for n in ALL_NEEDS}
    results = web.post(
        "/steun/zoeken",
        data={"_csrf_token": token, "address": ADDRESS, "mode": "walk", "minutes": "15", **chosen},
    )
    assert results.status_code == 200, results.text
    form = re.search(r'<form method="post" action="/wijkgram/teken"[^>]*>(.*?)</form>', results.text, re.S)
    assert form, "the support results offer the wijkgram"
    assert "Bekijk als wijkgram" in form[1]
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form[1]))
    fields["_csrf_token"] = token
    return results, web.post("/wijkgram/teken", data=fields)


def test_the_support_results_open_the_same_services_as_a_picture(web: Client) -> None:
    results, page = open_from_support(web)
    assert page.status_code == 200, page.text
    assert page.headers["cache-control"] == "no-store"
    dots = DOT.findall(page.text)
    searched = set(re.findall(r'<h3><a href="/entries/service/([0-9a-f-]+)">', results.text))
    assert {d[0] for d in dots} == searched, "every service of the results, once"
    assert len(dots) == len(searched)
    # The text equivalent holds the same entries, in the same ring and sector.
    assert sorted(LISTED.findall(page.text)) == sorted(dots)
    assert 'role="img"' in page.text and '<title id="wg-title">' in page.text and "<desc" in page.text
    assert ADDRESS not in page.text.replace(f'value="{ADDRESS}"', "")


def test_remove_add_and_far_post_the_state_again(web: Client, demo_db: Engine) -> None:
    _, page = open_from_support(web)
    shown = [d[0] for d in DOT.findall(page.text)]
    state = {n: _hidden(page.text, n) for n in ("lat", "lon", "needs", "e", "x")}
    state["mode"], state["minutes"] = "walk", "15"
    state["_csrf_token"] = csrf_token(web, "/steun")
    assert sorted(state["e"].split(",")) == sorted(shown)
    removed = web.post("/wijkgram/teken", data={**state, "remove": shown[0]})
    assert shown[0] not in {d[0] for d in DOT.findall(removed.text)}
    with demo_db.connect() as conn:
        other = conn.execute(
            text("SELECT id::text FROM service WHERE status = 'active' AND NOT (id::text = ANY(:s)) LIMIT 1"),
            {"s": shown},
        ).scalar_one()
    added = web.post("/wijkgram/teken", data={**state, "add": other})
    assert other in {d[0] for d in DOT.findall(added.text)}
    far = web.post("/wijkgram/teken", data={**state, "toggle_far": "1"})
    assert _hidden(far.text, "far") == "1"
    assert set(shown) <= {d[0] for d in DOT.findall(far.text)}


def test_the_link_reopens_the_same_entries_and_holds_no_address(web: Client) -> None:
    _, page = open_from_support(web)
    lat, lon = float(_hidden(page.text, "lat")), float(_hidden(page.text, "lon"))
    link = re.search(r'id="wg-link" readonly value="([^"]+)"', page.text)
    assert link
    href = link[1].replace("&amp;", "&")
    query = parse_qs(urlsplit(href).query)
    assert set(query) <= {"o", "mode", "minutes", "needs", "e", "far", "x"}
    assert query["o"] == ["{:.5f},{:.5f}".format(*coarse_point(lat, lon))]
    for secret in (ADDRESS, ADDRESS.replace(" ", ""), ADDRESS.replace(" ", "+"), str(lat), str(lon)):
        assert secret not in href
    reopened = web.get(href)
    assert reopened.status_code == 200
    assert sorted(d[0] for d in DOT.findall(reopened.text)) == sorted(d[0] for d in DOT.findall(page.text))
    assert 'id="wg-from-link"' in reopened.text
    # The page opened from the link keeps the coarse point, even when the link was made exact by hand.
    exact = web.get(href.replace(query["o"][0], f"{lat},{lon}"))
    assert _hidden(exact.text, "lat") == str(coarse_point(lat, lon)[0])


def test_english_and_an_unusable_link(web: Client) -> None:
    _, page = open_from_support(web)
    href = re.search(r'id="wg-link" readonly value="([^"]+)"', page.text)[1].replace("&amp;", "&")  # type: ignore[index]
    switch = re.search(r'<a href="([^"]+)" hreflang="en"', page.text)
    assert switch and switch[1].replace("&amp;", "&") == href + "&lang=en", "the switch keeps the picture"
    english = web.get(href + "&lang=en")
    assert "The picture as a list" in english.text and "further away" in english.text
    broken = web.get("/wijkgram?o=nowhere&lang=nl")
    assert broken.status_code == 422
    assert "Zoek eerst steun in de buurt" in broken.text


def test_an_entry_page_opens_the_picture_around_its_place(web: Client, demo_db: Engine) -> None:
    with demo_db.connect() as conn:
        location = conn.execute(
            text("SELECT id::text FROM location WHERE status = 'active' LIMIT 1")
        ).scalar_one()
    entry = web.get(f"/entries/location/{location}")
    assert f'href="/wijkgram?plek={location}"' in entry.text
    page = web.get(f"/wijkgram?plek={location}")
    assert page.status_code == 200
    assert 'class="wijkgram-svg"' in page.text
