"""Open buckets from opening hours and meetings: hours of the week, and exact hours where weeks differ."""

from __future__ import annotations

from datetime import date, datetime

from directory.search.schedule import EPOCH, EXACT_WEEKS, hour_index, hour_of_week, open_buckets, schedule

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
