"""The Amsterdam repair-café list (JSON with RFC 5545 schedules) -> place records with meetings.

Each café is a venue (location) and the repair café held there (service).
Schedules stay intact: every `rrule` with its start and end time becomes a
meeting; `exceptions` become exception dates and `closedRanges` (holidays,
a closed year) become the meeting's closed ranges, so
`directory.meetings.meets_on` answers "open on Saturday 14 March?".
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from importers.records import PlaceRecord, Rejected
from importers.table import split_address

SOURCE = "repaircafes"


def _text(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("nl") or value.get("en") or "")
    return str(value or "")


def cafe_meetings(cafe: dict[str, Any]) -> list[dict[str, Any]]:
    """The café's schedule as meetings: one per rule, with times, exceptions and closed ranges."""
    rules: list[str] = cafe.get("rrule") or []
    starts: list[str] = cafe.get("startTime") or []
    ends: list[str] = cafe.get("endTime") or []
    meetings = []
    for i, rule in enumerate(rules):
        meeting: dict[str, Any] = {"rrule": rule}
        if i < len(starts) and starts[i]:
            meeting["start_time"] = starts[i]
        if i < len(ends) and ends[i]:
            meeting["end_time"] = ends[i]
        meeting["exdates"] = list(cafe.get("exceptions") or [])
        meeting["closed_ranges"] = list(cafe.get("closedRanges") or [])
        note = _text(cafe.get("open"))
        if note:
            meeting["note"] = note[:500]
        meetings.append(meeting)
    return meetings


def read_repaircafes(path: Path) -> Iterator[PlaceRecord | Rejected]:
    """One record per café in the JSON list (a café without coordinates is rejected)."""
    cafes: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    for number, cafe in enumerate(cafes, start=1):
        slug = str(cafe.get("slug") or cafe.get("name") or number)
        name = str(cafe.get("name") or "").strip()
        coordinate = cafe.get("coordinate") or []
        if not name or len(coordinate) != 2:
            yield Rejected(
                slug, "name and coordinate [lat, lon] are required", line=number, name=name or None
            )
            continue
        street, house_number = split_address(str(cafe.get("address") or ""))
        links = cafe.get("links") or {}
        website = links.get("website") or links.get("orgPage")
        parts = [
            f"Wij repareren: {_text(cafe.get('doRepair'))}" if _text(cafe.get("doRepair")) else "",
            f"Niet: {_text(cafe.get('dontRepair'))}" if _text(cafe.get("dontRepair")) else "",
            f"Gesloten: {_text(cafe.get('closed'))}" if _text(cafe.get("closed")) else "",
            _text(cafe.get("moreInfo")),
        ]
        service_name = name if "repair" in name.lower() else f"Repair Café {name}"
        yield PlaceRecord(
            source=SOURCE,
            source_id=slug,
            name=name,
            lat=float(coordinate[0]),
            lon=float(coordinate[1]),
            category="repair_cafe",
            location={"street": street or None, "house_number": house_number, "city": "Amsterdam"},
            service={
                "name": service_name,
                "category": "repair_cafe",
                "meetings": cafe_meetings(cafe),
                "email": cafe.get("email") or None,
                "website": website,
                "description": "\n".join(p for p in parts if p) or None,
                "support_functions": ["practical"],
                "walk_in": True,
            },
            raw={"cafe": cafe},
            line=number,
        )
