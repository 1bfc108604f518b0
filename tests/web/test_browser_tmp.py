from pathlib import Path
from typing import Any

import pytest


@pytest.mark.browser
def test_map_shot(live_server: str, chromium: Any, output_dir: Path) -> None:
    page = chromium.new_page(viewport={"width": 1200, "height": 900})
    page.goto(live_server + "/kaart")
    frame = page.frame_locator("iframe.map-frame")
    frame.locator(".leaflet-marker-icon").first.wait_for(timeout=10000)
    page.screenshot(path=str(output_dir / "tmp-map.png"), full_page=False)


@pytest.mark.browser
def test_support_shot(live_server: str, chromium: Any, output_dir: Path) -> None:
    page = chromium.new_page(viewport={"width": 1000, "height": 900})
    page.goto(live_server + "/steun")
    page.fill("#address", "1011 EC 52")
    page.check("input[name=need_company]")
    page.check("input[name=need_money]")
    page.click("#support-form button[type=submit]")
    page.wait_for_selector("#results")
    page.screenshot(path=str(output_dir / "tmp-support.png"), full_page=True)
    with page.expect_popup() as info:
        page.click("#handout-form button")
    h = info.value
    h.wait_for_load_state()
    h.screenshot(path=str(output_dir / "tmp-handout.png"), full_page=True)
