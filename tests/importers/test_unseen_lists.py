"""Partner lists as municipalities and welfare organisations really export them, read end to end.

Three lists nobody tuned the importer for (fixtures in `fixtures/partners/`):

- `sociale-kaart-centrum.xlsx` (built by `make_sociale_kaart.py`): a title, an empty and a notes
  row above a two-row header with merged cells, a hidden column, phone numbers stored as
  floats, a postcode stored as a number, a start time as an Excel time, a date as an Excel date;
- `welzijn-oost-export.csv`: Windows-1252, ';' separated, a title line above the header,
  trailing empty columns, multi-line quoted cells, a venue's name before its address;
- `buurtinitiatieven-formulier.csv`: a form export whose headers are questions
  ("Naam van je initiatief", "Telefoonnummer (optioneel)") and a "may we publish?" column.

Every row lands with the values the partner meant, or is reported with its line and why.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from directory.models import Service
from geo.geocoding.base import GeocodeAnswer
from importers.geocode_osm import OsmAddressGeocoder
from importers.merge import ImportReport
from importers.records import EntryRecord, PlaceRecord, Rejected
from importers.run import RunOptions, run_import
from importers.table import TableReader, table_source
from importers.table_files import read_table_rows
from importers.table_report import table_report
from importers.table_values import address_parts, city_in_address, parse_cost, parse_target_groups, parse_when
from importers.vocabulary import Vocabulary

FIXTURES = Path(__file__).parent / "fixtures" / "partners"
XLSX = FIXTURES / "sociale-kaart-centrum.xlsx"
OOST = FIXTURES / "welzijn-oost-export.csv"
FORM = FIXTURES / "buurtinitiatieven-formulier.csv"
INLOOP = FIXTURES / "inloophuizen-centrum.xlsx"


class Recording(OsmAddressGeocoder):
    """The Centrum address table, remembering what it was asked."""

    def __init__(self, inner: OsmAddressGeocoder) -> None:
        self.__dict__.update(inner.__dict__)
        self.queries: list[str] = []

    def lookup(self, query: str) -> GeocodeAnswer:
        """Record the query, answer from the real addresses."""
        self.queries.append(query)
        return super().lookup(query)


@pytest.fixture(scope="module")
def centrum(shared_data: Path) -> OsmAddressGeocoder:
    """Addresses of the real Centrum extract."""
    return OsmAddressGeocoder.from_file(shared_data / "osm" / "amsterdam-centrum.osm.pbf")


def _import(
    db: Session, path: Path, geocoder: OsmAddressGeocoder
) -> tuple[ImportReport, TableReader, dict[int, Any]]:
    reader = TableReader(path, geocoder=geocoder, vocabulary=Vocabulary.load(db))
    items = list(reader)
    report = run_import(db, items, source=table_source(path, None), scope=path.name, options=RunOptions())
    return report, reader, {item.line: item for item in items if item.line is not None}


def _service(item: PlaceRecord | EntryRecord | Rejected) -> dict[str, Any]:
    if isinstance(item, PlaceRecord):
        assert item.service is not None
        return item.service
    assert isinstance(item, EntryRecord)
    return item.fields


def _rows(report: ImportReport, reader: TableReader) -> dict[int, tuple[str, list[str]]]:
    data = table_report(report, reader.plan)
    return {r["line"]: (r["outcome"], r["messages"]) for r in data["rows"]}


@pytest.mark.shared_data
def test_xlsx_with_title_rows_merged_header_and_hidden_column(
    db: Session, centrum: OsmAddressGeocoder
) -> None:
    """The header is found under the title and notes; every row lands or is reported, none is lost."""
    geocoder = Recording(centrum)
    report, reader, items = _import(db, XLSX, geocoder)
    assert reader.header_line == 5
    columns = table_report(report, reader.plan)["columns"]
    # "Naam activiteit" is merged over rows 4 and 5: row 5 holds nothing in column A.
    assert columns["Naam activiteit"] == "activity"
    assert columns["Tijd"] == "time" and columns["Website/Facebook"] == "website"
    assert columns["Notitie gebiedsmakelaar"] == "ignored"  # hidden by the broker
    rows = _rows(report, reader)
    assert sorted(rows) == list(range(6, 15))
    assert [line for line, (outcome, _m) in rows.items() if outcome == "created"] == [6, 7, 8, 9, 10, 11]
    assert rows[12][0] == "draft" and any("postal address" in m for m in rows[12][1])
    assert rows[13][0] == "draft" and rows[14][0] == "rejected"
    assert "Oudeschans 54-H" in geocoder.queries  # "54 hs": the ground floor, as the register writes it

    koffie = items[6]
    assert isinstance(koffie, PlaceRecord)
    assert (koffie.location["street"], koffie.location["house_number"]) == ("Recht Boomssloot", "52")
    service = _service(koffie)
    assert service["phone"] == "+31 20 624 1234"  # 206241234.0: a number that lost its 0
    assert service["meetings"][0]["rrule"] == "FREQ=WEEKLY;BYDAY=WE"
    assert service["meetings"][0]["start_time"] == "10:00"  # an Excel time in its own column
    assert "Locatie: Buurtkamer De Boomspijker" in service["description"]
    assert "subsidie" not in str(items)  # the hidden column's note stays out of the directory

    spreekuur = _service(items[7])
    assert spreekuur["meetings"][0]["rrule"] == "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
    assert (spreekuur["meetings"][0]["start_time"], spreekuur["meetings"][0]["end_time"]) == (
        "09:00",
        "17:00",
    )
    assert any("'1012' is not a Dutch postcode" in m for m in rows[7][1])

    groep = _service(items[8])
    assert groep["meetings"][0]["rrule"] == "FREQ=MONTHLY;BYDAY=1TH,3TH"
    assert groep["email"] == "joost.bakker@mantelzorgcentraal.example.nl"
    assert groep["phone"] == "+31 6 12345678"

    thuis = _service(items[9])
    assert thuis["delivery_modes"] == ["at_home"] and thuis["phone"] == "+31 800 1234"
    digicafe = _service(items[10])
    assert digicafe["delivery_modes"] == ["online"]
    assert digicafe["meetings"][0]["dtstart"] == "2026-03-14"
    assert digicafe["meetings"][0]["start_time"] == "19:30"
    wandel = _service(items[11])
    assert wandel["service_area_name"] == "Oost"  # "Diverse locaties in Oost"
    assert wandel["target_groups"] == ["newcomers"]  # not "families" for the "ouders" in "statushouders"
    assert wandel["cost_amount_eur"] == "5.00"
    assert db.scalar(select(func.count()).select_from(Service)) == 8


@pytest.mark.shared_data
def test_windows_1252_csv_with_a_title_line(db: Session, centrum: OsmAddressGeocoder) -> None:
    """Separator, encoding and header found; venue names, "hs" and areas in the address column read."""
    geocoder = Recording(centrum)
    report, reader, items = _import(db, OOST, geocoder)
    assert reader.header_line == 3
    columns = table_report(report, reader.plan)["columns"]
    assert columns["Organisatie"] == "organization" and columns["(column 13)"] == "ignored"
    rows = _rows(report, reader)
    assert sorted(rows) == [4, 5, 8, 10, 11, 12, 13, 15, 16, 17]  # 14 is empty; 5-7 and 8-9 multi-line
    assert not [line for line, (outcome, _m) in rows.items() if outcome == "rejected"]
    assert "Kraaipan 13-H, 1092 LA Amsterdam" in geocoder.queries
    assert "Linnaeusstraat 89, Amsterdam" in geocoder.queries
    assert any("Kraaipan 13-H" in m for m in rows[5][1])  # not placed here: reported as a draft

    repair = _service(items[4])
    assert repair["name"] == "Repair Café"  # é in Windows-1252
    assert repair["meetings"][0]["rrule"] == "FREQ=MONTHLY;BYDAY=-1SA"
    assert (repair["meetings"][0]["start_time"], repair["meetings"][0]["end_time"]) == ("13:00", "16:00")
    taal = _service(items[5])
    assert (taal["meetings"][0]["start_time"], taal["meetings"][0]["end_time"]) == ("10:00", "12:00")
    assert taal["cost_amount_eur"] == "1.00" and taal["target_groups"] == ["newcomers"]
    boodschappen = _service(items[12])
    assert boodschappen["delivery_modes"] == ["at_home"]  # "Bij u thuis" in the address column
    assert rows[12][0] == "created"
    assert _service(items[13])["cost_amount_eur"] == "1250.00"  # "€ 1.250 per jaar"
    assert _service(items[15])["meetings"][0]["rrule"] == "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR"
    assert _service(items[16])["meetings"][0]["start_time"] == "14:00"
    assert _service(items[17])["meetings"][0]["rrule"] == "FREQ=MONTHLY;BYDAY=1TH,3TH"


@pytest.mark.shared_data
def test_form_export_with_question_headers_and_consent(db: Session, centrum: OsmAddressGeocoder) -> None:
    """Question headers are read; a row the partner did not want published is refused, with why."""
    report, reader, items = _import(db, FORM, centrum)
    columns = table_report(report, reader.plan)["columns"]
    assert columns["Naam van je initiatief"] == "name"
    assert columns["Telefoonnummer (optioneel)"] == "phone"
    assert columns["Waar vindt het plaats? (adres of gebied)"] == "service_area"
    assert columns["Tijdstempel"] == "ignored"
    rows = _rows(report, reader)
    assert {line: outcome for line, (outcome, _m) in rows.items()} == {
        2: "created", 3: "created", 4: "created", 5: "created", 6: "rejected", 7: "created",
        8: "rejected", 9: "rejected",
    }  # fmt: skip
    assert any("does not want this row published" in m for m in rows[8][1])
    brei = items[2]
    assert isinstance(brei, PlaceRecord)  # an address in the "where" column is an address
    assert brei.location["postcode"] == "1012 CP"
    assert _service(brei)["website"] == "https://www.instagram.com/breiclubdesteek/"
    assert _service(items[4])["service_area_name"] == "Centrum"
    assert _service(items[7])["target_groups"] == ["older_people", "lonely"]
    assert (
        db.scalar(
            select(func.count()).select_from(Service).where(Service.name == "Buurtmaaltijd Kloveniersburgwal")
        )
        == 0
    )


def test_utf16_tab_separated_text_is_read(tmp_path: Path) -> None:
    """Excel's "Unicode text" export: UTF-16 with a BOM and tabs (it holds NUL bytes, yet is text)."""
    path = tmp_path / "lijst.txt"
    path.write_bytes("Naam\tTelefoon\nSoepcafé\t020 626 4002\n".encode("utf-16"))
    table = read_table_rows(path)
    assert table.header == ["Naam", "Telefoon"]
    assert list(table.rows) == [(2, ["Soepcafé", "020 626 4002"])]


