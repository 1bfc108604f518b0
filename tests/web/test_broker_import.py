"""Broker pages for partner lists: upload -> preview -> apply, suggestions, per-field conflicts."""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient
from openpyxl import Workbook
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from directory.models import Location, Revision, SourceLink, SourceSuggestion
from tests.web.conftest import csrf_token, log_in
from web.importing import PendingImport

Client = TestClient[Any]

HEADER = "naam;adres;postcode;plaats;telefoon;lat;lon;categorie\n"
PROEFTUIN = (
    "Buurtkamer Proeftuin;Proefstraat 1;1102 AA;Amsterdam;020 111 2222;52.3100;4.9700;community_centre\n"
)
BRUG = "Taalcafé De Brug;Brugweg 2;1102 AB;Amsterdam;020 333 4444;52.3120;4.9720;\n"
# A row without a name is refused (a bad postcode alone is set aside, the row still counts).
NAMELESS = ";Dam 1;12345;Amsterdam;;;;\n"
LIST = HEADER + PROEFTUIN + BRUG + NAMELESS  # the bad row is line 4


@pytest.fixture(autouse=True)
def upload_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private folder for the kept uploads of each test (read when the app starts)."""
    folder = tmp_path / "uploads"
    monkeypatch.setenv("WIJKGRAM_UPLOAD_DIR", str(folder))
    return folder


def upload(client: Client, content: bytes, filename: str = "partner.csv", mode: str = "rows") -> Any:
    """Send a list to the preview, as the upload form does."""
    token = csrf_token(client, "/beheer/import")
    return client.post(
        "/beheer/import/voorbeeld",
        files={"file": (filename, content, "text/csv")},
        data={"mode": mode, "_csrf_token": token},
    )


def apply_form(html: str) -> dict[str, str]:
    """The hidden fields of the preview's confirm form."""
    match = re.search(r'<form method="post" action="/beheer/import/verwerken".*?</form>', html, re.S)
    assert match, "the preview has no apply form"
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', match[0]))


def count(engine: Engine, model: Any) -> int:
    with Session(engine) as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def location_named(engine: Engine, name: str) -> Location:
    with Session(engine) as s:
        return s.scalars(select(Location).where(Location.name == name)).one()


def counted(html: str, what: str) -> int:
    match = re.search(rf'id="count-{what}">(\d+)<', html)
    assert match, f"no count of {what}"
    return int(match[1])


def test_preview_shows_counts_and_problems_by_line_and_changes_nothing(web: Client, demo_db: Engine) -> None:
    log_in(web, "bram")
    before = (count(demo_db, Location), count(demo_db, Revision), count(demo_db, SourceLink))
    page = upload(web, LIST.encode())
    assert page.status_code == 200
    assert (counted(page.text, "created"), counted(page.text, "rejected")) == (2, 1)
    rejected = re.search(r'<table id="rejected">.*?</table>', page.text, re.S)
    assert rejected and '<td class="line">4</td>' in rejected[0] and "naam" in rejected[0]
    assert "Buurtkamer Proeftuin" in page.text and 'id="import-apply"' in page.text
    assert (count(demo_db, Location), count(demo_db, Revision), count(demo_db, SourceLink)) == before


def test_apply_writes_the_previewed_file_once(web: Client, demo_db: Engine) -> None:
    log_in(web, "bram")
    locations = count(demo_db, Location)
    form = apply_form(upload(web, LIST.encode()).text)
    done = web.post("/beheer/import/verwerken", data={**form, "_csrf_token": csrf_token(web, "/beheer")})
    assert done.status_code == 200 and 'id="import-done"' in done.text
    assert count(demo_db, Location) == locations + 2
    place = location_named(demo_db, "Buurtkamer Proeftuin")
    assert place.phone == "+31 20 111 2222"
    assert place.field_provenance["phone"]["source"] == "table:partner"
    # The kept file is gone after applying: the same confirmation cannot run twice.
    again = web.post("/beheer/import/verwerken", data={**form, "_csrf_token": csrf_token(web, "/beheer")})
    assert again.status_code == 409 and "verlopen" in again.text


