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
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, text

from directory.errors import InvalidInputError, require_choice

BUURTEN_FILE = "amsterdam-buurten-2022.geojson"
#: Any vintage of the City of Amsterdam's buurten export (the year is the vintage).
BUURTEN_PATTERN = "amsterdam-buurten-*.geojson"
STADSDELEN_FILE = "amsterdam-stadsdelen.json"
WIJK_NAMES_FILE = "amsterdam-wijken-names.geojson"
#: Field names for the wijk link in the real export and in the Amsterdam Schema.
WIJK_LINK_FIELDS = ("ligtInWijkId", "ligtInGebiedenWijk", "ligtInWijk")
LEVELS = ("stadsdeel", "wijk", "buurt")
_YEAR = re.compile(r"(?<!\d)(19|20)\d{2}(?!\d)")


@dataclass(frozen=True)
class BoundaryMapping:
    """Where a city's buurten file keeps what wijkgram needs.

    Amsterdam's export is the default: `code` like 'AF05' whose first two letters are
    the wijk and first letter the stadsdeel. Another city's file (e.g. CBS 'wijk- en
    buurtkaart': `buurtcode` BU03630000, `buurtnaam`, `wijkcode` WK036300) names its
    properties here; without `wijk_property` wijken are derived from Amsterdam-style codes.
    """

    buurten_file: str | None = None
    code_property: str = "code"
    name_property: str = "naam"
    wijk_property: str | None = None
    stadsdeel_property: str | None = None

    @property
    def amsterdam(self) -> bool:
        """Whether codes nest the Amsterdam way (wijk = first two letters, stadsdeel = first letter)."""
        return self.wijk_property is None


@dataclass
class BoundarySummary:
    """What an import did."""

    buurten: int = 0
    wijken: int = 0
    stadsdelen: int = 0
    locations_changed: int = 0
    vintage: int | None = None
    source: str = ""
    replaced: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def _features(path: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InvalidInputError(path.name, f"cannot read GeoJSON: {exc}", code="file_unreadable") from exc
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list):
        raise InvalidInputError(path.name, "not a GeoJSON FeatureCollection", code="file_type")
    return features


def find_buurten_file(folder: Path, mapping: BoundaryMapping) -> Path:
    """The buurten file: the one the mapping names, else the one Amsterdam export in the folder."""
    if mapping.buurten_file:
        path = Path(mapping.buurten_file)
        path = path if path.is_absolute() else folder / path
        if not path.is_file():
            raise InvalidInputError("folder", f"{path.name} not found in {folder}", code="file_missing")
        return path
    found = sorted(folder.glob(BUURTEN_PATTERN))
    if not found:
        raise InvalidInputError(
            "folder",
            f"{BUURTEN_FILE} (or another amsterdam-buurten-YEAR.geojson) not found in {folder}; "
            "for another city's file give --buurten FILE and its --code-property / --name-property",
            code="file_missing",
        )
    if len(found) > 1:
        names = ", ".join(p.name for p in found)
        raise InvalidInputError(
            "folder",
            f"{folder} holds more than one vintage ({names}); choose one with --buurten FILE",
            code="file_ambiguous",
        )
    return found[0]


def vintage_of(path: Path, features: list[dict[str, Any]], year: int | None) -> int | None:
    """The data set's year: as given, else from the file name, else the most common start-of-validity year."""
    if year is not None:
        return year
    in_name = _YEAR.search(path.stem)
    if in_name:
        return int(in_name.group(0))
    years: dict[int, int] = {}
    for feature in features:
        begin = str((feature.get("properties") or {}).get("beginGeldigheid") or "")
        match = _YEAR.match(begin)
        if match:
            years[int(match.group(0))] = years.get(int(match.group(0)), 0) + 1
    return max(years, key=lambda y: years[y]) if years else None