@pytest.mark.parametrize(
    ("text", "rule", "start", "end"),
    [
        ("ma t/m vr 9.00-17.00 uur", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "09:00", "17:00"),
        ("maandag t/m vrijdag 9:00-17:00", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "09:00", "17:00"),
        ("1e en 3e donderdag 14:00 - 16:00", "FREQ=MONTHLY;BYDAY=1TH,3TH", "14:00", "16:00"),
        ("dinsdag en donderdag 10-12 uur", "FREQ=WEEKLY;BYDAY=TU,TH", "10:00", "12:00"),
        ("om de week op vrijdag 19.00u - 21.00u", "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR", "19:00", "21:00"),
        ("di en do 15.30-17.30, in de schoolvakanties gesloten", "FREQ=WEEKLY;BYDAY=TU,TH", "15:30", "17:30"),
        ("de eerste keer gratis, elke dinsdag", "FREQ=WEEKLY;BYDAY=TU", None, None),
        ("kinderen 6-12 jaar op woensdag", "FREQ=WEEKLY;BYDAY=WE", None, None),
    ],
)
def test_free_text_schedules(text: str, rule: str, start: str | None, end: str | None) -> None:
    """Day ranges, short day names, two ordinals and hours without minutes; an age is not a time."""
    meeting = parse_when(text)
    assert meeting is not None
    assert (meeting["rrule"], meeting.get("start_time"), meeting.get("end_time")) == (rule, start, end)


