"""Open buckets from opening hours and meetings: hours of the week, and exact hours where weeks differ."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from directory.search.schedule import (
    EPOCH,
    EXACT_WEEKS,
    _schedule,
    hour_index,
    hour_of_week,
    open_buckets,
    same_every_week,
    schedule,
)

MONDAY = date(2026, 11, 23)


def test_opening_hours_and_meetings_become_buckets() -> None:
    """Weekday hours and a monthly meeting's weekday evening are open; the night is not."""
    buckets = open_buckets(
        "Mo-Fr 09:00-17:00", [{"rrule": "FREQ=MONTHLY;BYDAY=1TU", "start_time": "18:00:00"}], MONDAY
    )
    assert hour_of_week(datetime(2026, 11, 25, 10, 30)) in buckets  # Wednesday 10:30
    assert hour_of_week(datetime(2026, 11, 25, 17, 30)) not in buckets  # closed at 17:00
    assert hour_of_week(datetime(2026, 12, 1, 18, 30)) in buckets  # the meeting, Tuesday evening
    assert hour_of_week(datetime(2026, 11, 28, 10, 0)) not in buckets  # Saturday


def test_unreadable_opening_hours_give_no_buckets_instead_of_failing() -> None:
    """Real OSM data holds text like '10-17'; it must not stop a rebuild."""
    assert open_buckets("10-17", [], MONDAY) == []
    # A meeting late on Sunday without an end time lasts two hours, into Monday morning.
    late = open_buckets(None, [{"rrule": "FREQ=WEEKLY;BYDAY=SU", "start_time": "23:30:00"}], MONDAY)
    assert late == [0, 1, 6 * 24 + 23]


def test_a_monthly_meeting_keeps_exact_hours_for_its_weeks_only() -> None:
    """First Tuesday 18:00: open on 1 December and 5 January, not on the Tuesdays between."""
    when = schedule(None, [{"rrule": "FREQ=MONTHLY;BYDAY=1TU", "start_time": "18:00:00"}], date(2026, 12, 1))
    assert hour_index(datetime(2026, 12, 1, 18, 30)) in when.exact
    assert hour_index(datetime(2027, 1, 5, 19, 0)) in when.exact
    assert hour_index(datetime(2026, 12, 8, 18, 30)) not in when.exact
    assert when.exact_until == hour_index(datetime(2026, 11, 30)) + EXACT_WEEKS * 7 * 24
    # Beyond the window the usual weekday answers: Tuesday evening.
    assert hour_of_week(datetime(2027, 3, 2, 18, 30)) in when.weekly


def test_public_holidays_are_exact_and_plain_weeks_keep_no_exact_hours() -> None:
    """ "PH off" closes on Christmas (Dutch holidays); a place open alike every week stores none."""
    holidays = schedule("Mo-Fr 09:00-17:00; PH off", [], date(2026, 12, 1))
    assert hour_index(datetime(2026, 12, 24, 10, 0)) in holidays.exact
    assert hour_index(datetime(2026, 12, 25, 10, 0)) not in holidays.exact  # Eerste Kerstdag
    assert hour_index(datetime(2026, 12, 28, 10, 0)) in holidays.exact
    plain = schedule("Mo-Fr 09:00-17:00", [{"rrule": "FREQ=WEEKLY;BYDAY=TU", "start_time": "19:00:00"}])
    assert plain.exact == [] and plain.exact_until == 0
    assert plain.weekly == open_buckets(
        "Mo-Fr 09:00-17:00", [{"rrule": "FREQ=WEEKLY;BYDAY=TU", "start_time": "19:00:00"}]
    )


def test_hour_index_counts_wall_clock_hours() -> None:
    """The exact bucket ignores minutes and time zones: local wall-clock hours since the epoch."""
    assert hour_index(EPOCH) == 0
    assert hour_index(datetime(2026, 1, 5, 23, 59)) == 23
    assert hour_index(datetime(2026, 3, 30, 12, 0)) - hour_index(datetime(2026, 3, 29, 12, 0)) == 24


WEEKLY_TUESDAY = {"rrule": "FREQ=WEEKLY;BYDAY=TU", "start_time": "19:00:00", "end_time": "21:00:00"}


