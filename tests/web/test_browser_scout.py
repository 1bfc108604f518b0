"""The scouting map in headless Chromium: outline layers, the reachable area and the group finder.

Screenshots go to tests/output/ for a person to look at.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from tests.web.test_browser import map_frame
from tests.web.test_scout import MEMBERS

pytestmark = pytest.mark.browser

#: The colour web/maps.py gives a reachable area; Leaflet's SVG renderer writes it on the path.
AREA_PATH = "path[fill='#00597a']"


def test_map_shows_outlines_and_the_reachable_area(
    live_server: str, boundaries: Path, chromium: Any, output_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    page = chromium.new_page(viewport={"width": 1200, "height": 1100})
    page.goto(f"{live_server}/kaart")
    frame = map_frame(page)
    # The stadsdeel outlines are on at first: one SVG path per stadsdeel in view at least.
    assert frame.locator(".leaflet-overlay-pane path").count() >= 1
    frame.locator(".leaflet-control-layers").hover()
    names = frame.locator(".leaflet-control-layers-overlays label").all_inner_texts()
    assert {"Stadsdelen", "Wijken", "Buurten"} <= {n.strip() for n in names}
    frame.locator(".leaflet-control-layers-overlays label", has_text="Buurten").locator("input").check()
    page.mouse.move(5, 5)
    page.wait_for_timeout(300)
    page.screenshot(path=str(output_dir / "map-outlines.png"))

    page.click("#reach summary")
    page.fill("#place", "1011 EC")
    page.select_option("#reach-mode", "walk")
    page.fill("#reach-minutes", "10")
    page.click("#reach-form button[type=submit]")
    page.wait_for_selector("#scout-summary")
    assert "1011 EC" not in page.url
    frame = map_frame(page)
    assert frame.locator(AREA_PATH).count() == 1, "the isochrone is drawn"
    assert page.locator("#venue-list .travel").count() == page.locator("#venue-list li").count() > 0
    assert "10 minuten lopen" in page.locator("#scout-summary").inner_text()
    page.wait_for_timeout(300)
    page.screenshot(path=str(output_dir / "map-reach.png"), full_page=True)
    assert "1011 EC" not in caplog.text, "the searched postcode is never logged"


def test_group_finder_lists_places_for_everyone_on_a_phone(
    live_server: str, chromium: Any, output_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    context = chromium.new_context(
        viewport={"width": 375, "height": 740}, device_scale_factor=2, is_mobile=True
    )
    page = context.new_page()
    page.goto(f"{live_server}/kaart")
    page.click("#group summary")
    page.fill("#origins", "\n".join(MEMBERS))
    page.fill("#group-minutes", "12")
    page.click("#group-form button[type=submit]")
    page.wait_for_selector("#scout-summary")
    frame = map_frame(page)
    listed = page.locator("#venue-list li")
    assert listed.count() > 0
    assert page.locator("#venue-list .members").count() == listed.count()
    assert "langste reistijd" in listed.first.inner_text()
    tooltips = frame.locator(".leaflet-tooltip").all_inner_texts()
    assert {"1", "2", "3"} <= set(tooltips), "members are marked by number"
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, "no sideways scrolling on a phone"
    page.wait_for_timeout(300)
    page.screenshot(path=str(output_dir / "map-group-phone.png"), full_page=True)
    page.locator("#scout-summary").scroll_into_view_if_needed()
    page.evaluate("() => document.querySelector('#scout-summary').scrollIntoView()")
    page.screenshot(path=str(output_dir / "map-group-phone-map.png"))
    page.locator("#venue-list").evaluate("e => e.scrollIntoView()")
    page.screenshot(path=str(output_dir / "map-group-phone-list.png"))
    for member in MEMBERS:
        assert member not in caplog.text
    context.close()


def test_group_finder_on_a_desktop_in_english(live_server: str, chromium: Any, output_dir: Path) -> None:
    page = chromium.new_page(viewport={"width": 1200, "height": 1100})
    page.goto(f"{live_server}/kaart?lang=en")
    page.click("#group summary")
    page.fill("#origins", "\n".join(MEMBERS))
    page.select_option("#group-mode", "scootmobiel")
    page.fill("#group-minutes", "10")
    page.click("#group-form button[type=submit]")
    page.wait_for_selector("#scout-summary")
    map_frame(page)
    assert "Everyone (3 people) can reach" in page.locator("#scout-summary").inner_text()
    page.wait_for_timeout(300)
    page.screenshot(path=str(output_dir / "map-group-en.png"), full_page=True)


def test_map_lists_help_without_a_fixed_place_apart_from_the_dots(live_server: str, chromium: Any) -> None:
    """The demo's buddy and language-buddy services serve an area: named under the list, no marker."""
    page = chromium.new_page(viewport={"width": 1200, "height": 1100})
    page.goto(f"{live_server}/kaart")
    frame = map_frame(page)
    page.locator("#area-services").wait_for(state="visible", timeout=15_000)
    names = page.locator("#area-list h3").all_inner_texts()
    assert {"Taalmaatje", "Maatje voor wandelen en koffie"} <= {n.strip() for n in names}
    links = page.locator("#area-list h3 a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert all(link.startswith("/entries/service/") for link in links) and links
    assert "Hulp zonder vaste plek" in page.locator("#area-services h2").inner_text()
    assert frame.locator(".leaflet-marker-icon").count() > 0, "the places are drawn"
    venue_names = set(page.locator("#venue-list h3").all_inner_texts())
    assert not {"Taalmaatje", "Maatje voor wandelen en koffie"} & venue_names, "never listed as a place"
