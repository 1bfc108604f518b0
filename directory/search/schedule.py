"""When an entry is open, as hour buckets both engines can filter on.

Two kinds of bucket, local time in Amsterdam:

* hour-of-week: bucket `h` is hour `h % 24` of weekday `h // 24` (Monday = 0).
  Opening hours (OpenStreetMap syntax) are evaluated over one reference week,
  recurring meetings (RRULE) over the next five weeks: "usually open at this
  hour of the week".
* exact hours: hours since Monday 5 January 2026, 00:00 (`EPOCH`), for the
  `EXACT_WEEKS` weeks from the week a document is written. They are kept only
  for entries whose weeks differ: a monthly meeting (first Tuesday), a meeting
  cancelled on a date or closed for the summer (exdates, closed ranges), a
  place closed on public holidays (`PH off`, Dutch holidays), date ranges. For such
  an entry a time inside its window is answered exactly, and a time after it
  falls back to the hour of the week (`exact_until`); `wijkgram index rebuild`
  moves every window on.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

import opening_hours
from dateutil.rrule import rrulestr

from directory.clock import today_amsterdam
from directory.meetings import excluded_on, local_time, within_dates

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
#: The fields of a meeting that decide its hours of the week. Its exceptions (exdates, closed
#: ranges) decide only exact hours: a meeting cancelled once still meets on its usual weekday.
MEETING_KEYS = frozenset({"rrule", "dtstart", "until", "start_time", "end_time"})
#: How far ahead meetings are expanded to find their weekdays.
MEETING_HORIZON_DAYS = 35
#: How many weeks of exact open hours a document keeps, from the week it is written.
EXACT_WEEKS = 8
#: Hour 0 of the exact buckets (a Monday, local time).
EPOCH = datetime(2026, 1, 5)  # noqa: DTZ001 (wall-clock time, like every bucket)
#: Public holidays (PH in opening hours) are those of this country.
HOLIDAY_COUNTRY = "NL"


@dataclass(frozen=True)
class Schedule:
    """An entry's open buckets: usual hours of the week, and exact hours where weeks differ."""

    weekly: list[int]
    exact: list[int]
    #: The first exact hour no longer covered (0: none kept, the weekly buckets always hold).
    exact_until: int


