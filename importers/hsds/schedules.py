"""wijkgram meetings and opening hours <-> HSDS schedule rows.

HSDS 3.0 schedules are RFC 5545 rules cut into fields (freq WEEKLY or MONTHLY, interval,
byday, bymonthday, count, dtstart, until, opens_at, closes_at). Times are Amsterdam
wall-clock times; `timezone` (a UTC offset in hours, the only form HSDS 3.0 has) says
Amsterdam's offset on the first date, or its standard offset (+1) when there is none.
Opening hours (OpenStreetMap syntax) become one weekly schedule per day set and time span,
as far as the simple form `Mo-Fr 09:00-17:00; Sa 10:00-12:00` goes; what it cannot say stays
in the extension (the exporter compares what an importer would read back).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, time
from typing import Any

from dateutil.rrule import rrulestr

from directory.meetings import AMSTERDAM, DEFAULT_ANCHOR, local_time

OSM_DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
RRULE_DAYS = tuple(d.upper() for d in OSM_DAYS)
HSDS_FREQS = ("WEEKLY", "MONTHLY")
_DAYSPEC = r"[A-Z][a-z](?:-[A-Z][a-z])?"
_SPAN = r"\d\d:\d\d-\d\d:\d\d"
_RULE = re.compile(rf"^(?P<days>{_DAYSPEC}(?:,{_DAYSPEC})*) (?P<spans>{_SPAN}(?:,{_SPAN})*)$")
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


def meeting_schedule(meeting: dict[str, Any]) -> dict[str, Any]:
    """The HSDS schedule fields of one meeting (what HSDS can express of it)."""
    parts = _rule_parts(str(meeting["rrule"]))
    out: dict[str, Any] = {}
    if parts.get("FREQ") in HSDS_FREQS:
        out["freq"] = parts["FREQ"]
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
    if meeting.get("until"):
        out["until"] = str(meeting["until"])
    out["timezone"] = amsterdam_offset(date.fromisoformat(str(start)) if start else None)
    if meeting.get("start_time"):
        out["opens_at"] = str(meeting["start_time"])
    if meeting.get("end_time"):
        out["closes_at"] = str(meeting["end_time"])
    if meeting.get("note"):
        out["description"] = meeting["note"]
    return out


def _expand_days(spec: str) -> list[str]:
    days: list[str] = []
    for part in spec.split(","):
        first, _, last = part.partition("-")
        a = OSM_DAYS.index(first)
        b = OSM_DAYS.index(last) if last else a
        if b < a:
            raise ValueError(part)
        days.extend(OSM_DAYS[a : b + 1])
    return days


def opening_hours_schedules(value: str) -> list[dict[str, Any]]:
    """Weekly schedule fields for an opening-hours string; [] for a form this cannot read."""
    out: list[dict[str, Any]] = []
    for rule in (r.strip() for r in value.split(";")):
        match = _RULE.match(rule)
        if not match:
            return []
        try:
            days = _expand_days(match["days"])
        except ValueError:
            return []
        for span in match["spans"].split(","):
            opens, closes = span.split("-")
            out.append(
                {
                    "freq": "WEEKLY",
                    "interval": 1,
                    "byday": ",".join(d.upper() for d in days),
                    "timezone": amsterdam_offset(None),
                    "opens_at": f"{opens}:00",
                    "closes_at": f"{closes}:00",
                }
            )
    return out


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
    """An opening-hours string from weekly schedules, and the reasons rows were left out."""
    spans: dict[str, list[str]] = {}
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
        on = _first_date(row)
        days = _day_spec(codes)
        opens, closes = (_hhmm(_with_zone(str(row[k]), row), on) for k in ("opens_at", "closes_at"))
        spans.setdefault(days, []).append(f"{opens}-{closes}")
    text = "; ".join(f"{days} {','.join(times)}" for days, times in spans.items())
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
    rrulestr(rule, dtstart=datetime(2026, 1, 5))  # refuse what dateutil cannot read
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
