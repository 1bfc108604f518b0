"""Hour-of-week buckets from opening hours and meetings."""

from __future__ import annotations

from datetime import date, datetime

from directory.search.schedule import hour_of_week, open_buckets

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
