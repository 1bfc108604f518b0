"""Partner lists as partners write them: Dutch headers, multi-line cells, areas instead of addresses.

The fixtures in `fixtures/partners/` are written like real lists a volunteer
centre or a municipality keeps: "Naam organisatie", "Wat bieden we", "Tel.",
"Werkgebied", HTML in a description, a description over three lines, two phone
numbers in one cell, an address with a range ("J.M. Coenenstraat 4 - 6"),
labels instead of codes, a duplicate offer, a row without a name.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from directory.models import Location, Revision, Service
from geo.geocoding.base import AnswersLookup, GeocodeAnswer, GeocodeResult
from importers.merge import ImportReport
from importers.run import RunOptions, run_import
from importers.table import TableReader, table_source
from importers.table_report import table_report
from importers.vocabulary import Vocabulary

FIXTURES = Path(__file__).parent / "fixtures" / "partners"
OOST = FIXTURES / "buurtnetwerk-oost.csv"
CENTRALE = FIXTURES / "vrijwilligerscentrale.csv"
LIST_200 = FIXTURES / "aanbod-amsterdam-200.csv"


class ListGeocoder(AnswersLookup):
    """A geocoder that knows two addresses exactly and one street only (as a street-level match)."""

    source = "test"

    EXACT: ClassVar[dict[str, tuple[float, float]]] = {
        "Javaplein 2, Amsterdam": (52.36346, 4.94046),
        "J.M. Coenenstraat 4, Amsterdam": (52.35265, 4.89034),
    }

    def __init__(self) -> None:
        self.queries: list[str] = []

    def lookup(self, query: str) -> GeocodeAnswer:
        """Exact for the known addresses, the street's middle for Kantinestraat, else nothing."""
        self.queries.append(query)
        if query in self.EXACT:
            lat, lon = self.EXACT[query]
            return GeocodeAnswer.point(
                GeocodeResult(lat, lon, query, "address", "test", "1095 CJ", "Amsterdam")
            )
        if query.startswith("Kantinestraat"):
            street = GeocodeResult(52.37, 4.90, "Kantinestraat", "street", "test", match_type="street")
            return GeocodeAnswer.point(street)
        return GeocodeAnswer.nothing("test", "not_found")


def _import(db: Session, path: Path, **options: bool) -> tuple[ImportReport, TableReader]:
    reader = TableReader(path, geocoder=ListGeocoder(), vocabulary=Vocabulary.load(db))
    items = list(reader)
    report = run_import(
        db, items, source=table_source(path, None), scope=path.name, options=RunOptions(**options)
    )
    return report, reader


def test_every_column_is_accounted_for(db: Session) -> None:
    """Dutch headers map to fields; unknown ones become extra text, bookkeeping columns are ignored."""
    report, reader = _import(db, OOST, dry_run=True)
    assert table_report(report, reader.plan)["columns"] == {
        "Naam organisatie": "organization",
        "Wat bieden we": "offer",
        "Korte omschrijving": "description",
        "Adres": "address",
        "Plaats": "city",
        "Werkgebied": "service_area",
        "Tel.": "phone",
        "E-mailadres": "email",
        "Website": "website",
        "Voor wie": "target_group",
        "Kosten": "cost",
        "Aanmelden": "how_to_join",
        "Opmerkingen": "extra:description",
        "Ingevoerd door": "ignored",
        "Doelgroep toelichting": "extra:description",
    }