def test_no_day_is_no_schedule() -> None:
    """'op afspraak' and 'zo snel mogelijk' (zo = so, not zondag) are kept as text, not read as a day."""
    assert parse_when("op afspraak") is None
    assert parse_when("zo snel mogelijk") is None


@pytest.mark.parametrize(
    ("cell", "venue", "street", "number"),
    [
        ("Buurthuis De Kraaipan, Kraaipan 13 hs", "Buurthuis De Kraaipan", "Kraaipan", "13-H"),
        ("Wijkcentrum Oost (Linnaeusstraat 89)", "Wijkcentrum Oost", "Linnaeusstraat", "89"),
        ("Kloveniersburgwal 63 A", None, "Kloveniersburgwal", "63A"),
        ("Oude Waal 16-III", None, "Oude Waal", "16-3"),
        ("J.M. Coenenstraat 4 - 6", None, "J.M. Coenenstraat", "4-6"),
        ("Online", None, "Online", None),
    ],
)
def test_address_cells(cell: str, venue: str | None, street: str, number: str | None) -> None:
    """A venue before the address, the floor suffixes the register writes otherwise."""
    assert address_parts(cell) == (venue, street, number)
    assert city_in_address(cell) is None  # the venue's name is not the town


def test_values_that_were_read_wrongly() -> None:
    """Thousands separators, and target-group words inside other words."""
    assert parse_cost("€ 1.250 per jaar")["cost_amount_eur"] == "1250.00"
    assert parse_cost("2.50")["cost_amount_eur"] == "2.50"
    assert parse_target_groups("statushouders / nieuwkomers") == (["newcomers"], [])
    assert parse_target_groups("ouderen (65+)") == (["older_people"], [])
    assert parse_target_groups("ouderen, eenzame buurtbewoners") == (["older_people", "lonely"], [])


