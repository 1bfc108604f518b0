"""Valid entry payloads for tests, overridable field by field."""

from __future__ import annotations

import itertools
from typing import Any

from shapely.geometry import Point

_counter = itertools.count(1)

#: Real places in Amsterdam Centrum (positions from the OpenStreetMap extract).
DAM = Point(4.89323, 52.37310)  # Nationaal Monument, Dam
CENTRAAL = Point(4.90004, 52.37886)  # Amsterdam Centraal, main entrance
BOOMSPIJKER = Point(4.903483, 52.371958)  # Recht Boomssloot 52


def location(point: Point = DAM, **overrides: Any) -> dict[str, Any]:
    """A location payload at a point."""
    n = next(_counter)
    data: dict[str, Any] = {
        "name": f"Buurthuis {n}",
        "category": "community_centre",
        "lat": point.y,
        "lon": point.x,
        "street": "Teststraat",
        "house_number": str(n),
        "postcode": "1012 JS",
        "city": "Amsterdam",
    }
    data.update(overrides)
    return data


def organization(**overrides: Any) -> dict[str, Any]:
    """An organisation payload."""
    data: dict[str, Any] = {"name": f"Vrijwilligers {next(_counter)}", "category": "volunteer_organisation"}
    data.update(overrides)
    return data


def service(**overrides: Any) -> dict[str, Any]:
    """A service payload."""
    data: dict[str, Any] = {
        "name": f"Eettafel {next(_counter)}",
        "category": "shared_meal",
        "support_functions": ["company"],
        "target_groups": ["everyone"],
        "cost_free": False,
        "cost_amount_eur": "3.50",
        "cost_note": "per maaltijd",
        "meetings": [{"rrule": "FREQ=MONTHLY;BYDAY=1TU", "start_time": "18:00:00"}],
    }
    data.update(overrides)
    return data
