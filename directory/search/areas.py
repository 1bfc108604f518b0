"""Stadsdeel, wijk and buurt names a question may hold ("stamtafel oost", "de Pijp"), and who serves them.

The names come from the boundary table (`geo_boundary`, filled by `wijkgram geo
boundaries`) and, always, the stadsdeel names the documents carry. They are read
once and kept in process memory, so parsing a question costs no database round
trip: in an app process until the boundaries change (directory/reference.py), elsewhere
for `AREA_NAMES_TTL_S`. A name matches whatever its case, accents, hyphens or a
leading "de" / "het" ("De Pijp", "pijp", "Nieuw-West", "nieuw west", "nieuwwest").
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from directory.reference import reference_cache
from directory.search.compounds import known_parts
from directory.search.documents import STADSDEEL_NAMES
from directory.search.text import words

#: How long the names (without an app's reference cache) and the area-served documents are kept.
AREA_NAMES_TTL_S = 300.0
AREA_SERVED_TTL_S = 30.0
LEVELS = ("stadsdeel", "wijk", "buurt")
#: Words in front of a name that do not change it.
ARTICLES = ("de", "het", "t")
#: First words of names that say which part of a larger area they are ("Oude Pijp", "Nieuwe
#: Pijp", "Zuid Pijp"): the rest of the name ("de Pijp") means all of those areas together.
QUALIFIERS = ("oude", "nieuwe", "noord", "oost", "zuid", "west", "binnen", "buiten")
#: (Only wijken: buurten such as "Oude Kerk" and "Nieuwe Kerk" are too small to be what is meant.)
#: Other ways people write a stadsdeel ("binnenstad" is Centrum).
STADSDEEL_ALIASES = {
    "binnenstad": "A", "amsterdam centrum": "A", "nieuwwest": "F", "nieuw west": "F",
    "amsterdam oost": "M", "amsterdam noord": "N", "amsterdam zuid": "K", "amsterdam west": "E",
    "amsterdam zuidoost": "T", "zuid oost": "T", "bijlmer": "T",
}  # fmt: skip


@dataclass(frozen=True)
class Area:
    """One named area: its level, code and the name to show."""

    level: str
    code: str
    name: str


def name_keys(name: str) -> set[str]:
    """The forms a name matches in a question: words joined by spaces, leading article dropped, and
    the hyphenated parts written together ("Nieuw-West" -> "nieuw west", "nieuwwest")."""
    cleaned = re.sub(r"\(\d+\)|\be\.o\.", " ", name)
    parts = words(cleaned)
    while parts and parts[0] in ARTICLES:
        parts = parts[1:]
    if not parts or any(p.isdigit() for p in parts):
        return set()
    keys = {" ".join(parts)}
    if "-" in cleaned and len(parts) > 1:
        keys.add("".join(parts))
    return keys


class AreaNames:
    """Area names to areas, read from the database and kept for AREA_NAMES_TTL_S."""

    def __init__(self, db: Engine | None) -> None:
        self.db = db
        self._lock = threading.Lock()
        self._names: dict[tuple[str, ...], list[Area]] = {}
        self._read_at = -AREA_NAMES_TTL_S
        self._served: dict[tuple[str, ...], tuple[float, tuple[str, ...]]] = {}

    def _rows(self) -> list[Any]:
        """(level, code, name) of every named boundary; none without boundaries or a database."""
        if self.db is None:
            return []
        try:
            with self.db.connect() as conn:
                return list(
                    conn.execute(text("SELECT level, code, name FROM geo_boundary WHERE name IS NOT NULL"))
                )
        except DBAPIError:
            return []  # no boundaries (or no database right now): the stadsdeel names still work

    def _read(self) -> dict[tuple[str, ...], list[Area]]:
        found: dict[tuple[str, ...], list[Area]] = {}
        together: dict[tuple[str, ...], list[Area]] = {}
        named = [(Area("stadsdeel", code, name), name) for code, name in STADSDEEL_NAMES.items()]
        named += [
            (Area("stadsdeel", code, STADSDEEL_NAMES[code]), key) for key, code in STADSDEEL_ALIASES.items()
        ]
        named += [(Area(level, code, name), name) for level, code, name in self._rows() if level in LEVELS]
        vocabulary = known_parts()
        for area, name in named:
            for key in name_keys(name):
                words_ = tuple(key.split())
                if area.level == "buurt" and key in vocabulary:
                    continue  # a buurt named like what people search for is not what they mean
                found.setdefault(words_, []).append(area)
                if area.level == "wijk" and len(words_) > 1 and words_[0] in QUALIFIERS:
                    together.setdefault(words_[1:], []).append(area)
        # A name shared by levels ("Centrum") means the widest area only.
        for name_words, areas in found.items():
            found[name_words] = sorted(areas, key=lambda a: LEVELS.index(a.level))[:1]
        # "de Pijp": every wijk whose name is a part of it, when no area has that name itself and
        # it is not a word people search for ("Oude Kerk" and "Nieuwe Kerk" do not make "kerk").
        for name_words, areas in together.items():
            if name_words not in found and " ".join(name_words) not in vocabulary:
                found[name_words] = list(dict.fromkeys(areas))
        return found

    def names(self) -> dict[tuple[str, ...], list[Area]]:
        """Every known name (as a tuple of words) with the areas it means (one, or the parts of it)."""
        if (cache := reference_cache(self.db)) is not None:
            # An app process: kept until the boundaries change (directory/reference.py).
            return cache.get("areas", "area_names", self._read)
        now = time.monotonic()
        if now - self._read_at > AREA_NAMES_TTL_S:
            with self._lock:
                if now - self._read_at > AREA_NAMES_TTL_S:
                    self._names = self._read()
                    self._read_at = now
        return self._names

    def longest_name(self) -> int:
        """The most words a name has (how far the parser looks ahead)."""
        return max((len(k) for k in self.names()), default=1)

    def served(self, areas: tuple[Area, ...]) -> tuple[str, ...]:
        """Ids of the documents known only by a service area that serves one of these areas.

        An area is served when the service area covers a point inside it (so a neighbouring
        area that only touches the edge does not count). Kept for AREA_SERVED_TTL_S: such
        documents are few and change rarely, as in the Meilisearch engine's own list.
        """
        if self.db is None or not areas:
            return ()
        key = tuple(sorted(f"{a.level}:{a.code}" for a in areas))
        now = time.monotonic()
        cached = self._served.get(key)
        if cached is not None and now - cached[0] <= AREA_SERVED_TTL_S:
            return cached[1]
        params = {
            "levels": [a.level for a in areas],
            "codes": [a.code for a in areas],
        }
        sql = text(
            """
            SELECT DISTINCT d.id FROM search_document d
            JOIN geo_boundary b ON (b.level, b.code) IN (
                SELECT * FROM unnest(CAST(:levels AS text[]), CAST(:codes AS text[])))
            WHERE d.geom IS NULL AND d.area IS NOT NULL AND ST_Covers(d.area, ST_PointOnSurface(b.geom))
            ORDER BY d.id
            """
        )
        try:
            with self.db.connect() as conn:
                ids = tuple(str(i) for i in conn.scalars(sql, params))
        except DBAPIError:
            ids = cached[1] if cached else ()
        if len(self._served) > 256:  # a few hundred area combinations at most; keep it bounded
            self._served.clear()
        self._served[key] = (now, ids)
        return ids
