"""Stored XSS through the maps (the attack of December 2026), tried as an attacker would, in Chromium.

Names, costs and descriptions that once ran script through folium's popups
(`\\x3c` inside a JavaScript template literal, `${...}`, backticks, a
trailing backslash) enter the directory the three ways an outsider can put
text there: the API, a partner's CSV row and an OpenStreetMap node name.
Then every page with a map is opened in a real browser: no dialog may fire,
every marker must still be drawn, and the popups must show the text exactly
as it was typed. See docs/reliability.md, "Security".
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import osmium
import pytest
from litestar.testing import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from directory.models import Location, Service
from directory.services.entries import EntryService
from importers.osm import import_osm_file
from importers.run import run_import
from importers.table import read_table, table_source
from tests import factories
from tests.conftest import make_broker_token
from tests.web.map_data import map_data, popups
from tests.web.test_browser import COUNT_MARKERS, wait_for_places
from tests.web.test_scout import MEMBERS

pytestmark = pytest.mark.browser

#: Each of these once broke out of folium's template literals or its popup HTML, or broke the script.
PAYLOADS = [
    "LOC \\x3cimg src=x onerror=alert(4)\\x3e",
    "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e",
    "${alert(1)} kamer",
    "back`;alert(5);`tick",
    "<img src=x onerror=alert(6)> plein",
    "</script><script>alert(7)</script>",
    "\"'><svg onload=alert(8)>",
    "eindigt op backslash \\",
    "eindigt op \\u",
]
#: How many places' own pages are open at once.
PLACES_AT_ONCE = 6
#: Where the places go: around De Boomspijker (1011 EC), inside every reach and group search below.
NEAR = (52.371958, 4.903483)


@dataclass
class Planted:
    """What the attacker put in, and through which door."""

    names: dict[str, str] = field(default_factory=dict)  # name -> door (api, csv, osm)
    location_ids: dict[str, str] = field(default_factory=dict)  # name -> location id
    service_names: list[str] = field(default_factory=list)


def _offset(number: int, door: int) -> tuple[float, float]:
    """A point a few metres from NEAR, different for each place; each door's places 130 m apart.

    Further apart than the importers' match radius (60 m), so no import merges into another door's place.
    """
    return NEAR[0] + 0.00012 * (number % 5 - 2) + 0.0012 * door, NEAR[1] + 0.0002 * (number // 5 - 1)


def _via_api(engine: Engine, planted: Planted) -> None:
    from web.app import create_app

    token = make_broker_token(engine, "xss-api")
    with TestClient(app=create_app(engine)) as client:
        client.headers["Authorization"] = f"Bearer {token}"
        for number, payload in enumerate(PAYLOADS):
            lat, lon = _offset(number, 0)
            name = f"API {payload}"
            response = client.post(
                "/api/v1/locations",
                json=factories.location(
                    name=name, cost_note=payload, description=payload, lat=lat, lon=lon, postcode="1011 EC"
                ),
            )
            assert response.status_code == 201, response.text
            planted.names[name] = "api"
            planted.location_ids[name] = response.json()["id"]
            if number < 3:  # services for the support search and the handout
                service_name = f"Dienst {payload}"
                response = client.post(
                    "/api/v1/services",
                    json=factories.service(
                        name=service_name,
                        cost_note=payload,
                        description=payload,
                        support_functions=["company"],
                        location_ids=[response.json()["id"]],
                    ),
                )
                assert response.status_code == 201, response.text
                planted.service_names.append(service_name)


def _via_csv(engine: Engine, planted: Planted, folder: Path) -> None:
    path = folder / "partner.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter=";", quoting=csv.QUOTE_ALL)
        writer.writerow(["naam", "plaats", "kosten", "omschrijving", "lat", "lon"])
        for number, payload in enumerate(PAYLOADS):
            lat, lon = _offset(number, 1)
            writer.writerow([f"CSV {payload}", "Amsterdam", payload, payload, f"{lat:.6f}", f"{lon:.6f}"])
    with Session(engine) as s:
        categories = EntryService(s).codes("category")
        items = list(read_table(path, geocoder=None, categories=categories))
        report = run_import(s, items, source=table_source(path, None), scope=path.name)
    assert not report.rejects(), [r.reason for r in report.rejects()]
    with Session(engine) as s:
        stored = set(s.scalars(select(Location.name).where(Location.name.startswith("CSV"))))
    # Partner lists may carry HTML, so the table importer keeps the text of a cell and drops its tags
    # ("CSV <img ...> plein" is stored as "CSV plein", and may then merge with a near "CSV"); everything
    # else arrives literally.
    literal = {f"CSV {payload}" for payload in PAYLOADS if "<" not in payload}
    assert literal <= stored, stored
    for name in stored:
        planted.names[name] = "csv"


def _via_osm(engine: Engine, planted: Planted, folder: Path) -> None:
    path = folder / "evil.osm.pbf"
    writer = osmium.SimpleWriter(str(path))
    try:
        for number, payload in enumerate(PAYLOADS):
            lat, lon = _offset(number, -1)
            writer.add_node(
                osmium.osm.mutable.Node(
                    id=990_000_000 + number,
                    version=1,
                    location=(lon, lat),
                    tags={"amenity": "community_centre", "name": f"OSM {payload}", "description": payload},
                )
            )
    finally:
        writer.close()
    with Session(engine) as s:
        report = import_osm_file(s, path)
    assert report.counts()["created"] == len(PAYLOADS), report.counts()
    for payload in PAYLOADS:
        planted.names[f"OSM {payload}"] = "osm"


@pytest.fixture(scope="module")
def demo_db(
    engine: Engine, password_hashes: dict[str, str], demo_addresses: None, demo_network: Engine
) -> Engine:
    """The demo directory with a user per role, loaded once for this module.

    Both tests only read what `planted` put in, so they share one load and one planting
    (each took seconds per test).
    """
    from tests.web.conftest import load_demo_and_users

    load_demo_and_users(engine, password_hashes, empty_first=True)
    return engine


@pytest.fixture(scope="module")
def planted(demo_db: Engine, tmp_path_factory: pytest.TempPathFactory) -> Planted:
    """The demo directory plus every payload through the API, a partner CSV row and an OSM node."""
    tmp_path = tmp_path_factory.mktemp("xss")
    planted = Planted()
    _via_api(demo_db, planted)
    _via_csv(demo_db, planted, tmp_path)
    _via_osm(demo_db, planted, tmp_path)
    with Session(demo_db) as s:
        for location in s.scalars(select(Location).where(Location.name.in_(list(planted.names)))):
            planted.location_ids[location.name] = str(location.id)
        stored = set(s.scalars(select(Location.name)))
        services = set(s.scalars(select(Service.name)))
    assert set(planted.names) <= stored, "every name is stored exactly as it came in"
    assert set(planted.service_names) <= services
    return planted


@pytest.fixture(scope="module")
def site(demo_db: Engine, planted: Planted) -> Iterator[str]:
    """The app with the planted places, served over HTTP."""
    from tests.web.browser import serve

    with serve(demo_db) as base:
        yield base


class Watch:
    """Pages whose every dialog (alert, confirm, prompt) a script opens is recorded."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.dialogs: list[str] = []
        page.on("dialog", self._dialog)

    def also(self, page: Any) -> Any:
        """Record the dialogs of another page too; returns it."""
        page.on("dialog", self._dialog)
        return page

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()


