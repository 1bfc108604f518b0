"""Read a Dutch address query: postcode, house number, street, place.

Accepts what people type: "1102 AB 12", "1102ab12", "1011 EC",
"Recht Boomssloot 52", "Bijlmerdreef 101-H, Amsterdam".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from directory import netherlands

POSTCODE = netherlands.POSTCODE_IN_TEXT
#: A postcode with the house number stuck to it: '1102ab12'.
POSTCODE_GLUED = re.compile(rf"^\s*{netherlands.POSTCODE}(\d+.*)$")
#: A house number with an optional letter and addition: 52, 52A, 52-1, 101 H, 12bis.
NUMBER = re.compile(r"^\d{1,5}(?:\s*[-/ ]?\s*(?:[A-Za-z]{1,3}|\d{1,4})){0,2}$")
STREET_NUMBER = re.compile(
    r"^(?P<street>.*?\D)\s+(?P<number>\d{1,5}(?:\s*[-/ ]?\s*(?:[A-Za-z]{1,3}|\d{1,4})){0,2})$"
)

STREET_NUMBER_PLACE = re.compile(
    r"^(?P<street>.*?\D)\s+(?P<number>\d{1,5}(?:\s*-?\s*(?:[A-Za-z]{1,3}|\d{1,4})(?=\s|$))?)"
    r"\s+(?P<place>[^\W\d_][\w'.-]*(?:\s+[^\W\d_][\w'.-]*)*)$"
)
#: Words after a number that are part of it, not a place: '12 hs' (huis), '12 bis', '12 zw' (zwart).
ADDITION_WORDS = {"hs", "huis", "bis", "zw", "ii", "iii", "iv", "bg", "sous", "rd", "a", "b", "c", "d", "h"}


@dataclass(frozen=True)
class AddressQuery:
    """The parts of a typed address; each may be missing."""

    postcode: str | None = None
    number: str | None = None
    street: str | None = None
    place: str | None = None

    @property
    def number_key(self) -> str | None:
        """The house number as stored in the offline table (see `number_key`)."""
        return number_key(self.number) if self.number else None


def fold(text: str) -> str:
    """Lower case without accents or punctuation, single spaces: 'Recht  Boomssloot' -> 'recht boomssloot'."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " ".join(re.sub(r"[^\w ]+", " ", plain).split())


def number_key(number: str) -> str:
    """A house number folded for matching: '101-H', '101 h' and '101H' all become '101-h'.

    The separator stays so that '12-1' (number 12, addition 1) never equals 121; the
    letter and addition are kept whole, so '12A-2' ('12-a2') is not '12A-3' ('12-a3').
    """
    folded = fold(number)
    match = re.match(r"(\d+)(.*)$", folded)
    if not match:
        return re.sub(r"[^0-9a-z]", "", folded)
    base, rest = match.groups()
    suffix = re.sub(r"[^0-9a-z]", "", rest)
    return f"{base}-{suffix}" if suffix else base


def number_base(key: str) -> int | None:
    """The number without letter or addition: '12-a2' -> 12."""
    match = re.match(r"\d+", key)
    return int(match.group(0)) if match else None


#: Prefixes that name a sibling street rather than another one (Nieuwe Achtergracht, Oude Looiersstraat).
STREET_PREFIXES = ("nieuwe ", "oude ", "kleine ")


def street_core(street: str) -> str:
    """A street name folded and without a Nieuwe/Oude/Kleine-style prefix, to compare PDOK's answers."""
    folded = fold(street)
    for prefix in STREET_PREFIXES:
        if folded.startswith(prefix):
            return folded[len(prefix) :]
    return folded


def normalise_postcode(text: str) -> str:
    """'1011 ec' -> '1011EC'."""
    return re.sub(r"\s", "", text).upper()


def _is_number_with_addition(text: str, match: re.Match[str]) -> bool:
    """'Damrak 1000 hs' is number 1000 with addition 'hs' after a street, not postcode 1000 HS."""
    before, after = text[: match.start()].strip(), text[match.end() :].strip()
    street_before = any(c.isalpha() for c in before) and not any(c.isdigit() for c in before)
    nothing_after = not after or after.startswith(",")
    return street_before and nothing_after and match.group(2).lower() in ADDITION_WORDS


def parse_query(query: str) -> AddressQuery:
    """Split a typed address into postcode, number, street and place."""
    text = " ".join(query.replace(",", " , ").split())
    glued = POSTCODE_GLUED.match(text.replace(",", ""))
    if glued:
        number = glued.group(3).strip()
        return AddressQuery(postcode=(glued.group(1) + glued.group(2)).upper(), number=number or None)
    postcode = None
    match = POSTCODE.search(text)
    if match and _is_number_with_addition(text, match):
        match = None
    if match:
        postcode = (match.group(1) + match.group(2)).upper()
        text = (text[: match.start()] + " " + text[match.end() :]).strip()
    parts = [p.strip() for p in text.split(",") if p.strip()]
    head = parts[0] if parts else ""
    place = parts[-1] if len(parts) > 1 else None
    if postcode and head and NUMBER.match(head):
        return AddressQuery(postcode=postcode, number=head, place=place)
    street_match = STREET_NUMBER.match(head)
    if not street_match and place is None:
        # 'Bolstraat 1 Utrecht': the place after the number, without a comma.
        trailing = STREET_NUMBER_PLACE.match(head)
        if trailing and fold(trailing.group("place")) not in ADDITION_WORDS:
            street_match, place = trailing, trailing.group("place").strip()
    if street_match:
        return AddressQuery(
            postcode=postcode,
            number=street_match.group("number"),
            street=street_match.group("street").strip(),
            place=place,
        )
    return AddressQuery(postcode=postcode, street=head or None, place=place)
