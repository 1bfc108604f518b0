"""Cell values as partners write them, turned into wijkgram's fields.

"gratis", "€ 3,50", "3,50 per maaltijd", "kleine vergoeding"; two phone numbers in
one cell; "www.example.nl" without a scheme; "J.M. Coenenstraat 4 - 6" and
"Javaplein 2 (oost)"; HTML pasted from a website; "elke dinsdag 14:00-16:00".
Each parser returns what it understood and leaves the rest for the caller to
keep as text, so nothing a partner wrote is lost.
"""

from __future__ import annotations

import html
import re
import time
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any

import phonenumbers

from directory import netherlands
from directory.schemas import validators as v
from geo.geocoding.parse import parse_query

if TYPE_CHECKING:
    from pyproj import Transformer

#: Dutch words in a 'doelgroep' cell -> target-group codes of the vocabulary.
TARGET_WORDS: dict[str, str] = {
    "iedereen": "everyone",
    "alle": "everyone",
    "everyone": "everyone",
    "lvb": "mild_intellectual_disability",
    "licht verstandelijke beperking": "mild_intellectual_disability",
    "verstandelijke beperking": "mild_intellectual_disability",
    "psychische": "psychiatric",
    "ggz": "psychiatric",
    "ouderen": "older_people",
    "senioren": "older_people",
    "55+": "older_people",
    "65+": "older_people",
    "jongeren": "youth",
    "jeugd": "youth",
    "tieners": "youth",
    "kinderen": "families",
    "gezinnen": "families",
    "ouders": "families",
    "nieuwkomers": "newcomers",
    "statushouders": "newcomers",
    "vluchtelingen": "newcomers",
    "migranten": "newcomers",
    "eenzaam": "lonely",
    "eenzame": "lonely",
    "mantelzorgers": "caregivers",
    "mantelzorger": "caregivers",
    "minima": "low_income",
    "weinig geld": "low_income",
    "laag inkomen": "low_income",
    "stadspas": "low_income",
    "schulden": "low_income",
    "vrouwen": "women",
    "mannen": "men",
    "lhbti": "lgbtqi",
    "lhbtiq": "lgbtqi",
    "lichamelijke beperking": "physical_disability",
}
#: TARGET_WORDS as patterns, compiled once: a word counts from its start only, so "ouders" is
#: not the end of "statushouders".
_TARGET_PATTERNS = tuple(
    (re.compile(rf"(?<![a-z]){re.escape(word)}"), code) for word, code in TARGET_WORDS.items()
)

#: Words (in an offer, category or description) -> support functions; the first of each is the clearest.
SUPPORT_WORDS: dict[str, tuple[str, ...]] = {
    "practical": (
        "praktisch", "klus", "boodschap", "vervoer", "hulp bij", "burenhulp", "tuin", "verhuis",
        "practical", "rijden", "computerhulp", "digitale hulp",
    ),
    "company": (
        "maatje", "bezoek", "gezelschap", "eenzaam", "luisterend oor", "koffie", "buddy", "contact",
        "company", "samen eten", "maaltijd", "wandel", "praatje",
    ),
    "information": ("informatie", "advies", "spreekuur", "vragen", "informa", "advice", "wegwijs", "loket"),
    "peers": ("lotgenot", "ervaringsdeskund", "zelfhulp", "herkenning", "peer", "gespreksgroep"),
    "language": ("taal", "nederlands leren", "language", "conversatie", "inburger"),
    "money": (
        "geld", "schuld", "budget", "fonds", "financ", "administratie", "voedselbank", "formulier",
        "money", "debt", "belasting", "toeslag",
    ),
    "activity": (
        "activiteit", "sport", "bewegen", "creatief", "meedoen", "vrijwilligerswerk", "cursus", "workshop",
        "activity", "muziek", "dans", "spel", "moestuin",
    ),
}  # fmt: skip
#: Support functions a category implies when a row names none.
CATEGORY_SUPPORT: dict[str, tuple[str, ...]] = {
    "buddy_project": ("company",),
    "language_buddy": ("language",),
    "food_bank": ("money", "practical"),
    "shared_meal": ("company", "activity"),
    "stamtafel": ("company", "peers"),
    "soup_kitchen": ("company", "practical"),
    "community_restaurant": ("company",),
    "peer_group": ("peers",),
    "neighbour_network": ("practical", "company"),
    "community_centre": ("activity", "company"),
    "neighbourhood_room": ("company", "activity"),
    "drop_in_centre": ("company", "information"),
    "volunteer_organisation": ("practical",),
    "repair_cafe": ("practical", "activity"),
    "sports_club": ("activity",),
    "walking_group": ("activity", "company"),
    "elderly_centre": ("company", "activity"),
    "youth_centre": ("activity",),
    "social_facility": ("information",),
}

