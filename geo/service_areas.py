"""Service areas as partners write them: "Zuidoost", "Nieuw-West", "Heel Amsterdam", "1090-1099", "aan huis".

Much informal support has no front door: a buddy visits at home, debt help works
by phone, a neighbours' network serves all of Oost. Such an offer is described
by the area it serves and how it reaches people. `read_area` turns a
"Werkgebied" cell into an `AreaMatch`: the polygon (a union of Amsterdam's
stadsdelen and gebieden, from the outlines shipped in `geo/data/`), a name to
show, the ways it reaches people (at home, by phone, online) and the words it
did not understand.

Postcode ranges are mapped to stadsdelen with `PC4_STADSDELEN`, an approximate
table (each four-digit postcode area assigned to the stadsdeel where most of it
lies): good enough to say "this service covers my client", not for drawing.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from shapely.geometry import MultiPolygon, mapping, shape
from shapely.ops import unary_union

#: Outlines shipped with wijkgram (built by `python -m geo.build_areas`, see geo/data/ATTRIBUTION.md).
AREAS_FILE = Path(__file__).with_name("data") / "amsterdam-areas.geojson"
#: Ways a service reaches people, as stored on the service.
MODES = ("at_home", "phone", "online")
MODE_WORDS: dict[str, tuple[str, ...]] = {
    "at_home": (
        "aan huis", "bij u thuis", "bij je thuis", "bij jou thuis", "thuis", "huisbezoek", "huisbezoeken",
        "at home", "home visits", "komt langs", "komen langs", "bij de mensen thuis",
    ),
    "phone": ("telefonisch", "per telefoon", "telefoon", "by phone", "phone", "bellen", "belservice"),
    "online": ("online", "digitaal", "videobellen", "via video", "internet", "chat", "whatsapp"),
}  # fmt: skip
CITY_WORDS = (
    "heel amsterdam", "hele stad", "amsterdam", "gemeente amsterdam", "alle stadsdelen", "stedelijk",
    "stadsbreed", "heel de stad", "hele gemeente", "citywide", "whole city", "all of amsterdam",
    "amsterdam eo", "regio amsterdam", "groot amsterdam",
)  # fmt: skip
#: Other ways people write a stadsdeel (normalised by `_key`).
STADSDEEL_ALIASES = {
    "binnenstad": "A", "centrum": "A", "amsterdamcentrum": "A",
    "westpoort": "B", "haven": "B", "havengebied": "B",
    "west": "E", "amsterdamwest": "E",
    "nieuwwest": "F", "amsterdamnieuwwest": "F",
    "zuid": "K", "amsterdamzuid": "K",
    "oost": "M", "amsterdamoost": "M",
    "noord": "N", "amsterdamnoord": "N",
    "weesp": "S", "driemond": "S",
    "zuidoost": "T", "amsterdamzuidoost": "T",
}  # fmt: skip
#: Four-digit postcode ranges -> stadsdeel code (approximate, see the module docstring).
PC4_STADSDELEN: tuple[tuple[int, int, str], ...] = (
    (1011, 1018, "A"), (1019, 1019, "M"), (1020, 1039, "N"), (1040, 1047, "B"), (1050, 1058, "E"),
    (1059, 1059, "K"), (1060, 1069, "F"), (1070, 1083, "K"), (1086, 1099, "M"), (1100, 1108, "T"),
    (1109, 1109, "S"), (1380, 1384, "S"),
)  # fmt: skip
_PC_RANGE = re.compile(r"\b(1\d{3})\s*(?:-|–|t/m|tm|tot(?: en met)?)\s*(1\d{3})\b")
_PC_SINGLE = re.compile(r"\b(1\d{3})(?:\s?[a-z]{2})?\b")
_SPLIT = re.compile(r"[,;/+&\n|]|\s+of\s+|\s+or\s+")
#: Splits a part once more when it names no area as a whole ("Bos en Lommer" is one gebied).
_AND = re.compile(r"\s+en\s+|\s+and\s+")
_PREFIXES = ("stadsdeel ", "stadsdelen ", "gebied ", "wijk ", "in ", "heel ", "regio ", "de ", "rond ")


def _key(text: str) -> str:
    """A name reduced for matching: lower case, no accents, punctuation or spaces."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "", text.lower())


def names_of(name: str) -> tuple[str, ...]:
    """The names an area is found by: its own, and each half of a gebied named after two.

    The city names some gebieden after the two parts they joined ("Oud-West, De Baarsjes",
    "De Aker, Sloten, Nieuw-Sloten"); people name one part and mean it.
    """
    parts = tuple(p.strip() for p in name.split(", ") if p.strip())
    return (name, *parts) if len(parts) > 1 else (name,)


@dataclass(frozen=True)
class Area:
    """One shipped outline: a stadsdeel or a gebied."""

    level: str
    code: str
    name: str
    geometry: Any  # shapely (Multi)Polygon


@dataclass
class AreaMatch:
    """What a service-area cell says: where (a polygon and its name) and how (at home, phone, online)."""

    name: str | None = None
    geometry: dict[str, Any] | None = None
    modes: list[str] = field(default_factory=list)
    citywide: bool = False
    #: Parts of the cell that name no known area.
    unknown: list[str] = field(default_factory=list)


