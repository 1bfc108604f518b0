"""Recurring meetings: does a service meet on a given date?

A service's `meetings` are RFC 5545 rules with optional first/last date,
exception dates and closed ranges (holidays). Closed ranges are written as
in the Amsterdam repair-café list: `2024-07-05:2024-08-21` (absolute),
`2024-09` (one month), `2025:2035` (years), `07:08` (July and August of
every year), `12-24:12-31` (every year), `12` (every December).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from dateutil.rrule import rrulestr

from directory.clock import AMSTERDAM as AMSTERDAM  # re-exported: the importers take it from here
from directory.errors import RuleError

#: When a meeting names no first date, rules are anchored here so that
#: INTERVAL=2 and the like give the same answer whichever day is asked.
DEFAULT_ANCHOR = date(2000, 1, 3)

# Meeting times are wall-clock times in Amsterdam (directory/clock.py).
#: The UTC offsets Amsterdam itself uses (winter, summer): a time written with one of these
#: is the local time its publisher meant, whatever the date.
LOCAL_OFFSETS = (timedelta(hours=1), timedelta(hours=2))
#: The day on which a foreign offset is converted when a meeting names no date (a winter Monday).
OFFSET_REFERENCE_DAY = date(2026, 1, 5)

_PART = re.compile(r"^(?:(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2}))?)?|(?P<rm>\d{2})(?:-(?P<rd>\d{2}))?)$")


def _bounds(part: str, *, end: bool) -> tuple[int | None, int, int]:
    """(year or None, month, day) of the first or last day a range endpoint covers."""
    match = _PART.match(part.strip())
    if not match:
        raise RuleError(
            f"{part!r} is not a date, month or year (YYYY, YYYY-MM, YYYY-MM-DD, MM or MM-DD)",
            code="closed_range_part",
            params={"value": repr(part)},
        )
    try:
        return _calendar_bounds(match, end=end)
    except ValueError as exc:  # month 13, or a day the month does not have (2024-02-31)
        raise RuleError(
            f"{part!r} is not a day of the calendar", code="closed_range_date", params={"value": repr(part)}
        ) from exc


def _calendar_bounds(match: re.Match[str], *, end: bool) -> tuple[int | None, int, int]:
    if match["y"]:
        year = int(match["y"])
        month = int(match["m"]) if match["m"] else (12 if end else 1)
        last = calendar.monthrange(year, month)[1]
        day = int(match["d"]) if match["d"] else (last if end else 1)
        date(year, month, day)  # raises ValueError for 2024-02-31
        return year, month, day
    month = int(match["rm"])
    last = calendar.monthrange(2000, month)[1]  # 2000 is a leap year: February has 29 days
    day = int(match["rd"]) if match["rd"] else (last if end else 1)
    date(2000, month, day)
    return None, month, day


def closed_range_predicate(text: str) -> Callable[[date], bool]:
    """A function telling whether a date falls in the closed range `text`; a `RuleError` when it is none."""
    first, _, last = text.partition(":")
    start = _bounds(first, end=False)
    stop = _bounds(last or first, end=True)
    if (start[0] is None) != (stop[0] is None):
        raise RuleError(
            f"{text!r} mixes a yearly range with an absolute date",
            code="closed_range_mixed",
            params={"value": repr(text)},
        )
    if start[0] is not None and stop[0] is not None:
        a = date(start[0], start[1], start[2])
        b = date(stop[0], stop[1], stop[2])
        if b < a:
            raise RuleError(
                f"{text!r} ends before it starts", code="closed_range_order", params={"value": repr(text)}
            )
        return lambda day: a <= day <= b
    a_md, b_md = (start[1], start[2]), (stop[1], stop[2])
    if a_md <= b_md:
        return lambda day: a_md <= (day.month, day.day) <= b_md
    # Wraps the new year, e.g. 12-24:01-06.
    return lambda day: (day.month, day.day) >= a_md or (day.month, day.day) <= b_md


def check_closed_range(value: str) -> str:
    """Accept a closed range such as '2024-07-05:2024-08-21' or '07:08'; refuse anything else."""
    closed_range_predicate(value)
    return value.strip()


def _as_date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def within_dates(meeting: Mapping[str, Any], day: date) -> bool:
    """True when `day` lies between the meeting's first and last date (when it has them)."""
    start = _as_date(meeting.get("dtstart"))
    until = _as_date(meeting.get("until"))
    return not ((start and day < start) or (until and day > until))


def excluded_on(meeting: Mapping[str, Any], day: date) -> bool:
    """True when the meeting cannot take place on `day`: outside its dates, an exception, closed."""
    if not within_dates(meeting, day):
        return True
    if day in {_as_date(d) for d in meeting.get("exdates") or []}:
        return True
    return any(closed_range_predicate(r)(day) for r in meeting.get("closed_ranges") or [])


def meeting_on(meeting: Mapping[str, Any], day: date) -> bool:
    """True when this one meeting takes place on `day`."""
    if excluded_on(meeting, day):
        return False
    start = _as_date(meeting.get("dtstart"))
    anchor = datetime.combine(start or DEFAULT_ANCHOR, time())
    rule = rrulestr(str(meeting["rrule"]), dtstart=anchor)
    begin = datetime.combine(day, time())
    # Occurrences fall at the anchor's time of day (midnight): one on `day` is the one at `begin`.
    return rule.after(begin, inc=True) == begin


def meets_on(meetings: Iterable[Mapping[str, Any]], day: date) -> bool:
    """True when any of a service's meetings takes place on `day`."""
    return any(meeting_on(m, day) for m in meetings)


def meetings_on(meetings: Iterable[Mapping[str, Any]], day: date) -> list[Mapping[str, Any]]:
    """The meetings of a service that take place on `day` (to show their times)."""
    return [m for m in meetings if meeting_on(m, day)]


def local_time(value: str | time, on: date | None = None) -> time:
    """A time of day as a naive wall-clock time in Amsterdam.

    HSDS allows an offset on a time ("13:00+01:00", "11:00Z"). With a date (`on`, the
    meeting's first date) the time is converted exactly; without one an offset Amsterdam uses
    itself is taken as local time, and any other offset is converted on a winter day. A naive
    time is already local. Comparing naive and aware times raises, so none may leave here aware.
    """
    moment = value if isinstance(value, time) else time.fromisoformat(str(value).strip())
    offset = moment.utcoffset()
    if offset is None:
        return moment
    if on is None and offset in LOCAL_OFFSETS:
        return moment.replace(tzinfo=None)
    aware = datetime.combine(on or OFFSET_REFERENCE_DAY, moment)
    return aware.astimezone(AMSTERDAM).time().replace(tzinfo=None)
