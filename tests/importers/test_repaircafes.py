"""The real repair-café list: schedules survive the import and answer date questions."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.meetings import closed_range_predicate, meets_on
from directory.models import Location, Service
from importers.repaircafes import SOURCE, read_repaircafes
from importers.run import run_import
from tests.importers.conftest import BOOMSPIJKER, import_osm_slice, osm_records_near

pytestmark = pytest.mark.shared_data


@pytest.fixture
def cafes_json(shared_data: Path) -> Path:
    """The real list of 39 Amsterdam repair cafés."""
    return shared_data / "venues" / "repaircafes-amsterdam-2024" / "cafes.json"


def _open_on(db: Session, day: date) -> set[str]:
    return {s.name for s in db.scalars(select(Service)) if meets_on(s.meetings, day)}


def test_open_on_saturday_14_march(db: Session, cafes_json: Path) -> None:
    """Saturday 14 March 2026 is the second Saturday: only the 2nd-Saturday and weekly-Saturday cafés."""
    report = run_import(db, read_repaircafes(cafes_json), source=SOURCE, scope=cafes_json.name)
    assert report.counts()["created"] == 39
    again = run_import(db, read_repaircafes(cafes_json), source=SOURCE, scope=cafes_json.name)
    assert set(again.counts()) == {"unchanged"}
    assert _open_on(db, date(2026, 3, 14)) == {
        "Repair Café Buitenveldert",
        "Repair Café De Diem",
        "Repair Café Gliphoeve kinderboerderij",
    }


def test_exceptions_and_closed_ranges_are_kept(db: Session, cafes_json: Path) -> None:
    """Exception dates, yearly closed ranges and a closed span of years all say 'closed'."""
    run_import(db, read_repaircafes(cafes_json), source=SOURCE, scope=cafes_json.name)
    by_name = {s.name: s.meetings for s in db.scalars(select(Service))}
    textiel = by_name["Repair Café Afvalpaleis (textiel)"]
    assert meets_on(textiel, date(2024, 7, 18)) and not meets_on(textiel, date(2024, 7, 25))  # exception
    elektra = by_name["Repair Café Afvalpaleis (elektra)"]
    assert meets_on(elektra, date(2024, 12, 18)) and not meets_on(elektra, date(2024, 12, 25))  # 12-24:12-31
    tolhuis = by_name["Repair Events Tolhuistuin"]
    assert meets_on(tolhuis, date(2024, 11, 17)) and not meets_on(tolhuis, date(2025, 3, 16))  # 2025:2035
    gliphoeve = by_name["Repair Café Gliphoeve kinderboerderij"]
    assert [m["start_time"] for m in gliphoeve] == ["10:30:00", "14:00:00"]


def test_closed_range_forms() -> None:
    """Every closed-range form in the list: day, month, year spans, yearly spans and wrap-around."""
    assert closed_range_predicate("07:08")(date(2031, 8, 31))
    assert not closed_range_predicate("07:08")(date(2031, 9, 1))
    assert closed_range_predicate("12")(date(2025, 12, 1))
    assert closed_range_predicate("2024-09")(date(2024, 9, 30)) and not closed_range_predicate("2024-09")(
        date(2025, 9, 1)
    )
    assert closed_range_predicate("12-24:01-06")(date(2025, 1, 2))
    with pytest.raises(ValueError, match="not a date"):
        closed_range_predicate("zomer")


def test_cafe_lands_on_the_osm_community_centre(db: Session, cafes_json: Path, centrum_pbf: Path) -> None:
    """'De Boomsspijker' (list spelling) merges into OSM's 'De Boomspijker'; its repair café is held there."""
    import_osm_slice(db, osm_records_near(centrum_pbf, *BOOMSPIJKER, 150))
    report = run_import(db, read_repaircafes(cafes_json), source=SOURCE, scope=cafes_json.name)
    outcome = next(o for o in report.outcomes if o.name == "De Boomsspijker")
    assert outcome.matched_by == "name+distance"
    place = db.get(Location, outcome.entity_id)
    assert place is not None and place.name == "De Boomspijker" and place.category == "community_centre"
    service = db.scalars(select(Service).where(Service.name == "Repair Café De Boomsspijker")).one()
    assert meets_on(service.meetings, date(2026, 3, 2))  # first Monday of March 2026
    assert not meets_on(service.meetings, date(2026, 3, 9))
