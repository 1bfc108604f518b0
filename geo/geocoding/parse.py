"""Read a Dutch address query: postcode, house number, street, place.

Accepts what people type: "1102 AB 12", "1102ab12", "1011 EC",
"Recht Boomssloot 52", "Bijlmerdreef 101-H, Amsterdam".
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass, replace
from functools import cached_property

from directory import netherlands

POSTCODE = netherlands.POSTCODE_IN_TEXT
#: A postcode with the house number stuck to it: '1102ab12'.
POSTCODE_GLUED = re.compile(rf"^\s*{netherlands.POSTCODE}(\d+.*)$")
#: One part after a house number: a letter or addition of up to 3 letters, 'huis', or up to 4 digits.
_ADDITION = r"(?:huis|[A-Za-z]{1,3}|\d{1,4})"
#: A house number with an optional letter and addition: 52, 52A, 52-1, 101 H, 12bis, 12huis.
NUMBER = re.compile(rf"^\d{{1,5}}(?:\s*[-/ ]?\s*{_ADDITION}){{0,2}}$", re.IGNORECASE)
STREET_NUMBER = re.compile(
    rf"^(?P<street>.*?\D)\s+(?P<number>\d{{1,5}}(?:\s*[-/ ]?\s*{_ADDITION}){{0,2}})$", re.IGNORECASE
)

STREET_NUMBER_PLACE = re.compile(
    rf"^(?P<street>.*?\D)\s+(?P<number>\d{{1,5}}(?:\s*-?\s*{_ADDITION}(?=\s|$))?)"
    r"\s+(?P<place>[^\W\d_][\w'.-]*(?:\s+[^\W\d_][\w'.-]*)*)$",
    re.IGNORECASE,
)
#: Words after a number that are part of it, not a place: '12 hs' (huis), '12 bis', '12 zw' (zwart).
ADDITION_WORDS = {"hs", "huis", "bis", "zw", "ii", "iii", "iv", "bg", "sous", "rd", "a", "b", "c", "d", "h"}
#: Additions that name the same door in another way: 'hs', 'huis' and 'bg' (begane grond) are the
#: 'H' of Amsterdam's BAG numbers; a floor in Roman numerals ('12 III') is the floor's digit ('12-3').
#: Only ever widened to the same door, never to another number.
ADDITION_SAME_AS = {
    "hs": ("h",), "huis": ("h",), "bg": ("h",), "h": ("hs",),
    "i": ("1",), "ii": ("2",), "iii": ("3",), "iv": ("4",),
    "1": ("i",), "2": ("ii",), "3": ("iii",), "4": ("iv",),
}  # fmt: skip


@dataclass(frozen=True)
class AddressQuery:
    """The parts of a typed address; each may be missing."""

    postcode: str | None = None
    number: str | None = None
    street: str | None = None
    place: str | None = None
    #: A 4-digit postcode area typed on its own ('1012'), without the letters.
    area: str | None = None
    #: The address is only near the place meant: 't/o 14', 'bij 14', '14 ong.'.
    approximate: bool = False

    # Worked out once per query: a geocoder compares them with every row or document it reads.
    @cached_property
    def number_key(self) -> str | None:
        """The house number as stored in the offline table (see `number_key`)."""
        return number_key(self.number) if self.number else None

    @cached_property
    def number_keys(self) -> tuple[str, ...]:
        """The number's key and the keys of the same door written another way (see `number_keys`)."""
        return number_keys(self.number) if self.number else ()

    @cached_property
    def street_keys(self) -> tuple[str, ...]:
        """The street folded, and spelt out where it was abbreviated (see `street_keys`)."""
        return street_keys(self.street) if self.street else ()

    @cached_property
    def place_folds(self) -> tuple[str, ...]:
        """The typed town and the names it stands for, folded (see `place_names`); none without a town."""
        return tuple(fold(name) for name in place_names(self.place)) if self.place else ()


