from typing import Any
from pathlib import Path
import pytest

@pytest.mark.browser
def test_map_shot(live_server: str, chromium: Any, output_dir: Path) -> None:
    page = chromium.new_page(viewport={"width": 1200, "height": 900})
    page.goto(live_server + "/kaart")
    frame = page.frame_locator("iframe.map-frame")
    frame.locator(".leaflet-marker-icon").first.wait_for(timeout=10000)
    page.screenshot(path=str(output_dir / "tmp-map.png"), full_page=False)
