"""wijkgram meetings and opening hours <-> HSDS schedule rows.

HSDS 3.0 schedules are RFC 5545 rules cut into fields (freq WEEKLY or MONTHLY, interval,
byday, bymonthday, count, dtstart, until, opens_at, closes_at). Times are Amsterdam
wall-clock times; `timezone` (a UTC offset in hours, the only form HSDS 3.0 has) says
Amsterdam's offset on the first date, or its standard offset (+1) when there is none.
Opening hours (OpenStreetMap syntax) are evaluated over a few reference weeks and become one
weekly schedule per time span and its days, when every such week is the same (so not for
seasonal or dated hours); spans are cut at midnight. What schedules cannot say exactly (public
holidays, 24:00, seasons, open ends, sunrise) stays in the extension: the exporter compares
what an importer would read back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

import opening_hours
from dateutil.rrule import rrulestr

from directory.meetings import AMSTERDAM, DEFAULT_ANCHOR, local_time
from directory.search.schedule import PARSE_ERRORS

OSM_DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
RRULE_DAYS = tuple(d.upper() for d in OSM_DAYS)
HSDS_FREQS = ("WEEKLY", "MONTHLY")
_BYDAY = re.compile(r"^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")


def amsterdam_offset(day: date | None) -> int:
    """Amsterdam's UTC offset in whole hours on a day (standard time when there is no day)."""
    moment = datetime.combine(day or date(2026, 1, 5), time(12), tzinfo=AMSTERDAM)
    offset = moment.utcoffset()
    return int(offset.total_seconds() // 3600) if offset is not None else 1


def _rule_parts(rule: str) -> dict[str, str]:
    return dict(p.split("=", 1) for p in rule.removeprefix("RRULE:").split(";") if "=" in p)


def first_occurrence(rule: str) -> date:
    """The first date of a rule without dtstart, counted from the anchor wijkgram uses for it."""
    anchor = datetime.combine(DEFAULT_ANCHOR, time())
    first = rrulestr(rule.removeprefix("RRULE:"), dtstart=anchor).after(anchor, inc=True)
    return first.date() if isinstance(first, datetime) else DEFAULT_ANCHOR


#: RRULE parts an HSDS 3.0 schedule has a field for.
_SAYABLE = frozenset({"FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "COUNT", "WKST", "UNTIL"})


def _hsds_parts(parts: dict[str, str]) -> dict[str, str] | None:
    """The rule's parts as HSDS can hold them (an equivalent rule), or None when it cannot.

    HSDS 3.0 has only WEEKLY and MONTHLY and no BYSETPOS: a daily rule is every day of the
    week, "the last Tuesday" (BYDAY=TU;BYSETPOS=-1) is BYDAY=-1TU; anything else (yearly rules,
    BYMONTH, a position among several days) has no HSDS form, and a row without those parts
    would say something else (every Tuesday instead of the last one).
    """
    parts = dict(parts)
    if parts.get("FREQ") == "DAILY" and parts.get("INTERVAL", "1") == "1" and "BYMONTHDAY" not in parts:
        parts["FREQ"] = "WEEKLY"
        parts.setdefault("BYDAY", ",".join(RRULE_DAYS))
    position = parts.pop("BYSETPOS", None)
    if position is not None:
        day = _BYDAY.match(parts.get("BYDAY", ""))
        number = int(position) if re.fullmatch(r"[+-]?\d", position) else 0
        if parts.get("FREQ") != "MONTHLY" or not day or day[1] or "BYMONTHDAY" in parts or not number:
            return None
        parts["BYDAY"] = f"{number}{day[2]}"
    if parts.get("FREQ") not in HSDS_FREQS or set(parts) - _SAYABLE:
        return None
    return parts


def _hhmmss(value: object) -> str:
    """HH:MM:SS, the form of a Table Schema time (a meeting may hold "18:00" or fractions)."""
    return time.fromisoformat(str(value)).strftime("%H:%M:%S")


def meeting_schedule(meeting: dict[str, Any]) -> dict[str, Any] | None:
    """The HSDS schedule fields of one meeting; None when HSDS has no form for its rule (the
    exporter keeps the meeting in the extension then)."""
    parts = _hsds_parts(_rule_parts(str(meeting["rrule"])))
    if parts is None:
        return None
    out: dict[str, Any] = {"freq": parts["FREQ"]}
    interval = int(parts.get("INTERVAL", "1"))
    out["interval"] = interval
    for key in ("BYDAY", "BYMONTHDAY", "COUNT", "WKST"):
        if key in parts:
            out[key.lower()] = int(parts[key]) if key == "COUNT" else parts[key]
    start = meeting.get("dtstart")
    if not start and interval > 1:
        # "Every other Thursday" needs a first date; wijkgram counts such rules from its anchor.
        start = first_occurrence(str(meeting["rrule"])).isoformat()
    if start:
        out["dtstart"] = str(start)
    until = meeting.get("until") or (
        f"{parts['UNTIL'][:4]}-{parts['UNTIL'][4:6]}-{parts['UNTIL'][6:8]}" if "UNTIL" in parts else None
    )
    if until:
        out["until"] = str(until)
    out["timezone"] = amsterdam_offset(date.fromisoformat(str(start)) if start else None)
    if meeting.get("start_time"):
        out["opens_at"] = _hhmmss(meeting["start_time"])
    if meeting.get("end_time"):
        out["closes_at"] = _hhmmss(meeting["end_time"])
    if meeting.get("note"):
        out["description"] = meeting["note"]
    return out


#: Weeks without Dutch public holidays in different seasons: opening hours that give the same
#: week in all of them are weekly, and become HSDS schedules.
REFERENCE_WEEKS = tuple(
    date.fromisoformat(d) for d in ("2026-01-12", "2026-03-09", "2026-06-08", "2026-09-14", "2026-11-09")
)


def _week(parsed: Any, monday: date) -> list[tuple[str, str, str]]:
    """(RRULE day, opens, closes) of every open span in one week, cut at midnight."""
    start = datetime.combine(monday, time())
    pieces: list[tuple[str, str, str]] = []
    for begin, finish, state, _comment in parsed.intervals(start, start + timedelta(days=7)):
        if state != opening_hours.State.OPEN:
            continue
        cursor = begin
        while cursor < finish:
            midnight = datetime.combine(cursor.date() + timedelta(days=1), time())
            stop = min(finish, midnight)
            # A Table Schema time ends at 23:59:59; the extension keeps the exact string.
            closes = "23:59:59" if stop == midnight else stop.strftime("%H:%M:%S")
            pieces.append((RRULE_DAYS[cursor.weekday()], cursor.strftime("%H:%M:%S"), closes))
            cursor = stop
    return pieces


def _grouped(pieces: list[tuple[str, str, str]]) -> list[tuple[list[str], str, str]]:
    """One entry per time span with the days it applies to, in week order."""
    days: dict[tuple[str, str], list[str]] = {}
    for day, opens, closes in pieces:
        days.setdefault((opens, closes), [])
        if day not in days[(opens, closes)]:
            days[(opens, closes)].append(day)
    spans = [(sorted(d, key=RRULE_DAYS.index), o, c) for (o, c), d in days.items()]
    return sorted(spans, key=lambda span: (RRULE_DAYS.index(span[0][0]), span[1]))


#: Times without an exact clock time: an open end ("18:00+") and the sun's times, which the
#: evaluator reads as "until midnight" and as fixed hours (07:00-19:00, it has no coordinates).
_INEXACT = re.compile(r"\+|\b(sunrise|sunset|dawn|dusk)\b", re.IGNORECASE)
_COMMENT = re.compile(r'"[^"]*"')


def opening_hours_schedules(value: str) -> list[dict[str, Any]]:
    """Weekly schedule fields for opening hours (OpenStreetMap syntax), evaluated over reference
    weeks; [] when they cannot be read, differ from week to week (seasons, dates) or have no
    exact clock times (an open end, sunrise)."""
    if not value.strip() or _INEXACT.search(_COMMENT.sub("", value)):
        return []
    try:
        parsed = opening_hours.OpeningHours(value)
        weeks = [_grouped(_week(parsed, monday)) for monday in REFERENCE_WEEKS]
    except PARSE_ERRORS:
        return []
    if any(week != weeks[0] for week in weeks):
        return []
    return [
        {
            "freq": "WEEKLY",
            "interval": 1,
            "byday": ",".join(days),
            "timezone": amsterdam_offset(None),
            "opens_at": opens,
            "closes_at": closes,
        }
        for days, opens, closes in weeks[0]
    ]


def _day_spec(codes: list[str]) -> str:
    """OSM day list: runs of three or more days as ranges (Mo-Fr), others one by one (Tu,Th)."""
    index = sorted({RRULE_DAYS.index(c) for c in codes})
    parts: list[str] = []
    run: list[int] = []
    for i in [*index, 99]:
        if run and i == run[-1] + 1:
            run.append(i)
            continue
        if len(run) >= 3:
            parts.append(f"{OSM_DAYS[run[0]]}-{OSM_DAYS[run[-1]]}")
        else:
            parts.extend(OSM_DAYS[d] for d in run)
        run = [i]
    return ",".join(parts)


def _hhmm(value: str, on: date | None) -> str:
    return local_time(value, on).strftime("%H:%M")


def schedules_opening_hours(rows: Iterable[dict[str, Any]]) -> tuple[str | None, list[str]]:
    """An opening-hours string from weekly schedules, and the reasons rows were left out.

    In opening-hours syntax a later rule replaces an earlier one on the days they share, so
    the spans are gathered per day and each day is named in one rule only.
    """
    per_day: dict[str, list[str]] = {}
    left_out: list[str] = []
    for row in rows:
        codes = [c.strip().upper() for c in str(row.get("byday") or "").split(",") if c.strip()]
        simple = (
            row.get("freq") == "WEEKLY"
            and int(float(row.get("interval") or 1)) == 1
            and codes
            and all(c in RRULE_DAYS for c in codes)
        )
        if not simple or not row.get("opens_at") or not row.get("closes_at"):
            left_out.append("not a weekly day list with opening and closing times")
            continue
        try:
            on = _first_date(row)
            opens, closes = (_hhmm(_with_zone(str(row[k]), row), on) for k in ("opens_at", "closes_at"))
        except ValueError as exc:
            left_out.append(f"unreadable date or time: {exc}")
            continue
        for code in codes:
            per_day.setdefault(code, []).append(f"{opens}-{closes}")
    days_of: dict[str, list[str]] = {}
    for code in sorted(per_day, key=RRULE_DAYS.index):
        days_of.setdefault(",".join(sorted(set(per_day[code]))), []).append(code)
    text = "; ".join(f"{_day_spec(codes)} {spans}" for spans, codes in days_of.items())
    return text or None, left_out


def _first_date(row: dict[str, Any]) -> date | None:
    value = row.get("dtstart") or row.get("valid_from")
    return date.fromisoformat(str(value)[:10]) if value else None


def _with_zone(value: str, row: dict[str, Any]) -> str:
    """A naive time in a schedule with a `timezone` other than Amsterdam's gets that offset."""
    zone = row.get("timezone")
    if zone in (None, "") or re.search(r"(Z|[+-]\d\d:?\d\d)$", value):
        return value
    hours = float(zone)
    if hours in (1, 2):
        return value  # Amsterdam's own offsets: local time
    sign = "+" if hours >= 0 else "-"
    minutes = round(abs(hours) * 60)
    return f"{value}{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def _byday(value: str) -> str:
    """A BYDAY list in RFC 5545 form ("1TU", "-1FR", "MO,WE"); raises ValueError otherwise."""
    codes = [c.strip().upper() for c in value.split(",") if c.strip()]
    for code in codes:
        match = _BYDAY.match(code)
        if not match or (match[1] and not 1 <= abs(int(match[1])) <= 5):
            raise ValueError(f"byday {value!r} is not an RFC 5545 day list")
    return ",".join(c.removeprefix("+") for c in codes)


def _rule(row: dict[str, Any]) -> str:
    parts = [f"FREQ={str(row['freq']).upper()}"]
    interval = int(float(row.get("interval") or 1))
    if interval != 1:
        parts.append(f"INTERVAL={interval}")
    if row.get("byday"):
        parts.append(f"BYDAY={_byday(str(row['byday']))}")
    for key in ("bymonthday", "count", "wkst"):
        if row.get(key) not in (None, ""):
            value = int(float(row[key])) if key == "count" else str(row[key]).replace(" ", "")
            parts.append(f"{key.upper()}={value}")
    rule = ";".join(parts)
    # Refuse what dateutil cannot read; the rule is in wall-clock time, like every meeting.
    rrulestr(rule, dtstart=datetime(2026, 1, 5))  # noqa: DTZ001
    return rule


def schedule_meeting(row: dict[str, Any]) -> dict[str, Any]:
    """A wijkgram meeting from an HSDS schedule row; ValueError when it holds no usable rule."""
    if not row.get("freq"):
        raise ValueError("the schedule has no freq (no recurrence to keep)")
    meeting: dict[str, Any] = {"rrule": _rule(row)}
    on = _first_date(row)
    if row.get("dtstart"):
        meeting["dtstart"] = str(row["dtstart"])[:10]
    if row.get("until"):
        meeting["until"] = str(row["until"])[:10]
    for ours, theirs in (("start_time", "opens_at"), ("end_time", "closes_at")):
        if row.get(theirs):
            meeting[ours] = local_time(_with_zone(str(row[theirs]), row), on).isoformat()
    note = row.get("description") or row.get("notes")
    if note:
        meeting["note"] = str(note)
    return meeting
