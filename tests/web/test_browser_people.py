"""What professionals, kwartiermakers and brokers meet in the browser, at 1366 px and on a phone (390 px).

One demo database and one served app for the whole module (`site`; the browser is the
session's): the tests here only add to the demo data, and each looks at what it added itself.
Screenshots go to tests/output/people-*.png.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from directory.models import Location, Service, SourceSuggestion
from directory.services.entries import Actor, EntryService
from tests.web.browser import close, log_in, open_page, sideways, words

pytestmark = pytest.mark.browser

WIDTHS = (1366, 390)
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.fixture(scope="module")
def changed_meal(site: str, engine: Engine) -> str:
    """The demo's Tuesday meal after a broker made it free, moved it to Wednesday and added Arabic."""
    with Session(engine) as s, s.begin():
        meal = s.scalars(select(Service).where(Service.name == "Buurtmaaltijd op dinsdag")).one()
        EntryService(s, Actor("bram")).update(
            "service",
            meal.id,
            {
                "cost_free": True,
                "cost_amount_eur": None,
                "cost_note": None,
                "languages": ["nl", "en", "ar"],
                "walk_in": False,
                "meetings": [{"rrule": "FREQ=WEEKLY;BYDAY=WE", "start_time": "14:00", "end_time": "16:00"}],
            },
            expected_version=meal.version,
        )
        return str(meal.id)


