"""A service's meetings as plain choices on the edit form, and back to RFC 5545 rules.

The choices are: every week on a day, every other week on a day, or the first,
second, third, fourth or last weekday of the month, each with a start and an
end time. A meeting whose rule says more than these choices can (several days,
a COUNT, a yearly rule) is kept as it is and shown in words. Each row carries
the meeting it came from, so its dates, exceptions and closed periods travel
along unchanged when only the day or time is edited.
"""

from __future__ import annotations

import json
import re
from contextlib import suppress
from datetime import time
from typing import Any

from directory.errors import Problem

FREQS = ("weekly", "biweekly", "monthly")
DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
NTHS = ("1", "2", "3", "4", "-1")
#: A row whose rule the choices cannot express: kept as it was.
KEEP = "keep"
#: The empty row the form offers for a new meeting.
BLANK = {"freq": "", "day": "", "nth": "", "start": "", "end": "", "base": "{}"}


def choice_of(rrule: str) -> tuple[str, str, str] | None:
    """('weekly', 'TU', ''), ('biweekly', 'WE', ''), ('monthly', 'TH', '1'), or None."""
    parts = dict(p.split("=", 1) for p in rrule.upper().removeprefix("RRULE:").split(";") if "=" in p)
    found = re.fullmatch(r"(-1|[1-4])?(MO|TU|WE|TH|FR|SA|SU)", parts.get("BYDAY", ""))
    if not found:
        return None
    nth, day = found[1] or "", found[2]
    if parts.get("FREQ") == "WEEKLY" and not nth and set(parts) <= {"FREQ", "BYDAY", "INTERVAL", "WKST"}:
        return {"1": ("weekly", day, ""), "2": ("biweekly", day, "")}.get(parts.get("INTERVAL", "1"))
    if parts.get("FREQ") == "MONTHLY" and nth and set(parts) <= {"FREQ", "BYDAY", "WKST"}:
        return ("monthly", day, nth)
    return None


def rrule_of(freq: str, day: str, nth: str) -> str:
    """The rule for a choice."""
    if freq == "monthly":
        return f"FREQ=MONTHLY;BYDAY={nth}{day}"
    return f"FREQ=WEEKLY;INTERVAL={2 if freq == 'biweekly' else 1};BYDAY={day}"


def rows_of(meetings: list[dict[str, Any]] | None) -> list[dict[str, str]]:
    """The form rows for an entry's meetings."""
    rows = []
    for meeting in meetings or []:
        choice = choice_of(str(meeting.get("rrule", "")))
        freq, day, nth = choice or (KEEP, "", "")
        rows.append(
            {
                "freq": freq,
                "day": day,
                "nth": nth,
                "start": str(meeting.get("start_time") or "")[:5],
                "end": str(meeting.get("end_time") or "")[:5],
                "base": json.dumps(meeting, default=str, sort_keys=True),
            }
        )
    return rows


def submitted_rows(data: dict[str, str]) -> list[dict[str, str]]:
    """The rows as submitted: `meetings__<i>__<part>` inputs, or one `meetings` value (conflict page)."""
    if "meetings" in data:
        try:
            rows = json.loads(data["meetings"] or "[]")
        except ValueError:
            return []
        return [r for r in rows if isinstance(r, dict)] if isinstance(rows, list) else []
    rows, i = [], 0
    while f"meetings__{i}__base" in data:
        rows.append({part: (data.get(f"meetings__{i}__{part}") or "").strip() for part in BLANK})
        i += 1
    return [r for r in rows if r["freq"] or r["base"] not in ("", "{}")]


def _time(text: str) -> time | None:
    if not text:
        return None
    found = re.fullmatch(r"(\d{1,2})(?:[:.](\d{2}))?(?:\s*uur)?", text.strip())
    if found:
        with suppress(ValueError):  # 25:00 or 9:75 is written as a time but is none
            return time(int(found[1]), int(found[2] or 0))
    raise ValueError(text)


def meetings_of(rows: list[dict[str, str]]) -> tuple[list[dict[str, Any]], Problem | None]:
    """The meetings the rows describe (a row without a choice is dropped), or the first problem."""
    meetings: list[dict[str, Any]] = []
    for row in rows:
        freq = row.get("freq", "")
        try:
            base = json.loads(row.get("base") or "{}")
        except ValueError:
            base = {}
        if not freq:
            continue
        if freq == KEEP:
            if base:
                meetings.append(base)
            continue
        day, nth = row.get("day", ""), row.get("nth", "")
        if freq not in FREQS or day not in DAYS or (freq == "monthly" and nth not in NTHS):
            return [], Problem(
                "meeting_choice", "choose a day (and for monthly, which week)", field="meetings"
            )
        try:
            start, end = _time(row.get("start", "")), _time(row.get("end", ""))
        except ValueError as exc:
            problem = Problem("time_parsing", f"{exc} is not a time", {"value": repr(str(exc))}, "meetings")
            return [], problem
        # What the broker left as it was stays byte for byte, so an untouched meeting is no change.
        meeting = dict(base)
        if choice_of(str(base.get("rrule", ""))) != (freq, day, nth if freq == "monthly" else ""):
            meeting["rrule"] = rrule_of(freq, day, nth)
        for key, value in (("start_time", start), ("end_time", end)):
            if (value.isoformat("minutes") if value else "") != str(base.get(key) or "")[:5]:
                meeting[key] = value.isoformat("minutes") if value else None
        meetings.append(meeting)
    return meetings, None
