"""Today and now in Amsterdam: the one place that says which day wijkgram means.

Opening hours, meetings, "verified today" and the date on a handout are Amsterdam
wall-clock notions. The server may run in UTC (the Docker image) or in any other
zone, so nothing asks the system's zone: between midnight and 01:00 or 02:00 the
UTC date is still yesterday here.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

#: The zone of every wall-clock time in wijkgram (opening hours, meetings, `open_at`).
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def now_amsterdam() -> datetime:
    """The current moment as an aware datetime in Amsterdam time."""
    return datetime.now(AMSTERDAM)


def today_amsterdam() -> date:
    """Today's date in Amsterdam, whatever the server's own zone."""
    return now_amsterdam().date()
