"""Area names a question may hold ("stamtafel oost", "de Pijp", "Bos en Lommer"), and who serves them.

The names come from the boundary table (`geo_boundary`, filled by `wijkgram geo
boundaries`), the gebieden shipped in geo/data/amsterdam-areas.geojson and, always,
the stadsdeel names the documents carry. They are read once and kept in process
memory, so parsing a question costs no database round trip: in an app process until
the boundaries change (directory/reference.py), elsewhere for `AREA_NAMES_TTL_S`.
A name matches whatever its case, accents, hyphens or a leading "de" / "het"
("De Pijp", "pijp", "Nieuw-West", "nieuw west", "nieuwwest").

A gebied ("Bos en Lommer", "Oud-West, De Baarsjes") is not a level the documents carry:
it means the wijken that lie in it (and, of a wijk cut by a gebied border, the buurten
on its side), found by where each stored buurt's inside point falls among the shipped
gebied outlines. So it follows whatever boundaries were imported, needs no column of
its own, and its codes are always ones `search_document` carries.
"""

from __future__ import annotations

import re
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from shapely.geometry import Point
from shapely.prepared import prep
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from directory.reference import reference_cache
from directory.search.compounds import known_parts
from directory.search.documents import STADSDEEL_NAMES
from directory.search.text import words
from geo.service_areas import names_of, shipped_areas

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


@dataclass(frozen=True)
class AreaTable:
    """Every known name (as a tuple of words) with the areas it means, and the label of a name
    that stands for several areas under a name of its own (a gebied's)."""

    names: dict[tuple[str, ...], list[Area]]
    labels: dict[tuple[str, ...], str]


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
        self._table = AreaTable({}, {})
        self._read_at = -AREA_NAMES_TTL_S
        self._served: dict[tuple[str, ...], tuple[float, tuple[str, ...]]] = {}

    def _rows(self) -> list[Any]:
        """(level, code, name, parent code, x, y) of every boundary, x and y a point inside each buurt;
        none without boundaries or a database."""
        if self.db is None:
            return []
        sql = """
            SELECT level, code, name, parent_code, ST_X(p), ST_Y(p)
            FROM (SELECT *, CASE WHEN level = 'buurt' THEN ST_PointOnSurface(geom) END AS p
                  FROM geo_boundary) b
        """
        try:
            with self.db.connect() as conn:
                return list(conn.execute(text(sql)))
        except DBAPIError:
            return []  # no boundaries (or no database right now): the stadsdeel names still work

    def _gebieden(self, rows: list[Any]) -> list[tuple[str, list[Area]]]:
        """Each shipped gebied's name with the stored wijken that lie in it (or their buurten).

        A buurt lies in the gebied its inside point falls in; a wijk whose buurten all lie in
        one gebied stands for them, so the filter stays short. A wijk cut by a gebied border
        (Noord's NB lies in Noord-West and Oud-Noord) is given as its buurten on each side.
        """
        shipped = [(a, prep(a.geometry)) for a in shipped_areas().areas if a.level == "gebied"]
        names = {(level, code): name for level, code, name, *_ in rows}
        in_gebied: dict[str, list[tuple[str, str | None]]] = defaultdict(list)
        gebieden_of_wijk: dict[str, set[str | None]] = defaultdict(set)
        for level, code, _, parent, x, y in rows:
            if level != "buurt" or x is None:
                continue
            point = Point(x, y)
            gebied = next((a.code for a, outline in shipped if outline.contains(point)), None)
            wijk = parent if ("wijk", parent) in names else None
            if wijk:
                gebieden_of_wijk[wijk].add(gebied)
            if gebied:
                in_gebied[gebied].append((code, wijk))
        found = []
        for gebied_area, _ in shipped:
            parts: dict[tuple[str, str], Area] = {}
            for code, wijk in sorted(in_gebied[gebied_area.code]):
                if wijk and gebieden_of_wijk[wijk] == {gebied_area.code}:
                    parts.setdefault(("wijk", wijk), Area("wijk", wijk, names[("wijk", wijk)] or wijk))
                else:
                    parts[("buurt", code)] = Area("buurt", code, names[("buurt", code)] or code)
            if parts:
                found.append((gebied_area.name, list(parts.values())))
        return found

    def _read(self) -> AreaTable:
        found: dict[tuple[str, ...], list[Area]] = {}
        together: dict[tuple[str, ...], list[Area]] = {}
        named = [(Area("stadsdeel", code, name), name) for code, name in STADSDEEL_NAMES.items()]
        named += [
            (Area("stadsdeel", code, STADSDEEL_NAMES[code]), key) for key, code in STADSDEEL_ALIASES.items()
        ]
        rows = self._rows()
        named += [
            (Area(level, code, name), name) for level, code, name, *_ in rows if level in LEVELS and name
        ]
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
        # A gebied, by its name or either half of a joined one ("de Baarsjes" is all of "Oud-West,
        # De Baarsjes", as in service areas), when no name above means something already: a wijk
        # with a gebied's name ("Geuzenveld", "Zuidas") stays that wijk, "de Pijp" the three Pijpen.
        labels: dict[tuple[str, ...], str] = {}
        for gebied, parts in self._gebieden(rows):
            for name in names_of(gebied):
                for key in name_keys(name):
                    name_words = tuple(key.split())
                    if name_words not in found and key not in vocabulary:
                        found[name_words] = parts
                        labels[name_words] = gebied
        return AreaTable(found, labels)

    def _read_table(self) -> AreaTable:
        if (cache := reference_cache(self.db)) is not None:
            # An app process: kept until the boundaries change (directory/reference.py).
            return cache.get("areas", "area_table", self._read)
        now = time.monotonic()
        if now - self._read_at > AREA_NAMES_TTL_S:
            with self._lock:
                if now - self._read_at > AREA_NAMES_TTL_S:
                    self._table = self._read()
                    self._read_at = now
        return self._table

    def names(self) -> dict[tuple[str, ...], list[Area]]:
        """Every known name (as a tuple of words) with the areas it means (one, or the parts of it)."""
        return self._read_table().names

    def label(self, name_words: tuple[str, ...]) -> str:
        """What to call the areas a name means: the one area's name, a gebied's name, or the name as
        asked ("Pijp" for the Oude, Nieuwe and Zuid Pijp)."""
        table = self._read_table()
        found = table.names.get(name_words, [])
        if name_words in table.labels:
            return table.labels[name_words]
        return found[0].name if len(found) == 1 else " ".join(name_words).title()

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
