"""HTML pages through the test client: map filters, popups, support search, handout, entry, broker."""

from __future__ import annotations

import html
import logging
import re
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from directory.models import Location
from directory.services.entries import Actor, EntryService
from tests import factories
from tests.web.conftest import csrf_token, log_in

Client = TestClient[Any]
OSM = "© OpenStreetMap contributors"


def listed_names(html: str) -> list[str]:
    """Names in a map page's list of places (the reach and group answers write it into the page)."""
    return re.findall(r'<li class="card venue">\s*<h3><a href="[^"]+">([^<]+)</a>', html)


def map_names(web: Client, **params: str) -> set[str]:
    """Names of the places the map loads for a view of the whole country with these filters."""
    answer = web.get(
        "/api/v1/map/places", params={"bbox": "3.3,50.7,7.3,53.6", "zoom": "18", **params}
    ).json()
    assert not answer["clustered"], "the demo's places fit one answer"
    return {place["name"] for place in answer["places"]}


def test_map_lists_active_places_and_filters_narrow_them(web: Client, demo_db: Engine) -> None:
    with Session(demo_db) as s:
        active = s.scalar(select(func.count()).select_from(Location).where(Location.status == "active"))
        with_kitchen = set(
            s.scalars(
                select(Location.name).where(Location.kitchen_available.is_(True), Location.status == "active")
            )
        )
        kitchen_and_step_free = set(
            s.scalars(
                select(Location.name).where(
                    Location.kitchen_available.is_(True),
                    Location.step_free.is_(True),
                    Location.status == "active",
                )
            )
        )
    page = web.get("/kaart")
    assert page.status_code == 200
    assert len(page.content) < 150_000
    answer = web.get("/api/v1/map/places", params={"bbox": "3.3,50.7,7.3,53.6", "zoom": "18"}).json()
    assert answer["total"] == len(answer["places"]) == active
    assert map_names(web, facilities="kitchen") == with_kitchen
    assert map_names(web, facilities="kitchen", step_free="true") == kitchen_and_step_free
    assert 0 < len(kitchen_and_step_free) < len(with_kitchen) < active


def test_open_at_uses_opening_hours_and_meetings(web: Client, demo_db: Engine) -> None:
    from datetime import timedelta

    from directory.clock import today_amsterdam

    thursday = today_amsterdam() + timedelta(days=(3 - today_amsterdam().weekday()) % 7 or 7)
    weeks = [map_names(web, open_at=f"{(thursday + timedelta(days=d)).isoformat()}T19:45") for d in (0, 7)]
    assert all("De Boomspijker" in names for names in weeks), "open until 22:00 on weekdays"
    assert any("Rita Community Center" in names for names in weeks), "meets every other Thursday"
    assert not any("Huis De Pinto" in names for names in weeks), "closes at 17:30"


def test_map_uses_local_leaflet_and_shows_the_osm_attribution(web: Client) -> None:
    page = web.get("/kaart").text
    assert "cdn.jsdelivr" not in page and "cdnjs" not in page and "code.jquery.com" not in page
    assert "/static/vendor/leaflet/leaflet.js" in page
    assert "OpenStreetMap" in page and "contributors" in page
    assert OSM in page
    for asset in (
        "/static/vendor/leaflet/leaflet.js",
        "/static/vendor/leaflet.markercluster/leaflet.markercluster.js",
        "/static/vendor/jquery/jquery.min.js",
    ):
        assert web.get(asset).status_code == 200, asset


def test_popup_text_travels_as_json_data_not_as_html(demo_db: Engine) -> None:
    from tests.web.map_data import map_data, popups
    from web.i18n import Translator
    from web.pages.map import build_map

    with Session(demo_db) as s, s.begin():
        entries = EntryService(s, Actor("test"))
        evil: Any = entries.create(
            "location",
            factories.location(
                name="<script>alert(1)</script>", cost_note="`${alert(2)}`", phone="020 555 1234"
            ),
        )
        lmap = build_map(s, Translator("nl"), [evil], {"community_centre": "Buurthuis"})
        document, evil_id = lmap.document("Kaart", "nl"), evil.id
    assert "<script>alert(1)</script>" not in document
    (popup,) = popups(map_data(document))
    assert popup["title"] == "<script>alert(1)</script>", "map.js sets it with textContent: shown as typed"
    assert any("${alert(2)}" in value for _, value in popup["rows"])
    assert popup["link"] == f"/entries/location/{evil_id}"