_DAYS = {
    "maandag": "MO", "dinsdag": "TU", "woensdag": "WE", "donderdag": "TH",
    "vrijdag": "FR", "zaterdag": "SA", "zondag": "SU",
}  # fmt: skip
_WEEK = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
#: Short day names as lists write them ("ma t/m vr", "di en do", "wo."): only as whole words.
_SHORT_DAYS = {"ma": "MO", "di": "TU", "wo": "WE", "do": "TH", "vr": "FR", "za": "SA", "zo": "SU"}
_DAY_NAMES, _SHORT_NAMES = "|".join(_DAYS), "|".join(_SHORT_DAYS)
_DAY_WORD = re.compile(rf"({_DAY_NAMES})|\b({_SHORT_NAMES})\b\.?")
_DAY_RANGE = re.compile(r"^\s*(?:t/m|tm|tot en met|-|–|tot)\s*$")
_ORDINALS = {
    "eerste": 1, "1e": 1, "1ste": 1, "tweede": 2, "2e": 2, "2de": 2, "derde": 3, "3e": 3, "3de": 3,
    "vierde": 4, "4e": 4, "4de": 4, "laatste": -1,
}  # fmt: skip
_ORDINAL = "|".join(sorted(map(re.escape, _ORDINALS), key=len, reverse=True))
#: Ordinals that belong to a day: "1e en 3e donderdag", "eerste zaterdag", not "de eerste keer gratis".
_ORDINAL_DAYS = re.compile(
    rf"\b((?:{_ORDINAL})(?:\s*(?:,|en|&|/)\s*(?:{_ORDINAL}))*)\s+"
    rf"(?={_DAY_NAMES}|(?:{_SHORT_NAMES})\b)"
)
_HOUR = r"([01]?\d|2[0-4])(?:[:.]([0-5]\d))?"
_UUR = r"\s*(?:u\b|uur\b|h\b)?"
#: "14:00-16:00", "10.30 - 12.00", "10-12 uur", "19.00u - 21.00u", "18.00 tot 20.00".
_TIME_RANGE = re.compile(
    rf"(?<![\d:./-]){_HOUR}{_UUR}\s*(?:-|–|tot(?: en met)?|t/m)\s*{_HOUR}(\s*(?:u\b|uur\b|h\b))?(?![\d/-])"
)
#: One time of day: "14.00 uur", "om 19:30", "vanaf 9.30".
_TIME_AT = re.compile(r"(?<![\d:./-])([01]?\d|2[0-3])[:.]([0-5]\d)(?![\d/-])")
_FREE = ("gratis", "kosteloos", "geen kosten", "free", "niets", "nee", "geen", "0", "0,-", "€0", "€ 0")
#: "3,50", "5,-", "2.50", "1.250" (thousands), "1.250,00".
_AMOUNT = re.compile(r"(\d{1,3}(?:\.\d{3})+(?!\d)|\d+)(?:,(\d{1,2}|-)|\.(\d{1,2})(?!\d))?")
_URL = re.compile(r"(?:https?://)?(?:[a-z0-9-]+\.)+[a-z]{2,}(?:/[^\s,;]*)?", re.IGNORECASE)
_AT = re.compile(r"\s*(?:\[\s*at\s*\]|\(\s*at\s*\)|\{\s*at\s*\}|\s+apenstaartje\s+)\s*", re.IGNORECASE)
_DOT = re.compile(r"\s*(?:\[\s*(?:dot|punt)\s*\]|\(\s*(?:dot|punt)\s*\))\s*", re.IGNORECASE)
_EMAIL = re.compile(r"[^@\s<>()\[\],;:]+@[^@\s<>()\[\],;:]+\.[a-z]{2,}", re.IGNORECASE)
#: The one Dutch postcode pattern (directory/netherlands.py), as a word in a text.
_POSTCODE = netherlands.POSTCODE_IN_TEXT