def test_row_outcomes_with_first_line_numbers(db: Session) -> None:
    """Areas become services, placeable addresses places, the rest drafts; only empty rows are refused."""
    report, reader = _import(db, OOST)
    data = table_report(report, reader.plan)
    outcomes = {row["line"]: (row["outcome"], row["name"]) for row in data["rows"]}
    assert outcomes == {
        2: ("created", "Buurtbuik Oost"),  # a three-line cell: the record starts on line 2
        5: ("created", "Maatje in Zuidoost"),
        6: ("created", "Schuldhulp aan de lijn"),
        7: ("created", "Buurthuis Javaplein"),
        8: ("created", "Taalcafé Coenen"),
        9: ("created", "Burenhulp Nieuw-West"),
        10: ("created", "Stadsbreed Fonds"),
        11: ("created", "Wandelgroep Gaasperdam"),
        12: ("draft", "Kookclub Kantine"),  # the geocoder only guessed the street
        13: ("rejected", "Onvindbaar initiatief"),
        14: ("rejected", None),
        15: ("unchanged", "Buurtbuik Oost"),  # the same offer twice in one list
        18: ("created", "Digitaal Spreekuur"),
    }
    messages = {row["line"]: row["messages"] for row in data["rows"]}
    assert messages[13][0].startswith("contact: nothing a person could act on")
    assert messages[14][0].startswith("naam: missing")
    assert any("needs a location" in m for m in messages[12])
    assert data["counts"]["created"] == 9 and data["counts"]["draft"] == 1


def test_values_as_partners_write_them(db: Session) -> None:
    """Labels, costs, two phones, URLs without scheme, HTML and extra columns all land somewhere."""
    _import(db, OOST)
    maatje = db.scalars(select(Service).where(Service.name == "Maatje in Zuidoost")).one()
    assert maatje.category == "buddy_project"
    assert maatje.service_area_name == "Zuidoost" and maatje.delivery_modes == ["at_home"]
    assert maatje.phone == "+31 6 12345678"
    assert maatje.website == "https://maatjeszuidoost.nl"
    assert maatje.cost_free is False and maatje.cost_note == "kleine vergoeding"
    assert set(maatje.target_groups) == {"older_people", "lonely"}
    assert "company" in maatje.support_functions
    assert maatje.how_to_join == "Bel of mail de coördinator"
    description = maatje.description or ""
    assert "Ook bereikbaar op: +31 20 765 4321" in description
    assert "Doelgroep toelichting: Ook voor mensen met een licht verstandelijke beperking" in description
    buurtbuik = db.scalars(select(Service).where(Service.name == "Buurtbuik Oost")).one()
    assert buurtbuik.description is not None and "<b>" not in buurtbuik.description
    assert buurtbuik.description.startswith("Elke week een gratis maaltijd\nop een andere plek")
    assert "Opmerkingen: Locatie wisselt" in buurtbuik.description
    assert buurtbuik.category == "shared_meal" and buurtbuik.cost_free is True
    assert "Piet" not in buurtbuik.description  # "Ingevoerd door" is bookkeeping
    phone_line = db.scalars(select(Service).where(Service.name == "Schuldhulp aan de lijn")).one()
    assert phone_line.service_area_name == "Heel Amsterdam" and phone_line.delivery_modes == ["phone"]
    assert "money" in phone_line.support_functions
    walk = db.scalars(select(Service).where(Service.name == "Wandelgroep Gaasperdam")).one()
    assert walk.service_area_name == "postcodes 1100-1108"
    javaplein = db.scalars(select(Location).where(Location.name == "Buurthuis Javaplein")).one()
    assert (javaplein.street, javaplein.house_number, javaplein.city) == ("Javaplein", "2", "Amsterdam")
    coenen = db.scalars(select(Location).where(Location.name == "Taalcafé Coenen")).one()
    assert (coenen.street, coenen.house_number) == ("J.M. Coenenstraat", "4-6")
    cost = db.scalars(select(Service).where(Service.name == "Buurthuis Javaplein")).one()
    assert str(cost.cost_amount_eur) == "3.50" and cost.cost_note == "€ 3,50 per maaltijd"


