"""The Amsterdam API importer on recorded real responses and on schema-exact fixtures."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pyproj import Transformer
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from directory.models import Location, Service
from importers.amsterdam import DATASETS, import_amsterdam, iter_items, next_url
from tests.importers.conftest import BOOMSPIJKER, import_osm_slice, osm_records_near

FIXTURES = Path(__file__).parent / "fixtures" / "amsterdam"
BASE = "https://api.data.amsterdam.nl/v1"


def replay(pages: dict[str, Path]) -> Callable[[str], dict[str, Any]]:
    """A fetch function answering each URL with its recorded response (unknown URL: test error)."""

    def fetch(url: str) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(pages[url].read_text(encoding="utf-8"))
        return data

    return fetch


def _paged(first: str, files: list[Path]) -> dict[str, Path]:
    """URL -> file for a chain of pages, following the files' own next links."""
    pages = {first: files[0]}
    for current, following in itertools.pairwise(files):
        link = next_url(json.loads(current.read_text(encoding="utf-8")))
        assert link is not None
        pages[link] = following
    return pages


@pytest.mark.shared_data
def test_paging_over_real_legacy_responses(shared_data: Path) -> None:
    """The real paged stadsdeel list: page 1 names page 2 in _links.next, page 2 ends the chain."""
    folder = shared_data / "api-samples" / "amsterdam-api-legacy"
    files = [folder / "gebieden_page_1.json", folder / "gebieden_page_2.json"]
    first = "https://api.data.amsterdam.nl/gebieden/stadsdeel/?page_size=1"
    names = [props["naam"] for props, _, _ in iter_items(first, replay(_paged(first, files)))]
    assert names == ["Zuidoost", "Centrum"]


@pytest.mark.shared_data
def test_real_geojson_links_and_rd_detection(shared_data: Path) -> None:
    """A real v1 GeoJSON page names its next page in a `_links` list; a real RD geometry is recognised."""
    parking = json.loads((shared_data / "api-samples" / "amsterdam-odp" / "parking.json").read_text())
    assert next_url(parking) is not None and "page=2" in str(next_url(parking))
    centrum = shared_data / "api-samples" / "amsterdam-api-legacy" / "centrum.json"
    detail = {"results": [json.loads(centrum.read_text())]}
    url = "https://example.invalid/centrum"
    (props, geometry, rd) = next(iter_items(url, lambda _: detail))
    assert props["naam"] == "Centrum" and geometry is not None and rd is True


def test_voorzieningen_over_two_geojson_pages(db: Session) -> None:
    """All facilities on both pages are imported, with category from their kind; a rerun changes nothing."""
    first = f"{BASE}/{DATASETS['voorzieningen']}"
    files = [FIXTURES / "voorzieningen-page-1.geojson", FIXTURES / "voorzieningen-page-2.geojson"]
    fetch = replay(_paged(first, files))
    report = import_amsterdam(db, "voorzieningen", fetch=fetch)
    assert report.counts()["created"] == 3
    cats = {p.name: p.category for p in db.scalars(select(Location))}
    assert cats == {
        "Huis van de Buurt De Boomspijker": "community_centre",
        "OBA Oosterdok": "library",
        "Speeltuin Nieuwe Herengracht": "playground",
    }
    assert set(import_amsterdam(db, "voorzieningen", fetch=fetch).counts()) == {"unchanged"}


def test_sport_providers_in_rd_coordinates(db: Session) -> None:
    """Sports providers: RD points land where pyproj puts them; Stadspas flags become target groups."""
    first = f"{BASE}/{DATASETS['sport']}"
    fetch = replay(_paged(first, [FIXTURES / "sport-page-1.json", FIXTURES / "sport-page-2.json"]))
    report = import_amsterdam(db, "sport", fetch=fetch)
    assert report.counts()["created"] == 2
    raw = json.loads((FIXTURES / "sport-page-1.json").read_text())["_embedded"]["aanbieder"][0]
    lon, lat = Transformer.from_crs("EPSG:28992", "EPSG:4326", always_xy=True).transform(
        *raw["geometry"]["coordinates"]
    )
    place = db.scalars(select(Location).where(Location.name == raw["naamSportfaciliteit"])).one()
    point = db.execute(
        select(Location.geom.ST_Y(), Location.geom.ST_X()).where(Location.id == place.id)
    ).one()
    assert point[0] == pytest.approx(lat, abs=1e-6) and point[1] == pytest.approx(lon, abs=1e-6)
    club = db.scalars(select(Service).where(Service.name == "Zwemvereniging De Amstel")).one()
    assert set(club.target_groups) == {"physical_disability", "youth", "low_income"}
    walkers = db.scalars(select(Service).where(Service.name == "Wandelclub 55+ Centrum")).one()
    assert set(walkers.target_groups) == {"older_people", "low_income"}


@pytest.mark.shared_data
def test_gebieden_give_places_their_buurt(db: Session, shared_data: Path, centrum_pbf: Path) -> None:
    """The real buurten export (with `ligtInWijkId`) puts De Boomspijker in its buurt, wijk and stadsdeel."""
    places = osm_records_near(centrum_pbf, *BOOMSPIJKER, 150)
    import_osm_slice(db, places)
    buurten = shared_data / "boundaries" / "amsterdam-buurten-2022.geojson"
    fetch = replay({f"{BASE}/{DATASETS['gebieden']}": buurten})
    report = import_amsterdam(db, "gebieden", fetch=fetch)
    assert report.counts()["updated"] == len(places) > 5
    boom = db.scalars(select(Location).where(Location.name == "De Boomspijker")).one()
    # Which buurt contains it, asked of PostGIS from the same polygons (independent of Shapely).
    codes = db.scalars(
        text(
            "SELECT f->'properties'->>'code' FROM jsonb_array_elements(CAST(:fc AS jsonb)->'features') f "
            "WHERE ST_Within((SELECT geom FROM location WHERE id = :id), "
            "ST_SetSRID(ST_GeomFromGeoJSON(f->>'geometry'), 4326))"
        ),
        {"fc": buurten.read_text(encoding="utf-8"), "id": boom.id},
    ).all()
    assert codes == [boom.buurt_code]
    assert boom.stadsdeel_code == "A" and boom.wijk_code == (boom.buurt_code or "")[:2]
    assert boom.field_provenance["buurt_code"]["source"] == "amsterdam:gebieden"
    assert set(import_amsterdam(db, "gebieden", fetch=fetch).counts()) == {"unchanged"}
