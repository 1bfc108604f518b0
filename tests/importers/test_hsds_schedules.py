"""Property tests of HSDS schedules <-> wijkgram meetings and opening hours (no database).

Offsets on times ("13:00+01:00", "Z"), intervals with and without a first date, and the
forms `byday` takes ("TU", "MO,WE", "1TH", "-1FR", "+2sa") must never crash the importer or
the search's hour buckets, and must land on the right Amsterdam wall-clock time.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from directory.meetings import AMSTERDAM
from directory.search.schedule import opening_hours_buckets, schedule
from importers.hsds.schedules import (
    OSM_DAYS,
    RRULE_DAYS,
    _day_spec,
    meeting_schedule,
    opening_hours_schedules,
    schedule_meeting,
    schedules_opening_hours,
)

OFFSETS = st.sampled_from(["", "Z", "+01:00", "+02:00", "-05:00", "+05:30", "+00:00"])
TIMES = st.builds(time, st.integers(0, 22), st.sampled_from([0, 15, 30, 45]))
DAYS = st.lists(st.sampled_from(RRULE_DAYS), min_size=1, max_size=7, unique=True)


@st.composite
def bydays(draw: st.DrawFn, freq: str) -> str:
    """A BYDAY value as publishers write it: plain days, or ordinals for monthly rules, any case."""
    days = draw(DAYS)
    if freq == "MONTHLY" and draw(st.booleans()):
        ordinals = draw(st.lists(st.sampled_from(["1", "2", "+2", "3", "4", "-1"]), min_size=1, max_size=2))
        days = [f"{o}{d}" for o in ordinals for d in days[:2]]
    text = ",".join(days)
    return text.lower() if draw(st.booleans()) else text


@st.composite
def schedule_rows(draw: st.DrawFn) -> dict[str, Any]:
    freq = draw(st.sampled_from(["WEEKLY", "MONTHLY"]))
    opens = draw(TIMES)
    row: dict[str, Any] = {
        "id": "s",
        "freq": freq,
        "interval": draw(st.integers(1, 4)),
        "byday": draw(bydays(freq)),
        "opens_at": opens.strftime("%H:%M:%S") + draw(OFFSETS),
        "closes_at": (datetime.combine(date(2026, 1, 5), opens) + timedelta(minutes=90)).strftime("%H:%M:%S"),
    }
    if draw(st.booleans()):
        row["dtstart"] = draw(st.dates(date(2024, 1, 1), date(2027, 12, 31))).isoformat()
    return row


def _expected_wall_clock(row: dict[str, Any]) -> time:
    written = time.fromisoformat(row["opens_at"].replace("Z", "+00:00"))
    offset = written.utcoffset()
    if offset is None:
        return written
    if "dtstart" in row:
        on = date.fromisoformat(row["dtstart"])
        return datetime.combine(on, written).astimezone(AMSTERDAM).time().replace(tzinfo=None)
    if offset in (timedelta(hours=1), timedelta(hours=2)):
        return written.replace(tzinfo=None)
    on = date(2026, 1, 5)
    return datetime.combine(on, written).astimezone(AMSTERDAM).time().replace(tzinfo=None)


@settings(max_examples=150, deadline=None)
@given(schedule_rows())
def test_schedule_rows_become_meetings_on_amsterdam_time(row: dict[str, Any]) -> None:
    meeting = schedule_meeting(row)
    start = time.fromisoformat(meeting["start_time"])
    assert start.tzinfo is None
    assert start == _expected_wall_clock(row)
    # The search's hour buckets take it without comparing naive and aware times.
    buckets = schedule(None, [meeting], date(2026, 3, 2))
    assert buckets.weekly, meeting
    back = meeting_schedule(meeting)
    assert back is not None
    assert (back["freq"], back["interval"]) == (row["freq"], row["interval"])
    assert back["byday"] == row["byday"].upper().replace("+", "")
    if row["interval"] > 1:
        assert "dtstart" in back  # an interval is counted from a first date
    assert back["timezone"] in (1, 2)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(DAYS, TIMES, st.integers(30, 600)), min_size=1, max_size=3),
    st.booleans(),
)
def test_opening_hours_survive_schedules(rules: list[tuple[list[str], time, int]], holidays: bool) -> None:
    """Opening hours -> weekly schedules -> opening hours that are open in the same hours of the
    week (rules may overlap, later ones win, spans may run past midnight)."""
    parts = []
    for days, opens, minutes in rules:
        closes = (datetime.combine(date(2026, 1, 5), opens) + timedelta(minutes=minutes)).time()
        parts.append(f"{_day_spec(days)} {opens:%H:%M}-{closes:%H:%M}")
    text = "; ".join(parts) + ("; PH off" if holidays else "")
    rows = opening_hours_schedules(text)
    assert rows and all(r["freq"] == "WEEKLY" and r["opens_at"].count(":") == 2 for r in rows)
    back, left_out = schedules_opening_hours(rows)
    assert back is not None and left_out == []
    week = date(2026, 1, 12)
    assert opening_hours_buckets(back, week) == opening_hours_buckets(text, week), (text, back)


def test_opening_hours_that_change_with_the_season_give_no_schedules() -> None:
    """Months, dates, open ends and the sun: no schedules (the exporter keeps the string in
    the extension)."""
    for text in (
        "Jan-Mar Mo 10:00-12:00",
        "Apr-Oct Mo-Fr 09:00-17:00; Nov-Mar Mo-Fr 10:00-16:00",
        "not hours",
        # No exact closing or opening time: not "until midnight", not "07:00-19:00".
        "Mo-Fr 09:00+",
        "Sa 10:00-sunset",
        "sunrise-sunset",
        "Mo-Fr (sunrise+01:00)-17:00",
    ):
        assert opening_hours_schedules(text) == [], text
    assert [r["closes_at"] for r in opening_hours_schedules('Mo 09:00-12:00 "65+ ochtend"')] == ["12:00:00"]
    assert [r["byday"] for r in opening_hours_schedules("24/7")] == ["MO,TU,WE,TH,FR,SA,SU"]
    assert OSM_DAYS[0] == "Mo"


def test_an_aware_meeting_time_does_not_crash_the_search() -> None:
    """Stored before this fix: an offset time reached the hour buckets and crashed them."""
    meeting = {"rrule": "FREQ=WEEKLY;BYDAY=TU", "start_time": "13:00:00+01:00", "end_time": "15:00:00+01:00"}
    buckets = schedule(None, [meeting], date(2026, 3, 2))
    assert 24 + 13 in buckets.weekly and 24 + 14 in buckets.weekly and 24 + 15 not in buckets.weekly
    utc = {**meeting, "start_time": "12:00:00Z", "end_time": "14:00:00Z", "dtstart": "2026-07-07"}
    assert 24 + 14 in schedule(None, [utc], date(2026, 7, 6)).weekly  # 12:00 UTC is 14:00 in summer
    assert datetime(2026, 7, 7, 12, tzinfo=UTC).astimezone(AMSTERDAM).hour == 14


def test_a_meeting_is_written_only_in_an_hsds_form_that_means_the_same() -> None:
    """HSDS 3.0 has WEEKLY and MONTHLY and no BYSETPOS: "the last Tuesday" is -1TU (not every
    Tuesday), daily is every day of the week, and a rule with no HSDS form gives no row (it
    once gave a row without freq, which readers take for no recurrence at all)."""

    def row(rrule: str, **more: Any) -> dict[str, Any] | None:
        return meeting_schedule({"rrule": rrule, "start_time": "19:00", **more})

    last = row("FREQ=MONTHLY;BYDAY=TU;BYSETPOS=-1")
    assert last is not None and (last["freq"], last["byday"], last["opens_at"]) == (
        "MONTHLY",
        "-1TU",
        "19:00:00",
    )
    daily = row("FREQ=DAILY;COUNT=5")
    assert daily is not None and (daily["freq"], daily["byday"], daily["count"]) == (
        "WEEKLY",
        ",".join(RRULE_DAYS),
        5,
    )
    until = row("FREQ=WEEKLY;BYDAY=FR;UNTIL=20270630T000000Z")
    assert until is not None and until["until"] == "2027-06-30"
    for unsayable in (
        "FREQ=YEARLY;BYMONTH=4;BYMONTHDAY=27",
        "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
        "FREQ=WEEKLY;BYDAY=MO;BYMONTH=6,7",
        "FREQ=DAILY;INTERVAL=3",
    ):
        assert row(unsayable) is None, unsayable
    # Read back, the rule means the same dates.
    meeting = schedule_meeting({**last, "id": "x"})
    assert meeting["rrule"] == "FREQ=MONTHLY;BYDAY=-1TU"
