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
from html.parser import HTMLParser
from typing import Any

import phonenumbers

from directory import netherlands
from directory.schemas import validators as v
from geo.geocoding.parse import parse_query

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
_ORDINALS = {
    "eerste": 1, "1e": 1, "tweede": 2, "2e": 2, "derde": 3, "3e": 3, "vierde": 4, "4e": 4, "laatste": -1,
}  # fmt: skip
_TIME_RANGE = re.compile(r"(\d{1,2})[:.](\d{2})\s*(?:-|–|tot)\s*(\d{1,2})[:.](\d{2})")
_FREE = ("gratis", "kosteloos", "geen kosten", "free", "niets", "nee", "geen", "0", "0,-", "€0", "€ 0")
_AMOUNT = re.compile(r"(\d+)(?:[.,](\d{1,2}|-))?")
_URL = re.compile(r"(?:https?://)?(?:[a-z0-9-]+\.)+[a-z]{2,}(?:/[^\s,;]*)?", re.IGNORECASE)
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


def parse_date(text: str) -> date:
    """'14-03-2026', '14/3/2026' or '2026-03-14' -> a date; anything else is refused."""
    text = text.strip()
    for pattern in ("%d-%m-%Y", "%d/%m/%Y", "%Y-%m-%d", "%d.%m.%Y"):
        try:
            return date(*time.strptime(text, pattern)[:3])  # a calendar date: no time zone involved
        except ValueError:
            continue
    raise ValueError(f"{text!r} is not a date (write dd-mm-jjjj, like 14-03-2026)")


def parse_when(text: str) -> dict[str, Any] | None:
    """'elke dinsdag 14:00-16:00' or 'eerste maandag van de maand 19.00-21.00' -> a meeting, else None."""
    lower = text.lower()
    days = [code for word, code in _DAYS.items() if word in lower]
    if not days:
        return None
    ordinal = next((n for word, n in _ORDINALS.items() if re.search(rf"\b{re.escape(word)}\b", lower)), None)
    if ordinal is not None and "maand" in lower:
        rule = "FREQ=MONTHLY;BYDAY=" + ",".join(f"{ordinal}{d}" for d in days)
    elif "om de week" in lower or "tweewekelijks" in lower:
        rule = "FREQ=WEEKLY;INTERVAL=2;BYDAY=" + ",".join(days)
    else:
        rule = "FREQ=WEEKLY;BYDAY=" + ",".join(days)
    meeting: dict[str, Any] = {"rrule": rule, "note": text.strip()[:500]}
    times = _TIME_RANGE.search(lower)
    if times:
        h1, m1, h2, m2 = times.groups()
        meeting["start_time"] = f"{int(h1):02d}:{m1}"
        meeting["end_time"] = f"{int(h2):02d}:{m2}"
    return meeting


def parse_cost(text: str) -> dict[str, Any]:
    """'gratis' -> free; '€ 3,50 per maaltijd' -> 3.50 with the text as note; 'kleine vergoeding' -> note."""
    clean = text.strip()
    lower = clean.lower().rstrip(".")
    if lower in _FREE or lower.startswith(("gratis", "kosteloos", "geen kosten")):
        return {"cost_free": True, "cost_note": clean[:500] if lower not in _FREE else None}
    match = _AMOUNT.search(lower)
    if match:
        cents = match.group(2) if match.group(2) not in (None, "-") else "0"
        try:
            amount = Decimal(f"{match.group(1)}.{cents.ljust(2, '0')}")
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


def parse_website(text: str) -> str | None:
    """The first web address in a cell, with https:// when the partner wrote none."""
    match = _URL.search(text.strip())
    if match is None or "@" in text[max(0, match.start() - 1) : match.start() + 1]:
        return None
    url = match.group(0).rstrip(".)")
    return url if url.lower().startswith(("http://", "https://")) else f"https://{url}"


def parse_email(text: str) -> str | None:
    """The first e-mail address in a cell ('mailto:' and names around it dropped)."""
    match = _EMAIL.search(text.replace("mailto:", " "))
    return match.group(0).strip(".").lower() if match else None


def parse_target_groups(text: str) -> tuple[list[str], list[str]]:
    """Target-group codes found in a 'doelgroep' cell, and the parts not understood."""
    codes: list[str] = []
    unknown: list[str] = []
    for part in re.split(r"[,;/\n]| en | and ", text.lower()):
        part = part.strip(" .")
        if not part:
            continue
        hits = [code for word, code in TARGET_WORDS.items() if word in part]
        if hits:
            codes += [c for c in hits if c not in codes]
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


def split_address(text: str) -> tuple[str, str | None]:
    """'Recht Boomssloot 52-H' -> ('Recht Boomssloot', '52-H'); 'Javaplein 2 (oost)' -> ('Javaplein', '2').

    'J.M. Coenenstraat 4 - 6' gives '4-6'; a postcode and city written after the
    number (on the same or the next line) are left out.
    """
    first = re.split(r"[\n,]", text.strip(), maxsplit=1)[0]
    first = re.sub(r"\([^)]*\)", " ", first)
    first = _POSTCODE.sub(" ", first)
    first = re.sub(r"\s+", " ", first).strip()
    match = re.match(
        r"^(.*?\D)\s+(\d+(?:\s*-\s*\d+)?(?:\s*-?\s*(?:huis|[a-zA-Z]{1,3})\b)?)(?:\s+.*)?$", first
    )
    if not match:
        return first, None
    number = re.sub(r"\s*-\s*", "-", match.group(2).strip())
    return match.group(1).strip().rstrip(","), number


def city_in_address(text: str) -> str | None:
    """The town written in an address cell after the street and number ('Spui 1, Den Haag',
    'Warmoesstraat 12 Rotterdam', 'Damrak 1\n1012 LG Amsterdam'), or None.

    A partner list without a city column still says where: dropping the town would let the
    geocoder place 'Spui 1, Den Haag' on the Spui in Amsterdam.
    """
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
