"""The pages in headless Chromium: map, support search and handout, editing conflict, XSS, roles.

Screenshots go to tests/output/ for a person to look at.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from directory.models import Location
from directory.services.entries import Actor, EntryService
from tests import factories
from tests.tiles.conftest import basemap  # noqa: F401 (the fixture: the demo's base map loaded)
from tests.web.conftest import PASSWORDS

pytestmark = pytest.mark.browser

#: web/static/map.js lists what it drew in window.wijkgramMap (markers, clusters).
COUNT_MARKERS = "() => window.wijkgramMap.markers.length"
#: Open the popup of the first marker whose popup contains a text (zooming into its cluster), return its text.
OPEN_POPUP = """(needle) => new Promise((resolve) => {
  const m = window.wijkgramMap.markers.find(v => v.getPopup()
    && v.getPopup().getContent().textContent.includes(needle));
  if (!m) { resolve(""); return; }
  // The popup's own DOM (built by map.js with textContent): what a person reads in it.
  const text = m.getPopup().getContent().innerText;
  const group = window.wijkgramMap.clusters.find(v => v.hasLayer(m));
  let done = false;
  const show = () => { if (done) return; done = true;
    try { m.openPopup(); } catch (e) {}
    setTimeout(() => resolve(text), 300); };
  // zoomToShowLayer's callback does not always fire; open after 3 s regardless, never hang.
  if (group) { group.zoomToShowLayer(m, show); setTimeout(show, 3000); } else { show(); }
})"""


def browser_login(page: Any, base: str, username: str) -> None:
    """Log in through the form."""
    page.goto(f"{base}/inloggen")
    page.fill("#username", username)
    page.fill("#password", PASSWORDS[username])
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/")


def map_frame(page: Any) -> Any:
    """The map's frame, once Leaflet has drawn its markers."""
    page.frame_locator("iframe.map-frame").locator(".leaflet-marker-icon").first.wait_for(timeout=15_000)
    wait_for_places(page)
    return next(f for f in page.frames if f.parent_frame is not None)


def wait_for_places(page: Any) -> None:
    """On the plain map, wait until the places of the view are loaded and listed (web/static/kaart.js)."""
    if page.locator("#venue-list[data-loaded]").count():
        page.locator("#venue-list[data-loaded=true]").wait_for(state="attached", timeout=15_000)


def test_map_shows_markers_and_filters_change_them(live_server: str, chromium: Any, output_dir: Path) -> None:
    page = chromium.new_page(viewport={"width": 1200, "height": 1000})
    page.goto(f"{live_server}/kaart")
    frame = map_frame(page)
    everything = frame.evaluate(COUNT_MARKERS)
    listed = page.locator("#venue-list li").count()
    assert everything == listed > 0
    assert "OpenStreetMap" in frame.locator(".leaflet-control-attribution").inner_text()
    page.screenshot(path=str(output_dir / "map.png"))

    page.check("input[name=kitchen]")
    page.click("#filters button[type=submit]")
    page.wait_for_url("**kitchen=true**")
    frame = map_frame(page)
    with_kitchen = frame.evaluate(COUNT_MARKERS)
    assert 0 < with_kitchen < everything
    assert with_kitchen == page.locator("#venue-list li").count()
    assert page.locator("#count").inner_text().startswith(str(with_kitchen))
    page.screenshot(path=str(output_dir / "map-kitchen.png"))

    popup_text = frame.evaluate(OPEN_POPUP, "De Boomspijker")
    assert "De Boomspijker" in popup_text and "Kosten" in popup_text and "keuken" in popup_text
    assert "Meer over deze plek" in popup_text
    page.screenshot(path=str(output_dir / "map-popup.png"))


