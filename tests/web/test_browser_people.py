"""What professionals, kwartiermakers and brokers meet in the browser, at 1366 px and on a phone (390 px).

One demo database and one served app for the whole module (the browser is the session's):
the tests here only add to the demo data, and each looks at what it added itself.
Screenshots go to tests/output/people-*.png.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from directory.demo import load_demo
from directory.models import Location, Service, SourceSuggestion, User
from directory.services.entries import Actor, EntryService
from tests.conftest import ENTRY_TABLES
from tests.web.conftest import PASSWORDS, ROLES

pytestmark = pytest.mark.browser

WIDTHS = (1366, 390)
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.fixture(scope="module")
def site(
    engine: Engine, password_hashes: dict[str, str], demo_addresses: None, demo_network: Engine
) -> Iterator[str]:
    """The demo served once for the module, with a user per role."""
    from tests.web.browser import serve

    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {', '.join(ENTRY_TABLES)} RESTART IDENTITY CASCADE"))
    with Session(engine) as s, s.begin():
        load_demo(s)
        for name, role in ROLES.items():
            s.add(User(username=name, password_hash=password_hashes[name], role=role, active=True))
    with serve(engine) as url:
        yield url


def open_page(chromium: Any, width: int, **options: Any) -> Any:
    """A page in a fresh context (own cookies) at a width; a phone at 390 px."""
    phone = width < 500
    context = chromium.new_context(
        viewport={"width": width, "height": 844 if phone else 900},
        is_mobile=phone,
        has_touch=phone,
        **options,
    )
    return context.new_page()


def log_in(page: Any, base: str, username: str) -> None:
    """Log in through the form."""
    page.goto(f"{base}/inloggen")
    page.fill("#username", username)
    page.fill("#password", PASSWORDS[username])
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/")


def sideways(page: Any) -> int:
    """How many pixels the page scrolls sideways (0 on a page that fits)."""
    return int(page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth"))


def words(page: Any, selector: str) -> str:
    """The text a person reads in an element, with no-break spaces ('€\xa03,50') as spaces."""
    return str(page.locator(selector).inner_text()).replace("\xa0", " ")


def close(page: Any) -> None:
    """Close a page's context (and so the page)."""
    page.context.close()


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