def test_apply_refuses_a_changed_file_or_a_changed_form(web: Client, demo_db: Engine) -> None:
    log_in(web, "bram")
    locations = count(demo_db, Location)
    form = apply_form(upload(web, LIST.encode()).text)
    token = csrf_token(web, "/beheer")
    # Another digest or name in the form: the signature no longer matches.
    for key, value in (("digest", "0" * 64), ("filename", "other.csv"), ("mode", "all")):
        refused = web.post("/beheer/import/verwerken", data={**form, key: value, "_csrf_token": token})
        assert refused.status_code == 409 and "klopt niet meer" in refused.text
    # The kept file itself changed after the preview.
    folder = web.app.state.pending_uploads.folder
    (folder / f"{form['digest']}.csv").write_bytes((HEADER + PROEFTUIN.replace("Proeftuin", "X")).encode())
    refused = web.post("/beheer/import/verwerken", data={**form, "_csrf_token": token})
    assert refused.status_code == 409 and "veranderd sinds het voorbeeld" in refused.text
    assert count(demo_db, Location) == locations


def test_all_or_nothing_with_a_bad_row_writes_nothing(web: Client, demo_db: Engine) -> None:
    log_in(web, "bram")
    locations = count(demo_db, Location)
    page = upload(web, LIST.encode(), mode="all")
    assert 'id="import-blocked"' in page.text and 'id="import-apply"' not in page.text
    # Even a confirmation sent without the button (signed like the real one) writes nothing.
    uploads = web.app.state.pending_uploads
    pending = PendingImport(hashlib.sha256(LIST.encode()).hexdigest(), "partner.csv", all_or_nothing=True)
    form = {"digest": pending.digest, "filename": pending.filename, "mode": "all"}
    form["ticket"] = uploads.ticket(pending, "bram")
    done = web.post("/beheer/import/verwerken", data={**form, "_csrf_token": csrf_token(web, "/beheer")})
    assert done.status_code == 200 and "niets opgeslagen" in done.text
    assert count(demo_db, Location) == locations


