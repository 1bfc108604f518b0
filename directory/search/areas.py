"""Stadsdeel, wijk and buurt names a question may hold ("stamtafel oost", "de Pijp"), and who serves them.

The names come from the boundary table (`geo_boundary`, filled by `wijkgram geo
boundaries`) and, always, the stadsdeel names the documents carry. They are read
once and kept in process memory (`AREA_NAMES_TTL_S`), so parsing a question costs
no database round trip. A name matches whatever its case, accents, hyphens or a
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

from directory.search.documents import STADSDEEL_NAMES
from directory.search.text import words

#: How long the names and the area-served documents are kept before they are read again.
AREA_NAMES_TTL_S = 300.0
AREA_SERVED_TTL_S = 30.0
LEVELS = ("stadsdeel", "wijk", "buurt")
#: Words in front of a name that do not change it.
ARTICLES = ("de", "het", "t")
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

    def _read(self) -> dict[tuple[str, ...], list[Area]]:
        rows: list[Any] = []
        if self.db is not None:
            try:
                with self.db.connect() as conn:
                    rows = list(
                        conn.execute(
                            text("SELECT level, code, name FROM geo_boundary WHERE name IS NOT NULL")
                        )
                    )
            except DBAPIError:
                rows = []  # no boundaries (or no database right now): the stadsdeel names still work
        found: dict[tuple[str, ...], list[Area]] = {}

        def add(key: str, area: Area) -> None:
            areas = found.setdefault(tuple(key.split()), [])
            if all(a.code != area.code or a.level != area.level for a in areas):
                areas.append(area)

        for code, name in STADSDEEL_NAMES.items():
            for key in name_keys(name):
                add(key, Area("stadsdeel", code, name))
        for key, code in STADSDEEL_ALIASES.items():
            add(key, Area("stadsdeel", code, STADSDEEL_NAMES[code]))
        for level, code, name in rows:
            if level in LEVELS:
                for key in name_keys(name):
                    add(key, Area(level, code, name))
        # A name shared by levels ("Centrum") means the widest area.
        for areas in found.values():
            areas.sort(key=lambda a: LEVELS.index(a.level))
        return found

    def names(self) -> dict[tuple[str, ...], list[Area]]:
        """Every known name (as a tuple of words) with its areas, widest first."""
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