def test_xss_attempt_is_shown_as_text(demo_db: Engine, chromium: Any, output_dir: Path) -> None:
    from tests.web.browser import serve

    evil_name = "<script>alert(1)</script>"
    with Session(demo_db) as s, s.begin():
        evil: Any = EntryService(s, Actor("test")).create(
            "location",
            factories.location(name=evil_name, cost_note="`${alert(2)}`<img src=x onerror=alert(3)>"),
        )
        evil_id = evil.id
    dialogs: list[str] = []
    page = chromium.new_page(viewport={"width": 1000, "height": 800})

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    with serve(demo_db) as base:
        page.goto(f"{base}/entries/location/{evil_id}")
        assert page.locator("h1").inner_text() == evil_name
        page.screenshot(path=str(output_dir / "xss-entry.png"))
        page.goto(f"{base}/kaart")
        frame = map_frame(page)
        text = frame.evaluate(OPEN_POPUP, evil_name)
        assert evil_name in text and "${alert(2)}" in text and "<img src=x" in text
        page.wait_for_timeout(300)
        page.screenshot(path=str(output_dir / "xss-map-popup.png"))
    assert dialogs == [], "no script from entry data ran"


def test_support_search_from_a_postcode_and_the_handout(
    basemap: Engine,  # noqa: F811 (loaded before the server starts: the handout draws its streets)
    live_server: str,
    chromium: Any,
    output_dir: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    postcode = "1011 EC"
    page = chromium.new_page(viewport={"width": 1000, "height": 1000})
    page.goto(f"{live_server}/steun")
    page.fill("#address", postcode)
    page.check("input[name=need_company]")
    page.check("input[name=need_money]")
    page.fill("#minutes", "15")
    page.click("#support-form button[type=submit]")
    page.wait_for_selector("#results")
    assert postcode not in page.url
    groups = page.locator(".need-group h2").all_inner_texts()
    assert [g.split(" (")[0] for g in groups] == ["Gezelschap en steun", "Geld en budget"]
    assert page.locator(".need-group[data-need=company] .card").count() >= 2
    page.screenshot(path=str(output_dir / "support-results.png"), full_page=True)

    with page.expect_popup() as opened:
        page.click("#handout-form button")
    handout = opened.value
    handout.wait_for_load_state()
    places = handout.locator(".handout-place").count()
    assert 1 <= places <= 8
    # The map is a picture drawn on the server: start point, numbered places apart, metric scale, no controls.
    svg = handout.locator("#handout-map svg")
    assert svg.locator(".start").count() == 1
    numbers = svg.locator(".place").evaluate_all("gs => gs.map(g => g.dataset.number)")
    assert numbers and set(numbers) <= {str(n) for n in range(1, places + 1)}
    circles = svg.locator(".place circle").evaluate_all(
        "cs => cs.map(c => [+c.getAttribute('cx'), +c.getAttribute('cy'), +c.getAttribute('r')])"
    )
    for i, (x1, y1, r1) in enumerate(circles):
        for x2, y2, r2 in circles[i + 1 :]:
            assert ((x1 - x2) ** 2 + (y1 - y2) ** 2) ** 0.5 >= r1 + r2, "numbered labels do not overlap"
    assert (svg.locator(".scale text").text_content() or "").endswith((" m", " km"))
    # Street names: plain text, each inside the box the server kept free for it (measured in the
    # printed font: the text's own width, before its turn, is at most the box's length).
    names = svg.locator(".street-name").evaluate_all(
        "ts => ts.map(t => [t.textContent, t.children.length, t.getBBox().width, +t.dataset.width])"
    )
    assert len(names) >= 3, names
    for name, children, width, room in names:
        assert name.strip() and children == 0
        assert width <= room, f"{name!r} is {width:.0f} px, its box {room:.0f} px"
    assert handout.locator("#handout-map button, #handout-map iframe").count() == 0
    font_px = float(handout.evaluate("() => getComputedStyle(document.body).fontSize").removesuffix("px"))
    assert font_px >= 20, "large type"
    assert "Wat zeg je als je binnenkomt" in handout.locator("main").inner_text()
    handout.screenshot(path=str(output_dir / "handout.png"), full_page=True)
    handout.emulate_media(media="print")
    handout.screenshot(path=str(output_dir / "handout-print.png"), full_page=True)
    assert postcode not in caplog.text, "the searched postcode is never logged"


def test_support_page_fits_a_phone(live_server: str, chromium: Any, output_dir: Path) -> None:
    context = chromium.new_context(
        viewport={"width": 375, "height": 740}, device_scale_factor=2, is_mobile=True
    )
    page = context.new_page()
    page.goto(f"{live_server}/steun")
    page.fill("#address", "Recht Boomssloot 52")
    page.check("input[name=need_peers]")
    page.click("#support-form button[type=submit]")
    page.wait_for_selector("#results")
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, "no sideways scrolling on a phone"
    page.screenshot(path=str(output_dir / "support-phone.png"), full_page=True)
    context.close()


def test_broker_edit_and_a_second_session_gets_the_conflict(
    live_server: str, chromium: Any, output_dir: Path, demo_db: Engine
) -> None:
    from sqlalchemy import text

    with demo_db.connect() as conn:
        entry_id = conn.execute(text("SELECT id FROM location WHERE name = 'Treasure House'")).scalar_one()
    first, second = chromium.new_context(), chromium.new_context()
    anna, ben = first.new_page(), second.new_page()
    browser_login(anna, live_server, "bram")
    browser_login(ben, live_server, "ada")
    edit = f"{live_server}/entries/location/{entry_id}/bewerken"
    anna.goto(edit)
    ben.goto(edit)
    anna.fill("#f-capacity", "18")
    anna.click("#edit-form button[type=submit]")
    anna.wait_for_selector(".notice")
    assert "Opgeslagen" in anna.locator(".notice").inner_text()

    ben.fill("#f-capacity", "30")
    ben.fill("#f-postcode", "12345")
    ben.click("#edit-form button[type=submit]")
    assert "geen Nederlandse postcode" in ben.locator("#err-postcode").inner_text()
    ben.screenshot(path=str(output_dir / "edit-validation.png"), full_page=True)
    ben.fill("#f-postcode", "1012 HG")
    ben.click("#edit-form button[type=submit]")
    ben.wait_for_selector("#conflict-title")
    differs = ben.locator("#conflict tr.differs")
    assert differs.count() == 1
    assert differs.locator(".theirs").inner_text().strip() == "18"
    assert differs.locator(".mine").inner_text().strip() == "30"
    ben.set_viewport_size({"width": 1000, "height": 900})
    ben.screenshot(path=str(output_dir / "edit-conflict.png"), full_page=True)
    ben.check("#pick-capacity-mine")
    ben.click("#save-merge")
    ben.wait_for_selector(".notice")
    assert "30" in ben.locator("#facts").inner_text()
    first.close()
    second.close()


def test_conflict_is_resolved_field_by_field(
    live_server: str, chromium: Any, output_dir: Path, demo_db: Engine
) -> None:
    from sqlalchemy import text

    with demo_db.connect() as conn:
        entry_id = conn.execute(text("SELECT id FROM location WHERE name = 'Treasure House'")).scalar_one()
    first = chromium.new_context()
    second = chromium.new_context(viewport={"width": 1000, "height": 900})
    anna, ben = first.new_page(), second.new_page()
    browser_login(anna, live_server, "bram")
    browser_login(ben, live_server, "ada")
    edit = f"{live_server}/entries/location/{entry_id}/bewerken"
    anna.goto(edit)
    ben.goto(edit)
    anna.fill("#f-capacity", "18")
    anna.fill("#f-phone", "020 555 0001")
    anna.click("#edit-form button[type=submit]")
    anna.wait_for_selector(".notice")

    ben.fill("#f-capacity", "30")
    ben.fill("#f-name", "Treasure House Oost")
    ben.click("#edit-form button[type=submit]")
    ben.wait_for_selector("#conflict-title")
    assert ben.locator("#conflict tr.differs").count() == 3
    # Only Anna changed the phone: hers is preselected; Ben's own changes are preselected as his.
    assert ben.is_checked("#pick-phone-theirs") and ben.is_checked("#pick-name-mine")
    ben.check("#pick-capacity-theirs")
    ben.screenshot(path=str(output_dir / "conflict-per-field.png"), full_page=True)
    ben.click("#save-merge")
    ben.wait_for_selector(".notice")
    facts = ben.locator("main").inner_text()
    assert "Treasure House Oost" in facts and "18" in facts and "555 0001" in facts
    ben.screenshot(path=str(output_dir / "conflict-per-field-saved.png"), full_page=True)
    first.close()
    second.close()
    first.close()
    second.close()


def test_a_viewer_cannot_reach_broker_pages(live_server: str, chromium: Any, output_dir: Path) -> None:
    context = chromium.new_context()
    page = context.new_page()
    browser_login(page, live_server, "vera")
    assert page.locator("header.top a[href='/beheer']").count() == 0
    for path in ("/beheer", "/beheer/import", "/beheer/gebruikers"):
        response = page.goto(f"{live_server}{path}")
        assert response is not None and response.status == 403, path
        assert "Je mag deze pagina niet zien" in page.locator("main").inner_text()
    page.screenshot(path=str(output_dir / "viewer-forbidden.png"))
    context.close()


@pytest.fixture
def upload_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private folder for kept uploads; requested before live_server, which reads it at start."""
    folder = tmp_path / "uploads"
    monkeypatch.setenv("WIJKGRAM_UPLOAD_DIR", str(folder))
    return folder


def test_upload_preview_and_apply_a_partner_list(
    upload_dir: Path, live_server: str, chromium: Any, output_dir: Path, tmp_path: Path, demo_db: Engine
) -> None:
    from tests.web.test_broker_import import LIST

    path = tmp_path / "partner.csv"
    path.write_text(LIST, encoding="utf-8")
    page = chromium.new_page(viewport={"width": 1100, "height": 900})
    browser_login(page, live_server, "bram")
    page.goto(f"{live_server}/beheer")
    page.click("a[href='/beheer/import']")
    page.set_input_files("#file", str(path))
    page.check("#mode-rows")
    page.screenshot(path=str(output_dir / "import-form.png"), full_page=True)
    page.click("#import-preview")
    page.wait_for_selector("#import-counts")
    assert page.locator("#count-created").inner_text() == "2"
    assert page.locator("#count-rejected").inner_text() == "1"
    assert page.locator("#rejected td.line").first.inner_text() == "4"
    page.screenshot(path=str(output_dir / "import-preview.png"), full_page=True)
    page.click("#import-apply")
    page.wait_for_selector("#import-done")
    assert "verwerkt" in page.locator("#import-done").inner_text()
    page.screenshot(path=str(output_dir / "import-applied.png"), full_page=True)
    # The map loads places per view; the new place (Zuidoost) lies outside /kaart's first view,
    # so ask the map's own data source for the view around it, as the frame does when panned there.
    answer = page.request.get(
        f"{live_server}/api/v1/map/places", params={"bbox": "4.96,52.305,4.98,52.315", "zoom": "16"}
    ).json()
    assert "Buurtkamer Proeftuin" in {place["name"] for place in answer["places"]}

    # A value the list offers for a field a broker owns waits on the suggestions screen.
    from directory.models import SourceSuggestion

    with Session(demo_db) as s, s.begin():
        place = s.scalars(select(Location).where(Location.name == "Buurtkamer Proeftuin")).one()
        s.add(
            SourceSuggestion(
                entity_type="location",
                entity_id=place.id,
                field="phone",
                source="table:partner",
                value="+31 20 111 3333",
                current=place.phone,
            )
        )
    page.goto(f"{live_server}/beheer")
    page.click("#suggestions-link")
    page.wait_for_selector("tr.suggestion")
    page.screenshot(path=str(output_dir / "suggestions.png"), full_page=True)
    page.click("tr.suggestion button.accept")
    page.wait_for_selector("#suggestions-none")
    assert "overgenomen" in page.locator(".notice").inner_text()
