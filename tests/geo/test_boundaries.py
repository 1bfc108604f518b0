"""Boundaries from the real City of Amsterdam polygons, and their assignment to locations."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from shapely.geometry import Point, shape
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from directory.errors import InvalidInputError
from directory.models import Location
from directory.services.entries import Actor, EntryService
from geo.boundaries import boundaries_at
from geo.build import build_boundaries
from tests import factories

#: Recht Boomssloot 52 (De Boomspijker) and a point in the Bijlmer, Zuidoost (Bijlmerdreef).
BOOMSPIJKER = factories.BOOMSPIJKER
BIJLMER = Point(4.9446, 52.3178)


@pytest.fixture(scope="module")
def boundaries(engine: Engine, shared_data: Path) -> Iterator[Path]:
    """The real boundaries imported into the test database, removed again after this module."""
    folder = shared_data / "boundaries"
    summary = build_boundaries(engine, folder)
    assert summary.buurten == 518
    yield folder
    # Later tests (e.g. the Amsterdam importer's) must not find codes assigned by these polygons.
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM geo_boundary"))


def _buurt_of(folder: Path, point: Point) -> dict[str, str]:
    """The buurt containing a point, computed from the GeoJSON with Shapely (not from the database)."""
    data = json.loads((folder / "amsterdam-buurten-2022.geojson").read_text(encoding="utf-8"))
    hits = [f["properties"] for f in data["features"] if shape(f["geometry"]).contains(point)]
    assert len(hits) == 1
    found: dict[str, str] = hits[0]
    return found


def test_import_counts_and_nesting(engine: Engine, boundaries: Path) -> None:
    """518 buurten, their wijken (code = first two letters) and 9 stadsdelen with names."""
    with engine.connect() as conn:
        counts: dict[str, int] = {
            row[0]: row[1]
            for row in conn.execute(text("SELECT level, count(*) FROM geo_boundary GROUP BY level")).all()
        }
        orphans = conn.execute(
            text(
                "SELECT count(*) FROM geo_boundary b WHERE level = 'buurt' AND NOT EXISTS "
                "(SELECT 1 FROM geo_boundary w WHERE w.level = 'wijk' AND w.code = b.parent_code)"
            )
        ).scalar_one()
        centrum = conn.execute(
            text("SELECT name FROM geo_boundary WHERE level = 'stadsdeel' AND code = 'A'")
        ).scalar()
    assert counts["buurt"] == 518 and counts["stadsdeel"] == 9
    assert 90 < counts["wijk"] < 120
    assert orphans == 0
    assert centrum == "Centrum"


def test_known_address_gets_its_buurt(session: Session, boundaries: Path) -> None:
    """A location at Recht Boomssloot 52 gets the buurt whose real polygon holds it, in stadsdeel Centrum."""
    expected = _buurt_of(boundaries, BOOMSPIJKER)
    location = EntryService(session, Actor("test")).create("location", factories.location(BOOMSPIJKER))
    assert isinstance(location, Location)
    session.commit()
    session.refresh(location)
    assert location.buurt_code == expected["code"]
    assert location.wijk_code == expected["code"][:2]
    assert location.stadsdeel_code == "A"
    at = boundaries_at(session.connection(), BOOMSPIJKER.y, BOOMSPIJKER.x)
    assert at["buurt"]["name"] == expected["naam"]


def test_codes_follow_a_moved_location(session: Session, boundaries: Path) -> None:
    """Moving a location to Zuidoost through EntryService moves its codes too."""
    service = EntryService(session, Actor("test"))
    location = service.create("location", factories.location(BOOMSPIJKER))
    session.commit()
    moved = service.update("location", location.id, {"lat": BIJLMER.y, "lon": BIJLMER.x}, expected_version=1)
    assert isinstance(moved, Location)
    session.commit()
    session.refresh(moved)
    expected = _buurt_of(boundaries, BIJLMER)
    assert moved.buurt_code == expected["code"] and moved.stadsdeel_code == "T"


def test_reimport_reassigns_and_queues_search_updates(engine: Engine, boundaries: Path) -> None:
    """Codes edited by hand are put right by a new import, and the search outbox hears of it."""
    location_id = uuid.uuid4()
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO location (id, version, status, name, languages, field_provenance, geom) VALUES "
                "(:id, 1, 'active', 'x', '{}', '{}', ST_SetSRID(ST_MakePoint(:lon, :lat), 4326))"
            ),
            {"id": location_id, "lon": BOOMSPIJKER.x, "lat": BOOMSPIJKER.y},
        )
        conn.execute(text("UPDATE location SET buurt_code = 'ZZ99' WHERE id = :id"), {"id": location_id})
    summary = build_boundaries(engine, boundaries)
    with engine.begin() as conn:
        code = conn.execute(
            text("SELECT buurt_code FROM location WHERE id = :id"), {"id": location_id}
        ).scalar()
        queued = conn.execute(
            text("SELECT count(*) FROM search_outbox WHERE entity_id = :id"), {"id": location_id}
        ).scalar_one()
        conn.execute(text("DELETE FROM location WHERE id = :id"), {"id": location_id})
    assert summary.locations_changed >= 1
    assert code == _buurt_of(boundaries, BOOMSPIJKER)["code"]
    assert queued == 1


def test_missing_buurten_file_is_a_clear_error(engine: Engine, tmp_path: Path) -> None:
    """A folder without the buurten file is refused, naming the file."""
    with pytest.raises(InvalidInputError) as info:
        build_boundaries(engine, tmp_path)
    assert "amsterdam-buurten-2022.geojson" in info.value.message


def test_location_model_has_the_code_columns() -> None:
    """The columns the trigger fills exist on the model the rest of wijkgram reads."""
    assert {"stadsdeel_code", "wijk_code", "buurt_code"} <= set(Location.__table__.columns.keys())


def test_one_lookup_takes_the_lowest_code_of_each_level_and_leaves_codes_outside(session: Session) -> None:
    """The trigger's single query answers as one lookup per level did: the lowest code whose
    polygon meets the point, all three set together, given codes kept outside every polygon."""
    square = "ST_Multi(ST_MakeEnvelope(5.0, 52.0, 5.2, 52.2, 4326))"  # around Utrecht
    session.execute(
        text(
            "INSERT INTO geo_boundary (level, code, name, source, geom) VALUES "
            f"('buurt', 'Z99b', 'b', 'test', {square}), ('buurt', 'Z99a', 'a', 'test', {square}), "
            f"('stadsdeel', 'Z', 'z', 'test', {square})"
        )
    )
    try:
        service = EntryService(session, Actor("test"))
        inside = service.create("location", factories.location(Point(5.12, 52.09)))
        outside = service.create(
            "location",
            {**factories.location(Point(6.57, 53.22)), "buurt_code": "A00a", "wijk_code": "A00"},  # Groningen
        )
        assert isinstance(inside, Location) and isinstance(outside, Location)
        session.flush()
        session.refresh(inside)
        session.refresh(outside)
        assert (inside.buurt_code, inside.wijk_code, inside.stadsdeel_code) == ("Z99a", None, "Z")
        assert (outside.buurt_code, outside.wijk_code) == ("A00a", "A00")
    finally:
        session.rollback()