def _insert(conn: Connection, level: str, code: str, name: str | None, parent: str | None, source: str,
            vintage: int | None, geometry_json: str) -> None:  # fmt: skip
    conn.execute(
        text(
            """
            INSERT INTO geo_boundary (level, code, name, parent_code, source, vintage, geom)
            VALUES (:level, :code, :name, :parent, :source, :vintage,
                    ST_Multi(ST_CollectionExtract(
                        ST_MakeValid(ST_SetSRID(ST_GeomFromGeoJSON(:geom), 4326)), 3)))
            ON CONFLICT (level, code) DO UPDATE
            SET name = EXCLUDED.name, parent_code = EXCLUDED.parent_code,
                source = EXCLUDED.source, vintage = EXCLUDED.vintage, geom = EXCLUDED.geom
            """
        ),
        {
            "level": level,
            "code": code,
            "name": name,
            "parent": parent,
            "source": source,
            "vintage": vintage,
            "geom": geometry_json,
        },
    )


def _replace_levels(conn: Connection, levels: tuple[str, ...]) -> dict[str, int]:
    """Drop the stored areas of these levels in the caller's transaction: vintages replace, never pile up."""
    removed: dict[str, int] = {}
    for level in levels:
        removed[level] = conn.execute(
            text("DELETE FROM geo_boundary WHERE level = :level"), {"level": level}
        ).rowcount
    return removed


def import_boundaries(
    conn: Connection, folder: Path, mapping: BoundaryMapping | None = None, year: int | None = None
) -> BoundarySummary:
    """Replace buurten, wijken and stadsdelen with one vintage from `folder`; reassign locations.

    Runs in the caller's transaction, so a failure leaves the old areas in place. A file
    that yields no area at all is refused (InvalidInputError naming the properties to map).
    """
    mapping = mapping or BoundaryMapping()
    buurten_path = find_buurten_file(folder, mapping)
    features = _features(buurten_path)
    summary = BoundarySummary(source=buurten_path.name, vintage=vintage_of(buurten_path, features, year))
    source = buurten_path.name
    rows: list[tuple[str, str | None, str | None, str | None, str]] = []
    for i, feature in enumerate(features, start=1):
        props = feature.get("properties") or {}
        code = str(props.get(mapping.code_property) or "").strip()
        geometry = feature.get("geometry")
        if not code or (mapping.amsterdam and len(code) < 3) or not geometry:
            summary.problems.append(
                f"{source} feature {i}: no {mapping.code_property!r} or geometry, skipped"
            )
            continue
        if mapping.amsterdam:
            parent: str | None = code[:2]
            if not any(props.get(f) for f in WIJK_LINK_FIELDS):
                summary.problems.append(
                    f"{source} feature {i} ({code}): no wijk link; wijk taken from the code"
                )
        else:
            parent = str(props.get(mapping.wijk_property or "") or "").strip() or None
        stadsdeel = None
        if mapping.stadsdeel_property:
            stadsdeel = str(props.get(mapping.stadsdeel_property) or "").strip() or None
        rows.append((code, props.get(mapping.name_property), parent, stadsdeel, json.dumps(geometry)))
    if not rows:
        raise InvalidInputError(
            "folder",
            f"{source} yields no areas: none of its {len(features)} features has a {mapping.code_property!r} "
            "property and a geometry. Name the code and name properties of your file "
            "(--code-property, --name-property); nothing was changed",
            code="file_empty",
        )
    levels = LEVELS if mapping.amsterdam or mapping.wijk_property else ("buurt",)
    summary.replaced = _replace_levels(conn, levels)
    for code, name, parent, _, geometry_json in rows:
        _insert(conn, "buurt", code, name, parent, source, summary.vintage, geometry_json)
    summary.buurten = len({row[0] for row in rows})
    if "wijk" in levels:
        summary.wijken = _derive_wijken(conn, mapping, source, summary.vintage, rows)
        _name_wijken(conn, folder, mapping)
    if "stadsdeel" in levels:
        summary.stadsdelen = _stadsdelen(conn, folder, mapping, source, summary)
    summary.locations_changed = int(conn.execute(text("SELECT geo_assign_all_boundaries()")).scalar_one())
    return summary