@pytest.mark.shared_data
def test_workbook_with_an_explanation_sheet_first(db: Session, centrum: OsmAddressGeocoder) -> None:
    """The list on the third sheet is found; "Locatie" holds the address; Dutch opening hours convert."""
    report, reader, items = _import(db, INLOOP, centrum)
    rows = _rows(report, reader)
    assert {line: outcome for line, (outcome, _m) in rows.items()} == {
        2: "created", 3: "created", 4: "created", 5: "created", 6: "draft", 7: "created", 8: "rejected",
    }  # fmt: skip
    assert any("hidden in the sheet" in m for m in rows[8][1])  # a stopped activity, hidden
    inloop = items[2]
    assert isinstance(inloop, PlaceRecord) and inloop.name == "Inloop"
    assert (inloop.location["street"], inloop.location["house_number"]) == ("Kloveniersburgwal", "63A")
    assert inloop.location["opening_hours"] == "Mo-Fr 09:00-17:00"  # "ma t/m vr 9.00-17.00 uur"
    service = _service(inloop)
    assert service["email"] == "inloop@example.nl" and service["website"] == "https://www.inloop.example.nl"
    assert "coordinator@example.nl" in service["description"]  # the second address is kept, not dropped
    assert "facebook.com/inloop" in service["description"]
    eettafel = items[3]
    assert isinstance(eettafel, PlaceRecord) and eettafel.location["opening_hours"] == "Tu,Th 17:30-19:00"
    assert _service(items[4])["meetings"][0]["dtstart"] == "2026-03-14"  # "14 maart 2026"
    hulplijn = _service(items[5])
    assert hulplijn["delivery_modes"] == ["phone"]  # "Telefonisch" in the "Locatie" column
    assert "Openingstijden: ma-vr 9-17, in de vakanties gesloten" in hulplijn["description"]
    assert any("needs a location" in m for m in rows[6][1])
    # "Stichting Inloop Centrum" is merged down over lines 2-4: each of them has it, line 5 not.
    organizations = {line: getattr(items[line], "organization", None) for line in (2, 3, 4, 5)}
    assert [o and o["name"] for o in organizations.values()] == ["Stichting Inloop Centrum"] * 3 + [None]
    avond = _service(items[7])["meetings"][0]
    assert (avond["dtstart"], avond["start_time"]) == ("2026-04-02", "19:30")  # an Excel date with a time


@pytest.mark.shared_data
def test_a_messy_list_imported_again_changes_nothing(db: Session, centrum: OsmAddressGeocoder) -> None:
    """The second run of the same sheet (title rows, drafts, area services) writes nothing new."""
    first, _reader, _items = _import(db, XLSX, centrum)
    again, reader, _items = _import(db, XLSX, centrum)
    counts = table_report(again, reader.plan)["counts"]
    assert counts["created"] == 0 and counts["updated"] == 0
    assert counts["rejected"] == first.counts().get("rejected", 0) == 1
    assert db.scalar(select(func.count()).select_from(Service)) == 8


def test_one_row_per_session_keeps_every_session(db: Session, tmp_path: Path) -> None:
    """Two rows for one offer at one place (Monday and Thursday): both times stay, the second says so.

    Before, both rows had one source id and the Thursday row overwrote Monday without a word.
    """
    path = tmp_path / "sessies.csv"
    path.write_text(
        "Naam;Activiteit;Werkgebied;Wanneer;Telefoon\n"
        "Buurthuis Oost;Taalcafé;Oost;elke maandag 10:00-12:00;020 123 4567\n"
        "Buurthuis Oost;Taalcafé;Oost;elke donderdag 19:00-21:00;020 765 4321\n",
        "utf-8",
    )
    reader = TableReader(path, vocabulary=Vocabulary.load(db))
    report = run_import(db, list(reader), source=table_source(path, None), scope=path.name)
    rows = _rows(report, reader)
    assert rows[2][0] == "created"
    assert any("same offer as line 2" in m and "differs in phone" in m for m in rows[3][1])
    service = db.scalars(select(Service)).one()
    assert [m["rrule"] for m in service.meetings] == ["FREQ=WEEKLY;BYDAY=MO", "FREQ=WEEKLY;BYDAY=TH"]