def test_a_broker_edit_is_kept_and_becomes_a_suggestion(demo_db: Engine) -> None:
    from tests.web.test_pages import edit_form
    from web.app import create_app

    app = create_app(demo_db)
    with TestClient(app=app) as broker, TestClient(app=app) as viewer:
        log_in(broker, "bram")
        log_in(viewer, "vera")
        form = apply_form(upload(broker, (HEADER + PROEFTUIN + BRUG).encode()).text)
        broker.post("/beheer/import/verwerken", data={**form, "_csrf_token": csrf_token(broker, "/beheer")})
        place = location_named(demo_db, "Buurtkamer Proeftuin")
        edit = edit_form(broker, str(place.id))
        saved = broker.post(f"/entries/location/{place.id}/opslaan", data={**edit, "phone": "020 999 0000"})
        assert saved.status_code == 200

        changed = HEADER + PROEFTUIN.replace("020 111 2222", "020 111 3333").replace(
            "Proefstraat 1;", "Proefstraat 1A;"
        )
        preview = upload(broker, changed.encode())
        kept = re.search(r'<table id="kept">.*?</table>', preview.text, re.S)
        assert kept and "Buurtkamer Proeftuin" in kept[0] and "Telefoon" in kept[0]
        updated = re.search(r'<table id="updated">.*?</table>', preview.text, re.S)
        assert updated and "Huisnummer" in updated[0] and "Telefoon" not in updated[0]
        # The place that left the list is flagged for review, not deleted.
        assert "Taalcafé De Brug" in re.search(r'<table id="missing">.*?</table>', preview.text, re.S)[0]  # type: ignore[index]
        broker.post(
            "/beheer/import/verwerken",
            data={**apply_form(preview.text), "_csrf_token": csrf_token(broker, "/beheer")},
        )
        place = location_named(demo_db, "Buurtkamer Proeftuin")
        assert (place.phone, place.house_number) == ("+31 20 999 0000", "1A")
        assert location_named(demo_db, "Taalcafé De Brug").status == "needs_review"

        assert "(1)" in broker.get("/beheer").text
        listing = broker.get("/beheer/suggesties").text
        row = re.search(r'<tr class="suggestion" id="suggestion-(\d+)">.*?</tr>', listing, re.S)
        assert row and "+31 20 999 0000" in row[0] and "+31 20 111 3333" in row[0] and "partner" in row[0]
        suggestion_id = row[1]
        assert "+31 20 111 3333" in broker.get(f"/entries/location/{place.id}/bewerken").text

        # A viewer may not accept or dismiss.
        vtoken = csrf_token(viewer, "/")
        for action in ("overnemen", "negeren"):
            refused = viewer.post(
                f"/beheer/suggesties/{suggestion_id}/{action}",
                data={"version": str(place.version), "_csrf_token": vtoken},
                follow_redirects=False,
            )
            assert refused.status_code in (401, 403)
        # Accepting on an old version is refused and changes nothing.
        token = csrf_token(broker, "/beheer/suggesties")
        stale = broker.post(
            f"/beheer/suggesties/{suggestion_id}/overnemen",
            data={"version": str(place.version - 1), "_csrf_token": token},
        )
        assert "net veranderd" in stale.text
        accepted = broker.post(
            f"/beheer/suggesties/{suggestion_id}/overnemen",
            data={"version": str(place.version), "_csrf_token": token},
        )
        assert "Suggestie overgenomen" in accepted.text and 'id="suggestions-none"' in accepted.text
        place = location_named(demo_db, "Buurtkamer Proeftuin")
        assert place.phone == "+31 20 111 3333"
        assert place.field_provenance["phone"]["source"] == "manual"


def test_dismiss_closes_the_suggestion_and_keeps_the_entry(web: Client, demo_db: Engine) -> None:
    place = location_named(demo_db, "De Boomspijker")
    with Session(demo_db) as s, s.begin():
        s.add(
            SourceSuggestion(
                entity_type="location",
                entity_id=place.id,
                field="phone",
                source="table:dock",
                value="+31 20 000 0000",
                current=place.phone,
            )
        )
    log_in(web, "bram")
    listing = web.get("/beheer/suggesties").text
    suggestion_id = re.search(r'id="suggestion-(\d+)"', listing)[1]  # type: ignore[index]
    done = web.post(
        f"/beheer/suggesties/{suggestion_id}/negeren", data={"_csrf_token": csrf_token(web, "/beheer")}
    )
    assert "Suggestie genegeerd" in done.text and 'id="suggestions-none"' in done.text
    assert location_named(demo_db, "De Boomspijker").phone == place.phone
    with demo_db.connect() as conn:
        resolution = conn.execute(text("SELECT resolution FROM source_suggestion")).scalar_one()
    assert resolution == "dismissed by bram"


def test_xlsx_upload_previews_and_applies(web: Client, demo_db: Engine) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Naam", "Adres", "Postcode", "Plaats", "Lat", "Lon", "Wanneer", "Kosten"])
    sheet.append(["Koffie-ochtend Proeftuin", "Proefstraat 3", "1102 AA", "Amsterdam", 52.311, 4.971,
                  "elke dinsdag 10:00-12:00", "gratis"])  # fmt: skip
    sheet.append(["Buiten Nederland", "", "", "", 52.6, 3.9, "", ""])
    buffer = io.BytesIO()
    book.save(buffer)
    log_in(web, "bram")
    page = upload(web, buffer.getvalue(), "lijst.xlsx")
    assert page.status_code == 200 and counted(page.text, "created") == 1
    assert '<td class="line">3</td>' in page.text  # the North Sea row, by its row number in the sheet
    form = apply_form(page.text)
    web.post("/beheer/import/verwerken", data={**form, "_csrf_token": csrf_token(web, "/beheer")})
    assert location_named(demo_db, "Koffie-ochtend Proeftuin").postcode == "1102 AA"


