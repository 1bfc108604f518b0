"""Entry field values in words: the entry page's facts, its history and the import suggestions.

One place turns a stored value into what a reader understands, in the page
language: `True` becomes "ja", "3.50" becomes "€ 3,50", `["nl", "ar"]` becomes
"Nederlands, Arabisch", a meeting rule becomes "elke woensdag 14:00-16:00",
a location id becomes the place's name. The history groups fields that mean one
thing to a reader (the cost, the address, the point on the map) into one line, so
a change reads "Kosten: € 3,50 → gratis" rather than three lines of raw fields.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from babel import Locale

from directory.points import distance_m
from web.i18n import Translator, field_label
from web.present import (
    address_text,
    cost_text,
    date_text,
    datetime_text,
    hours_text,
    meeting_text,
    money_text,
)

#: Fields a reader sees as one fact, shown as one line of the history: (label key, fields).
COST_FIELDS = ("cost_free", "cost_amount_eur", "cost_note")
ADDRESS_FIELDS = ("street", "house_number", "postcode", "city")
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("fact.cost", COST_FIELDS),
    ("fact.address", ADDRESS_FIELDS),
    ("history.point", ("lat", "lon")),
)
#: Below this many metres a moved point is not worth a line (rounding, a re-geocode).
POINT_NOISE_M = 5.0
EMPTY = "–"
#: Fields whose form label explains how to type them ("Talen (taalcodes)"): a reader gets the fact's name.
READER_LABELS = {"languages": "fact.languages"}


def language_names(lang: str, codes: Any) -> str:
    """ISO 639 codes as names in the page language: ['nl', 'en', 'ar'] -> 'Nederlands, Engels, Arabisch'."""
    names = Locale.parse(lang).languages
    return ", ".join(names.get(str(code), str(code)) for code in codes or [])


@dataclass
class FieldWords:
    """Says field values in one page language.

    `labels` holds every vocabulary's labels (category, support function, target
    group); `names(kind)` gives {id: name} of locations or organisations, asked only
    when a value holds such ids.
    """

    t: Translator
    labels: Mapping[str, str]
    names: Callable[[str], Mapping[str, str]]

    def label(self, key: str) -> str:
        """A field's name for a reader, in the page language."""
        return self.t(READER_LABELS[key]) if key in READER_LABELS else field_label(self.t.lang, key)

    def value(self, key: str, value: Any) -> str:
        """One field's value in words ('–' for nothing)."""
        if value is None or value == "" or value == [] or value == {}:
            return EMPTY
        if isinstance(value, bool):
            return self.t("yes") if value else self.t("no")
        special = getattr(self, f"_{key}", None)
        if special is not None:
            return str(special(value))
        if key.endswith("_at"):
            return datetime_text(self.t.lang, value)
        if isinstance(value, list):
            return ", ".join(self.labels.get(str(v), str(v)) for v in value)
        if isinstance(value, dict):
            return json.dumps(value, ensure_ascii=False)
        return str(value)

    # One method per field that needs more than its labels: `value` finds them by name.

    def _meetings(self, value: Any) -> str:
        return "; ".join(meeting_text(self.t, m) for m in value if isinstance(m, dict)) or EMPTY

    def _opening_hours(self, value: Any) -> str:
        return hours_text(self.t, str(value))

    def _languages(self, value: Any) -> str:
        return language_names(self.t.lang, value)

    def _service_area(self, value: Any) -> str:
        return self.t("history.area_drawn")

    def _delivery_modes(self, value: Any) -> str:
        return ", ".join(self.t(f"fact.{mode}") for mode in value)

    def _status(self, value: Any) -> str:
        return self.t(f"status.{value}")

    def _category(self, value: Any) -> str:
        return self.labels.get(str(value), str(value))

    def _cost_amount_eur(self, value: Any) -> str:
        return money_text(self.t.lang, value)

    def _location_ids(self, value: Any) -> str:
        places = self.names("location")
        return ", ".join(places.get(str(i), self.t("history.gone")) for i in value)

    def _organization_id(self, value: Any) -> str:
        return self.names("organization").get(str(value), self.t("history.gone"))

    def _last_verified_at(self, value: Any) -> str:
        # When an entry was checked is a day; other moments (fetched, changed) keep their time.
        return date_text(self.t.lang, value)

    def changes(self, changes: Mapping[str, Any], snapshot: Mapping[str, Any]) -> list[tuple[str, str]]:
        """A revision's changes as (label, 'before → after') lines, grouped facts on one line.

        `snapshot` is the entry after the change; the state before it is the snapshot
        with the changed fields' old values.
        """
        after = {key: pair[1] for key, pair in changes.items() if _is_pair(pair)}
        before = {key: pair[0] for key, pair in changes.items() if _is_pair(pair)}
        old = {**snapshot, **before}
        new = {**snapshot, **after}
        lines: list[tuple[str, str]] = []
        done: set[str] = set()
        for label_key, fields in GROUPS:
            if not set(fields) & set(after):
                continue
            done.update(fields)
            line = self._group(label_key, old, new)
            if line is not None:
                lines.append((self.t(label_key), line))
        for key in after:
            if key in done:
                continue
            lines.append((self.label(key), self._pair(key, before[key], after[key])))
        return lines

    def _pair(self, key: str, old: Any, new: Any) -> str:
        if old in (None, "", [], {}):
            return self.value(key, new)
        return f"{self.value(key, old)} → {self.value(key, new)}"

    def _group(self, label_key: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> str | None:
        t = self.t
        if label_key == "fact.cost":
            was = cost_text(t, SimpleNamespace(**_only(old, COST_FIELDS)))
            now = cost_text(t, SimpleNamespace(**_only(new, COST_FIELDS)))
        elif label_key == "fact.address":
            was = address_text(SimpleNamespace(**_only(old, ADDRESS_FIELDS)))
            now = address_text(SimpleNamespace(**_only(new, ADDRESS_FIELDS)))
        else:
            if None in (old.get("lat"), old.get("lon"), new.get("lat"), new.get("lon")):
                return t("history.point_set") if new.get("lat") is not None else EMPTY
            metres = distance_m(float(old["lat"]), float(old["lon"]), float(new["lat"]), float(new["lon"]))
            if metres < POINT_NOISE_M:
                return None
            return t("history.point_moved", metres=round(metres))
        if was == now:
            return None
        return now if not was else f"{was or EMPTY} → {now or EMPTY}"


def _is_pair(value: Any) -> bool:
    return isinstance(value, list | tuple) and len(value) == 2


def _only(data: Mapping[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {key: data.get(key) for key in keys}