def support_form(web: Client, address: str, **extra: str) -> dict[str, str]:
    data = {"_csrf_token": csrf_token(web, "/steun"), "address": address, "mode": "walk", "minutes": "15"}
    data.update(extra)
    return data


def test_support_search_from_a_postcode_groups_by_need_within_reach(
    web: Client, demo_db: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    address = "1011 EC"
    response = web.post("/steun/zoeken", data=support_form(web, address, need_company="on", need_money="on"))
    assert response.status_code == 200, response.text
    groups = re.findall(r'<section class="need-group" data-need="(\w+)">', response.text)
    assert groups == ["company", "money"]
    assert "over de straat" in response.text and 'id="crow-fly-notice"' not in response.text
    company = response.text.split('data-need="company"')[1].split('data-need="money"')[0]
    company_minutes = [int(m) for m in re.findall(r"<dd>ongeveer (\d+) minu", company)]
    assert company_minutes, "hits carry a travel time"
    assert company_minutes == sorted(company_minutes), "quickest first"
    assert max(company_minutes) <= 15
    money = response.text.split('data-need="money"')[1]
    assert money.count('class="card hit"') >= 1
    assert "Laatst gecontroleerd" in response.text
    assert "lang niet gecontroleerd" in response.text, "demo entries were never verified: marked stale"
    for record in caplog.records:
        assert address not in record.getMessage()
    assert address not in caplog.text


def test_support_search_never_stores_the_address(web: Client, demo_db: Engine) -> None:
    def row_counts() -> dict[str, int]:
        with demo_db.connect() as conn:
            tables = conn.execute(
                text(
                    "SELECT tablename FROM pg_tables "
                    "WHERE schemaname = 'public' AND tablename <> 'spatial_ref_sys'"
                )
            ).scalars()
            return {t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one() for t in tables}

    before = row_counts()
    response = web.post("/steun/zoeken", data=support_form(web, "Recht Boomssloot 52", need_peers="on"))
    assert response.status_code == 200
    assert row_counts() == before
    assert "Recht Boomssloot 52" not in response.headers.get("location", "")


def test_support_form_errors_sit_next_to_their_field(web: Client) -> None:
    unknown = web.post("/steun/zoeken", data=support_form(web, "Nergensstraat 999", need_company="on"))
    assert unknown.status_code == 422
    assert 'id="error-address"' in unknown.text and "Dit adres bestaat niet" in unknown.text
    no_need = web.post("/steun/zoeken", data=support_form(web, "1011 EC"))
    assert no_need.status_code == 422 and 'id="error-needs"' in no_need.text
    bad_language = web.post(
        "/steun/zoeken", data=support_form(web, "1011 EC", need_company="on", languages="Nederlands")
    )
    assert bad_language.status_code == 422 and "taalcodes" in bad_language.text


def test_handout_lists_at_most_eight_places_with_what_to_say(web: Client) -> None:
    data = support_form(web, "", lat="52.3719578", lon="4.9034827", minutes="60")
    for need in ("practical", "company", "information", "peers", "language", "money"):
        data[f"need_{need}"] = "on"
    handout = web.post("/steun/folder", data=data)
    assert handout.status_code == 200
    places = re.findall(r'<section class="handout-place">', handout.text)
    assert 5 <= len(places) <= 8
    assert handout.text.count("Wat zeg je als je binnenkomt") == len(places)
    assert OSM in handout.text
    assert 'class="handout"' in handout.text


def test_language_switch_shows_english_and_is_remembered(web: Client) -> None:
    english = web.get("/steun?lang=en")
    assert "Support nearby" in english.text and 'lang="en"' in english.text
    assert "Support nearby" in web.get("/steun").text, "the choice is kept in a cookie"
    assert "Steun in de buurt" in web.get("/steun?lang=nl").text


def location_id(engine: Engine, name: str) -> str:
    with engine.connect() as conn:
        return str(conn.execute(text("SELECT id FROM location WHERE name = :n"), {"n": name}).scalar_one())


def test_entry_page_shows_facts_sources_history_and_map(web: Client, demo_db: Engine) -> None:
    entry_id = location_id(demo_db, "De Boomspijker")
    page = web.get(f"/entries/location/{entry_id}")
    assert page.status_code == 200
    assert "Recht Boomssloot" in page.text and "Keuken te gebruiken" in page.text
    assert 'id="sources"' in page.text and "demo" in page.text
    assert 'id="history"' in page.text and "Aangemaakt" in page.text
    assert "Gecontroleerd" in page.text and "Vrijwilligerscentrale Amsterdam" in page.text
    assert OSM in page.text and "map-frame" in page.text
    assert "Buurtmaaltijd op dinsdag" in page.text, "activities held there are linked"
    assert web.get("/entries/location/00000000-0000-0000-0000-000000000000").status_code == 404
    assert web.get(f"/entries/planet/{entry_id}").status_code == 404


def edit_form(web: Client, entry_id: str) -> dict[str, str]:
    """The edit form's current values, as a browser would submit them."""
    page = web.get(f"/entries/location/{entry_id}/bewerken").text
    data = dict(
        re.findall(r'<input type="(?:hidden|text)" (?:id="[^"]*" )?name="([^"]+)" value="([^"]*)"', page)
    )
    for name, body in re.findall(r'<select id="f-([^"]+)" name="[^"]+">(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', body)
        data[name] = chosen[1] if chosen else ""
    for name, body in re.findall(r'<textarea id="f-([^"]+)" name="[^"]+">(.*?)</textarea>', page, re.S):
        data[name] = body
    return data


def test_broker_edit_validates_next_to_the_field_and_saves_with_revision(
    web: Client, demo_db: Engine
) -> None:
    entry_id = location_id(demo_db, "Treasure House")
    log_in(web, "bram")
    form = edit_form(web, entry_id)
    assert form["name"] == "Treasure House" and form["version"] == "1"
    bad = web.post(
        f"/entries/location/{entry_id}/opslaan", data={**form, "postcode": "12345", "capacity": "veel"}
    )
    assert bad.status_code == 422
    assert 'id="err-capacity"' in bad.text
    bad = web.post(f"/entries/location/{entry_id}/opslaan", data={**form, "postcode": "12345"})
    assert bad.status_code == 422 and 'id="err-postcode"' in bad.text
    assert "&#39;12345&#39; is geen Nederlandse postcode" in bad.text  # in the page's language
    bad = web.post(f"/entries/location/{entry_id}/opslaan", data={**form, "opening_hours": "maandag"})
    assert 'id="err-opening_hours"' in bad.text and "openingstijden die we kunnen lezen" in bad.text
    english = web.post(f"/entries/location/{entry_id}/opslaan?lang=en", data={**form, "postcode": "12345"})
    assert "is not a Dutch postcode" in english.text
    web.get("/?lang=nl")
    saved = web.post(
        f"/entries/location/{entry_id}/opslaan", data={**form, "capacity": "16", "phone": "020 555 1234"}
    )
    assert saved.status_code == 200 and "Opgeslagen" in saved.text
    revisions = web.get(f"/api/v1/locations/{entry_id}/revisions").json()
    assert revisions[0]["changed_by"] == "bram"
    assert revisions[0]["changes"]["capacity"] == [14, 16]
    assert revisions[0]["changes"]["phone"] == [None, "+31 20 555 1234"]


def test_broker_form_shows_every_problem_next_to_its_field_in_dutch(web: Client, demo_db: Engine) -> None:
    """An unreadable whole number no longer hides the other fields' problems, and none is English."""
    entry_id = location_id(demo_db, "De Boomspijker")
    log_in(web, "bram")
    form = edit_form(web, entry_id)
    bad = web.post(
        f"/entries/location/{entry_id}/opslaan",
        data={
            **form,
            "capacity": "veel",
            "email": "info(at)boomspijker.nl",
            "website": "boomspijker",
            "cost_amount_eur": "drie euro",
            "postcode": "12345",
        },
    )
    assert bad.status_code == 422
    shown = dict(re.findall(r'<span class="field-error" id="err-([a-z_]+)">([^<]*)</span>', bad.text))
    assert set(shown) == {"capacity", "email", "website", "cost_amount_eur", "postcode"}
    assert shown["capacity"] == "Vul een heel getal in, zoals 12."
    assert "schrijf @ in plaats van (at)" in shown["email"]
    assert "is geen webadres" in shown["website"]
    assert shown["cost_amount_eur"] == "Vul een bedrag in, zoals 3,50."
    assert "is geen Nederlandse postcode" in shown["postcode"]
    assert not re.search(r"should|String|Input|pattern", " ".join(shown.values()))
    saved = web.post(
        f"/entries/location/{entry_id}/opslaan",
        data={**form, "cost_amount_eur": "3,50", "website": "www.boomspijker.nl", "cost_free": "no"},
    )
    assert saved.status_code == 200 and "Opgeslagen" in saved.text
    stored = web.get(f"/api/v1/locations/{entry_id}").json()
    assert stored["cost_amount_eur"] in ("3.50", 3.5) and stored["website"] == "https://www.boomspijker.nl"


def service_form(web: Client, entry_id: str) -> dict[str, str]:
    """A service's edit form as a browser submits it: inputs, chosen options and ticked boxes."""
    page = web.get(f"/entries/service/{entry_id}/bewerken").text
    data = {
        name: html.unescape(value)
        for name, value in re.findall(
            r'<input type="(?:hidden|text)" (?:id="[^"]*" )?name="([^"]+)" value="([^"]*)"', page
        )
    }
    for name, body in re.findall(r'<select id="[^"]+" name="([^"]+)">(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', body)
        data[name] = chosen[1] if chosen else ""
    for name, body in re.findall(r'<textarea id="f-([^"]+)" name="[^"]+">(.*?)</textarea>', page, re.S):
        data[name] = html.unescape(body)
    for name in re.findall(r'<input type="checkbox" name="([^"]+)" value="on" checked>', page):
        data[name] = "on"
    return data


def service_id(engine: Engine, name: str) -> str:
    with engine.connect() as conn:
        return str(conn.execute(text("SELECT id FROM service WHERE name = :n"), {"n": name}).scalar_one())


def test_service_form_edits_meetings_place_and_organisation_with_plain_choices(
    web: Client, demo_db: Engine
) -> None:
    entry_id = service_id(demo_db, "Stamtafel Centrum")
    log_in(web, "bram")
    form = service_form(web, entry_id)
    assert (form["meetings__0__freq"], form["meetings__0__nth"], form["meetings__0__day"]) == (
        "monthly",
        "1",
        "TH",
    )
    assert form["meetings__0__start"] == "18:00" and form["meetings__1__freq"] == ""  # the row for a new one
    before = web.get(f"/api/v1/services/{entry_id}").json()
    untouched = web.post(f"/entries/service/{entry_id}/opslaan", data=form)
    assert untouched.status_code == 200
    assert web.get(f"/api/v1/services/{entry_id}").json()["meetings"] == before["meetings"]

    form = service_form(web, entry_id)
    bad = web.post(
        f"/entries/service/{entry_id}/opslaan",
        data={
            **form,
            "meetings__1__freq": "weekly",
            "meetings__1__day": "WE",
            "meetings__1__start": "25 uur",
        },
    )
    assert bad.status_code == 422 and "is geen tijd" in bad.text and 'id="err-meetings"' in bad.text

    with demo_db.connect() as conn:
        other_place = str(
            conn.execute(text("SELECT id FROM location WHERE name = 'De Boomspijker'")).scalar_one()
        )
        other_org = str(conn.execute(text("SELECT id FROM organization ORDER BY name LIMIT 1")).scalar_one())
    changed = {
        **form,
        "meetings__0__freq": "biweekly",  # the first Thursday of the month becomes every other Wednesday
        "meetings__0__day": "WE",
        "meetings__0__end": "21.00",
        "meetings__1__freq": "monthly",
        "meetings__1__nth": "-1",
        "meetings__1__day": "FR",
        "meetings__1__start": "14:00",
        "location_ids__add": other_place,
        "organization_id": other_org,
    }
    saved = web.post(f"/entries/service/{entry_id}/opslaan", data=changed)
    assert saved.status_code == 200 and "Opgeslagen" in saved.text
    stored = web.get(f"/api/v1/services/{entry_id}").json()
    assert [m["rrule"] for m in stored["meetings"]] == [
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE",
        "FREQ=MONTHLY;BYDAY=-1FR",
    ]
    assert str(stored["meetings"][0]["end_time"]).startswith("21:00")
    assert other_place in stored["location_ids"] and len(stored["location_ids"]) == 2
    assert stored["organization_id"] == other_org
    page = web.get(f"/entries/service/{entry_id}").text
    assert "om de week op woensdag" in page and "de laatste vrijdag van de maand" in page


def conflict_choices(html: str) -> dict[str, str]:
    """What the conflict form sends as shown: hidden values and the preselected radio per field."""
    form = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    form.update(re.findall(r'<input type="radio" name="([^"]+)" value="([^"]+)" id="[^"]+" checked', html))
    return form


def test_conflict_is_merged_per_field_and_a_third_save_conflicts_again(demo_db: Engine) -> None:
    from web.app import create_app

    entry_id = location_id(demo_db, "Treasure House")
    app = create_app(demo_db)
    with TestClient(app=app) as first, TestClient(app=app) as second:
        log_in(first, "bram")
        log_in(second, "ada")
        form_first, form_second = edit_form(first, entry_id), edit_form(second, entry_id)
        ok = first.post(
            f"/entries/location/{entry_id}/opslaan",
            data={**form_first, "capacity": "20", "phone": "020 555 0001"},
        )
        assert ok.status_code == 200
        clash = second.post(
            f"/entries/location/{entry_id}/opslaan",
            data={**form_second, "capacity": "25", "name": "Treasure House Oost"},
        )
        assert clash.status_code == 409
        assert "Iemand anders heeft dit al veranderd" in clash.text and "bram" in clash.text
        differs = re.findall(r'<tr class="differs" id="conflict-([a-z_]+)"', clash.text)
        assert sorted(differs) == ["capacity", "name", "phone"]
        choices = conflict_choices(clash.text)
        # Preselected: mine where I changed the field, theirs where only they did.
        assert (choices["pick__capacity"], choices["pick__name"], choices["pick__phone"]) == (
            "mine",
            "mine",
            "theirs",
        )
        assert choices["version"] == "2"
        choices["pick__capacity"] = "theirs"
        saved = second.post(f"/entries/location/{entry_id}/samenvoegen", data=choices)
        assert saved.status_code == 200 and "Opgeslagen" in saved.text
        current = second.get(f"/api/v1/locations/{entry_id}").json()
        assert (current["capacity"], current["name"], current["phone"], current["version"]) == (
            20,
            "Treasure House Oost",
            "+31 20 555 0001",
            3,
        )

        # A third save between showing the conflict page and saving it: the conflict page again.
        form_second = edit_form(second, entry_id)
        first.post(
            f"/entries/location/{entry_id}/opslaan", data={**edit_form(first, entry_id), "capacity": "30"}
        )
        clash = second.post(f"/entries/location/{entry_id}/opslaan", data={**form_second, "capacity": "35"})
        choices = conflict_choices(clash.text)
        first.post(
            f"/entries/location/{entry_id}/opslaan", data={**edit_form(first, entry_id), "capacity": "40"}
        )
        again = second.post(f"/entries/location/{entry_id}/samenvoegen", data=choices)
        assert again.status_code == 409 and 'id="conflict-capacity"' in again.text
        current = second.get(f"/api/v1/locations/{entry_id}").json()
        assert (current["capacity"], current["version"]) == (40, 5)  # 35 was never written


def test_restore_from_the_history_brings_back_an_old_version(web: Client, demo_db: Engine) -> None:
    entry_id = location_id(demo_db, "Treasure House")
    log_in(web, "bram")
    form = edit_form(web, entry_id)
    web.post(f"/entries/location/{entry_id}/opslaan", data={**form, "name": "Treasure House (verhuisd)"})
    token = csrf_token(web, f"/entries/location/{entry_id}")
    # The history's button only asks: the confirmation page says what changes, nothing is written yet.
    asked = web.get(f"/entries/location/{entry_id}/terugzetten/1")
    assert asked.status_code == 200 and 'id="restore-form"' in asked.text
    assert "Naam</strong>: Treasure House (verhuisd) → Treasure House" in asked.text
    unconfirmed = web.post(
        f"/entries/location/{entry_id}/herstel/1", data={"_csrf_token": token, "version": "2"}
    )
    assert unconfirmed.status_code == 200 and 'id="restore-form"' in unconfirmed.text
    assert web.get(f"/api/v1/locations/{entry_id}").json()["name"] == "Treasure House (verhuisd)"
    confirmed = {"_csrf_token": token, "confirm": "yes"}
    restored = web.post(f"/entries/location/{entry_id}/herstel/1", data={**confirmed, "version": "2"})
    assert restored.status_code == 200 and "teruggezet" in restored.text
    assert web.get(f"/api/v1/locations/{entry_id}").json()["name"] == "Treasure House"
    stale = web.post(f"/entries/location/{entry_id}/herstel/1", data={**confirmed, "version": "1"})
    assert stale.status_code == 409
    assert "Iemand anders heeft dit net veranderd." in stale.text  # not the service's English


def test_stale_list_and_verified_today(web: Client, demo_db: Engine) -> None:
    entry_id = location_id(demo_db, "Waalse kerk")
    log_in(web, "bram")
    dashboard = web.get("/beheer").text
    assert "Waalse kerk" in dashboard.split('id="stale"')[1]
    token = csrf_token(web, "/beheer")
    done = web.post(
        f"/entries/location/{entry_id}/gecontroleerd",
        data={"_csrf_token": token, "version": "1", "back": "/beheer"},
    )
    assert done.status_code == 200 and "vandaag gecontroleerd" in done.text
    assert "Waalse kerk" not in done.text.split('id="stale"')[1]
    current = web.get(f"/api/v1/locations/{entry_id}").json()
    assert current["verified_by"] == "bram" and current["last_verified_at"]


def test_reports_from_viewers_are_accepted_or_rejected_by_brokers(demo_db: Engine) -> None:
    from web.app import create_app

    closed_id, phone_id = location_id(demo_db, "Waalse kerk"), location_id(demo_db, "Huis De Pinto")
    app = create_app(demo_db)
    with TestClient(app=app) as viewer, TestClient(app=app) as broker:
        log_in(viewer, "vera")
        for entry_id, kind in ((closed_id, "closed"), (phone_id, "wrong_phone")):
            token = csrf_token(viewer, f"/entries/location/{entry_id}")
            sent = viewer.post(
                f"/entries/location/{entry_id}/melden",
                data={"_csrf_token": token, "kind": kind, "message": "gezien"},
            )
            assert sent.status_code == 200 and "Dank je" in sent.text
        log_in(broker, "bram")
        queue = broker.get("/beheer").text
        ids = [int(i) for i in re.findall(r"/beheer/meldingen/(\d+)/accepteren", queue)]
        assert len(ids) == 2
        token = csrf_token(broker, "/beheer")
        accepted = broker.post(f"/beheer/meldingen/{ids[0]}/accepteren", data={"_csrf_token": token})
        assert accepted.status_code == 200
        assert broker.get(f"/api/v1/locations/{closed_id}").json()["status"] == "closed"
        rejected = broker.post(f"/beheer/meldingen/{ids[1]}/afwijzen", data={"_csrf_token": token})
        assert "afgewezen" in rejected.text
        assert broker.get("/beheer").text.count("/accepteren") == 0
        assert (
            broker.post(f"/beheer/meldingen/{ids[1]}/afwijzen", data={"_csrf_token": token}).status_code
            == 404
        )


def test_openapi_lists_the_api_but_not_the_pages(web: Client) -> None:
    schema = web.get("/schema/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/locations" in paths
    assert not any(p.startswith(("/kaart", "/steun", "/beheer", "/inloggen")) for p in paths)


def test_english_handout(web: Client) -> None:
    data = support_form(web, "", lat="52.3719578", lon="4.9034827", need_company="on")
    handout = web.post("/steun/folder?lang=en", data=data)
    assert handout.status_code == 200
    assert "Support near you" in handout.text and "What to say when you come in" in handout.text
