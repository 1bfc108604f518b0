"""The OSM importer on the real Centrum extract, checked against osmium-tool."""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from directory.models import Location, Revision, SourceLink, TaxonomyTerm
from importers.merge import ImportReport
from importers.osm import import_osm_file
from importers.osm.tags import TAG_MAP, load_tag_map, primary_keys
from tests.importers.conftest import IMPORT_TABLES

pytestmark = pytest.mark.shared_data


def _osmium_places(pbf: Path, tmp_path: Path) -> dict[str, str]:
    """{osm id: category} computed with osmium tags-filter + export, independent of pyosmium."""
    rules = load_tag_map()
    filtered = tmp_path / "filtered.osm.pbf"
    exported = tmp_path / "places.geojsonseq"
    subprocess.run(
        [
            "osmium",
            "tags-filter",
            "-O",
            "-o",
            str(filtered),
            str(pbf),
            *(f"nwr/{k}" for k in primary_keys(rules)),
        ],
        check=True,
    )
    subprocess.run(
        [
            "osmium",
            "export",
            "-O",
            "-f",
            "geojsonseq",
            "--add-unique-id=type_id",
            "-o",
            str(exported),
            str(filtered),
        ],
        check=True,
    )
    found: dict[str, str] = {}
    for line in exported.read_text(encoding="utf-8").split("\n"):
        if not line.strip("\x1e \n"):
            continue
        feature = json.loads(line.strip("\x1e"))
        props: dict[str, str] = feature["properties"]
        raw_id: str = feature["id"]
        if raw_id.startswith("a"):  # areas: even ids come from ways, odd ones from relations
            number = int(raw_id[1:])
            raw_id = f"w{number // 2}" if number % 2 == 0 else f"r{(number - 1) // 2}"
        for rule in rules:
            ok = all(
                key in props and (props[key] == value if value != "*" else props[key] != "no")
                for key, value in rule.conditions
            )
            if ok:
                if props.get("name") or props.get("name:nl") or rule.default_name_nl:
                    found[raw_id] = rule.category
                break
    return found


def test_every_category_of_the_tag_map_exists(session: Session) -> None:
    """Each category the tag map uses is a term of the category vocabulary (added by migration)."""
    codes = set(session.scalars(select(TaxonomyTerm.code).where(TaxonomyTerm.vocabulary == "category")))
    used = {rule.category for rule in load_tag_map()}
    assert used - codes == set()
    assert TAG_MAP.read_text(encoding="utf-8").count("\n") > len(used)


@pytest.fixture(scope="module")
def centrum(engine: Engine, centrum_pbf: Path) -> Iterator[tuple[Session, ImportReport]]:
    """The Centrum extract imported once into a clean database, for the read-only tests of this module."""
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {', '.join(IMPORT_TABLES)} RESTART IDENTITY CASCADE"))
    with Session(engine, expire_on_commit=False) as session:
        yield session, import_osm_file(session, centrum_pbf)


def test_counts_per_category_agree_with_osmium(
    centrum: tuple[Session, ImportReport], centrum_pbf: Path, tmp_path: Path
) -> None:
    """Import the Centrum extract; per category the ids equal what osmium-tool finds."""
    db, report = centrum
    expected = _osmium_places(centrum_pbf, tmp_path)
    imported = {
        link.source_id: category
        for link, category in db.execute(
            select(SourceLink, Location.category).join(Location, Location.id == SourceLink.entity_id)
        )
    }
    assert Counter(imported.values()) == Counter(expected.values())
    assert imported == expected
    assert report.counts()["created"] == len(expected)
    assert report.objects_read > 30_000


def test_named_places_and_their_attributes(centrum: tuple[Session, ImportReport]) -> None:
    """De Boomspijker, Mozes en Aäronkerk and Waalse kerk arrive with their real attributes."""
    db, _ = centrum
    boom = db.scalars(select(Location).where(Location.name == "De Boomspijker")).one()
    assert (boom.street, boom.house_number, boom.postcode) == ("Recht Boomssloot", "52", "1011 EC")
    assert boom.category == "community_centre"
    assert boom.phone == "+31 20 626 4002"
    assert boom.field_provenance["phone"]["source"] == "osm"
    mozes = db.scalars(select(Location).where(Location.name == "Mozes en Aäronkerk")).one()
    assert (mozes.religion, mozes.denomination) == ("christian", "roman_catholic")
    assert mozes.step_free is False
    assert "Mozes & Aaron" in (mozes.alternate_name or "")
    waal = db.scalars(select(Location).where(Location.name == "Waalse kerk")).one()
    assert waal.denomination == "protestant"
    # A way: its point lies inside the church's outline, computed here by PostGIS from the way's nodes.
    inside = db.execute(
        text("SELECT ST_Y(geom), ST_X(geom) FROM location WHERE id = :id"), {"id": waal.id}
    ).one()
    assert 52.3705 < inside[0] < 52.3715 and 4.8965 < inside[1] < 4.8980
    link = db.scalars(select(SourceLink).where(SourceLink.entity_id == waal.id)).one()
    assert link.source_id == "w158206091"
    assert link.raw["tags"]["name:fr"] == "Église Wallonne"


def test_invalid_opening_hours_are_set_aside_not_fatal(centrum: tuple[Session, ImportReport]) -> None:
    """A place with unparsable opening hours is imported without them; the value is kept with a reason."""
    db, report = centrum
    aside = [(o, p) for o, p in report.problems() if p.field == "opening_hours"]
    assert aside
    outcome, problem = aside[0]
    assert outcome.outcome == "created"
    place = db.get(Location, outcome.entity_id)
    assert place is not None and place.opening_hours is None
    link = db.scalars(select(SourceLink).where(SourceLink.entity_id == place.id)).one()
    assert link.raw["_set_aside"][0]["value"] == problem.value


def test_reimport_is_idempotent(centrum: tuple[Session, ImportReport], centrum_pbf: Path) -> None:
    """The same file twice: the second run creates and updates nothing and writes no revision."""
    db, _ = centrum
    revisions = db.scalar(select(func.count()).select_from(Revision))
    report = import_osm_file(db, centrum_pbf)
    assert set(report.counts()) == {"unchanged"}
    assert db.scalar(select(func.count()).select_from(Revision)) == revisions