#: Every marker's popup text (the DOM map.js built) and tooltip text.
MARKER_TEXTS = """() => window.wijkgramMap.markers.map(m => [
  m.getPopup() ? m.getPopup().getContent().textContent : "",
  m.getTooltip() ? m.getTooltip().getContent().textContent : ""])"""
#: Open one marker's popup (zooming into its cluster) and read the popup as the page shows it.
OPEN_AND_READ = """(needle) => new Promise((resolve) => {
  const m = window.wijkgramMap.markers.find(v => v.getPopup()
    && v.getPopup().getContent().querySelector("h3").textContent === needle);
  if (!m) { resolve(null); return; }
  const group = window.wijkgramMap.clusters.find(g => g.hasLayer(m));
  let done = false;
  // Poll rather than wait a fixed time: on a busy machine the popup opens late.
  const show = () => { if (done) return; done = true; m.openPopup();
    let tries = 0;
    const read = () => {
      const shown = document.querySelector(".leaflet-popup-content .popup h3");
      // The previous marker's popup may still be showing: wait for this one's, then report what shows.
      if (shown && shown.textContent === needle) { resolve(shown.textContent); return; }
      if (++tries >= 100) { resolve(shown ? shown.textContent : ""); return; }
      // A cluster's zoom animation can take the marker off the map and close its popup:
      // open the same popup on the map at the marker's point.
      if (!m.isPopupOpen()) { window.wijkgramMap.map.openPopup(m.getPopup(), m.getLatLng()); }
      setTimeout(read, 100);
    };
    setTimeout(read, 100); };
  if (group) { group.zoomToShowLayer(m, show); setTimeout(show, 3000); } else { show(); }
})"""
#: What a script inside the map frame could reach: the app's cookies (it must not).
FRAME_ORIGIN = """() => { let cookie; try { cookie = document.cookie; } catch (e) { cookie = e.name; }
  return [window.origin, cookie]; }"""