def fold(text: str) -> str:
    """Lower case without accents or punctuation, single spaces: 'Recht  Boomssloot' -> 'recht boomssloot'.

    Invisible format characters (a zero-width space pasted from a web page) are dropped, not
    read as a space: 'Warmoes\u200bstraat' is Warmoesstraat.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(
        c for c in decomposed if not unicodedata.combining(c) and unicodedata.category(c) != "Cf"
    ).lower()
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


def number_keys(number: str) -> tuple[str, ...]:
    """The key of a typed number and of the same door written another way, the typed key first.

    '12 hs', '12huis' and '12bg' are also '12-h'; '12 III' is also '12-3' (and '12-3' also '12-iii',
    as some OpenStreetMap numbers are written). Another number is never among them.
    """
    key = number_key(number)
    base, _, suffix = key.partition("-")
    return (key, *(f"{base}-{same}" for same in ADDITION_SAME_AS.get(suffix, ())))


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


#: Abbreviated words of street names, spelt out (BAG's short names and how people write them).
#: A word may stand for more than one ('pr': Prins or Prinses): each is tried, and an
#: abbreviation counts only when the spelt-out name is a street that exists.
WORD_ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "nw": ("nieuwe",), "n": ("nieuwe",), "o": ("oude",), "st": ("sint",), "pr": ("prins", "prinses"),
    "oz": ("oudezijds",), "nz": ("nieuwezijds",), "kon": ("koningin", "koning"), "burg": ("burgemeester",),
    "gebr": ("gebroeders",), "mr": ("meester",), "jhr": ("jonkheer",), "v": ("van",),
    "const": ("constantijn",), "eerste": ("1e",), "tweede": ("2e",), "derde": ("3e",),
}  # fmt: skip
#: Abbreviated endings of street names ('Warmoesstr.', 'Herengr.', 'Kloveniersburgw.').
ENDING_ABBREVIATIONS = (
    ("dwstr", "dwarsstraat"), ("str", "straat"), ("gr", "gracht"), ("burgw", "burgwal"),
    ("pl", "plein"), ("ln", "laan"), ("kd", "kade"), ("wg", "weg"),
)  # fmt: skip


def street_keys(street: str) -> tuple[str, ...]:
    """The folded street and, where words were abbreviated, every way of spelling them out.

    'O.Z. Voorburgwal' -> ('oz voorburgwal', 'oudezijds voorburgwal'); 'Nw. Herengr.' ->
    (..., 'nieuwe herengracht'). The typed spelling comes first. These are names to look up as
    they are, never guesses: a spelt-out name that is no street finds nothing.
    """
    words = fold(street).split()
    # 'O.Z.' and 'N.Z.' fold to two letters; read them as the one word they abbreviate.
    if len(words) > 1 and words[0] in ("o", "n") and words[1] == "z":
        words = [words[0] + "z", *words[2:]]
    options: list[tuple[str, ...]] = []
    for i, word in enumerate(words):
        spelt = list(WORD_ABBREVIATIONS.get(word, ())) if i < len(words) - 1 else []
        for ending, full in ENDING_ABBREVIATIONS:
            if len(word) > len(ending) + 2 and word.endswith(ending):
                spelt.append(word[: -len(ending)] + full)
        options.append((word, *spelt))
    keys: list[str] = []
    for combination in itertools.islice(itertools.product(*options), 32):
        key = " ".join(combination)
        if key not in keys:
            keys.append(key)
    return tuple(keys)


#: Amsterdam's districts written after the town ('Amsterdam-Centrum', 'Amsterdam Zuidoost'):
#: the town is Amsterdam all the same.
AMSTERDAM_DISTRICTS = {"centrum", "noord", "oost", "west", "zuid", "zuidoost", "zuid oost", "nieuw west"}
#: Other names of a town, as people write them (folded), to the name BAG and PDOK use (lower case).
PLACE_ALIASES: dict[str, str] = {
    "den haag": "'s-gravenhage", "den bosch": "'s-hertogenbosch",
    "a dam": "amsterdam", "adam": "amsterdam", "asd": "amsterdam",
    **{f"amsterdam {district}": "amsterdam" for district in AMSTERDAM_DISTRICTS},
}  # fmt: skip


def place_names(place: str) -> tuple[str, ...]:
    """The typed town in lower case and the names it stands for: 'Den Haag' -> ("den haag",
    "'s-gravenhage"); "A'dam" and 'Amsterdam-Centrum' -> (..., 'amsterdam')."""
    typed = place.strip().lower()
    folded = fold(place)
    names = [typed]
    if folded in PLACE_ALIASES:
        names.append(PLACE_ALIASES[folded])
    return tuple(dict.fromkeys(names))


def normalise_postcode(text: str) -> str:
    """'1011 ec' -> '1011EC'."""
    return re.sub(r"\s", "", text).upper()


def _is_number_with_addition(text: str, match: re.Match[str]) -> bool:
    """'Damrak 1000 hs' is number 1000 with addition 'hs' after a street, not postcode 1000 HS."""
    before, after = text[: match.start()].strip(), text[match.end() :].strip()
    street_before = any(c.isalpha() for c in before) and not any(c.isdigit() for c in before)
    nothing_after = not after or after.startswith(",")
    return street_before and nothing_after and match.group(2).lower() in ADDITION_WORDS


#: A 4-digit postcode area on its own: '1012'.
POSTCODE_AREA = re.compile(r"^\s*([1-9][0-9]{3})\s*$")


def _place_not_addition(number: str) -> bool:
    """Whether a word after the number is a place, not part of it: 'Damstraat 3 Oss', 'Warmoesstraat 12 Ede'.

    A word of two or three letters after a space is an addition only when it is one
    ('12 hs', '12 bis', '12 III'); a single letter ('12 A') always is.
    """
    parts = number.split()
    return (
        len(parts) > 1
        and parts[-1].isalpha()
        and len(parts[-1]) > 1
        and parts[-1].lower() not in ADDITION_WORDS
    )


def _address_part_first(parts: list[str]) -> list[str]:
    """'Amsterdam, Warmoesstraat 12': the part with the street and number goes first."""
    if len(parts) < 2 or STREET_NUMBER.match(parts[0]) or NUMBER.match(parts[0]):
        return parts
    for i, part in enumerate(parts[1:], start=1):
        if STREET_NUMBER.match(part) or STREET_NUMBER_PLACE.match(part):
            return [part, *parts[:i], *parts[i + 1 :]]
    return parts


#: Words that say the place is near a number, not at it: 't/o 14', 'tegenover 14', 'bij 14', 'naast 14'.
NEAR_BEFORE = re.compile(
    r"(?:(?<=\s)|^)(?:t\s*/\s*o\.?|t\.o\.|(?:schuin\s+)?tegenover|bij|naast|nabij|achter)\s+(?=\d)",
    re.IGNORECASE,
)
#: ... or after it: '14 ong.', '14 ca.'.
NEAR_AFTER = re.compile(r"\s+(?:ong\.?|ongeveer|ca\.?|circa)(?=\s*(?:,|$))", re.IGNORECASE)


def clean_text(query: str) -> str:
    """The query without what no address holds: control and invisible characters (a NUL byte
    PostgreSQL refuses), symbols and emoji; single spaces."""
    kept = []
    for char in query:
        category = unicodedata.category(char)
        if category in ("Cc", "Cf"):
            continue
        kept.append(" " if category == "So" else char)
    return " ".join("".join(kept).split())


def search_text(query: str) -> tuple[str, bool]:
    """The query as a geocoder should search it (`clean_text`, without 't/o' or 'ong.'), and
    whether such a word said the place is only near the address."""
    text = clean_text(query)
    plain = NEAR_AFTER.sub("", NEAR_BEFORE.sub("", text))
    return " ".join(plain.split()), plain != text


def parse_query(query: str) -> AddressQuery:
    """Split a typed address into postcode, number, street and place."""
    plain, approximate = search_text(query)
    parsed = _parse(plain)
    # Only a numbered address can be 'near': 'bij de Albert Heijn' stays what it is.
    return replace(parsed, approximate=True) if approximate and parsed.number else parsed


def _parse(query: str) -> AddressQuery:
    text = " ".join(query.replace(",", " , ").split())
    area = POSTCODE_AREA.match(text)
    if area:
        return AddressQuery(area=area.group(1))
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
    parts = _address_part_first([p.strip() for p in text.split(",") if p.strip()])
    head = parts[0] if parts else ""
    place = parts[-1] if len(parts) > 1 else None
    if postcode and head and NUMBER.match(head):
        return AddressQuery(postcode=postcode, number=head, place=place)
    street_match = STREET_NUMBER.match(head)
    if street_match and place is None and _place_not_addition(street_match.group("number")):
        street_match = None
    if not street_match and place is None:
        # 'Bolstraat 1 Utrecht': the place after the number, without a comma.
        trailing = STREET_NUMBER_PLACE.match(head)
        if trailing and fold(trailing.group("place")) not in ADDITION_WORDS:
            street_match, place = trailing, trailing.group("place").strip()
    if street_match:
        number = street_match.group("number")
        if place is not None and _place_not_addition(number):
            # 'Spui 1 Den Haag': 'Den' begins the place, it is no addition.
            number, first_word = number.rsplit(None, 1)
            place = f"{first_word} {place}"
        return AddressQuery(
            postcode=postcode,
            number=number,
            street=street_match.group("street").strip(),
            place=place,
        )
    return AddressQuery(postcode=postcode, street=head or None, place=place)
