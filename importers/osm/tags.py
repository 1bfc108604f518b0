"""OpenStreetMap tags -> a normalised place record, driven by `tag_map.csv`.

The mapping from tags to categories is data (one row per rule, first match
wins), so adding a kind of place is a one-line change with its Dutch and
English label. Everything else a kwartiermaker needs from the tags
(opening hours, wheelchair access, contact, address, name variants,
religion) is read here; values that do not validate are set aside with a
reason instead of failing the import.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from directory.schemas import validators as v
from importers.records import PlaceRecord, Problem

TAG_MAP = Path(__file__).resolve().parent / "tag_map.csv"
SOURCE = "osm"

#: Tags that hold other names of the same place, in the order they are listed.
NAME_VARIANTS = ("name:nl", "alt_name", "official_name", "short_name", "old_name", "name:en", "loc_name")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class TagRule:
    """One row of the tag map: the tag conditions, the category and its labels."""

    conditions: tuple[tuple[str, str], ...]
    category: str
    label_nl: str
    label_en: str
    default_name_nl: str | None

    def matches(self, tags: TagLookup) -> bool:
        """True when every condition holds (`*` accepts any value except `no`)."""
        for key, value in self.conditions:
            have = tags.get(key)
            if have is None or (value == "*" and have == "no") or (value != "*" and have != value):
                return False
        return True


@lru_cache(maxsize=4)
def load_tag_map(path: Path = TAG_MAP) -> tuple[TagRule, ...]:
    """The rules of a tag-map CSV, in file order (lines starting with # are comments)."""
    text = "\n".join(
        line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")
    )
    rules = []
    for row in csv.DictReader(io.StringIO(text)):
        conditions = tuple(
            (k, val) for k, _, val in (part.partition("=") for part in row["match"].split("&"))
        )
        rules.append(
            TagRule(
                conditions=conditions,
                category=row["category"],
                label_nl=row["label_nl"],
                label_en=row["label_en"],
                default_name_nl=row["default_name_nl"] or None,
            )
        )
    return tuple(rules)


def primary_keys(rules: tuple[TagRule, ...] | None = None) -> list[str]:
    """The tag keys any rule looks at first; objects without one of them are never places."""
    return sorted({rule.conditions[0][0] for rule in rules or load_tag_map()})


#: {id of a rule tuple: (the tuple, its `RuleIndex`)}.
#: Keyed by identity: hashing the rules for every OSM object cost more than matching them.
_BY_KEY: dict[int, tuple[tuple[TagRule, ...], RuleIndex]] = {}


class TagLookup(Protocol):
    """What classifying needs of an object's tags: a dict, or pyosmium's `TagList` as it is."""

    def get(self, key: str, /) -> str | None:
        """The value of a tag, or None."""


@dataclass(frozen=True)
class RuleIndex:
    """The rules by their first condition, so an object is matched against the few that can match.

    `exact[(key, value)]` and `any_value[key]` hold rule positions (file order). An OSM
    object passes the reader's key filter when it has any primary key, yet most such
    objects (benches, parking) match no rule: they are turned away after a few lookups,
    without reading all their tags into a dict.
    """

    keys: tuple[str, ...]
    exact: dict[tuple[str, str], tuple[int, ...]]
    any_value: dict[str, tuple[int, ...]]

    def candidates(self, tags: TagLookup) -> list[int]:
        """Positions of the rules whose first condition the tags meet, in file order."""
        found: list[int] = []
        for key in self.keys:
            value = tags.get(key)
            if value is None:
                continue
            found += self.exact.get((key, value), ())
            if value != "no":
                found += self.any_value.get(key, ())
        if len(found) > 1:
            found.sort()
        return found


def _rules_by_key(rules: tuple[TagRule, ...]) -> RuleIndex:
    """The `RuleIndex` of a rule tuple (built once per tuple)."""
    known = _BY_KEY.get(id(rules))
    if known is not None and known[0] is rules:
        return known[1]
    exact: dict[tuple[str, str], list[int]] = {}
    any_value: dict[str, list[int]] = {}
    for position, rule in enumerate(rules):
        key, value = rule.conditions[0]
        if value == "*":
            any_value.setdefault(key, []).append(position)
        else:
            exact.setdefault((key, value), []).append(position)
    index = RuleIndex(
        keys=tuple(sorted({rule.conditions[0][0] for rule in rules})),
        exact={k: tuple(v) for k, v in exact.items()},
        any_value={k: tuple(v) for k, v in any_value.items()},
    )
    if len(_BY_KEY) > 8:
        _BY_KEY.clear()
    _BY_KEY[id(rules)] = (rules, index)
    return index


def classify(tags: TagLookup, rules: tuple[TagRule, ...] | None = None) -> TagRule | None:
    """The first rule that matches the tags, or None when the object is not a place we keep."""
    rules = rules or load_tag_map()
    # Only rules whose first condition holds can match; tried in file order, as written.
    for position in _rules_by_key(rules).candidates(tags):
        if rules[position].matches(tags):
            return rules[position]
    return None


def _yes_no(value: str | None) -> bool | None:
    if value in ("yes", "designated"):
        return True
    if value == "no":
        return False
    return None


def _first(tags: Mapping[str, str], *keys: str) -> str | None:
    for key in keys:
        if tags.get(key):
            return tags[key].split(";")[0].strip()
    return None


def _website(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip()
    return value if re.match(r"^https?://", value) else f"https://{value}"


def to_record(
    osm_id: str,
    tags: Mapping[str, str],
    lat: float,
    lon: float,
    rules: tuple[TagRule, ...] | None = None,
    *,
    rule: TagRule | None = None,
) -> PlaceRecord | None:
    """A place record for one OSM object, or None when no rule matches or it has no usable name.

    `rule`: the rule `classify` already found for these tags (the reader classifies first).
    """
    rule = rule or classify(tags, rules)
    if rule is None:
        return None
    name = (tags.get("name") or tags.get("name:nl") or rule.default_name_nl or "").strip()
    if not name:
        return None
    problems: list[Problem] = []
    location: dict[str, object] = {}

    variants = [tags[k].strip() for k in NAME_VARIANTS if tags.get(k) and tags[k].strip() != name]
    if variants:
        location["alternate_name"] = "; ".join(dict.fromkeys(variants))[:500]

    def keep(field: str, raw: str | None, check: object) -> None:
        """Validate one value; set it aside with the reason when it does not pass."""
        if not raw:
            return
        try:
            location[field] = check(raw)  # type: ignore[operator]
        except ValueError as exc:
            problems.append(Problem(field, raw, str(exc)))

    keep("opening_hours", (tags.get("opening_hours") or "").strip(), v.check_opening_hours)
    keep("phone", _first(tags, "phone", "contact:phone", "contact:mobile"), v.normalise_phone)
    keep("postcode", tags.get("addr:postcode"), v.normalise_postcode)
    website = _website(_first(tags, "website", "contact:website", "url"))
    if website:
        if len(website) <= 1000 and " " not in website:
            location["website"] = website
        else:
            problems.append(Problem("website", website, "not a web address"))
    email = _first(tags, "email", "contact:email")
    if email:
        if _EMAIL.match(email):
            location["email"] = email
        else:
            problems.append(Problem("email", email, "not an e-mail address"))

    location["street"] = tags.get("addr:street")
    location["house_number"] = (tags.get("addr:housenumber") or "")[:20] or None
    location["city"] = tags.get("addr:city")
    location["step_free"] = _yes_no(tags.get("wheelchair"))
    if tags.get("wheelchair") == "limited":
        location["step_free"] = False
        location["accessibility_note"] = "Beperkt toegankelijk voor rolstoelen (wheelchair=limited)"
    location["accessible_toilet"] = _yes_no(tags.get("toilets:wheelchair"))
    location["religion"] = tags.get("religion")
    location["denomination"] = tags.get("denomination")
    location["description"] = tags.get("description")
    return PlaceRecord(
        source=SOURCE,
        source_id=osm_id,
        name=name[:300],
        lat=lat,
        lon=lon,
        category=rule.category,
        location=location,
        raw={"tags": dict(tags)},
        problems=problems,
    )
