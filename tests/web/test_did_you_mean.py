""" "Bedoelt u ...?" on /steun, the map's reach and group forms and the broker's edit form.

A near miss or an ambiguous address gives candidates and no search; the search runs only after
the person picks one. The demo's offline address table answers (WIJKGRAM_GEOCODER=offline).
"""

from __future__ import annotations

import html
import re
from typing import Any

from litestar.testing import TestClient
from sqlalchemy import Engine, text

from tests.web.conftest import csrf_token, log_in

Client = TestClient[Any]
PICK = re.compile(r'<input type="radio" name="(pick(?:_\d+)?)" value="([^"]+)"> ([^<]+)</label>')


def _support(web: Client, address: str, **extra: str) -> Any:
    data = {
        "_csrf_token": csrf_token(web, "/steun"),
        "address": address,
        "mode": "walk",
        "minutes": "10",
        "need_company": "on",
        **extra,
    }
    return web.post("/steun/zoeken", data=data)


def _picks(page: str) -> list[tuple[str, str, str]]:
    """(field name, value, label) of every "Bedoelt u ...?" radio button on a page."""
    return [(name, html.unescape(value), label.strip()) for name, value, label in PICK.findall(page)]


def test_support_near_miss_asks_and_searches_only_after_the_pick(web: Client) -> None:
    """'Rembrandtpark 1' is not in the table: no results, Rembrandtplein offered; picking it searches."""
    asked = _support(web, "Rembrandtpark 1")
    assert asked.status_code == 422
    assert "Bedoelt u" in asked.text and 'id="results"' not in asked.text
    picks = _picks(asked.text)
    assert 1 <= len(picks) <= 5
    name, value, label = next(p for p in picks if p[2].startswith("Rembrandtplein 1"))
    chosen = _support(web, "Rembrandtpark 1", **{name: value, f"{name}_for": "Rembrandtpark 1"})
    assert chosen.status_code == 200 and 'id="results"' in chosen.text
    assert html.escape(label) in chosen.text and "U koos dit punt zelf." in chosen.text


def test_support_pick_for_other_text_is_ignored(web: Client) -> None:
    """A pick made for another text is not used: the new text is looked up again."""
    asked = _support(web, "Koekoeksstraat 16")
    name, value, _ = _picks(asked.text)[0]
    again = _support(web, "Koekoeksstraat 16", **{name: value, f"{name}_for": "Rembrandtpark 1"})
    assert again.status_code == 422 and "Bedoelt u" in again.text


def test_support_exact_address_says_who_answered(web: Client) -> None:
    """An exact address searches at once and the page says the own address list answered."""
    found = _support(web, "Recht Boomssloot 52")
    assert found.status_code == 200 and "Bedoelt u" not in found.text
    assert "Adres gevonden in onze eigen adressenlijst." in found.text


def test_support_tells_the_three_kinds_of_nothing_apart(web: Client) -> None:
    """Outside the area we know, cannot read this, no such address: three messages."""
    outside = _support(web, "1102 AB 12")
    assert outside.status_code == 422 and "buiten het gebied dat we kennen" in outside.text
    unreadable = _support(web, "!!")
    assert unreadable.status_code == 422 and "niet lezen als adres" in unreadable.text
    missing = _support(web, "Nergensstraatweg 999")
    assert missing.status_code == 422 and "Dit adres bestaat niet" in missing.text


def test_reach_form_asks_before_drawing(web: Client) -> None:
    """The map's reach form: a near miss gives choices and no area; the pick draws it."""
    data = {
        "_csrf_token": csrf_token(web, "/kaart"),
        "place": "Koekoeksstraat 16",
        "mode": "walk",
        "minutes": "5",
    }
    asked = web.post("/kaart/bereik", data=data)
    assert asked.status_code == 422 and "Bedoelt u" in asked.text and 'id="scout-summary"' not in asked.text
    name, value, _ = next(p for p in _picks(asked.text) if p[2].startswith("Koestraat 16"))
    drawn = web.post("/kaart/bereik", data={**data, name: value, f"{name}_for": "Koekoeksstraat 16"})
    assert drawn.status_code == 200 and 'id="scout-summary"' in drawn.text


def test_group_form_asks_per_line(web: Client) -> None:
    """A group line that is a near miss gets its own choice; the other lines are kept."""
    lines = ["1011 EC", "Koekoeksstraat 16"]
    data = {
        "_csrf_token": csrf_token(web, "/kaart"),
        "origins": "\n".join(lines),
        "mode": "walk",
        "minutes": "10",
    }
    asked = web.post("/kaart/groep", data=data)
    assert asked.status_code == 422 and 'id="choose-pick_2"' in asked.text and "Regel 2" in asked.text
    picks = _picks(asked.text)
    assert picks and {p[0] for p in picks} == {"pick_2"}
    _, value, _ = picks[0]
    found = web.post("/kaart/groep", data={**data, "pick_2": value, "pick_2_for": "Koekoeksstraat 16"})
    assert found.status_code == 200 and 'id="scout-summary"' in found.text


def test_broker_edit_form_finds_the_point_or_asks(web: Client, demo_db: Engine) -> None:
    """'Zoek punt bij dit adres' fills lat/lon for an exact address, offers choices for a near miss,
    and saves nothing until the broker presses save."""
    with demo_db.connect() as conn:
        location_id, version = conn.execute(text("SELECT id::text, version FROM location LIMIT 1")).one()
    log_in(web, "bram")
    edit = f"/entries/location/{location_id}/bewerken"
    page = web.get(edit).text
    form = dict(re.findall(r'<input type="text" id="f-[^"]+" name="([^"]+)" value="([^"]*)"', page))
    form = {k: html.unescape(v) for k, v in form.items()}
    base = {**form, "_csrf_token": csrf_token(web, edit), "version": str(version), "locate": "1"}
    exact = web.post(
        f"/entries/location/{location_id}/opslaan",
        data={**base, "street": "Recht Boomssloot", "house_number": "52", "postcode": "", "city": ""},
    )
    assert exact.status_code == 200 and 'id="located"' in exact.text
    lat = re.search(r'name="lat" value="([^"]*)"', exact.text)
    assert lat and lat[1].startswith("52.37")
    near = web.post(
        f"/entries/location/{location_id}/opslaan",
        data={**base, "street": "Koekoeksstraat", "house_number": "16", "postcode": "", "city": ""},
    )
    assert near.status_code == 422 and "Bedoelt u" in near.text and _picks(near.text)
    with demo_db.connect() as conn:
        assert (
            conn.execute(text("SELECT version FROM location WHERE id = :i"), {"i": location_id}).scalar()
            == version
        )