def test_upload_refuses_other_file_types_and_unreadable_lists(web: Client) -> None:
    log_in(web, "bram")
    wrong = upload(web, b"%PDF-1.4", "lijst.pdf")
    assert wrong.status_code == 422 and "CSV of XLSX" in wrong.text
    headless = upload(web, b"foo;bar\n1;2\n", "lijst.csv")
    assert headless.status_code == 422 and 'id="import-error"' in headless.text


def test_viewer_cannot_upload(web: Client) -> None:
    log_in(web, "vera")
    assert web.get("/beheer/import", follow_redirects=False).status_code in (401, 403)


def test_preview_in_english(web: Client) -> None:
    log_in(web, "bram")
    web.get("/beheer/import?lang=en")
    page = upload(web, LIST.encode())
    assert "Preview: partner.csv" in page.text and "Apply these changes" in page.text
    assert "Skip the wrong rows" in page.text or "Wrong" in page.text


def service_form(client: Client, service_id: str) -> dict[str, str]:
    """A service's edit form as a browser submits it (text inputs, selects, ticked boxes)."""
    page = client.get(f"/entries/service/{service_id}/bewerken").text
    inputs = r'<input type="(?:hidden|text)" (?:id="[^"]*" )?name="([^"]+)" value="([^"]*)"'
    data = dict(re.findall(inputs, page))
    for name, body in re.findall(r'<select id="f-([^"]+)" name="[^"]+">(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', body)
        data[name] = chosen[1] if chosen else ""
    for name, body in re.findall(r'<textarea id="f-([^"]+)" name="[^"]+">(.*?)</textarea>', page, re.S):
        data[name] = body
    data.update(
        (name, "on") for name in re.findall(r'type="checkbox" name="([^"]+)" value="on" checked', page)
    )
    return data


def test_service_conflict_merges_ticked_boxes_per_field(demo_db: Engine) -> None:
    from tests.web.test_pages import conflict_choices
    from web.app import create_app

    with demo_db.connect() as conn:
        service_id = str(
            conn.execute(text("SELECT id FROM service WHERE name = 'Stamtafel Centrum'")).scalar_one()
        )
    app = create_app(demo_db)
    with TestClient(app=app) as first, TestClient(app=app) as second:
        log_in(first, "bram")
        log_in(second, "ada")
        form_first, form_second = service_form(first, service_id), service_form(second, service_id)
        assert form_first.get("support_functions__peers") == "on"
        del form_first["support_functions__peers"]
        form_first["support_functions__information"] = "on"
        assert first.post(f"/entries/service/{service_id}/opslaan", data=form_first).status_code == 200
        clash = second.post(
            f"/entries/service/{service_id}/opslaan", data={**form_second, "name": "Stamtafel Centrum-Oost"}
        )
        assert clash.status_code == 409
        choices = conflict_choices(clash.text)
        assert (choices["pick__support_functions"], choices["pick__name"]) == ("theirs", "mine")
        saved = second.post(f"/entries/service/{service_id}/samenvoegen", data=choices)
        assert saved.status_code == 200
        current = second.get(f"/api/v1/services/{service_id}").json()
        assert current["name"] == "Stamtafel Centrum-Oost"
        assert sorted(current["support_functions"]) == ["activity", "company", "information"]


