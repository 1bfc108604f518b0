"""Partner lists (CSV/XLSX): row-by-row report, bad rows, merge with OSM, a broker's edit kept."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from directory.models import Location, Revision, Service, SourceLink, SourceSuggestion
from directory.services.entries import Actor, EntryService
from directory.services.suggestions import accept_suggestion, open_suggestions
from importers.geocode_osm import OsmAddressGeocoder
from importers.merge import ImportReport
from importers.records import PlaceRecord
from importers.run import RunOptions, run_import
from importers.table import load_mapping, read_table, table_source
from tests.importers.conftest import BOOMSPIJKER, import_osm_slice, import_osm_slice_iter, osm_records_near

HEADER = "naam;adres;postcode;plaats;wanneer;kosten;doelgroep;contactpersoon;telefoon;lat;lon;datum\n"
GOOD = (
    "De Boomspijker;Recht Boomssloot 52;1011 EC;Amsterdam;elke dinsdag 14:00-16:00;gratis;"
    "ouderen, eenzame buurtbewoners;Anna de Vries;020 626 4002;;;\n"
    "Soepcafé Nieuwmarkt;Nieuwmarkt 4;;Amsterdam;eerste maandag van de maand 18.00-20.00;€ 3,50 per maaltijd;"
    "iedereen;;;52.3727;4.9005;\n"
)
BAD = (
    ";Zeedijk 1;1012 AN;Amsterdam;;;;;;;;\n"  # missing name
    "Postcode fout;Dam 1;12345;Amsterdam;;;;;;;;\n"  # postcode
    "Op zee;;;;;;;;;52.60;3.90;\n"  # coordinates in the North Sea
    "Verkeerde datum;Nieuwmarkt 4;;Amsterdam;;;;;;52.3727;4.9005;31-02-2026\n"  # no such date
)


@pytest.fixture(scope="module")
def geocoder(shared_data: Path) -> OsmAddressGeocoder:
    """Addresses of the real Centrum extract."""
    return OsmAddressGeocoder.from_file(shared_data / "osm" / "amsterdam-centrum.osm.pbf")


def _import(db: Session, path: Path, geocoder: OsmAddressGeocoder, **options: bool) -> ImportReport:
    categories = EntryService(db).codes("category")
    items = list(read_table(path, geocoder=geocoder, categories=categories))
    return run_import(
        db, items, source=table_source(path, None), scope=path.name, options=RunOptions(**options)
    )


def _write(tmp_path: Path, text: str, name: str = "partners.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.shared_data
def test_only_rows_without_a_name_or_anything_to_act_on_are_rejected(
    db: Session, tmp_path: Path, geocoder: OsmAddressGeocoder
) -> None:
    """Good rows stand; a bad value is set aside with its column, and only an empty offer is refused."""
    report = _import(db, _write(tmp_path, HEADER + GOOD + BAD), geocoder)
    rejects = {o.line: o.reason or "" for o in report.rejects()}
    assert set(rejects) == {4, 6}
    assert rejects[4].startswith("naam: missing")
    assert rejects[6].startswith("contact: nothing a person could act on")
    by_line = {o.line: o for o in report.outcomes}
    postcode = [p for p in by_line[5].problems if p.field == "postcode"]
    assert postcode and postcode[0].value == "12345"
    assert by_line[7].outcome == "created"
    assert [p.field for p in by_line[7].problems] == ["datum"]
    assert "31-02-2026" in by_line[7].problems[0].value
    assert report.counts()["created"] >= 3
    names = set(db.scalars(select(Location.name)))
    assert {"De Boomspijker", "Soepcafé Nieuwmarkt", "Verkeerde datum"} <= names


@pytest.mark.shared_data
def test_all_or_nothing_and_dry_run_write_nothing(
    db: Session, tmp_path: Path, geocoder: OsmAddressGeocoder
) -> None:
    """--all-or-nothing with a bad row, and --dry-run, leave the database as it was."""
    path = _write(tmp_path, HEADER + GOOD + BAD)
    report = _import(db, path, geocoder, all_or_nothing=True)
    assert report.counts()["created"] == 4 and report.rejects()
    assert db.scalar(select(func.count()).select_from(Location)) == 0
    report = _import(db, path, geocoder, dry_run=True)
    assert report.counts()["created"] == 4
    assert db.scalar(select(func.count()).select_from(Revision)) == 0
    assert db.scalar(select(func.count()).select_from(SourceLink)) == 0


@pytest.mark.shared_data
def test_row_fields_schedule_cost_and_target_groups(
    db: Session, tmp_path: Path, geocoder: OsmAddressGeocoder
) -> None:
    """A row becomes a place plus an activity with its meeting rule, cost and target groups."""
    _import(db, _write(tmp_path, HEADER + GOOD), geocoder)
    soup = db.scalars(select(Service).where(Service.name == "Soepcafé Nieuwmarkt")).one()
    assert soup.meetings[0]["rrule"] == "FREQ=MONTHLY;BYDAY=1MO"
    assert soup.meetings[0]["start_time"].startswith("18:00")
    assert str(soup.cost_amount_eur) == "3.50" and soup.cost_note == "€ 3,50 per maaltijd"
    assert soup.target_groups == ["everyone"]
    boom = db.scalars(select(Service).where(Service.name == "De Boomspijker")).one()
    assert boom.cost_free is True and boom.contact_name == "Anna de Vries"
    assert set(boom.target_groups) == {"older_people", "lonely"}
    assert boom.phone == "+31 20 626 4002"


@pytest.mark.shared_data
def test_csv_row_merges_into_the_osm_place(
    db: Session, tmp_path: Path, geocoder: OsmAddressGeocoder, centrum_pbf: Path
) -> None:
    """The partner's row for De Boomspijker lands on the OSM place, not on a copy; both sources linked."""
    osm = osm_records_near(centrum_pbf, *BOOMSPIJKER, 150)
    import_osm_slice(db, osm)
    before = db.scalar(select(func.count()).select_from(Location)) or 0
    report = _import(db, _write(tmp_path, HEADER + GOOD), geocoder)
    boom = next(o for o in report.outcomes if o.name == "De Boomspijker")
    assert boom.matched_by == "name+distance"
    assert db.scalar(select(func.count()).select_from(Location)) == before + 1  # only the soup café is new
    place = db.get(Location, boom.entity_id)
    assert place is not None
    sources = set(db.scalars(select(SourceLink.source).where(SourceLink.entity_id == place.id)))
    assert sources == {"osm", "table:partners"}
    assert place.field_provenance["name"]["source"] == "osm"
    service = db.scalars(select(Service).where(Service.name == "De Boomspijker")).one()
    assert service.field_provenance["cost_free"]["source"] == "table:partners"
    # Rerunning both sources changes nothing.
    revisions = db.scalar(select(func.count()).select_from(Revision))
    assert set(import_osm_slice(db, osm).counts()) == {"unchanged"}
    assert set(_import(db, _write(tmp_path, HEADER + GOOD), geocoder).counts()) == {"unchanged"}
    assert db.scalar(select(func.count()).select_from(Revision)) == revisions