def _derive_wijken(
    conn: Connection,
    mapping: BoundaryMapping,
    source: str,
    vintage: int | None,
    rows: list[tuple[str, str | None, str | None, str | None, str]],
) -> int:
    """Wijken as the union of their buurten (Amsterdam's wijk file has no codes), so they fit exactly."""
    if not mapping.amsterdam:
        # The wijk's stadsdeel, when the file names one per buurt.
        parents = {parent: stadsdeel for _, _, parent, stadsdeel, _ in rows if parent}
        conn.execute(text("CREATE TEMP TABLE _wijk_parent (code text, parent text) ON COMMIT DROP"))
        for code, parent in parents.items():
            conn.execute(text("INSERT INTO _wijk_parent VALUES (:c, :p)"), {"c": code, "p": parent})
        return conn.execute(
            text(
                """
                INSERT INTO geo_boundary (level, code, name, parent_code, source, vintage, geom)
                SELECT 'wijk', b.parent_code, NULL, min(p.parent), :s, :v, ST_Multi(ST_Union(b.geom))
                FROM geo_boundary b LEFT JOIN _wijk_parent p ON p.code = b.parent_code
                WHERE b.level = 'buurt' AND b.parent_code IS NOT NULL GROUP BY b.parent_code
                RETURNING 1
                """
            ),
            {"s": source, "v": vintage},
        ).rowcount
    return conn.execute(
        text(
            """
            INSERT INTO geo_boundary (level, code, name, parent_code, source, vintage, geom)
            SELECT 'wijk', left(code, 2), NULL, left(code, 1), :s, :v, ST_Multi(ST_Union(geom))
            FROM geo_boundary WHERE level = 'buurt' GROUP BY left(code, 2), left(code, 1)
            RETURNING 1
            """
        ),
        {"s": source, "v": vintage},
    ).rowcount


def _name_wijken(conn: Connection, folder: Path, mapping: BoundaryMapping) -> None:
    """Names from Amsterdam's wijk file where a wijk's inside point falls in a named polygon."""
    names_path = folder / WIJK_NAMES_FILE
    if not mapping.amsterdam or not names_path.is_file():
        return
    for feature in _features(names_path):
        name = (feature.get("properties") or {}).get("name")
        if name and feature.get("geometry"):
            conn.execute(
                text(
                    """
                    UPDATE geo_boundary SET name = :name
                    WHERE level = 'wijk' AND name IS NULL
                      AND ST_Contains(ST_SetSRID(ST_GeomFromGeoJSON(:geom), 4326), ST_PointOnSurface(geom))
                    """
                ),
                {"name": name, "geom": json.dumps(feature["geometry"])},
            )


def _stadsdelen(
    conn: Connection, folder: Path, mapping: BoundaryMapping, source: str, summary: BoundarySummary
) -> int:
    """Amsterdam's stadsdelen file when present, else each stadsdeel as the union of its wijken."""
    stadsdelen_path = folder / STADSDELEN_FILE
    if mapping.amsterdam and stadsdelen_path.is_file():
        count = 0
        for i, feature in enumerate(_features(stadsdelen_path), start=1):
            props = feature.get("properties") or {}
            code = str(props.get("Stadsdeelcode") or props.get("code") or "").strip()
            if not code or not feature.get("geometry"):
                summary.problems.append(
                    f"{STADSDELEN_FILE} feature {i}: no Stadsdeelcode or geometry, skipped"
                )
                continue
            name = props.get("Stadsdeel") or props.get("naam")
            # The stadsdelen file carries no year of its own: its vintage stays unknown.
            geometry_json = json.dumps(feature["geometry"])
            _insert(conn, "stadsdeel", code, name, None, STADSDELEN_FILE, None, geometry_json)
            count += 1
        return count
    return conn.execute(
        text(
            """
            INSERT INTO geo_boundary (level, code, name, parent_code, source, vintage, geom)
            SELECT 'stadsdeel', parent_code, NULL, NULL, :s, :v, ST_Multi(ST_Union(geom))
            FROM geo_boundary WHERE level = 'wijk' AND parent_code IS NOT NULL GROUP BY parent_code
            RETURNING 1
            """
        ),
        {"s": source, "v": summary.vintage},
    ).rowcount


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
    require_choice("level", level, LEVELS, code="one_of")
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
    require_choice("level", level, LEVELS, code="one_of")
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