#: Whether an inline script may run in the frame (the Content-Security-Policy must forbid it).
INLINE_SCRIPT_RUNS = """() => { const s = document.createElement("script");
  s.textContent = "window.__inlineRan = true"; document.body.appendChild(s); return !!window.__inlineRan; }"""


def _frame(page: Any) -> Any:
    page.frame_locator("iframe.map-frame").locator(".leaflet-marker-icon").first.wait_for(timeout=20_000)
    wait_for_places(page)
    return next(f for f in page.frames if f.parent_frame is not None)


def _check_map(page: Any, expected: list[str]) -> list[list[str]]:
    """Markers drawn, every expected name shown literally in a popup, and the frame locked down."""
    frame = _frame(page)
    texts: list[list[str]] = frame.evaluate(MARKER_TEXTS)
    assert len(texts) == frame.evaluate(COUNT_MARKERS) > 0
    shown = "\n".join(popup for popup, _ in texts)
    for name in expected:
        assert name in shown, f"{name!r} is shown as text in a popup"
    assert frame.evaluate(FRAME_ORIGIN) == ["null", "SecurityError"], "opaque origin, no cookies"
    assert frame.evaluate(INLINE_SCRIPT_RUNS) is False, "the page's CSP holds inside the map frame"
    iframe = page.locator("iframe.map-frame")
    sandbox = (iframe.get_attribute("sandbox") or "").split()
    assert "allow-scripts" in sandbox and "allow-same-origin" not in sandbox
    return texts