def _hostile_xlsx(kind: str) -> bytes:
    """A small workbook made hostile: XXE, billion laughs, a zip bomb, or a broken zip."""
    import zipfile

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["naam", "werkgebied"])
    sheet.append(["Maatje Oost", "Oost"])
    plain = io.BytesIO()
    book.save(plain)
    if kind == "broken":
        return plain.getvalue()[:600]
    head = '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    if kind == "xxe":
        sheet_xml = (
            '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            + head
            + '<row r="1"><c r="A1" t="inlineStr"><is><t>&e;</t></is></c></row></sheetData></worksheet>'
        )
    elif kind == "laughs":
        entities = '<!ENTITY a0 "ha">' + "".join(
            f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10)
        )
        sheet_xml = f'<?xml version="1.0"?><!DOCTYPE x [{entities}]>{head}</sheetData></worksheet>'
    else:  # a zip bomb: one 60 MB cell in a few dozen kilobytes
        sheet_xml = (
            head
            + '<row><c t="inlineStr"><is><t>'
            + "x" * 60_000_000
            + "</t></is></c></row></sheetData></worksheet>"
        )
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(plain.getvalue())) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for item in src.infolist():
            data = (
                sheet_xml.encode() if item.filename == "xl/worksheets/sheet1.xml" else src.read(item.filename)
            )
            dst.writestr(item, data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("xxe", "declares XML entities"),
        ("laughs", "declares XML entities"),
        ("bomb", "unpacks to more than"),
        ("broken", "not a readable XLSX file"),
    ],
)
def test_unreadable_workbooks_get_a_clear_422(web: Client, kind: str, reason: str) -> None:
    """XXE, billion laughs, a zip bomb and a broken zip: a 422 page that says why, never a 500."""
    log_in(web, "bram")
    answer = upload(web, _hostile_xlsx(kind), "lijst.xlsx")
    assert answer.status_code == 422, answer.text[:300]
    assert 'id="import-error"' in answer.text and reason in answer.text
    assert "root:" not in answer.text


def test_preview_shows_the_column_table_and_pages_the_rows(web: Client, demo_db: Engine) -> None:
    """Every column with its use, every row with its outcome, 100 rows a page; paging changes nothing."""
    log_in(web, "bram")
    rows = "".join(f"Maatje {i};Zuidoost;020 123 {i:04d};Piet\n" for i in range(150))
    page = upload(web, ("Naam organisatie;Werkgebied;Tel.;Ingevoerd door\n" + rows).encode())
    assert page.status_code == 200
    columns = re.search(r'<table id="columns">.*?</table>', page.text, re.S)
    assert columns and "Naam organisatie" in columns[0] and "Niet gebruikt" in columns[0]
    table = re.search(r'<table id="rows">.*?</table>', page.text, re.S)
    assert table and table[0].count('class="outcome-created"') == 100
    link = re.search(r'href="(/beheer/import/pagina\?[^"]+page=2)[^"]*"', page.text)
    assert link, "no link to page 2"
    second = web.get(link[1].replace("&amp;", "&"))
    assert second.status_code == 200
    table = re.search(r'<table id="rows">.*?</table>', second.text, re.S)
    assert table and table[0].count('class="outcome-created"') == 50
    assert counted(second.text, "created") == 150
    with Session(demo_db) as s:
        assert not s.scalars(select(Location).where(Location.name == "Maatje 3")).all()
        assert s.execute(text("SELECT count(*) FROM service WHERE name = 'Maatje 3'")).scalar_one() == 0


def test_a_row_that_cannot_be_placed_waits_as_a_draft_on_the_broker_page(
    web: Client, demo_db: Engine
) -> None:
    """An address the geocoder cannot place and no area: applied as a draft, listed on /beheer."""
    log_in(web, "bram")
    content = "naam;adres;plaats;telefoon\nKookclub Nergens;Nergensstraat 999;Amsterdam;020 123 4567\n"
    form = apply_form(upload(web, content.encode()).text)
    done = web.post("/beheer/import/verwerken", data={**form, "_csrf_token": csrf_token(web, "/beheer")})
    assert done.status_code == 200 and counted(done.text, "draft") == 1
    with Session(demo_db) as s:
        status = s.execute(text("SELECT status FROM service WHERE name = 'Kookclub Nergens'")).scalar_one()
    assert status == "draft"
    page = web.get("/beheer")
    drafts = re.search(r'<ul id="drafts">.*?</ul>', page.text, re.S)
    assert drafts and "Kookclub Nergens" in drafts[0]