class _Text(HTMLParser):
    """Collects the text of an HTML fragment; block elements become line breaks."""

    BLOCKS = frozenset({"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "ul", "ol"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.skip += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def strip_html(text: str) -> str:
    """Text without HTML tags or entities (a cell pasted from a website); plain text passes unchanged."""
    if "<" not in text and "&" not in text:
        return text
    if not re.search(r"<\s*/?\s*[a-zA-Z][^>]*>|&[#a-zA-Z0-9]+;", text):
        return text
    parser = _Text()
    parser.feed(text)
    parser.close()
    joined = html.unescape("".join(parser.parts))
    lines = [re.sub(r"[ \t\xa0]+", " ", line).strip() for line in joined.splitlines()]
    return "\n".join(line for line in lines if line)


_MONTHS = {
    "januari": 1, "jan": 1, "februari": 2, "feb": 2, "maart": 3, "mrt": 3, "april": 4, "apr": 4,
    "mei": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "augustus": 8, "aug": 8, "september": 9,
    "sep": 9, "sept": 9, "oktober": 10, "okt": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip
_WRITTEN_DATE = re.compile(r"^(?:[a-z]+\.?\s+)?(\d{1,2})\s+([a-z]+)\.?\s+(\d{4})$")


def parse_date(text: str) -> date:
    """'14-03-2026', '14/3/2026', '2026-03-14', '14 maart 2026' or an Excel date and time -> a date."""
    text = text.strip()
    for pattern in ("%d-%m-%Y", "%d/%m/%Y", "%Y-%m-%d", "%d.%m.%Y"):
        try:
            return date(*time.strptime(text, pattern)[:3])  # a calendar date: no time zone involved
        except ValueError:
            continue
    if re.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?$", text):  # an Excel date with a time
        return date.fromisoformat(text[:10])
    written = _WRITTEN_DATE.match(text.lower())
    if written and written.group(2) in _MONTHS:
        try:
            return date(int(written.group(3)), _MONTHS[written.group(2)], int(written.group(1)))
        except ValueError as exc:
            raise ValueError(f"{text!r} is not a date ({exc})") from exc
    raise ValueError(f"{text!r} is not a date (write dd-mm-jjjj, like 14-03-2026)")


def _days(lower: str) -> list[str]:
    """The weekdays a text names, in week order; "ma t/m vr" and "maandag tot en met vrijdag" are ranges."""
    found = list(_DAY_WORD.finditer(lower))
    if not any(m.group(1) for m in found) and not (_TIME_RANGE.search(lower) or len(found) > 1):
        found = []  # a lone "zo" or "do" without a time is a word, not a day
    codes: list[str] = []
    for index, match in enumerate(found):
        code = _DAYS[match.group(1)] if match.group(1) else _SHORT_DAYS[match.group(2)]
        codes.append(code)
        if index and _DAY_RANGE.match(lower[found[index - 1].end() : match.start()]):
            first, last = _WEEK.index(codes[-2]), _WEEK.index(code)
            if first < last:
                codes[-1:-1] = _WEEK[first + 1 : last]
    if not codes and re.search(r"\b(?:dagelijks|elke dag|iedere dag|daily)\b", lower):
        codes = list(_WEEK)
    return sorted(set(codes), key=_WEEK.index)


def _clock(hour: str, minutes: str | None) -> str:
    return f"{int(hour) % 24:02d}:{minutes or '00'}"


def parse_times(text: str) -> tuple[str | None, str | None]:
    """Start and end time written in a text ("10-12 uur" -> 10:00, 12:00; "om 14.00" -> 14:00, None)."""
    lower = text.lower()
    for match in _TIME_RANGE.finditer(lower):
        h1, m1, h2, m2, unit = match.groups()
        # "10-12" is only a time with minutes or "uur" after it; "6-12 jaar" is an age range.
        if m1 or m2 or unit or re.match(r"\s*(?:u\b|uur\b)", lower[match.end(2) if m1 else match.end(1) :]):
            return _clock(h1, m1), _clock(h2, m2)
    single = _TIME_AT.search(lower)
    if single:
        return _clock(single.group(1), single.group(2)), None
    return None, None


def parse_when(text: str) -> dict[str, Any] | None:
    """'elke dinsdag 14:00-16:00', 'ma t/m vr 9.00-17.00 uur', '1e en 3e donderdag' -> a meeting, else None.

    An ordinal before a day ("2e dinsdag", "1e en 3e donderdag") makes the meeting
    monthly; "om de week" makes it fortnightly. The whole text stays as the note.
    """
    lower = " ".join(text.lower().split())
    days = _days(lower)
    if not days:
        return None
    ordinals: list[int] = []
    for match in _ORDINAL_DAYS.finditer(lower):
        ordinals += [_ORDINALS[w] for w in re.findall(_ORDINAL, match.group(1))]
    ordinals = list(dict.fromkeys(ordinals))
    if ordinals:
        rule = "FREQ=MONTHLY;BYDAY=" + ",".join(f"{n}{d}" for n in ordinals for d in days)
    elif "om de week" in lower or "tweewekelijks" in lower or "om de twee weken" in lower:
        rule = "FREQ=WEEKLY;INTERVAL=2;BYDAY=" + ",".join(days)
    else:
        rule = "FREQ=WEEKLY;BYDAY=" + ",".join(days)
    meeting: dict[str, Any] = {"rrule": rule, "note": text.strip()[:500]}
    start, end = parse_times(lower)
    if start:
        meeting["start_time"] = start
    if end:
        meeting["end_time"] = end
    return meeting


_OH_DAYS = {code: code.capitalize() for code in _WEEK}  # "MO" -> "Mo"


def opening_hours_from_text(text: str) -> str | None:
    """Dutch opening hours as opening-hours syntax: 'ma t/m vr 9.00-17.00 uur' -> 'Mo-Fr 09:00-17:00'.

    Only a plain weekly rule with a start and an end time converts; anything more
    ("1e dinsdag", "in de vakanties gesloten") is left for the caller to keep as text.
    """
    meeting = parse_when(text)
    if (
        meeting is None
        or not meeting.get("end_time")
        or not meeting["rrule"].startswith("FREQ=WEEKLY;BYDAY=")
    ):
        return None
    if re.search(r"gesloten|behalve|niet |vakantie|zomer|afspraak", text.lower()):
        return None
    days = meeting["rrule"].split("BYDAY=", 1)[1].split(",")
    groups: list[list[str]] = []
    for day in days:
        if groups and _WEEK.index(day) == _WEEK.index(groups[-1][-1]) + 1:
            groups[-1].append(day)
        else:
            groups.append([day])
    spans = [
        _OH_DAYS[g[0]] if len(g) == 1 else f"{_OH_DAYS[g[0]]}{'-' if len(g) > 2 else ','}{_OH_DAYS[g[-1]]}"
        for g in groups
    ]
    return f"{','.join(spans)} {meeting['start_time']}-{meeting['end_time']}"


def parse_cost(text: str) -> dict[str, Any]:
    """'gratis' -> free; '€ 3,50 per maaltijd' -> 3.50 with the text as note; 'kleine vergoeding' -> note."""
    clean = text.strip()
    lower = clean.lower().rstrip(".")
    if lower in _FREE or lower.startswith(("gratis", "kosteloos", "geen kosten")):
        return {"cost_free": True, "cost_note": clean[:500] if lower not in _FREE else None}
    match = _AMOUNT.search(lower)
    if match:
        cents = next((c for c in match.group(2, 3) if c not in (None, "-")), "0")
        try:
            amount = Decimal(f"{match.group(1).replace('.', '')}.{cents.ljust(2, '0')}")
        except InvalidOperation:
            amount = None
        if amount is not None and amount <= 100_000:
            return {
                "cost_free": amount == 0,
                "cost_amount_eur": str(amount.quantize(Decimal("0.01"))),
                "cost_note": clean[:500],
            }
    return {"cost_free": False, "cost_note": clean[:500]}


def parse_phones(text: str) -> tuple[list[str], str]:
    """Every Dutch phone number in a cell, normalised ('020 626 4002' -> '+31 20 626 4002'), and the rest."""
    found: list[str] = []
    rest = text
    for match in phonenumbers.PhoneNumberMatcher(text, "NL"):
        number = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
        if number not in found:
            found.append(number)
        rest = rest.replace(match.raw_string, " ")
    if not found:
        try:
            found.append(v.normalise_phone(text))
            rest = ""
        except ValueError:
            pass
    rest = re.sub(r"^[\s,;/|:-]+|[\s,;/|:-]+$", "", re.sub(r"\b(of|en|or|and)\b", " ", rest)).strip()
    return found, rest


def _without_emails(text: str) -> str:
    """The cell with its e-mail addresses blanked out: "jan.de.vries@x.nl" holds no site."""
    return _EMAIL.sub(" ", text.replace("mailto:", " "))


def _site(match: re.Match[str]) -> str:
    """A web address found by `_URL`, with https:// when the partner wrote none."""
    url = match.group(0).rstrip(".)")
    return url if url.lower().startswith(("http://", "https://")) else f"https://{url}"


def parse_website(text: str) -> str | None:
    """The first web address in a cell, with https:// when the partner wrote none."""
    text = _without_emails(text)
    match = _URL.search(text.strip())
    if match is None or "@" in text[max(0, match.start() - 1) : match.start() + 1]:
        return None
    return _site(match)


def parse_email(text: str) -> str | None:
    """The first e-mail address in a cell ('mailto:' and names around it dropped)."""
    found = parse_emails(text)
    return found[0] if found else None


def parse_emails(text: str) -> list[str]:
    """Every e-mail address in a cell, in order, each once ("info [at] x.nl" written against spam too)."""
    text = _AT.sub("@", text.replace("mailto:", " "))
    text = _DOT.sub(".", text)
    found = [m.group(0).strip(".").lower() for m in _EMAIL.finditer(text)]
    return list(dict.fromkeys(found))


def is_rd(x: float, y: float) -> bool:
    """True for a point in RD New (EPSG:28992) metres on Dutch soil, not degrees."""
    return 0 <= x <= 300_000 and 289_000 <= y <= 630_000


@cache
def rd_transformer() -> Transformer:
    """RD New (EPSG:28992) to WGS84, x/y in and lon/lat out; made on first use (it takes a moment)."""
    from pyproj import Transformer

    return Transformer.from_crs("EPSG:28992", "EPSG:4326", always_xy=True)


def rd_to_wgs84(x: float, y: float) -> tuple[float, float]:
    """An RD New point as (lat, lon)."""
    lon, lat = rd_transformer().transform(x, y)
    return lat, lon


def parse_websites(text: str) -> list[str]:
    """Every web address in a cell ("www.a.nl / facebook.com/a"), each with a scheme."""
    return list(dict.fromkeys(_site(match) for match in _URL.finditer(_without_emails(text))))


def parse_target_groups(text: str) -> tuple[list[str], list[str]]:
    """Target-group codes found in a 'doelgroep' cell, and the parts not understood."""
    codes: list[str] = []
    unknown: list[str] = []
    for part in re.split(r"[,;/\n]| en | and ", text.lower()):
        part = part.strip(" .")
        if not part:
            continue
        hits = [code for pattern, code in _TARGET_PATTERNS if pattern.search(part)]
        if len(set(hits)) > 1 and "everyone" in hits:
            hits = [c for c in hits if c != "everyone"]  # "alle ouderen" is for older people
        if hits:
            codes += [c for c in dict.fromkeys(hits) if c not in codes]
        else:
            unknown.append(part)
    return codes, unknown


def support_functions_in(*texts: str | None) -> list[str]:
    """Support functions the words of some cells point at, in the vocabulary's order."""
    lower = " ".join(t.lower() for t in texts if t)
    return [code for code, words in SUPPORT_WORDS.items() if any(w in lower for w in words)]


def find_postcode(text: str) -> str | None:
    """A Dutch postcode written anywhere in a text ('... 1095 CJ Amsterdam'), normalised."""
    match = _POSTCODE.search(text)
    return f"{match.group(1)} {match.group(2).upper()}" if match else None


_STREET_NUMBER = re.compile(
    r"^(.*?\D)\s+(\d+(?:\s*-\s*\d+)?(?:\s*-?\s*(?:huis|[a-zA-Z]{1,3}|I{1,3}|IV)\b)?)(?:\s+.*)?$"
)
_ROMAN = {"I": "1", "II": "2", "III": "3", "IV": "4"}


def house_number(number: str) -> str:
    """A house number as the register writes it: '13 hs' -> '13-H', '63 A' -> '63A', '16-III' -> '16-3'.

    Amsterdam writes the ground floor as "hs" or "huis" (the register's suffix H) and
    upper floors in Roman numerals; a single letter after a space is the house letter.
    """
    number = re.sub(r"\s*-\s*", "-", number.strip())
    match = re.match(r"^(\d+)\s*-?\s*(hs|huis|h)$", number, re.IGNORECASE)
    if match:
        return f"{match.group(1)}-H"
    match = re.match(r"^(\d+)\s*-?\s*(I{1,3}|IV)$", number)
    if match:
        return f"{match.group(1)}-{_ROMAN[match.group(2)]}"
    match = re.match(r"^(\d+)\s+([a-zA-Z])$", number)
    if match:
        return f"{match.group(1)}{match.group(2).upper()}"
    return number


def address_parts(text: str) -> tuple[str | None, str, str | None]:
    """A venue's name (if written before the address), the street and the number of an address cell.

    'Buurthuis De Kraaipan, Kraaipan 13 hs' -> ('Buurthuis De Kraaipan', 'Kraaipan', '13-H');
    'Wijkcentrum Oost (Linnaeusstraat 89)' -> ('Wijkcentrum Oost', 'Linnaeusstraat', '89');
    a cell without a street and number gives its first line as the street.
    """
    text = text.strip()
    inside = re.findall(r"\(([^)]*)\)", text)
    bare = re.sub(r"\([^)]*\)", " ", text)
    parts = [p for p in re.split(r"[\n,]", bare) if p.strip()] or [bare]
    candidates = [(i, p) for i, p in enumerate(parts)] + [(-1, p) for p in inside]
    for index, part in candidates:
        part = re.sub(r"\s+", " ", _POSTCODE.sub(" ", part)).strip()
        match = _STREET_NUMBER.match(part)
        if match and re.search(r"[a-zA-Z]{2}", match.group(1)):
            venue = ", ".join(p.strip() for p in parts[: index if index >= 0 else len(parts)]).strip() or None
            if venue and _STREET_NUMBER.match(venue):
                venue = None
            return venue, match.group(1).strip().rstrip(","), house_number(match.group(2))
    first = re.sub(r"\s+", " ", _POSTCODE.sub(" ", parts[0])).strip()
    return None, first, None


def split_address(text: str) -> tuple[str, str | None]:
    """'Recht Boomssloot 52-H' -> ('Recht Boomssloot', '52-H'); 'Javaplein 2 (oost)' -> ('Javaplein', '2').

    'J.M. Coenenstraat 4 - 6' gives '4-6'; a postcode and city written after the
    number (on the same or the next line) are left out; a venue's name before the
    address ('Buurthuis De Kraaipan, Kraaipan 13 hs') is skipped (see `address_parts`).
    """
    _venue, street, number = address_parts(text)
    return street, number


def looks_like_address(text: str) -> bool:
    """True when a cell names a street and number, or a PO box, rather than an area ('Oost', 'online')."""
    lower = text.strip().lower()
    if lower.startswith(("postbus", "antwoordnummer")):
        return True
    _venue, _street, number = address_parts(text)
    return number is not None


def city_in_address(text: str) -> str | None:
    """The town written in an address cell after the street and number ('Spui 1, Den Haag',
    'Warmoesstraat 12 Rotterdam', 'Damrak 1\n1012 LG Amsterdam'), or None.

    A partner list without a city column still says where: dropping the town would let the
    geocoder place 'Spui 1, Den Haag' on the Spui in Amsterdam.
    """
    venue, _street, _number = address_parts(text)
    text = text.strip()
    if venue and text.startswith(venue):
        # "Buurtkamer De Boomspijker, Recht Boomssloot 52": the venue's name is no town.
        text = text[len(venue) :].lstrip(" ,\n")
    cleaned = re.sub(r"\([^)]*\)", " ", text.replace("\n", ", "))
    place = parse_query(cleaned).place
    return place.strip(" ,.") or None if place else None


def first_house_number(number: str | None) -> str | None:
    """The number a geocoder can place: a range '4-6' -> '4'; '52-H' and a floor '13-3' stay.

    A second number larger than the first is a range of doors ('111-113'); a smaller one is
    the floor or flat behind one door ('13-3', '12-1'), which the geocoder needs whole.
    """
    if not number:
        return None
    match = re.match(r"^(\d+)-(\d+)$", number)
    return match.group(1) if match and int(match.group(2)) > int(match.group(1)) else number