class AreaIndex:
    """The shipped stadsdelen and gebieden by name, and the city as their union."""

    def __init__(self, areas: list[Area]) -> None:
        self.areas = areas
        self.by_key: dict[str, Area] = {}
        stadsdelen = {a.code: a for a in areas if a.level == "stadsdeel"}
        for area in areas:
            for name in names_of(area.name):
                self.by_key.setdefault(_key(name), area)
        for alias, code in STADSDEEL_ALIASES.items():
            if code in stadsdelen:
                self.by_key[alias] = stadsdelen[code]
        self.stadsdelen = stadsdelen
        self._city: Any = None

    @classmethod
    def from_file(cls, path: Path) -> AreaIndex:
        """Read a GeoJSON FeatureCollection with `level`, `code` and `name` properties."""
        data = json.loads(path.read_text(encoding="utf-8"))
        areas = [
            Area(
                f["properties"]["level"],
                f["properties"]["code"],
                f["properties"]["name"],
                shape(f["geometry"]),
            )
            for f in data["features"]
        ]
        return cls(areas)

    def city(self) -> Any:
        """All of Amsterdam: the union of its stadsdelen."""
        if self._city is None:
            self._city = unary_union([a.geometry for a in self.stadsdelen.values()])
        return self._city

    def find(self, text: str) -> Area | None:
        """The area a name means ('Nieuw-West', 'stadsdeel Zuidoost', 'Bos en Lommer'), if any."""
        part = text.strip().lower()
        found = self.by_key.get(_key(part))
        for _ in range(2):
            for prefix in _PREFIXES:
                part = part.removeprefix(prefix)
        return found or self.by_key.get(_key(part))


@lru_cache(maxsize=1)
def shipped_areas() -> AreaIndex:
    """The Amsterdam outlines that ship with wijkgram."""
    return AreaIndex.from_file(AREAS_FILE)


def _modes(lower: str) -> tuple[list[str], str]:
    """The modes a text names, and the text without those words."""
    found: list[str] = []
    for mode, words in MODE_WORDS.items():
        for word in sorted(words, key=len, reverse=True):
            pattern = rf"\b{re.escape(word)}\b"
            if re.search(pattern, lower):
                if mode not in found:
                    found.append(mode)
                lower = re.sub(pattern, " ", lower)
    return [m for m in MODES if m in found], lower


def _postcode_codes(lower: str) -> tuple[list[str], list[str], str]:
    """Stadsdeel codes of the postcodes and ranges in a text, their labels, and the rest of the text."""
    codes: list[str] = []
    labels: list[str] = []

    def add(low: int, high: int) -> None:
        for first, last, code in PC4_STADSDELEN:
            if first <= high and low <= last and code not in codes:
                codes.append(code)

    for match in _PC_RANGE.finditer(lower):
        low, high = sorted((int(match.group(1)), int(match.group(2))))
        add(low, high)
        labels.append(f"{low}-{high}")
    lower = _PC_RANGE.sub(" ", lower)
    for match in _PC_SINGLE.finditer(lower):
        add(int(match.group(1)), int(match.group(1)))
        labels.append(match.group(1))
    return codes, labels, _PC_SINGLE.sub(" ", lower)


def read_area(text: str, *, city: str | None = None, index: AreaIndex | None = None) -> AreaMatch:
    """Read a service-area cell; a mode without a place ("telefonisch") serves the row's city (Amsterdam).

    `city` is the row's city; the shipped outlines cover Amsterdam only, so an
    area in another city gets its modes but no polygon.
    """
    index = index or shipped_areas()
    match = AreaMatch()
    lower = " ".join(text.lower().split())
    match.modes, lower = _modes(lower)
    codes, labels, lower = _postcode_codes(lower)
    shapes = [index.stadsdelen[c].geometry for c in codes if c in index.stadsdelen]
    names = [f"postcodes {label}" for label in labels]
    city_keys = {_key(w) for w in CITY_WORDS}
    for chunk in _SPLIT.split(lower):
        whole = chunk.strip(" .:-()")
        parts = [whole] if _key(whole) in city_keys or index.find(whole) else _AND.split(whole)
        for raw in parts:
            part = raw.strip(" .:-()")
            if not part:
                continue
            if _key(part) in city_keys:
                match.citywide = True
                continue
            area = index.find(part)
            if area is None:
                match.unknown.append(part)
            else:
                shapes.append(area.geometry)
                names.append(area.name)
    in_amsterdam = city is None or _key(city) in ("", "amsterdam")
    if match.citywide or (match.modes and not shapes and not match.unknown and in_amsterdam):
        match.citywide = True
        match.name = "Heel Amsterdam"
        shapes = [index.city()]
    elif names:
        match.name = ", ".join(dict.fromkeys(names))
    if shapes:
        union = unary_union(shapes)
        if union.geom_type == "Polygon":
            union = MultiPolygon([union])
        match.geometry = dict(mapping(union))
    return match