def test_a_cancelled_date_is_closed_and_the_weeks_around_it_open() -> None:
    """An exception date makes that evening closed; the usual weekday stays in the weekly buckets."""
    when = schedule(None, [{**WEEKLY_TUESDAY, "exdates": [date(2026, 12, 8)]}], date(2026, 12, 1))
    assert hour_index(datetime(2026, 12, 1, 19, 30)) in when.exact
    assert hour_index(datetime(2026, 12, 8, 19, 30)) not in when.exact
    assert hour_index(datetime(2026, 12, 15, 19, 30)) in when.exact
    assert hour_of_week(datetime(2026, 12, 8, 19, 30)) in when.weekly
    # Exception dates as ISO strings (as stored in JSON) count the same.
    again = schedule(None, [{**WEEKLY_TUESDAY, "exdates": ["2026-12-08"]}], date(2026, 12, 1))
    assert again == when


def test_closed_ranges_and_a_last_date_close_exact_hours() -> None:
    """A Christmas break (every year) and a last date: closed then, open before."""
    xmas = schedule(None, [{**WEEKLY_TUESDAY, "closed_ranges": ["12-24:01-06"]}], date(2026, 12, 1))
    assert hour_index(datetime(2026, 12, 22, 19, 30)) in xmas.exact
    assert hour_index(datetime(2026, 12, 29, 20, 0)) not in xmas.exact
    assert hour_index(datetime(2027, 1, 5, 20, 0)) not in xmas.exact
    assert hour_index(datetime(2027, 1, 12, 20, 0)) in xmas.exact
    ending = schedule(None, [{**WEEKLY_TUESDAY, "until": "2026-12-10"}], date(2026, 12, 1))
    assert hour_index(datetime(2026, 12, 8, 19, 30)) in ending.exact
    assert hour_index(datetime(2026, 12, 15, 19, 30)) not in ending.exact
    ended = schedule(None, [{**WEEKLY_TUESDAY, "until": "2026-11-01"}], date(2026, 12, 1))
    assert ended.weekly == [] and ended.exact == []


def test_unreadable_exceptions_exclude_nothing() -> None:
    """A closed range that cannot be read (old rows) is ignored, not a failed rebuild."""
    when = schedule(None, [{**WEEKLY_TUESDAY, "closed_ranges": ["summer"]}], date(2026, 12, 1))
    assert when.exact == [] and hour_of_week(datetime(2026, 12, 8, 19, 30)) in when.weekly


#: Opening hours whose weeks are all alike, and ones where a week differs or the syntax is more
#: than weekdays and daytime ranges: the second kind must take the week-by-week path.
ALIKE = [
    "Mo-Fr 09:00-17:00",
    "Mo-Fr 09:00-12:00,13:00-17:00; Sa 10:00-16:00; We off",
    "Mo-Su 00:00-24:00",
    "Su 22:00-02:00",  # past midnight, also from Sunday into the Monday that starts a week
    "Mo-Th,Su 16:00-03:00; Fr-Sa 16:00-04:00",
    "Mo-Su 10:45+",  # open end
    "24/7",
]
NOT_ALIKE = [
    "Mo-Fr 09:00-17:00; PH off",  # holidays
    "Mo-Su 10:00-18:00; Dec 25 off",  # a date
    "Mo[1] 10:00-12:00",  # first Monday of the month
    "Mo-Fr sunrise-sunset",
    "week 01-26 Mo-Fr 09:00-17:00",
    'Mo-Fr 09:00-17:00 "op afspraak"',
]


def test_weeks_alike_by_syntax_only_when_nothing_tells_weeks_apart() -> None:
    """The shortcut that skips eight weeks of exact hours takes weekday-and-time strings only."""
    assert all(same_every_week(value) for value in ALIKE)
    assert not any(same_every_week(value) for value in NOT_ALIKE)


def test_the_shortcut_gives_the_schedule_of_the_full_computation() -> None:
    """Over a year of days (both clock changes), a plain weekly string's schedule is unchanged."""
    for offset in range(0, 371, 7):
        today = date(2026, 1, 1) + timedelta(days=offset)
        for value in ALIKE + NOT_ALIKE:
            shortcut = schedule(value, None, today)
            full = _schedule(value, None, today)
            assert shortcut == full, (value, today)
    # A week with a holiday keeps exact hours: the shortcut did not take it.
    assert schedule("Mo-Fr 09:00-17:00; PH off", None, date(2026, 12, 21)).exact
