"""The outer bounds of every input: what PostgreSQL, Python and the parsers can hold.

Values outside these bounds are not wrong in a way a field rule would catch (a
NUL character is valid Unicode, year 9999 is a valid date, 2^63 is a valid
integer), yet each used to end as a 500: PostgreSQL text refuses NUL, its
`integer` stops at 2^31-1, Python's dates stop at year 9999 (and an offset of
-14:00 pushes 9999-12-31 past it), and the JSON and GeoJSON parsers recurse once
per level of nesting. The web boundary (web/boundary.py), the schemas and the
search parameters all check against the bounds written here.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from directory.errors import RuleError

#: Largest value of a PostgreSQL integer column; larger input is refused, not sent to the database.
MAX_INT = 2**31 - 1
#: Highest page number any list or search answers (far beyond the last page of a city).
MAX_PAGE = 100_000
#: Dates (verified, meetings, `open_at`) must lie in these years: far from the ends of Python's
#: calendar (an offset must never push one past year 9999), and wide enough that no date already
#: stored falls outside (entries are read back through the same schemas).
EARLIEST_YEAR, LATEST_YEAR = 1000, 2999
#: Deepest nesting of a JSON body; a MultiPolygon inside a Feature needs 6.
MAX_JSON_DEPTH = 32
#: Deepest nesting of GeoJSON `coordinates` (a MultiPolygon: polygons, rings, positions, numbers).
MAX_COORDINATE_DEPTH = 4
#: Most positions in one geometry (a whole-city service area has a few thousand).
MAX_POSITIONS = 50_000

NUL = "\x00"


class OutOfBoundsError(RuleError):
    """A value beyond these bounds; code and message say which bound, for the field it came from."""


def check_year(value: date) -> None:
    """Refuse a date or moment outside EARLIEST_YEAR..LATEST_YEAR."""
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise OutOfBoundsError(
            f"must lie between the years {EARLIEST_YEAR} and {LATEST_YEAR}",
            code="year_range",
            params={"earliest": EARLIEST_YEAR, "latest": LATEST_YEAR},
        )


def bounded_date(value: date) -> date:
    """A date within the bounds (pydantic validator)."""
    check_year(value)
    return value


def bounded_moment(value: datetime) -> datetime:
    """A date-time within the bounds (pydantic validator); its own wall-clock date is what counts."""
    check_year(value)
    return value


def _children(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield (f"{path}.{key}" if path else str(key)), item
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield (f"{path}.{index}" if path else str(index)), item


def find_nul(value: Any, path: str = "") -> str | None:
    """The path ('meetings.0.note') of the first text holding a NUL character, in decoded JSON."""
    stack = [(path, value)]
    while stack:
        here, item = stack.pop()
        if isinstance(item, str):
            if NUL in item:
                return here or "body"
        elif isinstance(item, dict):
            for key in item:
                if isinstance(key, str) and NUL in key:
                    return here or "body"
            stack.extend(_children(item, here))
        elif isinstance(item, list):
            stack.extend(_children(item, here))
    return None


def too_deep(value: Any, limit: int, path: str = "") -> str | None:
    """The path of the first container nested deeper than `limit` levels, or None (no recursion)."""
    stack = [(path, value, 1)]
    while stack:
        here, item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return here or "body"
            stack.extend((p, child, depth + 1) for p, child in _children(item, here))
    return None


def check_geojson(value: Any) -> None:
    """Refuse GeoJSON too deep or too large to hand to Shapely.

    Shapely builds its arrays recursively and checks a ring's validity in time that
    grows with its vertices: nesting and size are checked first, without recursion.
    """
    if not isinstance(value, dict):
        raise OutOfBoundsError("must be a GeoJSON object", code="geometry")
    coordinates = value.get("coordinates")
    if too_deep(coordinates, MAX_COORDINATE_DEPTH) is not None:
        raise OutOfBoundsError(
            f"coordinates are nested deeper than {MAX_COORDINATE_DEPTH} levels",
            code="too_deep",
            params={"limit": MAX_COORDINATE_DEPTH},
        )
    positions = 0
    stack = [coordinates]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            if item and not isinstance(item[0], list):
                positions += 1
            else:
                stack.extend(item)
    if positions > MAX_POSITIONS:
        raise OutOfBoundsError(
            f"has more than {MAX_POSITIONS} positions; simplify it first",
            code="too_many_positions",
            params={"limit": MAX_POSITIONS},
        )
