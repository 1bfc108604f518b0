"""The wheelchair and scootmobiel rules against the City of Amsterdam's measured Nieuwmarkt network."""

from __future__ import annotations

from pathlib import Path

import pytest
import shapely

from geo.network.measured import compare, gpkg_wkb, read_measured, report
from geo.network.profiles import SCOOTMOBIEL, WHEELCHAIR
from geo.reach import Reachability


@pytest.fixture(scope="module")
def measured(shared_data: Path) -> list:  # type: ignore[type-arg]
    """The measured network, reprojected to WGS84."""
    return read_measured(shared_data / "networks" / "amsterdam-nieuwmarkt-accessibility.gpkg")


def test_geopackage_is_read_in_the_right_place(measured: list, centrum: Reachability) -> None:  # type: ignore[type-arg]
    """All 8,383 edges, and they overlap the Centrum extract (Nieuwmarkt lies in both)."""
    assert len(measured) == 8383
    lon = [m.geom.centroid.x for m in measured]
    lat = [m.geom.centroid.y for m in measured]
    assert 4.89 < min(lon) < max(lon) < 4.92 and 52.36 < min(lat) < max(lat) < 52.38
    # The reprojected lines are as long as the lengths the city measured.
    total = sum(m.length_m for m in measured)
    drawn = sum(shapely.length(shapely.transform(m.geom, centrum.graph.projection.forward)) for m in measured)
    assert drawn == pytest.approx(total, rel=0.05)  # the file holds simplified lines


def test_gpkg_header_without_envelope() -> None:
    """A header with no envelope is 8 bytes long."""
    blob = b"GP\x00\x01" + b"\x00" * 4 + b"WKB"
    assert gpkg_wkb(blob) == b"WKB"
    with pytest.raises(ValueError):
        gpkg_wkb(b"XX")


def test_osm_profiles_agree_with_the_measured_network(
    measured: list,  # type: ignore[type-arg]
    centrum: Reachability,
    output_dir: Path,
) -> None:
    """On the same streets, OSM-based passability agrees with the measurements on most edges.

    The report (tests/output/accessibility-agreement.md) shows where they differ.
    """
    untuned = WHEELCHAIR.tuned(name="wheelchair (no cycleways)", ride_cycleways=False)
    results = [compare(centrum.graph, measured, p) for p in (WHEELCHAIR, SCOOTMOBIEL, untuned)]
    (output_dir / "accessibility-agreement.md").write_text(report(results), encoding="utf-8")
    wheelchair, scootmobiel, before = results
    assert wheelchair.compared > 200
    assert wheelchair.rate >= 0.6 and scootmobiel.rate >= 0.6
    # The tuning kept: letting wheelchairs use cycleways agrees better with the measurements.
    assert wheelchair.rate > before.rate