def test_a_draft_waits_for_a_location_and_is_not_searchable(db: Session) -> None:
    """An address that cannot be placed, and no area: kept as a draft, never shown to a searcher."""
    _import(db, OOST)
    draft = db.scalars(select(Service).where(Service.name == "Kookclub Kantine")).one()
    assert draft.status == "draft" and draft.service_area is None
    area = db.scalars(select(Service).where(Service.name == "Burenhulp Nieuw-West")).one()
    documents = "SELECT count(*) FROM search_document WHERE service_id = :id"
    assert db.execute(text(documents), {"id": draft.id}).scalar_one() == 0
    assert db.execute(text(documents), {"id": area.id}).scalar_one() == 1


def test_reimport_changes_nothing(db: Session) -> None:
    """The same list again: every row unchanged (the duplicate too), no revision written."""
    _import(db, OOST)
    revisions = db.scalar(select(func.count()).select_from(Revision))
    report, _ = _import(db, OOST)
    counts = report.counts()
    assert counts["created"] == 0 and counts["updated"] == 0 and counts["draft"] == 0
    assert counts["unchanged"] == 11  # 9 created + the draft + the duplicate
    assert db.scalar(select(func.count()).select_from(Revision)) == revisions


def test_a_second_partner_naming_the_same_offer_merges(db: Session) -> None:
    """Same name, same area, a shared phone: one offer; a similar name with another phone stays apart."""
    _import(db, OOST)
    report, _ = _import(db, CENTRALE)
    by_name = {o.name: o for o in report.outcomes}
    assert by_name["Maatje in Zuidoost"].matched_by == "name+area+contact"
    assert by_name["Maatjes Zuidoost Jong"].outcome == "created"
    maatjes = db.scalars(select(Service).where(Service.name == "Maatje in Zuidoost")).all()
    assert len(maatjes) == 1
    merged = maatjes[0]
    # The first list owns what it filled; the second only adds what was empty.
    assert merged.field_provenance["phone"]["source"] == "table:buurtnetwerk-oost"
    assert merged.how_to_join == "Bel of mail de coördinator"


def test_two_hundred_offers_mostly_by_area(db: Session) -> None:
    """A realistic list of 200 offers, most with only a service area: at least 90% imported."""
    report, reader = _import(db, LIST_200)
    data = table_report(report, reader.plan)
    assert len(data["rows"]) == 200
    imported = sum(1 for row in data["rows"] if row["outcome"] in ("created", "unchanged", "updated"))
    assert imported >= 180, data["counts"]
    columns = data["columns"]
    assert len(columns) == len(reader.plan.headers)
    assert all(target != "ignored" for header, target in columns.items() if header != "Ingevoerd door")
    areas = db.scalar(select(func.count()).select_from(Service).where(Service.service_area.is_not(None)))
    assert areas is not None and areas >= 150


@pytest.mark.parametrize(
    ("cell", "name", "modes"),
    [
        ("Zuidoost", "Zuidoost", []),
        ("Nieuw-West", "Nieuw-West", []),
        ("Heel Amsterdam", "Heel Amsterdam", []),
        ("1090-1099", "postcodes 1090-1099", []),
        ("aan huis", "Heel Amsterdam", ["at_home"]),
        ("online", "Heel Amsterdam", ["online"]),
        ("telefonisch", "Heel Amsterdam", ["phone"]),
        ("Oost en Zuidoost", "Oost, Zuidoost", []),
        ("Bos en Lommer", "Bos en Lommer", []),
        ("stadsdeel Noord, aan huis", "Noord", ["at_home"]),
    ],
)
def test_service_area_cells(cell: str, name: str, modes: list[str]) -> None:
    """Area names, postcode ranges and ways of reaching people, as partners write them."""
    from geo.service_areas import read_area

    match = read_area(cell)
    assert (match.name, match.modes, match.unknown) == (name, modes, [])
    assert match.geometry is not None and match.geometry["type"] == "MultiPolygon"


def test_an_unknown_area_is_kept_as_text() -> None:
    """A place outside the shipped outlines gives no polygon; the words are reported."""
    from geo.service_areas import read_area

    match = read_area("Utrecht")
    assert match.geometry is None and match.unknown == ["utrecht"]
