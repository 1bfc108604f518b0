"""When an entry is open, as hour-of-week buckets both engines can filter on.

Bucket `h` is hour `h % 24` of weekday `h // 24` (Monday = 0), local time in
Amsterdam. Opening hours (OpenStreetMap syntax) are evaluated over one
reference week; recurring meetings (RRULE) over the next five weeks, so a
monthly meeting on the first Tuesday marks Tuesday evening in every week.
Holidays (PH) and exceptional dates are therefore not exact: the filter
answers "usually open at this hour of the week".
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

import opening_hours
from dateutil.rrule import rrulestr

log = logging.getLogger("wijkgram.search")

HOURS_PER_WEEK = 7 * 24
#: What the opening-hours parser raises on text it cannot read (its stubs do not list ParserError).
PARSE_ERRORS: tuple[type[Exception], ...] = (
    getattr(opening_hours, "ParserError", ValueError),
    SyntaxError,
    ValueError,
)
#: A meeting without an end time is taken to last this long.
DEFAULT_MEETING_HOURS = 2
#: The fields of a meeting that decide its buckets (exdates and notes do not: see above).
MEETING_KEYS = frozenset({"rrule", "dtstart", "until", "start_time", "end_time"})
#: How far ahead meetings are expanded to find their weekdays.
MEETING_HORIZON_DAYS = 35


def hour_of_week(moment: datetime) -> int:
    """The bucket of a local time."""
    return moment.weekday() * 24 + moment.hour


def _span_buckets(start: datetime, end: datetime) -> set[int]:
    """Buckets touched by the interval [start, end)."""
    buckets: set[int] = set()
    cursor = start.replace(minute=0, second=0, microsecond=0)
    while cursor < end and len(buckets) < HOURS_PER_WEEK:
        buckets.add(hour_of_week(cursor))
        cursor += timedelta(hours=1)
    return buckets


@lru_cache(maxsize=4096)
def opening_hours_buckets(value: str, week_start: date) -> frozenset[int]:
    """Buckets in which an OSM opening-hours string says open, over one week."""
    try:
        parsed = opening_hours.OpeningHours(value)
        start = datetime.combine(week_start, time())
        intervals = parsed.intervals(start, start + timedelta(days=7))
    except PARSE_ERRORS as exc:  # validated on input; old rows and bulk loads may not be
        log.warning("cannot evaluate opening hours: %s", exc)
        return frozenset()
    buckets: set[int] = set()
    for begin, end, state, _comment in intervals:
        if state == opening_hours.State.OPEN:
            buckets |= _span_buckets(begin, end)
    return frozenset(buckets)


def meeting_buckets(meeting: dict[str, Any], today: date) -> frozenset[int]:
    """Buckets in which a recurring meeting takes place (its weekday and hours)."""
    # Many entries share a rule ("every Tuesday at 18:00"); expanding it once is enough.
    key = tuple(sorted((k, str(v)) for k, v in meeting.items() if k in MEETING_KEYS and v))
    return _meeting_buckets(key, today)


@lru_cache(maxsize=4096)
def _meeting_buckets(key: tuple[tuple[str, str], ...], today: date) -> frozenset[int]:
    meeting: dict[str, Any] = dict(key)
    start_time = time.fromisoformat(meeting["start_time"]) if meeting.get("start_time") else time(0)
    if meeting.get("end_time"):
        end_time = time.fromisoformat(meeting["end_time"])
        length = datetime.combine(today, end_time) - datetime.combine(today, start_time)
        if length <= timedelta(0):
            length += timedelta(days=1)
    else:
        length = timedelta(hours=DEFAULT_MEETING_HOURS if meeting.get("start_time") else 24)
    first = date.fromisoformat(meeting["dtstart"]) if meeting.get("dtstart") else today
    origin = datetime.combine(max(first, today - timedelta(days=MEETING_HORIZON_DAYS)), start_time)
    body = meeting["rrule"].removeprefix("RRULE:")
    try:
        rule = rrulestr(body, dtstart=origin, forceset=False)
    except (ValueError, TypeError) as exc:
        log.warning("cannot expand meeting rule: %s", exc)
        return frozenset()
    horizon = datetime.combine(today + timedelta(days=MEETING_HORIZON_DAYS), time())
    buckets: set[int] = set()
    for occurrence in rule.between(datetime.combine(today, time()), horizon, inc=True):
        buckets |= _span_buckets(occurrence, occurrence + length)
    if not buckets and meeting.get("until") is None:
        # A rule whose next occurrence lies beyond the horizon (yearly) still has a weekday.
        nxt = rule.after(datetime.combine(today, time()), inc=True)
        if isinstance(nxt, datetime):
            buckets |= _span_buckets(nxt, nxt + length)
    return frozenset(buckets)


def open_buckets(
    opening: str | None, meetings: list[dict[str, Any]] | None, today: date | None = None
) -> list[int]:
    """All open buckets of an entry, sorted; empty when it publishes no schedule."""
    today = today or date.today()
    week_start = today - timedelta(days=today.weekday())
    buckets: set[int] = set()
    if opening:
        buckets |= opening_hours_buckets(opening, week_start)
    for meeting in meetings or []:
        buckets |= meeting_buckets(meeting, today)
    return sorted(buckets)