def hour_index(moment: datetime) -> int:
    """The exact bucket of a local time: whole hours since EPOCH, counted on the wall clock."""
    naive = moment.replace(tzinfo=None, minute=0, second=0, microsecond=0)
    return int((naive - EPOCH).total_seconds() // 3600)


def hour_of_week(moment: datetime) -> int:
    """The bucket of a local time."""
    return moment.weekday() * 24 + moment.hour


def _span_buckets(start: datetime, end: datetime) -> set[int]:
    """Buckets touched by the interval [start, end) (counted, not walked hour by hour)."""
    cursor = start.replace(minute=0, second=0, microsecond=0)
    if end <= cursor:
        return set()
    hours = -((cursor - end) // timedelta(hours=1))  # whole hours from the first, rounded up
    first = hour_of_week(cursor)
    return {(first + hour) % HOURS_PER_WEEK for hour in range(min(hours, HOURS_PER_WEEK))}


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


def _meeting_times(meeting: dict[str, Any]) -> tuple[time, timedelta]:
    """When a meeting starts and how long it lasts (past midnight when it ends earlier)."""
    # Times may carry an offset (HSDS "13:00+01:00"); naive local times only, or comparing them raises.
    on = date.fromisoformat(str(meeting["dtstart"])) if meeting.get("dtstart") else None
    start_time = local_time(meeting["start_time"], on) if meeting.get("start_time") else time(0)
    if meeting.get("end_time"):
        day = date(2026, 1, 5)  # any day: only the difference of the two times counts
        end_time = local_time(meeting["end_time"], on)
        length = datetime.combine(day, end_time) - datetime.combine(day, start_time)
        if length <= timedelta(0):
            length += timedelta(days=1)
    else:
        length = timedelta(hours=DEFAULT_MEETING_HOURS if meeting.get("start_time") else 24)
    return start_time, length


def _meeting_key(meeting: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """A hashable form of a meeting: many entries share a rule, and expanding it once is enough."""
    return tuple(sorted((k, str(v)) for k, v in meeting.items() if k in MEETING_KEYS and v))


def _rule(meeting: dict[str, Any], origin: datetime) -> Any:
    """The meeting's recurrence rule counted from `origin`, or None (logged) when it cannot be read."""
    try:
        return rrulestr(meeting["rrule"].removeprefix("RRULE:"), dtstart=origin, forceset=False)
    except (ValueError, TypeError) as exc:
        log.warning("cannot expand meeting rule: %s", exc)
        return None


def _excluded(meeting: dict[str, Any], day: date, *, exceptions: bool) -> bool:
    """True when the meeting does not take place on `day`: outside its dates, or (with
    `exceptions`) on an exception date or in a closed range. Unreadable dates exclude nothing."""
    try:
        return excluded_on(meeting, day) if exceptions else not within_dates(meeting, day)
    except ValueError as exc:  # validated on input; old rows and bulk loads may not be
        log.warning("cannot read a meeting's dates: %s", exc)
        return False


def meeting_buckets(meeting: dict[str, Any], today: date) -> frozenset[int]:
    """Buckets in which a recurring meeting takes place (its weekday and hours)."""
    return _meeting_buckets(_meeting_key(meeting), today)


@lru_cache(maxsize=4096)
def _meeting_buckets(key: tuple[tuple[str, str], ...], today: date) -> frozenset[int]:
    meeting: dict[str, Any] = dict(key)
    start_time, length = _meeting_times(meeting)
    first = date.fromisoformat(meeting["dtstart"]) if meeting.get("dtstart") else today
    origin = datetime.combine(max(first, today - timedelta(days=MEETING_HORIZON_DAYS)), start_time)
    rule = _rule(meeting, origin)
    if rule is None:
        return frozenset()
    horizon = datetime.combine(today + timedelta(days=MEETING_HORIZON_DAYS), time())
    buckets: set[int] = set()
    for occurrence in rule.between(datetime.combine(today, time()), horizon, inc=True):
        if not _excluded(meeting, occurrence.date(), exceptions=False):  # it may have ended
            buckets |= _span_buckets(occurrence, occurrence + length)
    if not buckets and meeting.get("until") is None:
        # A rule whose next occurrence lies beyond the horizon (yearly) still has a weekday.
        nxt = rule.after(datetime.combine(today, time()), inc=True)
        if isinstance(nxt, datetime):
            buckets |= _span_buckets(nxt, nxt + length)
    return frozenset(buckets)


def _exact_span(start: datetime, end: datetime) -> set[int]:
    """Exact buckets touched by the interval [start, end)."""
    first, last = hour_index(start), hour_index(end - timedelta(microseconds=1))
    return set(range(first, last + 1))


@lru_cache(maxsize=4096)
def opening_hours_exact(value: str, window_start: date) -> frozenset[int]:
    """Exact buckets in which an OSM opening-hours string says open, over the exact window."""
    try:
        parsed = opening_hours.OpeningHours(value, country=HOLIDAY_COUNTRY)
        start = datetime.combine(window_start, time())
        intervals = parsed.intervals(start, start + timedelta(weeks=EXACT_WEEKS))
    except PARSE_ERRORS as exc:
        log.warning("cannot evaluate opening hours: %s", exc)
        return frozenset()
    hours: set[int] = set()
    for begin, end, state, _comment in intervals:
        if state == opening_hours.State.OPEN:
            hours |= _exact_span(begin, end)
    return frozenset(hours)


def meeting_exact(meeting: dict[str, Any], window_start: date) -> frozenset[int]:
    """Exact buckets in which a recurring meeting takes place, over the exact window.

    Its dates, exception dates and closed ranges apply: a meeting cancelled on 8 December
    is closed that evening, and open on the Tuesdays around it.
    """
    exdates = tuple(sorted(str(d) for d in meeting.get("exdates") or ()))
    closed = tuple(str(r) for r in meeting.get("closed_ranges") or ())
    return _meeting_exact(_meeting_key(meeting), exdates, closed, window_start)


@lru_cache(maxsize=4096)
def _meeting_exact(
    key: tuple[tuple[str, str], ...], exdates: tuple[str, ...], closed: tuple[str, ...], window_start: date
) -> frozenset[int]:
    meeting: dict[str, Any] = {**dict(key), "exdates": list(exdates), "closed_ranges": list(closed)}
    start_time, length = _meeting_times(meeting)
    window = datetime.combine(window_start, time())
    first = date.fromisoformat(meeting["dtstart"]) if meeting.get("dtstart") else window_start
    # A rule counts from dtstart ("every other Tuesday" needs it); without one, from the window.
    rule = _rule(meeting, datetime.combine(first, start_time))
    if rule is None:
        return frozenset()
    hours: set[int] = set()
    # From a day before the window: a meeting that starts late in the evening runs past midnight.
    end = window + timedelta(weeks=EXACT_WEEKS)
    for occurrence in rule.between(window - timedelta(days=1), end, inc=True):
        if not _excluded(meeting, occurrence.date(), exceptions=True):
            hours |= _exact_span(occurrence, occurrence + length)
    return frozenset(hours)


#: Opening-hours schedules computed in another process (an import's reader), looked up
#: before `_opening_schedule`'s own cache. Emptied by `clear_seeded_schedules`.
_SEEDED: dict[tuple[str | None, date], Schedule] = {}


def seed_schedules(known: dict[tuple[str | None, date], Schedule]) -> None:
    """Take schedules another process computed (`opening_schedule` per opening hours and day)."""
    _SEEDED.update(known)


def clear_seeded_schedules() -> None:
    """Forget the seeded schedules (at the end of the import that seeded them)."""
    _SEEDED.clear()


def opening_schedule(opening: str | None, today: date) -> Schedule:
    """The schedule of a place with opening hours only (no meetings), as `schedule` computes it."""
    return _opening_schedule(opening, today)


def schedule(
    opening: str | None, meetings: list[dict[str, Any]] | None, today: date | None = None
) -> Schedule:
    """The open buckets of an entry: exact hours are kept only when its weeks are not all alike."""
    today = today or today_amsterdam()
    if not meetings:
        # Most places have only opening hours, and many share them ("Mo-Fr 09:00-17:00"):
        # an import of thousands of places computes each string once a day.
        known = _SEEDED.get((opening, today)) or _opening_schedule(opening, today)
        return Schedule(weekly=list(known.weekly), exact=list(known.exact), exact_until=known.exact_until)
    return _schedule(opening, meetings, today)


@lru_cache(maxsize=4096)
def _opening_schedule(opening: str | None, today: date) -> Schedule:
    if opening and same_every_week(opening):
        # Nothing in it tells one week from another: its exact hours would be dropped anyway,
        # so the eight weeks of them are not computed (most of an import's schedule time).
        return Schedule(weekly=open_buckets(opening, None, today), exact=[], exact_until=0)
    return _schedule(opening, None, today)


#: Opening hours made of weekday selectors and times only ("Mo-Fr 09:00-17:00; Sa 10:00-16:00",
#: "Fr-Sa 16:00-03:00", "24/7", "Mo-Su 10:45+"): no dates, months, weeks, holidays, nth
#: weekdays, sun times or comments.
_WEEKLY_ONLY = re.compile(r"(?:Mo|Tu|We|Th|Fr|Sa|Su|off|closed|open|24/7|[0-9:,;+ -])+")


def same_every_week(opening: str) -> bool:
    """True when an opening-hours string is open at the same hours every week, by its syntax alone.

    Only weekday selectors and times: nothing tells one week from another (dates, months,
    week numbers, public or school holidays, the first Monday of a month, sunrise). The
    parser carries a range past midnight into the next day, also across the start of a
    week, so such ranges qualify too. Anything else answers False, and the schedule is
    computed week by week.
    """
    return _WEEKLY_ONLY.fullmatch(opening) is not None


def _schedule(opening: str | None, meetings: list[dict[str, Any]] | None, today: date) -> Schedule:
    weekly = open_buckets(opening, meetings, today)
    window_start = today - timedelta(days=today.weekday())
    exact: set[int] = set()
    if opening:
        exact |= opening_hours_exact(opening, window_start)
    for meeting in meetings or []:
        exact |= meeting_exact(meeting, window_start)
    base = hour_index(datetime.combine(window_start, time()))
    until = base + EXACT_WEEKS * HOURS_PER_WEEK
    exact = {h for h in exact if base <= h < until}
    # Each week's hours counted from its own start, in one pass (imports build thousands of these).
    weeks: list[set[int]] = [set() for _ in range(EXACT_WEEKS)]
    for h in exact:
        week, hour = divmod(h - base, HOURS_PER_WEEK)
        weeks[week].add(hour)
    if all(week == weeks[0] for week in weeks):
        return Schedule(weekly=weekly, exact=[], exact_until=0)
    return Schedule(weekly=weekly, exact=sorted(exact), exact_until=until)


def open_buckets(
    opening: str | None, meetings: list[dict[str, Any]] | None, today: date | None = None
) -> list[int]:
    """All open buckets of an entry, sorted; empty when it publishes no schedule."""
    today = today or today_amsterdam()
    week_start = today - timedelta(days=today.weekday())
    buckets: set[int] = set()
    if opening:
        buckets |= opening_hours_buckets(opening, week_start)
    for meeting in meetings or []:
        buckets |= meeting_buckets(meeting, today)
    return sorted(buckets)
