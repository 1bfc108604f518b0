"""Entry facts in plain words for pages, popups and handouts (one place, both languages)."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.numbers import format_currency

from web.i18n import Translator

#: Dates and times on the pages are Amsterdam's, whatever the server's zone.
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def money_text(lang: str, amount: Any) -> str:
    """An amount in euro the way the language writes it: '€ 3,50' (nl), '€3.50' (en)."""
    return str(format_currency(Decimal(amount), "EUR", locale=lang))


def _moment(value: Any) -> date | datetime | None:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.astimezone(AMSTERDAM)
    return value if isinstance(value, date) else None


def date_text(lang: str, value: Any) -> str:
    """A date in words: '2 december 2026' (nl), '2 December 2026' (en); '' for none."""
    if value is None or value == "":
        return ""
    moment = _moment(value)
    if moment is None:
        return str(value)
    return str(format_date(moment, "d MMMM y", locale=lang))


def datetime_text(lang: str, value: Any) -> str:
    """A moment in words, in Amsterdam time: '2 december 2026 14:05'."""
    moment = _moment(value)
    if not isinstance(moment, datetime):
        return date_text(lang, value)
    return str(format_datetime(moment, "d MMMM y HH:mm", locale=lang))


def cost_text(t: Translator, entry: Any) -> str:
    """'Gratis', '€ 3,50 per maaltijd' or 'Onbekend'."""
    note = getattr(entry, "cost_note", None)
    amount = getattr(entry, "cost_amount_eur", None)
    if getattr(entry, "cost_free", None):
        return t("fact.free") + (f" ({note})" if note else "")
    if amount is not None:
        return money_text(t.lang, amount) + (f" {note}" if note else "")
    return note or t("fact.unknown")


def facilities_text(t: Translator, location: Any) -> str:
    """The facilities a location has, as a comma list ('' when none is known)."""
    parts = []
    if location.kitchen_available:
        parts.append(t("fact.kitchen"))
    if location.room_available:
        parts.append(t("fact.room"))
    if location.capacity:
        parts.append(t("fact.capacity", n=location.capacity))
    if location.step_free:
        parts.append(t("fact.step_free"))
    if location.accessible_toilet:
        parts.append(t("fact.toilet"))
    if location.scootmobiel_parking:
        parts.append(t("fact.scootmobiel"))
    return ", ".join(parts)


def _time(value: Any) -> str:
    return str(value or "")[:5]


def meeting_text(t: Translator, meeting: dict[str, Any]) -> str:
    """One recurring meeting in words: 'elke dinsdag 18:00-20:00'."""
    parts = dict(p.split("=", 1) for p in str(meeting.get("rrule", "")).split(";") if "=" in p)
    freq, interval, byday = parts.get("FREQ"), parts.get("INTERVAL", "1"), parts.get("BYDAY", "")
    days = [d for d in byday.split(",") if d]
    text = t("when.other")
    if days:
        nth = days[0][:-2]
        names = " & ".join(t(f"day.{d[-2:]}") for d in days)
        if freq == "WEEKLY" and interval == "1":
            text = t("when.weekly", day=names)
        elif freq == "WEEKLY" and interval == "2":
            text = t("when.biweekly", day=names)
        elif freq == "MONTHLY" and nth:
            text = t("when.monthly", nth=t(f"nth.{nth}"), day=t(f"day.{days[0][-2:]}"))
    start, end = _time(meeting.get("start_time")), _time(meeting.get("end_time"))
    if start and end:
        # Written like opening hours ('09:00-17:00'), so a card reads the same for both.
        text += f" {start}-{end}"
    elif start:
        text += " " + t("when.from", start=start)
    elif end:
        text += " " + t("when.until", end=end)
    return text


#: OpenStreetMap's day abbreviations -> the RFC 5545 codes the catalogues name days by (`day.MO`).
_OSM_DAYS = {"Mo": "MO", "Tu": "TU", "We": "WE", "Th": "TH", "Fr": "FR", "Sa": "SA", "Su": "SU"}
_OSM_DAY = r"\b(Mo|Tu|We|Th|Fr|Sa|Su)\b"


def hours_text(t: Translator, expression: str) -> str:
    """OSM opening hours with the days written out: 'Mo-Sa 09:00-17:00' -> 'maandag tot zaterdag 09:00-17:00'.

    Only the words change (days, holidays, closed); the times stay as written, so nothing
    the expression says is lost when a rule is more than these words cover.
    """

    def day(code: str) -> str:
        return t(f"day.{_OSM_DAYS[code]}")

    text = re.sub(
        _OSM_DAY + "-" + _OSM_DAY, lambda m: t("hours.range", first=day(m[1]), last=day(m[2])), expression
    )
    text = re.sub(_OSM_DAY, lambda m: day(m[1]), text)
    text = re.sub(r"\bPH\b", t("hours.holidays"), text)
    text = re.sub(r"\b(off|closed)\b", t("hours.closed"), text)
    text = text.replace("24/7", t("hours.always"))
    # 'maandag,woensdag' and '09:00-12:00,13:00-17:00' read better with a space after the comma.
    return re.sub(r",(?=\S)", ", ", text)


def schedule_text(t: Translator, entry: Any) -> str:
    """When something happens: its meetings in words, then its opening hours."""
    parts = [meeting_text(t, m) for m in getattr(entry, "meetings", None) or []]
    if getattr(entry, "opening_hours", None):
        parts.append(hours_text(t, str(entry.opening_hours)))
    return "; ".join(parts)


def contact_text(entry: Any) -> str:
    """Phone, e-mail and website, as given."""
    return " · ".join(str(v) for v in (entry.phone, entry.email, entry.website) if v)


def address_text(location: Any) -> str:
    """'Recht Boomssloot 52, 1011 EC Amsterdam'."""
    street = " ".join(str(p) for p in (location.street, location.house_number) if p)
    town = " ".join(str(p) for p in (location.postcode, location.city) if p)
    return ", ".join(p for p in (street, town) if p)


def place_text(location: Any) -> str:
    """A place's name and full address: 'De Boomspijker, Recht Boomssloot 52, 1011 EC Amsterdam'.

    Without a street the name still says where ('Buurtkamer Oost, Amsterdam'), never the town alone.
    """
    return ", ".join(part for part in (location.name, address_text(location)) if part)


def access_text(t: Translator, service: Any) -> str:
    """How to get in: walk in, referral, or sign up first."""
    if service.walk_in:
        return t("fact.walk_in")
    if service.referral_required:
        return t("fact.referral")
    if service.walk_in is False:
        return t("fact.sign_up")
    return t("fact.unknown")


def waiting_text(t: Translator, service: Any) -> str:
    """Waiting time in days, in words."""
    if service.waiting_time_days is None:
        return t("fact.no_waiting") if service.walk_in else t("fact.unknown")
    if service.waiting_time_days == 0:
        return t("fact.no_waiting")
    return t("fact.waiting_days", days=service.waiting_time_days)


def what_to_say(t: Translator, service: Any) -> str:
    """The sentence a client can use when they arrive (handout)."""
    if service.walk_in:
        return t("handout.say_walk_in", name=service.name)
    if service.contact_role:
        return t("handout.say_contact", role=service.contact_role)
    return t("handout.say_sign_up", name=service.name)


#: The area name the table importer and the demo give a service that covers the whole city.
CITYWIDE_AREA = "Heel Amsterdam"


def reach_text(t: Translator, service: Any) -> str:
    """How a service without a venue reaches a client, instead of a travel time.

    "Komt bij je thuis · In Zuidoost", "Telefonisch · In heel Amsterdam"; a service
    with an area but no mode or area name still "comes to you in this area".
    """
    modes = [t(f"fact.{mode}") for mode in (getattr(service, "delivery_modes", None) or [])]
    area = getattr(service, "service_area_name", None)
    if area == CITYWIDE_AREA:
        modes.append(t("fact.citywide"))
    elif area:
        modes.append(t("fact.in_area", area=area))
    return " · ".join(modes) if modes else t("fact.comes_to_you")