@pytest.mark.shared_data
def test_broker_edit_survives_reimport_and_the_source_value_is_suggested(
    db: Session, tmp_path: Path, geocoder: OsmAddressGeocoder
) -> None:
    """A broker corrects the phone; a changed list keeps it, and its own value waits as a suggestion."""
    _import(db, _write(tmp_path, HEADER + GOOD), geocoder)
    service = db.scalars(select(Service).where(Service.name == "De Boomspijker")).one()
    EntryService(db, Actor("anna")).update(
        "service", service.id, {"phone": "+31 20 555 0101"}, expected_version=service.version
    )
    db.commit()
    changed = GOOD.replace("020 626 4002", "020 626 9999").replace("gratis", "€ 1")
    report = _import(db, _write(tmp_path, HEADER + changed), geocoder)
    db.refresh(service)
    assert service.phone == "+31 20 555 0101"
    assert service.field_provenance["phone"]["source"] == "manual"
    assert str(service.cost_amount_eur) == "1.00"  # a field the source owns is updated
    assert next(o for o in report.outcomes if o.name == "De Boomspijker").outcome == "updated"
    suggestion = db.scalars(select(SourceSuggestion).where(SourceSuggestion.entity_id == service.id)).one()
    assert (suggestion.field, suggestion.value, suggestion.current) == (
        "phone",
        "+31 20 626 9999",
        "+31 20 555 0101",
    )


@pytest.mark.shared_data
def test_row_that_leaves_the_list_is_flagged_not_deleted(
    db: Session, tmp_path: Path, geocoder: OsmAddressGeocoder
) -> None:
    """A place the next version of the list no longer holds gets status needs_review."""
    _import(db, _write(tmp_path, HEADER + GOOD), geocoder)
    report = _import(db, _write(tmp_path, HEADER + GOOD.splitlines(keepends=True)[0]), geocoder)
    assert report.counts()["missing"] == 1
    soup = db.scalars(select(Location).where(Location.name == "Soepcafé Nieuwmarkt")).one()
    assert soup.status == "needs_review"


