"""Read a plain question: words that mean a filter become that filter, the rest stays text.

"gratis eten in oost vanavond" -> cost free, area Oost, open tonight, text "eten".
The words and what they mean are declared in `intent_words.py` (area names come from
`areas.py`); this module only finds them in a question, longest phrase first. A word
of seven letters or more one typo away from a declared single word counts too
("rolstoell", "rolsteol"). A diminutive of a known word is searched as that word
("koffietje" -> "koffie", compounds.py). Parsed once per request; nothing here touches the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import lru_cache

from rapidfuzz.distance import OSA

from directory.search.areas import ARTICLES, Area, AreaNames
from directory.search.compounds import diminutive_base
from directory.search.intent_words import (
    AREA_GLUE,
    CAPACITY_FOR,
    CLOCK_AND,
    CLOCK_AT,
    CLOCK_BETWEEN,
    CLOCK_FROM,
    CLOCK_LATEST,
    CLOCK_UNITS,
    DAY_PARTS,
    GROUP_OF,
    GROUP_WORDS,
    INTENTS,
    LOW_COST_EUR,
    MAX_CAPACITY,
    NEARBY_WORDS,
    NOT_PEOPLE,
    NOW_WORDS,
    PEOPLE_WORDS,
    PLACE_AFTER,
    RANGE_WORDS,
    RELATIVE_DAYS,
    ROOM_WORDS,
    TIME_GLUE,
    TODAY_PARTS,
    WEEKDAYS,
    WEEKEND_WORDS,
    WHOLE_DAY,
)
from directory.search.text import WORD, normalise, stopwords, words

#: Single words at least this long also match a declared word one typo away.
FUZZY_FROM = 7
#: A filter a question asks for, in the order the API lists them.
KINDS = ("cost", "open", "accessibility", "facilities", "capacity", "target_groups", "languages", "area")

_COMPOUND_TIME = re.compile(
    "^(" + "|".join(sorted([*WEEKDAYS, *RELATIVE_DAYS], key=len, reverse=True)) + ")"
    "(" + "|".join(sorted([*DAY_PARTS, "morgen"], key=len, reverse=True)) + ")$"
)
#: The "now" and weekend phrases and their words, longest first: tried at every word of a
#: question, so split and sorted once.
_NOW_PHRASES = tuple((p, tuple(p.split())) for p in sorted(NOW_WORDS, key=len, reverse=True))
_WEEKEND_PHRASES = tuple(tuple(p.split()) for p in sorted(WEEKEND_WORDS, key=len, reverse=True))
#: Words before a clock time's hour ("om", "na", "tussen").
_CLOCK_LEAD = (*CLOCK_AT, *CLOCK_FROM, *CLOCK_BETWEEN)


@dataclass(frozen=True)
class Understood:
    """One filter read from the question: what it is, its value, and the words that said it.

    `value`: cost "free"/"low"; an accessibility, facility, target group or language code;
    an area's "level:code" (comma-joined when a name means several: "de Pijp"); for `open`,
    "now" or the first hour asked ("2026-12-05T08:00"); for `capacity`, the group size ("20").
    `spans` (open only) are the local [start, end) hours asked; `label` names an area.
    """

    kind: str
    value: str
    words: str
    label: str = ""
    spans: tuple[tuple[datetime, datetime], ...] = ()
    areas: tuple[Area, ...] = ()


@dataclass(frozen=True)
class Interpretation:
    """What a question was read as: its filters and the words left to search as text."""

    filters: tuple[Understood, ...] = ()
    text: str = ""
    #: The question's words (normalised), so a page can offer it without one filter.
    tokens: tuple[str, ...] = ()
    #: Per word, the index of the filter it belongs to (-1: searched as text).
    owner: tuple[int, ...] = field(default=(), repr=False)
    #: Words of `text` that name a place after "in de buurt van", "vlakbij" ... that is no area.
    places: tuple[str, ...] = ()

    def without(self, index: int) -> str:
        """The question without the words of filter `index` (the link behind a chip's ×)."""
        return " ".join(t for t, o in zip(self.tokens, self.owner, strict=True) if o != index)

    @property
    def max_cost(self) -> float | None:
        """The cost limit the question asks for (free beats cheap)."""
        values = [0.0 if f.value == "free" else LOW_COST_EUR for f in self.filters if f.kind == "cost"]
        return min(values) if values else None

    def codes(self, kind: str) -> tuple[str, ...]:
        """The codes of one kind of filter, in order, without repeats."""
        return tuple(dict.fromkeys(f.value for f in self.filters if f.kind == kind))

    @property
    def min_capacity(self) -> int | None:
        """The group a place must fit (the largest when the question names several)."""
        sizes = [int(f.value) for f in self.filters if f.kind == "capacity"]
        return max(sizes) if sizes else None

    @property
    def areas(self) -> tuple[Area, ...]:
        """The areas asked for."""
        return tuple(a for f in self.filters for a in f.areas)

    @property
    def open_hours(self) -> tuple[datetime, ...]:
        """Every local whole hour asked for by the time words, in order."""
        hours: list[datetime] = []
        for f in self.filters:
            for start, end in f.spans:
                cursor = start.replace(minute=0, second=0, microsecond=0)
                while cursor < end:
                    if cursor not in hours:
                        hours.append(cursor)
                    cursor += timedelta(hours=1)
        return tuple(hours)


@lru_cache(maxsize=1)
def phrase_table() -> dict[tuple[str, ...], tuple[str, str]]:
    """Declared phrases (as word tuples) -> (kind, value)."""
    table: dict[tuple[str, ...], tuple[str, str]] = {}
    for intent in INTENTS:
        for phrase in intent.phrases:
            key = tuple(words(phrase))
            if key:
                table.setdefault(key, (intent.kind, intent.value))
    return table


@lru_cache(maxsize=1)
def _longest_phrase() -> int:
    """The most words a declared phrase has (how far a phrase is looked for)."""
    return max(len(k) for k in phrase_table())


@lru_cache(maxsize=1)
def _single_words() -> dict[str, tuple[str, str]]:
    """Declared one-word phrases long enough for a typo, for the fuzzy match."""
    return {k[0]: v for k, v in phrase_table().items() if len(k) == 1 and len(k[0]) >= FUZZY_FROM}


@lru_cache(maxsize=4096)
def _fuzzy(word: str) -> tuple[str, str] | None:
    """The declared word one typo away from `word`, if exactly one meaning is that close."""
    if len(word) < FUZZY_FROM or word.isdigit():
        return None
    # OSA: two letters swapped ("rolsteol") is one slip, as in suggest.py.
    meanings = {v for k, v in _single_words().items() if OSA.distance(word, k, score_cutoff=1) <= 1}
    return meanings.pop() if len(meanings) == 1 else None


def _day_span(day: date, hours: tuple[int, int], now: datetime) -> tuple[datetime, datetime] | None:
    """[start, end) of some hours of a day, from now on when the day is today; None when past."""
    start = datetime(day.year, day.month, day.day, hours[0], tzinfo=now.tzinfo)
    end = datetime(day.year, day.month, day.day, hours[1] % 24, tzinfo=now.tzinfo)
    if hours[1] >= 24:
        end += timedelta(days=1)
    if day == now.date():
        start = max(start, now.replace(minute=0, second=0, microsecond=0))
    return (start, end) if start < end else None


def _next(weekday: int, now: datetime) -> date:
    """The date of the coming weekday (today when it is that day)."""
    return now.date() + timedelta(days=(weekday - now.weekday()) % 7)


def _days(words_: tuple[str, ...], i: int, now: datetime) -> tuple[int, list[date]] | None:
    """A day phrase at word i: how many words, and the dates it means."""
    for key in _WEEKEND_PHRASES:
        if words_[i : i + len(key)] == key:
            sat = _next(5, now)
            days = [sat, sat + timedelta(days=1)] if now.weekday() != 6 else [now.date()]
            return len(key), days
    word = words_[i]
    if word in WEEKDAYS:
        return 1, [_next(WEEKDAYS[word], now)]
    if word in RELATIVE_DAYS:
        return 1, [now.date() + timedelta(days=RELATIVE_DAYS[word])]
    return None


def _part(words_: tuple[str, ...], i: int) -> tuple[int, tuple[int, int]] | None:
    """A part of the day at word i ("avond", "'s avonds"): how many words, and its hours."""
    skip = 1 if i < len(words_) and words_[i] == "s" else 0
    if i + skip < len(words_) and words_[i + skip] in DAY_PARTS:
        return 1 + skip, DAY_PARTS[words_[i + skip]]
    return None


def _hour_at(words_: tuple[str, ...], j: int) -> tuple[int, int, bool] | None:
    """An hour at word j ("18", "18 00" from "18:00", "18 uur"): (words used, hour, said to be a time)."""
    if j >= len(words_) or not words_[j].isdigit() or len(words_[j]) > 2 or int(words_[j]) > 23:
        return None
    used, said = 1, False
    nxt = words_[j + 1] if j + 1 < len(words_) else ""
    if len(nxt) == 2 and nxt.isdigit() and int(nxt) < 60:
        used, said = 2, True  # minutes: the hour is what opening hours are kept by
    if j + used < len(words_) and words_[j + used] in CLOCK_UNITS:
        used, said = used + 1, True
    return used, int(words_[j]), said


def _clock_at(words_: tuple[str, ...], i: int) -> tuple[int, tuple[int, int]] | None:
    """A clock time at word i ("om 18 uur", "18:00", "na 17 uur", "tussen 12 en 14 uur"): how many
    words, and the local hours [start, end) it asks. A bare number is no time ("buurthuis 18")."""
    word = words_[i] if i < len(words_) else ""
    lead = 1 if word in _CLOCK_LEAD else 0
    first = _hour_at(words_, i + lead)
    if first is None:
        return None
    used, hour, said = first
    if word in CLOCK_BETWEEN:
        j = i + lead + used
        second = _hour_at(words_, j + 1) if j < len(words_) and words_[j] in CLOCK_AND else None
        if second is None or second[1] <= hour:
            return None
        return lead + used + 1 + second[0], (hour, second[1])
    if not (lead or said):
        return None
    if word in CLOCK_FROM:
        return lead + used, (hour, max(CLOCK_LATEST, hour + 1))
    return lead + used, (hour, hour + 1)


def _day_hours(
    words_: tuple[str, ...], i: int, now: datetime
) -> tuple[int, list[date], tuple[int, int]] | None:
    """A day and its hours at word i ("vanavond", "maandagochtend", "dinsdag om 18 uur", "'s avonds",
    "na 17 uur"): how many words, the dates, and the local hours [start, end)."""
    word = words_[i]
    if word in TODAY_PARTS:
        return 1, [now.date()], DAY_PARTS[TODAY_PARTS[word]]
    if (compound := _COMPOUND_TIME.match(word)) is not None:
        day_word, part_word = compound.groups()
        day = (
            _next(WEEKDAYS[day_word], now)
            if day_word in WEEKDAYS
            else now.date() + timedelta(days=RELATIVE_DAYS[day_word])
        )
        return 1, [day], DAY_PARTS.get(part_word, DAY_PARTS["ochtend"])
    if (found := _days(words_, i, now)) is not None:
        used, days = found
        hours = WHOLE_DAY
        if (part := _part(words_, i + used)) is not None:
            used, hours = used + part[0], part[1]
        if (clock := _clock_at(words_, i + used)) is not None:  # "dinsdag om 18 uur"
            used, hours = used + clock[0], clock[1]
        return used, days, hours
    if (part := _part(words_, i)) is not None:
        # A part of the day alone ("'s avonds"): that part on any of the coming seven days.
        return part[0], [now.date() + timedelta(days=n) for n in range(7)], part[1]
    if (clock := _clock_at(words_, i)) is not None:
        # A clock time alone ("na 17 uur"): today (tomorrow when the hours are past).
        return clock[0], [now.date()], clock[1]
    return None


def _time_at(words_: tuple[str, ...], i: int, now: datetime) -> tuple[int, Understood] | None:
    """A time phrase at word i ("vanavond", "zaterdag", "maandagochtend", "nu open"), or None."""
    for phrase, key in _NOW_PHRASES:
        if words_[i : i + len(key)] == key:
            hour = now.replace(minute=0, second=0, microsecond=0)
            return len(key), Understood("open", "now", phrase, spans=((now, hour + timedelta(hours=1)),))
    found = _day_hours(words_, i, now)
    if found is None:
        return None
    used, days, hours = found
    spans = [span for day in days if (span := _day_span(day, hours, now)) is not None]
    if not spans:  # "vanavond" at midnight: nothing left today; the next day's hours
        spans = [s for s in [_day_span(days[-1] + timedelta(days=1), hours, now)] if s is not None]
    phrase = " ".join(words_[i : i + used])
    return used, Understood("open", spans[0][0].strftime("%Y-%m-%dT%H:%M"), phrase, spans=tuple(spans))


def _area_at(words_: tuple[str, ...], i: int, areas: AreaNames | None) -> tuple[int, Understood] | None:
    """An area name at word i (longest first), or None."""
    if areas is None:
        return None
    names = areas.names()
    start = i
    while start < len(words_) - 1 and (words_[start] in ARTICLES or words_[start] in AREA_GLUE):
        start += 1  # "in de Pijp": the preposition and article belong to the name's words
    for size in range(min(areas.longest_name(), len(words_) - start), 0, -1):
        found = names.get(words_[start : start + size])
        if found:
            phrase = " ".join(words_[i : start + size])
            label = areas.label(words_[start : start + size])
            value = ",".join(f"{a.level}:{a.code}" for a in found)
            return start + size - i, Understood("area", value, phrase, label=label, areas=tuple(found))
    return None


def _declared_at(words_: tuple[str, ...], i: int, longest: int) -> tuple[int, Understood] | None:
    """A declared phrase at word i (longest first; one word may be one typo off), or None."""
    table = phrase_table()
    for size in range(min(longest, len(words_) - i), 0, -1):
        key = words_[i : i + size]
        if key in table:
            kind, value = table[key]
            return size, Understood(kind, value, " ".join(key))
    meaning = _fuzzy(words_[i])
    if meaning is not None:
        return 1, Understood(meaning[0], meaning[1], words_[i])
    return None


#: Characters right before a number that make it a price, a time or a code, not a group size.
_NOT_GROUP_BEFORE = "€$£:#/+-"
#: Right after: a time ("20:00"), a decimal ("20.5", "20,-"), a share ("20%").
_NOT_GROUP_AFTER = ":.,%-/"
_RANGE_DASH = re.compile(r"[0-9]\s*-\s*$")


@dataclass(frozen=True)
class _Numbers:
    """Per word of a question, the group size it could be (else None), and which follow "N-"."""

    sizes: tuple[int | None, ...]
    #: Indexes of numbers joined to the number before them by a dash ("10-15").
    dashed: frozenset[int]


def _group_numbers(q: str) -> _Numbers:
    """The numbers of `q` (per word, as `words` splits it) that could be a group size.

    Only a plain number from 1 to MAX_CAPACITY without a leading zero, not stuck to the
    signs of a price, a time or a decimal: "€ 5", "20:00", "20.00", "2,50" and "020" are
    no group, whatever words stand around them. A dash between two numbers is a range
    ("10-15 personen"), not a sign.
    """
    text = normalise(q)
    out: list[int | None] = []
    dashed: set[int] = set()
    for index, match in enumerate(WORD.finditer(text)):
        token = match.group()
        head = text[: match.start()]
        before = head.rstrip()[-1:]
        rest = text[match.end() :]
        after = rest[:1]
        plain = token.isdigit() and not token.startswith("0") and int(token) <= MAX_CAPACITY
        if plain and before == "-" and _RANGE_DASH.search(head):
            dashed.add(index)
        elif plain and before and before in _NOT_GROUP_BEFORE:
            plain = False
        if plain and after == "-" and rest[1:].lstrip()[:1].isdigit():
            pass  # the start of a range
        elif plain and after and after in _NOT_GROUP_AFTER:
            plain = False
        out.append(int(token) if plain else None)
    return _Numbers(tuple(out), frozenset(dashed))


def _number_at(words_: tuple[str, ...], at: int, numbers: _Numbers) -> tuple[int, int] | None:
    """(words used, size) of a group number or range at word `at`, or None.

    A range ("10-15", "8 tot 12") asks for its larger number: the room must hold them all.
    A number followed by "euro", "jaar" or "uur" is no group ("zaal voor 20 euro").
    """
    sizes = numbers.sizes
    if at >= len(words_) or (first := sizes[at]) is None:
        return None
    used, size = 1, first
    if at + 1 < len(words_) and (second := sizes[at + 1]) is not None and at + 1 in numbers.dashed:
        used, size = 2, max(first, second)
    elif at + 2 < len(words_) and words_[at + 1] in RANGE_WORDS and (third := sizes[at + 2]) is not None:
        used, size = 3, max(first, third)
    if at + used < len(words_) and words_[at + used] in NOT_PEOPLE:
        return None
    return used, size


def _capacity_at(words_: tuple[str, ...], i: int, numbers: _Numbers) -> tuple[int, Understood] | None:
    """A group size at word i ("voor 20 personen", "8 mensen", "[zaal] voor 20", "groep van 8"), or None.

    The number must be said to be people: followed by a people word, or after "voor"/"for"
    that follows a room word, or after "groep van" (see `_number_at` for what a number is).
    """

    def number(at: int) -> tuple[int, int] | None:
        return _number_at(words_, at, numbers)

    def people(at: int) -> int:
        return 1 if at < len(words_) and words_[at] in PEOPLE_WORDS else 0

    found: tuple[int, int] | None = None  # (words used, size)
    word = words_[i]
    if (num := number(i)) is not None and people(i + num[0]):
        found = num[0] + 1, num[1]  # "20 personen"
    elif word in CAPACITY_FOR and (num := number(i + 1)) is not None:
        if people(i + 1 + num[0]):
            found = 2 + num[0], num[1]  # "voor 20 personen", "for 20 people"
        elif i > 0 and words_[i - 1] in ROOM_WORDS:
            found = 1 + num[0], num[1]  # "zaal voor 20", "room for 15": the room word stays its own filter
    elif any(words_[i : i + 2] == pair for pair in GROUP_OF) and (num := number(i + 2)) is not None:
        found = 2 + num[0] + people(i + 2 + num[0]), num[1]  # "groep van 8 (personen)"
    elif (
        i > 0
        and any((words_[i - 1], word) == pair for pair in GROUP_OF)
        and (num := number(i + 1)) is not None
    ):
        # "ruimte voor een groep van 12": a declared phrase took "groep", "van 12" is the size
        found = 1 + num[0] + people(i + 1 + num[0]), num[1]
    if found is None:
        return None
    used, size = found
    return used, Understood("capacity", str(size), " ".join(words_[i : i + used]))


@lru_cache(maxsize=1)
def _nearby() -> dict[str, tuple[tuple[str, ...], ...]]:
    """The "near" phrases and the "with a group" phrases as words, longest first, by their first
    word: looked for at every word of a question, where most words begin none of them."""
    phrases = (*NEARBY_WORDS, *GROUP_WORDS, *PLACE_AFTER)
    by_first: dict[str, tuple[tuple[str, ...], ...]] = {}
    for p in sorted((tuple(words(p)) for p in phrases), key=len, reverse=True):
        by_first[p[0]] = (*by_first.get(p[0], ()), p)
    return by_first


@lru_cache(maxsize=1)
def _place_after() -> frozenset[tuple[str, ...]]:
    """The "near" phrases a place follows, as words."""
    return frozenset(tuple(words(p)) for p in PLACE_AFTER)


def _nearby_at(words_: tuple[str, ...], i: int) -> int:
    """How many words at i only say "near" (0 when none do)."""
    return next((len(p) for p in _nearby().get(words_[i], ()) if words_[i : i + len(p)] == p), 0)


def interpret(q: str, now: datetime, areas: AreaNames | None = None) -> Interpretation:
    """Read a question (`now`: the moment, in Amsterdam time, that "vanavond" is counted from)."""
    tokens = tuple(words(q))
    numbers = _group_numbers(q)
    longest = _longest_phrase()
    found: list[Understood] = []
    owner = [-1] * len(tokens)
    rest: list[str] = []
    places: list[str] = []
    place_next = False
    i = 0
    while i < len(tokens):
        near = _nearby_at(tokens, i)
        if near:
            place_next = tokens[i : i + near] in _place_after()
            i += near  # owned by no filter, searched as no text
            continue
        glue = 0
        while glue < 2 and i + glue + 1 < len(tokens) and tokens[i + glue] in TIME_GLUE:
            glue += 1  # "op zondag", "open op zondag", "elke donderdag"
        hit = _time_at(tokens, i + glue, now) if glue else None
        if hit is None:
            glue = 0
            hit = (
                _capacity_at(tokens, i, numbers)
                or _declared_at(tokens, i, longest)
                or _time_at(tokens, i, now)
                or _area_at(tokens, i, areas)
            )
        if hit is None:
            rest.append(diminutive_base(tokens[i]))
            if place_next and rest[-1] not in stopwords():
                places.append(rest[-1])
            i += 1
            continue
        place_next = False
        size, understood = hit
        end = i + glue + size
        if understood.kind == "open" and end < len(tokens) and tokens[end] in ("open", "geopend"):
            size += 1  # "na 17 uur open": the time says it already
            understood = replace(understood, words=" ".join(tokens[i : end + 1]))
        elif glue:
            understood = replace(understood, words=" ".join(tokens[i : i + glue + size]))
        keys = [(f.kind, f.value) for f in found]
        if (understood.kind, understood.value) in keys:  # said twice: one filter owns both
            index = keys.index((understood.kind, understood.value))
        else:
            index = len(found)
            found.append(understood)
        owner[i : i + glue + size] = [index] * (glue + size)
        i += glue + size
    # Stop words are not searched by either engine; left alone ("met" in "zaal met keuken")
    # they would make a text search of nothing.
    text = " ".join(w for w in rest if w not in stopwords())
    return Interpretation(tuple(found), text, tokens, tuple(owner), tuple(dict.fromkeys(places)))