@pytest.mark.parametrize("width", WIDTHS)
def test_history_and_facts_read_as_words(
    site: str, changed_meal: str, chromium: Any, output_dir: Path, width: int
) -> None:
    page = open_page(chromium, width)
    page.goto(f"{site}/entries/service/{changed_meal}")
    history = words(page, "#history")
    assert "Kosten: € 3,50 per maaltijd → Gratis" in history
    assert "elke dinsdag 17:30-19:30 → elke woensdag 14:00-16:00" in history
    assert "Talen: Nederlands, Engels → Nederlands, Engels, Arabisch" in history
    assert "Zo binnenlopen: ja → nee" in history
    main = words(page, "main")
    for raw in ("True", "False", "FREQ=", "BYDAY", "['", "{'", "None", "3.50", "create"):
        assert raw not in main, raw
    assert not UUID.search(main), "no ids on the page"
    facts = page.locator("#facts").inner_text()
    assert "Nederlands, Engels, Arabisch" in facts and "Gratis" in facts
    # Where it happens: the place with its full address.
    where = page.locator("#where").inner_text()
    assert "De Boomspijker" in where and "Recht Boomssloot 52, 1011 EC Amsterdam" in where
    assert re.search(r"Laatst gecontroleerd: \d+ \w+ 20\d\d", page.locator("#verified").inner_text())
    assert page.locator("#stale-warning").count() == 0, "checked 3 weeks ago: no warning"
    assert sideways(page) <= 1, "the history fits a phone"
    page.screenshot(path=str(output_dir / f"people-history-{width}.png"), full_page=True)
    close(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_cost_reads_as_euros_and_a_stale_entry_warns(
    site: str, engine: Engine, chromium: Any, width: int
) -> None:
    with engine.connect() as conn:
        inloop = conn.execute(text("SELECT id FROM service WHERE name = 'Inloop met lunch'")).scalar_one()
        boomspijker = conn.execute(text("SELECT id FROM location WHERE name = 'De Boomspijker'")).scalar_one()
    page = open_page(chromium, width)
    page.goto(f"{site}/entries/service/{inloop}")
    assert page.locator("#stale-warning").count() == 1, "checked over a year ago: warned"
    page.goto(f"{site}/entries/location/{boomspijker}")
    facts = words(page, "#facts")
    assert "€ 15,00 zaalhuur per dagdeel" in facts
    assert "maandag tot vrijdag 09:00-22:00" in facts
    assert page.locator("#stale-warning").count() == 0
    close(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_restoring_asks_first_and_works_without_javascript(
    site: str, engine: Engine, chromium: Any, output_dir: Path, width: int
) -> None:
    with Session(engine) as s, s.begin():
        name = f"Treasure House {width}"
        place = s.scalars(select(Location).where(Location.name.like("Treasure House%"))).first()
        assert place is not None
        EntryService(s, Actor("bram")).update(
            "location", place.id, {"name": name}, expected_version=place.version
        )
        place_id, version = place.id, place.version
    page = open_page(chromium, width, java_script_enabled=False)
    log_in(page, site, "bram")
    page.goto(f"{site}/entries/location/{place_id}")
    page.locator(f"#revision-{version - 1} a.restore").click()
    page.wait_for_selector("#restore-title")
    assert f"Naam: {name} → " in page.locator("#restore-changes").inner_text()
    assert sideways(page) <= 1
    page.screenshot(path=str(output_dir / f"people-restore-{width}.png"), full_page=True)
    page.click("#restore-no")
    page.wait_for_selector("#history")
    assert page.locator("h1").inner_text() == name, "asking changed nothing"
    page.locator(f"#revision-{version - 1} a.restore").click()
    page.click("#restore-yes")
    page.wait_for_selector(".notice")
    assert page.locator("h1").inner_text() != name
    assert "Oude versie teruggezet" in page.locator("#history").inner_text()
    close(page)


@pytest.fixture(scope="module")
def suggestions(site: str, engine: Engine) -> None:
    """A partner list's values for fields a broker owns: a category, a yes/no and a point 2 m away."""
    with Session(engine) as s, s.begin():
        kloof = s.scalars(select(Location).where(Location.name == "de Kloof")).one()
        for field, value, current in (
            ("category", "community_centre", "drop_in_centre"),
            ("step_free", False, True),
            ("languages", ["nl", "ar"], None),
        ):
            s.add(
                SourceSuggestion(
                    entity_type="location",
                    entity_id=kloof.id,
                    field=field,
                    source="table:partner",
                    value=value,
                    current=current,
                )
            )


@pytest.mark.parametrize(("width", "lang"), [(1366, "nl"), (390, "en")])
def test_suggestions_show_labels_in_one_language(
    site: str, suggestions: None, chromium: Any, output_dir: Path, width: int, lang: str
) -> None:
    page = open_page(chromium, width)
    log_in(page, site, "bram")
    page.goto(f"{site}/beheer/suggesties?lang={lang}")
    table = page.locator("#suggestions").inner_text()
    assert "drop_in_centre" not in table and "community_centre" not in table
    if lang == "nl":
        assert "Inloophuis" in table and "Buurthuis / buurtcentrum" in table
        assert "ja" in table.split() and "yes" not in table and "Nederlands, Arabisch" in table
    else:
        assert "Drop-in centre" in table and "Community centre" in table
        assert "yes" in table.split() and "ja" not in table.split() and "Dutch, Arabic" in table
    page.screenshot(path=str(output_dir / f"people-suggestions-{width}.png"), full_page=True)
    close(page)


def search_support(page: Any, base: str, address: str, *needs: str, minutes: int = 15) -> None:
    """Fill the /steun form and search; waits for the results page."""
    page.goto(f"{base}/steun")
    page.fill("#address", address)
    for need in needs:
        page.check(f"input[name=need_{need}]")
    page.fill("#minutes", str(minutes))
    page.click("#support-form button[type=submit]")
    page.wait_for_selector("#results")


@pytest.mark.parametrize("width", WIDTHS)
def test_support_lands_on_the_results_with_focus_and_the_handout_near(
    site: str, chromium: Any, output_dir: Path, width: int
) -> None:
    page = open_page(chromium, width)
    search_support(page, site, "1011 EC", "company", "activity")
    # The question folded into one line with "wijzig"; the results heading has the focus and is in view.
    summary = words(page, "#search-summary")
    assert "1011 EC" in summary and "Meedoen en activiteiten" in summary and "wijzig" in summary
    assert not page.locator("#support-form").is_visible()
    page.wait_for_function("() => document.activeElement.id === 'results-title'", timeout=5000)
    top = page.evaluate("() => document.getElementById('results-title').getBoundingClientRect().top")
    assert -2 <= top < 200, "the page opens at the results"
    groups = page.locator(".need-group").evaluate_all("els => els.map(e => e.dataset.need)")
    assert groups == ["company", "activity"]
    assert page.locator(".need-group[data-need=activity] .card").count() >= 1
    # "Maak een folder" within a few Tab steps from the heading.
    for _ in range(3):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.closest('#handout-form') !== null"):
            break
    else:
        pytest.fail("the handout button is not within 3 Tab steps of the results heading")
    assert sideways(page) <= 1
    page.screenshot(path=str(output_dir / f"people-support-{width}.png"), full_page=False)
    # "wijzig" opens the question again, with what was asked.
    page.click("#search-summary")
    assert page.locator("#support-form").is_visible()
    assert page.input_value("#address") == "1011 EC"
    close(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_cards_show_the_verification_calmly_and_warn_only_when_stale(
    site: str, chromium: Any, width: int
) -> None:
    page = open_page(chromium, width)
    search_support(page, site, "1011 EC", "company", "money", "information")
    cards = page.locator(".card.hit")
    assert cards.count() >= 4
    stale = 0
    for i in range(cards.count()):
        card = cards.nth(i)
        assert re.fullmatch(r"\d{1,2} \w+ 20\d\d", card.locator(".verified-on").inner_text()), (
            "a date on every card"
        )
        stale += card.locator(".stale").count()
    assert 0 < stale < cards.count(), "only the entries not checked for a year warn"
    close(page)


def test_activity_is_a_need_in_the_api_and_in_search(site: str, chromium: Any) -> None:
    page = open_page(chromium, 1366)
    support = page.request.get(f"{site}/api/v1/support?lat=52.371958&lon=4.903483&needs=activity&minutes=15")
    assert support.ok, support.text()
    hits = support.json()["groups"]["activity"]
    assert hits and all("activity" in h["service"]["support_functions"] for h in hits)
    found = page.request.get(f"{site}/api/v1/search?support_function=activity")
    assert found.ok, found.text()
    names = {hit["name"] for hit in found.json()["hits"]}
    assert {"Repair Café", "Wandelclub Oost"} <= names
    close(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_handout_is_quickest_first_with_full_addresses_on_two_pages(
    site: str, chromium: Any, output_dir: Path, width: int
) -> None:
    page = open_page(chromium, width)
    needs = ("practical", "company", "information", "peers", "language", "money", "activity")
    search_support(page, site, "1011 EC", *needs, minutes=30)
    with page.expect_popup() as opened:
        page.click("#handout-form button")
    handout = opened.value
    handout.wait_for_load_state()
    places = handout.locator(".handout-place")
    assert places.count() == 8
    minutes: list[int] = []
    for i in range(places.count()):
        place = places.nth(i)
        if place.locator(".reach").count():
            continue  # comes to the client's home: no address to go to
        where = place.locator(".where").inner_text()
        # The place's name and its full address, never the town alone.
        assert re.search(r"^Waar: .+, [^,]+, \d{4} [A-Z]{2} Amsterdam$", where), where
        travel = place.locator(".travel")
        if travel.count():
            minutes.append(int(re.search(r"(\d+) minu", travel.inner_text())[1]))  # type: ignore[index]
    assert minutes == sorted(minutes), "quickest first"
    text_ = words(handout, "main")
    assert "maandag tot zaterdag" in text_ or "maandag tot vrijdag" in text_, "days written out"
    assert not re.search(r"\b(Mo|Tu|We|Th|Fr|Sa|Su)\b", text_)
    assert sideways(handout) <= 1
    handout.screenshot(path=str(output_dir / f"people-handout-{width}.png"), full_page=True)
    if width == WIDTHS[0]:
        pdf = handout.pdf(format="A4", print_background=True)
        (output_dir / "people-handout.pdf").write_bytes(pdf)
        pages = len(PdfReader(io.BytesIO(pdf)).pages)
        assert 1 <= pages <= 2, f"{pages} A4 pages for 8 places"
    close(handout)
    close(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_after_logout_back_shows_no_broker_page(site: str, chromium: Any, width: int) -> None:
    page = open_page(chromium, width)
    log_in(page, site, "bram")
    page.goto(f"{site}/beheer")
    assert page.locator("#stale").count() == 1, "the broker's stale list"
    response = page.goto(f"{site}/beheer/suggesties")
    assert response is not None and "no-store" in response.headers["cache-control"]
    page.click("header.top form[action='/uitloggen'] button")
    page.wait_for_load_state()
    assert "Inloggen" in words(page, "header.top")
    page.go_back()
    page.wait_for_load_state()
    assert page.locator("#suggestions, #suggestions-none").count() == 0, "Back asked the server again"
    assert page.locator("#username").count() == 1, "and the server asks to log in"
    assert "Uitloggen" not in words(page, "body")
    page.go_back()
    page.wait_for_load_state()
    assert page.locator("#stale").count() == 0
    close(page)


@pytest.mark.parametrize(("width", "name"), [(1366, "Repair Café"), (390, "Wandelclub Oost")])
def test_broker_form_takes_dutch_input_and_edits_meetings(
    site: str, engine: Engine, chromium: Any, output_dir: Path, width: int, name: str
) -> None:
    with engine.connect() as conn:
        service_id = conn.execute(text("SELECT id FROM service WHERE name = :n"), {"n": name}).scalar_one()
    page = open_page(chromium, width)
    log_in(page, site, "bram")
    page.goto(f"{site}/entries/service/{service_id}/bewerken")
    page.select_option("#f-cost_free", "no")
    page.fill("#f-cost_amount_eur", "3,50")
    page.fill("#f-website", "www.boomspijker.nl")
    page.fill("#f-email", "info(at)boomspijker.nl")
    page.fill("#f-waiting_time_days", "veel")
    new_meeting = page.locator(".meeting-row").last
    new_meeting.locator("select[name$='__freq']").select_option("weekly")
    new_meeting.locator("select[name$='__day']").select_option("WE")
    new_meeting.locator("input[name$='__start']").fill("14.00")
    new_meeting.locator("input[name$='__end']").fill("16")
    page.click("#edit-form button[type=submit]")
    page.wait_for_selector("#form-errors")
    # Every wrong field at once, in Dutch; what Dutch people type for cost and website is fine.
    assert "(at)" in words(page, "#err-email") and "String should" not in words(page, "main")
    assert page.locator("#err-waiting_time_days").count() == 1
    assert page.locator("#err-cost_amount_eur, #err-website").count() == 0
    assert sideways(page) <= 1
    page.screenshot(path=str(output_dir / f"people-edit-errors-{width}.png"), full_page=True)
    page.fill("#f-email", "info@boomspijker.nl")
    page.fill("#f-waiting_time_days", "7")
    page.click("#edit-form button[type=submit]")
    page.wait_for_selector("#facts")
    facts = words(page, "#facts")
    assert "€ 3,50" in facts and "https://www.boomspijker.nl" in facts
    assert "elke woensdag 14:00-16:00" in facts
    close(page)


PARTNER_LIST = (
    "naam;adres;postcode;plaats;telefoon;lat;lon;categorie;doelgroep\n"
    "Hobbyclub De Schaar;Proefstraat 1;1102 AA;Amsterdam;020 111 2222;52.3100;4.9700;Hobbyclub;Ouderen\n"
    "Knutselhoek;Brugweg 2;1102 AB;Amsterdam;020 333 4444;52.3120;4.9720;Knutselclub;Ouderen\n"
    ";Dam 1;12345;Amsterdam;;;;;\n"
    "Club X;Damrak 1;1012 LG;Amsterdam;020 555 4444;52.3760;4.8950;Buurthuis;kunstenaars\n"
)


@pytest.mark.parametrize("width", WIDTHS)
def test_import_preview_reads_labels_and_says_everything_in_dutch(
    site: str, chromium: Any, output_dir: Path, tmp_path: Path, width: int
) -> None:
    path = tmp_path / f"partner-{width}.csv"
    path.write_text(PARTNER_LIST, encoding="utf-8")
    page = open_page(chromium, width)
    log_in(page, site, "bram")
    page.goto(f"{site}/beheer/import")
    page.set_input_files("#file", str(path))
    page.check("#mode-rows")
    page.click("#import-preview")
    page.wait_for_selector("#import-counts")
    main = words(page, "main")
    # The app's own label is a category; only the unknown one is set aside, with the closest labels.
    set_aside = words(page, "#set-aside")
    assert "Hobbyclub De Schaar" not in set_aside
    assert "'Knutselclub' is geen soort die we kennen" in set_aside and "Bedoel je:" in set_aside
    assert "'kunstenaars' is geen doelgroep" in set_aside
    # The allowed values, as the app shows them.
    assert "Hobbyclub" in words(page, "#allowed-category")
    assert "Ouderen" in words(page, "#allowed-target_group")
    # Every reason in Dutch: "regel 4", no importer English.
    assert page.locator("#rejected td.line").first.inner_text() == "4"
    assert "regel 4" in words(page, "#rejected")
    for english in ("line ", "unknown", "missing", "closest", "filed under", "kept as text"):
        assert english not in main, english
    assert sideways(page) <= 1
    page.screenshot(path=str(output_dir / f"people-import-preview-{width}.png"), full_page=True)
    close(page)
