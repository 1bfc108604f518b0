"""The wijkgram page in headless Chromium: own dots never leave the browser, the link, print on one A4 page.

Screenshots and the printed PDF go to tests/output/ for a person to look at.
"""

from __future__ import annotations

import io
import itertools
import logging
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

import pytest
from pypdf import PdfReader

pytestmark = pytest.mark.browser

POSTCODE = "1011 EC"
OWN = ["buurvrouw Fatima", "zus", "moskee van de familie"]
#: Every drawn text's box in the picture (labels, captions, numbered list, own dots), in SVG units.
TEXT_BOXES = """() => {
  const svg = document.querySelector('#wg-figure svg');
  return Array.from(svg.querySelectorAll('text'))
    .filter(t => !t.closest('.legend') && !t.closest('.household') && t.textContent.trim())
    .filter(t => !(t.parentNode.classList.contains('dot') && !t.classList.contains('label')))
    .map(t => { const b = t.getBBox(); return [t.textContent, b.x, b.y, b.x + b.width, b.y + b.height]; });
}"""


def open_wijkgram(page: Any, base: str) -> None:
    """Search support for a postcode on /steun, then open the picture."""
    page.goto(f"{base}/steun")
    page.fill("#address", POSTCODE)
    page.fill("#minutes", "15")
    for need in ("practical", "company", "information", "peers", "language", "money"):
        page.check(f"input[name=need_{need}]")
    page.click("#support-form button[type=submit]")
    page.wait_for_selector("#results")
    page.click("#wijkgram-form button")
    page.wait_for_selector("#wg-figure svg")


def add_own(page: Any, label: str, sector: str, ring: str) -> None:
    page.fill("#wg-own-name", label)
    page.select_option("#wg-own-sector", sector)
    page.select_option("#wg-own-ring", ring)
    page.click("#wg-own-add")


def test_own_dots_stay_in_the_browser_and_the_link_holds_no_address(
    live_server: str, chromium: Any, output_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    context = chromium.new_context(viewport={"width": 1400, "height": 1100})
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    sent: list[str] = []

    def record(request: Any) -> None:
        sent.append(
            " ".join([request.method, unquote_plus(request.url), unquote_plus(request.post_data or "")])
        )

    page.on("request", record)
    open_wijkgram(page, live_server)
    entries = page.locator("#wg-figure g.dot").count()
    assert entries >= 5
    add_own(page, OWN[0], "company", "1")
    add_own(page, OWN[1], "practical", "0")
    add_own(page, OWN[2], "peers", "4")
    assert page.locator("#wg-figure g.own-dot").count() == 3
    titles = page.eval_on_selector_all("#wg-figure g.own-dot title", "ts => ts.map(t => t.textContent)")
    assert titles == OWN
    rings = page.eval_on_selector_all(
        "#wg-figure g.own-dot", "gs => gs.map(g => g.dataset.ring + g.dataset.sector)"
    )
    assert rings == ["1company", "0practical", "4peers"]
    assert "zus" in page.locator("#wg-own-list").inner_text()

    # Everything else the page does still sends requests; none carries an own dot.
    first_dot = page.locator("#wg-figure g.dot").first.get_attribute("data-id")
    with page.expect_navigation():
        page.click(f"#wg-list button[value='{first_dot}']")
    assert page.locator(f"#wg-figure g.dot[data-id='{first_dot}']").count() == 0
    assert page.locator("#wg-figure g.own-dot").count() == 3, "own dots come back after the page reloads"
    page.fill("#wg-search-q", "taal")
    page.click("#wg-search-go")
    page.wait_for_selector("#wg-search-results li button")
    with page.expect_navigation():
        page.locator("#wg-search-results li button").first.click()
    with page.expect_navigation():
        page.click("#wg-far")
    assert page.get_attribute("#wg-far", "aria-pressed") == "true"
    page.screenshot(path=str(output_dir / "wijkgram.png"), full_page=True)

    # The copied link: ids, settings and a coarse point; reopened, it draws the same entries.
    page.click("#wg-copy")
    page.wait_for_function("() => document.getElementById('wg-copied').textContent.length > 0")
    link = page.evaluate("() => navigator.clipboard.readText()")
    assert link.startswith(live_server + "/wijkgram?o=")
    lat, lon = (page.input_value(f"#wg-state input[name={n}]") for n in ("lat", "lon"))
    for secret in (POSTCODE, POSTCODE.replace(" ", ""), lat, lon, *OWN):
        assert secret not in unquote_plus(link)
    shown = sorted(page.eval_on_selector_all("#wg-figure g.dot", "gs => gs.map(g => g.dataset.id)"))
    other = context.new_page()
    other.on("request", record)
    other.goto(link)
    other.wait_for_selector("#wg-figure svg")
    assert sorted(other.eval_on_selector_all("#wg-figure g.dot", "gs => gs.map(g => g.dataset.id)")) == shown
    assert other.locator("#wg-from-link").count() == 1

    # With the box ticked the own dots travel behind '#', which no browser sends.
    page.check("#wg-with-own")
    page.click("#wg-copy")
    with_own = page.evaluate("() => navigator.clipboard.readText()")
    assert with_own.split("#", 1)[0] == link and "#eigen=" in with_own
    fresh = chromium.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    fresh.on("request", record)
    fresh.goto(with_own)
    fresh.wait_for_selector("#wg-figure g.own-dot")
    assert fresh.locator("#wg-figure g.own-dot").count() == 3
    assert "#" not in fresh.url, "the fragment is taken into the tab and dropped from the address bar"

    assert sent, "the requests were recorded"
    for request in sent:
        for label in OWN:
            assert label not in request, f"an own dot went out: {request[:200]}"
        assert POSTCODE not in request or (request.startswith("POST") and "/steun/zoeken" in request)
    for label in OWN:
        assert label not in caplog.text
    assert POSTCODE not in caplog.text


def test_the_picture_prints_on_one_a4_landscape_page_with_no_overlapping_text(
    live_server: str, chromium: Any, output_dir: Path
) -> None:
    page = chromium.new_page(viewport={"width": 1400, "height": 1000})
    open_wijkgram(page, live_server)
    for label, sector, ring in zip(OWN, ("company", "practical", "peers"), ("1", "0", "4"), strict=True):
        add_own(page, label, sector, ring)
    with page.expect_navigation():
        page.click("#wg-far")
    # The label widths the server estimated hold for the font the browser really uses.
    boxes = page.evaluate(TEXT_BOXES)
    assert len(boxes) >= 10
    for a, b in itertools.combinations(boxes, 2):
        overlap = min(a[3], b[3]) - max(a[1], b[1]) > 0.5 and min(a[4], b[4]) - max(a[2], b[2]) > 0.5
        assert not overlap, f"{a[0]!r} overlaps {b[0]!r}"
    pdf = page.pdf(format="A4", landscape=True, print_background=True, prefer_css_page_size=True)
    (output_dir / "wijkgram.pdf").write_bytes(pdf)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1, f"printed on {len(reader.pages)} pages"
    box = reader.pages[0].mediabox
    assert float(box.width) > float(box.height), "landscape"
    assert abs(float(box.width) - 841.9) < 2 and abs(float(box.height) - 595.3) < 2, "A4"
    printed = reader.pages[0].extract_text()
    assert "Wijkgram" in printed and OWN[1] in printed, "the picture and the own dots are printed"
    page.emulate_media(media="print")
    page.screenshot(path=str(output_dir / "wijkgram-print.png"), full_page=True)