def test_payloads_in_names_costs_and_descriptions_never_run(
    site: str, planted: Planted, chromium: Any, output_dir: Path
) -> None:
    # A context of its own (new_page's may hold one page only): the places' pages open in it as tabs.
    context = chromium.new_context(viewport={"width": 1200, "height": 1000})
    watch = Watch(context.new_page())
    page = watch.page

    # The plain map: one marker per listed place, the evil ones among them, shown as typed.
    page.goto(f"{site}/kaart")
    texts = _check_map(page, list(planted.names))
    assert len(texts) == page.locator("#venue-list li").count()
    tooltips = {tooltip for _, tooltip in texts}
    assert set(planted.names) <= tooltips, "tooltips are the names, literally"
    for name in (
        "API LOC \\x3cimg src=x onerror=alert(4)\\x3e",
        "OSM eindigt op \\u",
        "CSV back`;alert(5);`tick",
    ):
        assert _frame(page).evaluate(OPEN_AND_READ, name) == name, "the open popup shows the literal text"
    page.screenshot(path=str(output_dir / "xss-map-popup.png"))
    frame_title = _frame(page).evaluate("() => [document.title, document.documentElement.lang]")
    assert frame_title == ["Kaart: plekken in de buurt", "nl"]

    # Each place's own page and its small map, a few at a time in tabs of their own: each small
    # map waits for its base map's first frame (software WebGL here) before it draws its marker,
    # and one after the other those waits added up to most of this test.
    places = list(planted.location_ids.items())
    for start in range(0, len(places), PLACES_AT_ONCE):
        batch = places[start : start + PLACES_AT_ONCE]
        tabs = [watch.also(context.new_page()) for _ in batch]
        for tab, (_, location_id) in zip(tabs, batch, strict=True):
            tab.goto(f"{site}/entries/location/{location_id}", wait_until="commit")
        for tab, (name, _) in zip(tabs, batch, strict=True):
            tab.wait_for_load_state()
            assert tab.locator("h1").inner_text() == name
            assert _frame(tab).evaluate(COUNT_MARKERS) == 1, name
            tab.close()

    # The reach results.
    page.goto(f"{site}/kaart")
    page.click("#reach summary")
    page.fill("#place", "1011 EC")
    page.fill("#reach-minutes", "20")
    page.click("#reach-form button[type=submit]")
    page.wait_for_selector("#scout-summary")
    reach = _check_map(page, list(planted.names))
    assert len(reach) == page.locator("#venue-list li").count()

    # The group results.
    page.goto(f"{site}/kaart")
    page.click("#group summary")
    page.fill("#origins", "\n".join(MEMBERS))
    page.fill("#group-minutes", "20")
    page.click("#group-form button[type=submit]")
    page.wait_for_selector("#scout-summary")
    group = _check_map(page, list(planted.names))
    assert len(group) == page.locator("#venue-list li").count()
    page.screenshot(path=str(output_dir / "xss-group.png"), full_page=True)

    # The support search and the handout.
    page.goto(f"{site}/steun")
    page.fill("#address", "1011 EC")
    page.check("input[name=need_company]")
    page.fill("#minutes", "10")
    page.click("#support-form button[type=submit]")
    page.wait_for_selector("#results")
    results = page.locator("#results").inner_text()
    for service_name in planted.service_names:
        assert service_name in results
    with page.expect_popup() as opened:
        page.click("#handout-form button")
    handout = watch.also(opened.value)
    handout.wait_for_load_state()
    listed = handout.locator(".handout-place h2").all_inner_texts()
    in_handout = [n for n in planted.service_names if any(n in h for h in listed)]
    assert in_handout, "the evil services are among the nearest places"
    # The handout's map is a server-drawn picture holding numbers only, never a name.
    picture = handout.locator("#handout-map svg").inner_html()
    assert handout.locator("#handout-map svg .place").count() >= 1
    assert not any(name in picture for name in planted.names) and "onerror" not in picture
    handout.screenshot(path=str(output_dir / "xss-handout.png"), full_page=True)

    page.wait_for_timeout(500)
    assert watch.dialogs == [], f"no script from entry data ran: {watch.dialogs}"


def test_map_documents_carry_the_payloads_only_as_escaped_json(demo_db: Engine, planted: Planted) -> None:
    """Without a browser: the data block of every map has no character HTML could read as markup."""
    from web.i18n import Translator
    from web.pages.entries import entry_map
    from web.pages.map import build_map

    with Session(demo_db) as s:
        locations = list(s.scalars(select(Location).where(Location.name.in_(list(planted.names)))))
        document = build_map(s, Translator("nl"), locations, {}).document("Kaart", "nl")
    titles = {p["title"] for p in popups(map_data(document))}
    assert titles == set(planted.names)
    for name in planted.names:
        small = entry_map(name, "nl", [(name, *NEAR)])
        assert small is not None
        assert [p["title"] for p in popups(map_data(small))] == [name]
