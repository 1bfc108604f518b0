"""Area boundaries (stadsdelen, wijken, buurten) from the City of Amsterdam, and their assignment.

Input: a folder holding `amsterdam-buurten-2022.geojson` (the city's API
export: `code` like 'AF05', the wijk link as `ligtInWijkId` — the schema
calls it `ligtInGebiedenWijk`; both are accepted) and optionally
`amsterdam-stadsdelen.json` (`Stadsdeelcode`, `Stadsdeel`) and
`amsterdam-wijken-names.geojson` (wijk names only).

Amsterdam's codes nest: buurt 'AF05' lies in wijk 'AF' in stadsdeel 'A'.
Wijk polygons are the union of their buurten (the wijk file has no codes),
so they fit the buurten exactly. Location codes are kept by a database
trigger (migration 0301); `import_boundaries` re-derives them once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, text

from directory.errors import InvalidInputError

BUURTEN_FILE = "amsterdam-buurten-2022.geojson"
STADSDELEN_FILE = "amsterdam-stadsdelen.json"
WIJK_NAMES_FILE = "amsterdam-wijken-names.geojson"
#: Field names for the wijk link in the real export and in the Amsterdam Schema.
WIJK_LINK_FIELDS = ("ligtInWijkId", "ligtInGebiedenWijk", "ligtInWijk")


@dataclass
class BoundarySummary:
    """What an import did."""

    buurten: int = 0
    wijken: int = 0
    stadsdelen: int = 0
    locations_changed: int = 0
    problems: list[str] | None = None


def _features(path: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InvalidInputError(path.name, f"cannot read GeoJSON: {exc}") from exc
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list):
        raise InvalidInputError(path.name, "not a GeoJSON FeatureCollection")
    return features


def _upsert(conn: Connection, level: str, code: str, name: str | None, parent: str | None, source: str,
            geometry_json: str) -> None:  # fmt: skip
    conn.execute(
        text(
            """
            INSERT INTO geo_boundary (level, code, name, parent_code, source, geom)
            VALUES (:level, :code, :name, :parent, :source,
                    ST_Multi(ST_MakeValid(ST_SetSRID(ST_GeomFromGeoJSON(:geom), 4326))))
            ON CONFLICT (level, code) DO UPDATE
            SET name = EXCLUDED.name, parent_code = EXCLUDED.parent_code,
                source = EXCLUDED.source, geom = EXCLUDED.geom
            """
        ),
        {
            "level": level,
            "code": code,
            "name": name,
            "parent": parent,
            "source": source,
            "geom": geometry_json,
        },
    )


def import_boundaries(conn: Connection, folder: Path) -> BoundarySummary:
    """Load buurten (required), wijken (derived) and stadsdelen into geo_boundary; reassign locations."""
    buurten_path = folder / BUURTEN_FILE
    if not buurten_path.is_file():
        raise InvalidInputError("folder", f"{BUURTEN_FILE} not found in {folder}")
    summary = BoundarySummary(problems=[])
    assert summary.problems is not None
    for i, feature in enumerate(_features(buurten_path), start=1):
        props = feature.get("properties") or {}
        code = str(props.get("code") or "").strip()
        geometry = feature.get("geometry")
        if len(code) < 3 or not geometry:
            summary.problems.append(f"{BUURTEN_FILE} feature {i}: no code or geometry, skipped")
            continue
        if not any(props.get(f) for f in WIJK_LINK_FIELDS):
            summary.problems.append(
                f"{BUURTEN_FILE} feature {i} ({code}): no wijk link; wijk taken from the code"
            )
        _upsert(conn, "buurt", code, props.get("naam"), code[:2], BUURTEN_FILE, json.dumps(geometry))
        summary.buurten += 1
    # Wijken: the union of their buurten; names from the wijk file where a wijk's
    # inside point falls in a named polygon.
    conn.execute(text("DELETE FROM geo_boundary WHERE level = 'wijk' AND source = :s"), {"s": BUURTEN_FILE})
    summary.wijken = conn.execute(
        text(
            """
            INSERT INTO geo_boundary (level, code, name, parent_code, source, geom)
            SELECT 'wijk', left(code, 2), NULL, left(code, 1), :s, ST_Multi(ST_Union(geom))
            FROM geo_boundary WHERE level = 'buurt' GROUP BY left(code, 2), left(code, 1)
            ON CONFLICT (level, code) DO UPDATE SET geom = EXCLUDED.geom, parent_code = EXCLUDED.parent_code
            RETURNING 1
            """
        ),
        {"s": BUURTEN_FILE},
    ).rowcount
    names_path = folder / WIJK_NAMES_FILE
    if names_path.is_file():
        for feature in _features(names_path):
            name = (feature.get("properties") or {}).get("name")
            if name and feature.get("geometry"):
                conn.execute(
                    text(
                        """
                        UPDATE geo_boundary SET name = :name
                        WHERE level = 'wijk' AND name IS NULL
                          AND ST_Contains(ST_SetSRID(ST_GeomFromGeoJSON(:geom), 4326),
                                          ST_PointOnSurface(geom))
                        """
                    ),
                    {"name": name, "geom": json.dumps(feature["geometry"])},
                )
    stadsdelen_path = folder / STADSDELEN_FILE
    if stadsdelen_path.is_file():
        for i, feature in enumerate(_features(stadsdelen_path), start=1):
            props = feature.get("properties") or {}
            code = str(props.get("Stadsdeelcode") or props.get("code") or "").strip()
            if not code or not feature.get("geometry"):
                summary.problems.append(
                    f"{STADSDELEN_FILE} feature {i}: no Stadsdeelcode or geometry, skipped"
                )
                continue
            name = props.get("Stadsdeel") or props.get("naam")
            _upsert(conn, "stadsdeel", code, name, None, STADSDELEN_FILE, json.dumps(feature["geometry"]))
            summary.stadsdelen += 1
    else:
        # Without the stadsdelen file: each stadsdeel as the union of its buurten.
        summary.stadsdelen = conn.execute(
            text(
                """
                INSERT INTO geo_boundary (level, code, name, parent_code, source, geom)
                SELECT 'stadsdeel', left(code, 1), NULL, NULL, :s, ST_Multi(ST_Union(geom))
                FROM geo_boundary WHERE level = 'buurt' GROUP BY left(code, 1)
                ON CONFLICT (level, code) DO UPDATE SET geom = EXCLUDED.geom
                RETURNING 1
                """
            ),
            {"s": BUURTEN_FILE},
        ).rowcount
    summary.locations_changed = int(conn.execute(text("SELECT geo_assign_all_boundaries()")).scalar_one())
    return summary


def boundaries_at(conn: Connection, lat: float, lon: float) -> dict[str, dict[str, str | None]]:
    """The stadsdeel, wijk and buurt (code and name) a point lies in."""
    rows = conn.execute(
        text(
            """
            SELECT level, code, name FROM geo_boundary
            WHERE ST_Intersects(geom, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326))
            ORDER BY level, code
            """
        ),
        {"lat": lat, "lon": lon},
    ).all()
    found: dict[str, dict[str, str | None]] = {}
    for level, code, name in rows:
        found.setdefault(level, {"code": code, "name": name})
    return found


def list_boundaries(conn: Connection, level: str) -> list[dict[str, str | None]]:
    """All areas of one level (code, name, parent), for search filters."""
    if level not in ("stadsdeel", "wijk", "buurt"):
        raise InvalidInputError("level", "choose stadsdeel, wijk or buurt")
    rows = conn.execute(
        text("SELECT code, name, parent_code FROM geo_boundary WHERE level = :level ORDER BY code"),
        {"level": level},
    ).all()
    return [{"code": r[0], "name": r[1], "parent_code": r[2]} for r in rows]


def boundary_outlines(
    conn: Connection, level: str, tolerance_deg: float = 0.00008
) -> list[dict[str, str | None]]:
    """The areas of one level with a simplified GeoJSON geometry (for drawing outlines on a map).

    Simplified (about 8 m) and cut to 5 decimals: the buurten of the whole
    city then fit in a page, where the stored polygons would be over a megabyte.
    """
    if level not in ("stadsdeel", "wijk", "buurt"):
        raise InvalidInputError("level", "choose stadsdeel, wijk or buurt")
    rows = conn.execute(
        text(
            """
            SELECT code, name, ST_AsGeoJSON(ST_SimplifyPreserveTopology(geom, :tolerance), 5)
            FROM geo_boundary WHERE level = :level ORDER BY code
            """
        ),
        {"level": level, "tolerance": tolerance_deg},
    ).all()
    return [{"code": r[0], "name": r[1], "geometry": r[2]} for r in rows]
