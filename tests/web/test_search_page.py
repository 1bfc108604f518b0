"""/zoeken: a plain question, its filters as removable chips, what was asked less, what to try instead."""

from __future__ import annotations

import html
import re
from typing import Any

from litestar.testing import TestClient

Client = TestClient[Any]
CHIP = re.compile(r'<li class="chip chip-(\w+)">([^<]+) <a href="([^"]+)"')
CARD = re.compile(r'<h3><a href="/entries/\w+/[^"]+">([^<]+)</a></h3>')


def chips(page: str) -> list[tuple[str, str, str]]:
    """(kind, text, link behind the ×) of every chip on a page."""
    return [(kind, text.strip(), html.unescape(link)) for kind, text, link in CHIP.findall(page)]


def cards(page: str) -> list[str]:
    """The names of the entries listed."""
    return [html.unescape(name) for name in CARD.findall(page)]


def test_words_that_mean_a_filter_show_as_chips(web: Client) -> None:
    """'gratis taalcafé op woensdag' lists the free Taalcafé with chips for cost and day; × drops one."""
    page = web.get("/zoeken", params={"q": "gratis taalcafé op woensdag"})
    assert page.status_code == 200
    assert chips(page.text) == [
        ("cost", "Gratis", "/zoeken?q=taalcafe+op+woensdag"),
        ("open", "Open: op woensdag", "/zoeken?q=gratis+taalcafe"),
    ]
    assert "Taalcafé" in cards(page.text)
    english = web.get("/zoeken", params={"q": "gratis taalcafé", "lang": "en"})
    assert chips(english.text)[0][:2] == ("cost", "Free")


def test_a_group_size_shows_as_a_chip(web: Client) -> None:
    """'zaal voor 20 personen': a room chip and a group chip, in Dutch or English; × drops the group."""
    page = web.get("/zoeken", params={"q": "zaal voor 20 personen"})
    assert chips(page.text) == [
        ("facilities", "Ruimte voor een groep", "/zoeken?q=voor+20+personen"),
        ("capacity", "Voor 20 personen", "/zoeken?q=zaal"),
    ]
    english = web.get("/zoeken", params={"q": "room for 20", "lang": "en"})
    assert chips(english.text)[1][:2] == ("capacity", "For 20 people")


def test_too_little_says_what_was_left_out(web: Client) -> None:
    """'stamtafel zuidoost' finds no Stamtafel in Zuidoost: the page says it also shows those elsewhere."""
    page = web.get("/zoeken", params={"q": "stamtafel zuidoost"})
    assert (
        "Ook resultaten zonder &#39;zuidoost&#39;" in page.text
        or "Ook resultaten zonder 'zuidoost'" in page.text
    )
    assert "Stamtafel Centrum" in cards(page.text)
    english = web.get("/zoeken", params={"q": "stamtafel zuidoost", "lang": "en"})
    assert "Also results without" in english.text


def test_nothing_found_offers_a_respelling(web: Client) -> None:
    """A word no entry holds gets 'Probeer:' with a link to the nearest indexed spelling."""
    page = web.get("/zoeken", params={"q": "boompsijkers"})  # "boomspijkertjes" is found now
    assert cards(page.text) == []
    assert "Niets gevonden. Probeer:" in page.text and 'href="/zoeken?q=boomspijker"' in page.text
    found = web.get("/zoeken?q=boomspijker")
    assert "De Boomspijker" in cards(found.text)


def test_nothing_and_nothing_to_offer_says_so(web: Client) -> None:
    """'paardrijden': nothing of the kind, no respelling: the page says so and what to try."""
    page = web.get("/zoeken", params={"q": "paardrijden"})
    assert cards(page.text) == []
    assert 'id="nothing"' in page.text and "Probeer een algemener woord" in page.text
    assert 'id="nothing"' not in web.get("/zoeken", params={"q": "boompsijkers"}).text  # a respelling instead


def test_the_empty_page_is_a_search_box_linked_from_the_start_page(web: Client) -> None:
    """No question: the form only; the start page and the menu link to it."""
    page = web.get("/zoeken")
    assert page.status_code == 200 and 'id="search-form"' in page.text and 'id="results"' not in page.text
    assert 'href="/zoeken"' in web.get("/").text