@pytest.mark.shared_data
def test_xlsx_with_a_mapping_file(db: Session, tmp_path: Path, geocoder: OsmAddressGeocoder) -> None:
    """An XLSX with its own headers, mapped by a TOML file, imports like the CSV."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Locatie naam", "Straat + nr", "PC", "Tijden"])
    sheet.append(["De Boomspijker", "Recht Boomssloot 52", "1011EC", "elke woensdag 10:00-12:00"])
    path = tmp_path / "lijst.xlsx"
    book.save(path)
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(
        'source = "partner:dock"\n[columns]\n"Locatie naam" = "name"\n"Straat + nr" = "address"\n'
        '"PC" = "postcode"\n"Tijden" = "when"\n[defaults]\ncity = "Amsterdam"\n'
        'category = "community_centre"\n',
        encoding="utf-8",
    )
    loaded = load_mapping(mapping)
    items = list(read_table(path, mapping=loaded, geocoder=geocoder, categories={"community_centre"}))
    report = run_import(db, items, source=table_source(path, loaded), scope=path.name)
    assert report.counts()["created"] == 1
    place = db.scalars(select(Location)).one()
    assert (place.category, place.city, place.postcode) == ("community_centre", "Amsterdam", "1011 EC")
    assert place.field_provenance["name"]["source"] == "partner:dock"
    service = db.scalars(select(Service)).one()
    assert service.meetings[0]["rrule"] == "FREQ=WEEKLY;BYDAY=WE"


@pytest.mark.shared_data
def test_broker_accepts_a_suggestion(db: Session, tmp_path: Path, geocoder: OsmAddressGeocoder) -> None:
    """Accepting writes the source's value as a manual edit; the next import leaves it alone."""
    _import(db, _write(tmp_path, HEADER + GOOD), geocoder)
    service = db.scalars(select(Service).where(Service.name == "De Boomspijker")).one()
    EntryService(db, Actor("anna")).update(
        "service", service.id, {"phone": "+31 20 555 0101"}, expected_version=service.version
    )
    db.commit()
    path = _write(tmp_path, HEADER + GOOD.replace("020 626 4002", "020 626 9999"))
    _import(db, path, geocoder)
    (suggestion,) = open_suggestions(db, "service", service.id)
    db.refresh(service)
    accept_suggestion(EntryService(db, Actor("anna")), suggestion.id, expected_version=service.version)
    db.commit()
    db.refresh(service)
    assert service.phone == "+31 20 626 9999"
    assert service.field_provenance["phone"]["source"] == "manual"
    assert open_suggestions(db, "service", service.id) == []
    revisions = db.scalar(select(func.count()).select_from(Revision))
    assert set(_import(db, path, geocoder).counts()) == {"unchanged"}
    assert db.scalar(select(func.count()).select_from(Revision)) == revisions


@pytest.mark.shared_data
def test_killed_import_leaves_nothing_and_the_rerun_matches(
    db: Session, tmp_path: Path, geocoder: OsmAddressGeocoder, centrum_pbf: Path
) -> None:
    """An import interrupted midway writes nothing; the rerun ends like an uninterrupted run."""
    records = osm_records_near(centrum_pbf, *BOOMSPIJKER, 200)

    def killed() -> Iterator[PlaceRecord]:
        for number, record in enumerate(records):
            if number == len(records) // 2:
                raise KeyboardInterrupt
            yield record

    with pytest.raises(KeyboardInterrupt):
        import_osm_slice_iter(db, killed())
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Location)) == 0
    assert db.scalar(select(func.count()).select_from(SourceLink)) == 0
    report = import_osm_slice(db, records)
    assert report.counts()["created"] == len(records)
    assert db.scalar(select(func.count()).select_from(Revision)) == len(records)


def test_doubled_quotes_in_a_quoted_cell_are_one_quote(tmp_path: Path) -> None:
    """Excel writes a quote inside a quoted cell as "": the name keeps exactly one, and no stray quote."""
    path = _write(tmp_path, '"naam";"lat";"lon"\n"Zaal ""De Ark"" \\";"52.37";"4.90"\n')
    (record,) = read_table(path, geocoder=None, categories=set())
    assert isinstance(record, PlaceRecord)
    assert record.name == 'Zaal "De Ark" \\'