def test_cells_that_say_nothing_are_empty() -> None:
    """ "n.v.t.", "-" and "onbekend" are no phone number, postcode or site to set aside or print."""
    from importers.table import row_to_record

    record = row_to_record(
        {"name": "Koffie-uur", "phone": "n.v.t.", "postcode": "-", "website": "onbekend",
         "email": "info [at] koffie-uur.nl", "service_area": "Oost"},
        source="test", line=2, categories=set(),
    )  # fmt: skip
    assert isinstance(record, EntryRecord)
    assert record.problems == []  # before: phone, postcode and website were each set aside as text
    assert record.fields["email"] == "info@koffie-uur.nl"  # written against spam
    assert "n.v.t." not in (record.fields["description"] or "")


def test_rd_coordinates_place_a_row() -> None:
    """Municipal exports give RD New metres ("X", "Y", or even under "lat"/"lon"): read, not refused."""
    from importers.table import row_to_record
    from importers.table_headers import match_header

    assert (match_header("X-coördinaat"), match_header("Y")) == ("rd_x", "rd_y")
    for values in ({"rd_x": "121687", "rd_y": "487326"}, {"lat": "487326", "lon": "121687"}):
        record = row_to_record({"name": "De Boomspijker", **values}, source="test", line=2, categories=set())
        assert isinstance(record, PlaceRecord)
        assert (round(record.lat, 3), round(record.lon, 3)) == (52.373, 4.898)


def test_heading_rows_name_the_category_of_the_rows_below(db: Session, tmp_path: Path) -> None:
    """ "SPORT EN BEWEGEN" alone on a row is a heading: reported as such, its category goes down."""
    path = tmp_path / "rubrieken.csv"
    path.write_text(
        "Naam;Werkgebied;Telefoon;Categorie\n"
        "SPORT EN BEWEGEN;;;\n"
        "Wandelclub Oost;Oost;020 123 4567;\n"
        "Taalmaatjes;Oost;020 765 4321;taalmaatje\n"
        "Overig;;;\n"
        "Koffie-uur;Oost;020 111 2222;\n",
        "utf-8",
    )
    items = {item.line: item for item in TableReader(path, vocabulary=Vocabulary.load(db))}
    heading = items[2]
    assert isinstance(heading, Rejected) and "read as a heading" in heading.reason
    assert _service(items[3])["category"] == "sports_club"
    assert _service(items[4])["category"] == "language_buddy"  # the row's own category wins
    assert isinstance(items[5], Rejected)
    assert _service(items[6])["category"] != "sports_club"  # a heading naming no category ends the last


def test_question_word_headers(db: Session, tmp_path: Path) -> None:
    """ "Wat / Wie organiseert / Locatie / Dag en tijd": what, who and where land in their fields.

    Before, "Wat" and "Wie organiseert" were kept as loose text and "Locatie" (the address)
    became every row's name, so no row was published under its own name.
    """
    path = tmp_path / "aanbod.csv"
    path.write_text(
        "Wat;Wie organiseert;Locatie;Dag en tijd;Prijs;Bellen\n"
        "Koffieochtend voor 60+;Buurtkamer De Ster;Warmoesstraat 141;elke dinsdag 10.00 - 12.00 uur;gratis;"
        "020 - 624 12 34\n"
        "Hulp bij post en formulieren;Stichting Raad & Daad;telefonisch / bij u thuis;ma t/m do 9-17;;"
        "06-12345678\n",
        "utf-8",
    )
    reader = TableReader(path, vocabulary=Vocabulary.load(db))
    assert reader.plan.report() == {
        "Wat": "activity", "Wie organiseert": "organization", "Locatie": "name",
        "Dag en tijd": "when", "Prijs": "cost", "Bellen": "phone",
    }  # fmt: skip
    items = {item.line: item for item in reader}
    coffee, forms = items[2], items[3]
    assert not isinstance(coffee, Rejected) and not isinstance(forms, Rejected)
    assert _service(coffee)["name"] == "Koffieochtend voor 60+"
    # No geocoder here: the address is what could not be placed, not the name.
    assert isinstance(coffee, EntryRecord)
    assert [p.code for p in coffee.problems] == ["needs_location"]
    assert "'Warmoesstraat 141' cannot be placed" in coffee.problems[0].reason
    assert isinstance(forms, EntryRecord)  # by phone or at home: a service without a venue
    assert _service(forms)["name"] == "Hulp bij post en formulieren"
