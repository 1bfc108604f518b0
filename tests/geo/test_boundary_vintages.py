"""Boundary imports: one level replaced at once, the vintage year kept, empty input refused, files mapped."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, text

from directory.errors import InvalidInputError
from geo.boundaries import BoundaryMapping
from geo.build import build_boundaries

REAL = "amsterdam-buurten-2022.geojson"


@pytest.fixture
def empty_boundaries(engine: Engine) -> Iterator[Engine]:
    """No areas before and after the test (later tests must not find codes assigned by these)."""
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM geo_boundary"))
    yield engine
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM geo_boundary"))


def _real(shared_data: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((shared_data / "boundaries" / REAL).read_text(encoding="utf-8"))
    return data


def _write(folder: Path, name: str, features: list[dict[str, Any]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return folder


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT level, count(*) FROM geo_boundary GROUP BY level")).all()
    return {level: count for level, count in rows}


def test_an_older_vintage_is_replaced_not_piled_on(
    empty_boundaries: Engine, shared_data: Path, tmp_path: Path
) -> None:
    """An older set (other codes) then the 2022 buurten: exactly the 518 of 2022 remain, year 2022."""
    real = _real(shared_data)
    older = []
    for feature in real["features"][:40]:
        props = {**feature["properties"], "code": "X" + feature["properties"]["code"]}
        older.append({**feature, "properties": props})
    old_folder = _write(tmp_path / "old", "amsterdam-buurten-2015.geojson", older)
    first = build_boundaries(empty_boundaries, old_folder)
    assert first.vintage == 2015 and first.buurten == 40
    summary = build_boundaries(empty_boundaries, shared_data / "boundaries")
    assert summary.vintage == 2022 and summary.buurten == 518
    assert summary.replaced["buurt"] == 40
    assert _counts(empty_boundaries)["buurt"] == 518
    with empty_boundaries.connect() as conn:
        vintages = conn.execute(text("SELECT DISTINCT vintage FROM geo_boundary WHERE level = 'buurt'")).all()
        stale = conn.execute(text("SELECT count(*) FROM geo_boundary WHERE code LIKE 'X%'")).scalar_one()
    assert [tuple(row) for row in vintages] == [(2022,)] and stale == 0


def test_a_folder_that_yields_no_area_is_refused_and_changes_nothing(
    empty_boundaries: Engine, shared_data: Path, tmp_path: Path
) -> None:
    """A buurten file whose features have no `code`: a clear error, and the stored areas stay."""
    build_boundaries(empty_boundaries, shared_data / "boundaries")
    before = _counts(empty_boundaries)
    nameless = [
        {**f, "properties": {"naam": f["properties"]["naam"]}} for f in _real(shared_data)["features"][:5]
    ]
    folder = _write(tmp_path / "bad", "amsterdam-buurten-2023.geojson", nameless)
    with pytest.raises(InvalidInputError) as info:
        build_boundaries(empty_boundaries, folder)
    assert "yields no areas" in info.value.message and "--code-property" in info.value.message
    assert _counts(empty_boundaries) == before


def test_another_citys_file_through_a_property_mapping(
    empty_boundaries: Engine, shared_data: Path, tmp_path: Path
) -> None:
    """A CBS-style file (buurtcode, buurtnaam, wijkcode) imports with the mapping; wijken from wijkcode."""
    features = []
    for feature in _real(shared_data)["features"][:12]:
        props = feature["properties"]
        features.append(
            {
                **feature,
                "properties": {
                    "buurtcode": props["cbsCode"],
                    "buurtnaam": props["naam"],
                    "wijkcode": "WK0363" + props["code"][:2],
                    "gemeentecode": "GM0363",
                },
            }
        )
    folder = _write(tmp_path / "cbs", "wijkenbuurten-2022-buurten.geojson", features)
    mapping = BoundaryMapping(
        buurten_file="wijkenbuurten-2022-buurten.geojson",
        code_property="buurtcode",
        name_property="buurtnaam",
        wijk_property="wijkcode",
        stadsdeel_property="gemeentecode",
    )
    summary = build_boundaries(empty_boundaries, folder, mapping)
    wijken = {"WK0363" + f["properties"]["code"][:2] for f in _real(shared_data)["features"][:12]}
    assert summary.buurten == 12 and summary.wijken == len(wijken) and summary.vintage == 2022
    with empty_boundaries.connect() as conn:
        names = conn.execute(
            text("SELECT code, name, parent_code FROM geo_boundary WHERE level = 'buurt' ORDER BY code")
        ).all()
        stadsdeel = (
            conn.execute(text("SELECT code FROM geo_boundary WHERE level = 'stadsdeel'")).scalars().all()
        )
    assert all(code.startswith("BU0363") and name and parent in wijken for code, name, parent in names)
    assert stadsdeel == ["GM0363"]


def test_cli_exits_non_zero_on_an_empty_folder(tmp_path: Path, engine: Engine) -> None:
    """`wijkgram geo import-boundaries` on a folder that yields nothing says why and exits 1."""
    from cli.main import cli

    _write(tmp_path, "amsterdam-buurten-2022.geojson", [])
    result = CliRunner().invoke(cli, ["geo", "import-boundaries", str(tmp_path)])
    assert result.exit_code == 1
    assert "yields no areas" in result.output
