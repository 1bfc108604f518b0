"""Which existing place an imported record is about, when its source id is not yet known.

Two records are the same place when they lie within `MATCH_RADIUS_M` of each
other and their names score at least `NAME_THRESHOLD`. The places of other
sources are loaded once per run into a Shapely `STRtree`, so matching a new
record costs no query.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass

import shapely
from rapidfuzz import fuzz, utils
from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.models import Location, SourceLink

#: Two records are the same place only within this distance (metres) ...
MATCH_RADIUS_M = 60.0
#: ... and when their names are this similar (rapidfuzz token_sort_ratio on normalised
#: names, 0-100). Tuned on the real data (docs/importers.md): different places near
#: each other in the Centrum extract score at most 82.8 ("Cafe Bloemenmarkt" vs the
#: "Bloemenmarkt"); the repair-café list's "De Boomsspijker" vs OSM's "De Boomspijker"
#: scores 96.6. WRatio was rejected: it scores "Soepcafé Nieuwmarkt" vs the square
#: "Nieuwmarkt" 90.
NAME_THRESHOLD = 85.0

#: Metres per degree of latitude on the sphere `metres` uses; the search box is drawn 10 %
#: wider than the radius so that it always holds every point `metres` puts within it.
_METRES_PER_DEGREE = 6_371_000 * math.pi / 180
_BOX_MARGIN = 1.1


def normalise_name(name: str) -> str:
    """A name reduced for comparison: lower case, without punctuation and surrounding spaces."""
    return str(utils.default_process(name))


def name_similarity(a: str, b: str) -> float:
    """How alike two place names are (0-100), tolerant of word order, case and punctuation."""
    return float(fuzz.token_sort_ratio(normalise_name(a), normalise_name(b)))


def metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Distance in metres (equirectangular; exact enough below a kilometre)."""
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    y = math.radians(lat2 - lat1)
    return 6_371_000 * math.hypot(x, y)


@dataclass
class Candidate:
    """A location another source made, as the name matcher sees it."""

    entity_id: uuid.UUID
    names: list[str]
    lat: float
    lon: float


class PlaceIndex:
    """Other sources' locations in an R-tree; each can be matched once per run."""

    def __init__(self, candidates: list[Candidate]) -> None:
        self._candidates = candidates
        self._tree = shapely.STRtree([shapely.Point(c.lon, c.lat) for c in candidates])
        self._taken: set[int] = set()

    @classmethod
    def load(cls, session: Session, source: str) -> PlaceIndex:
        """Every location not linked to `source`, with its name and alternate names (one query)."""
        taken = select(SourceLink.entity_id).where(
            SourceLink.entity_type == "location", SourceLink.source == source
        )
        rows = session.execute(
            select(
                Location.id,
                Location.name,
                Location.alternate_name,
                Location.geom.ST_Y(),
                Location.geom.ST_X(),
            ).where(Location.id.not_in(taken))
        )
        candidates = []
        for entity_id, name, alternate, lat, lon in rows:
            names = [name, *(n.strip() for n in (alternate or "").split(";") if n.strip())]
            candidates.append(Candidate(entity_id, names, lat, lon))
        return cls(candidates)

    def take(
        self, name: str, lat: float, lon: float, *, radius_m: float, threshold: float
    ) -> uuid.UUID | None:
        """The most similar named candidate within `radius_m`, if it scores `threshold`; it is then taken.

        Equal scores go to the nearer candidate.
        """
        if not self._candidates:
            return None  # the first source of an area: nothing to match
        half_lat = radius_m * _BOX_MARGIN / _METRES_PER_DEGREE
        half_lon = half_lat / max(math.cos(math.radians(abs(lat) + half_lat)), 1e-6)
        box = shapely.box(lon - half_lon, lat - half_lat, lon + half_lon, lat + half_lat)
        best: tuple[float, float, int] | None = None
        for index in self._tree.query(box).tolist():
            if index in self._taken:
                continue
            candidate = self._candidates[index]
            distance = metres(lat, lon, candidate.lat, candidate.lon)
            if distance > radius_m:
                continue
            score = max(name_similarity(name, n) for n in candidate.names)
            if score >= threshold and (best is None or (score, -distance) > (best[0], -best[1])):
                best = (score, distance, index)
        if best is None:
            return None
        self._taken.add(best[2])  # now linked to this source: taken
        return self._candidates[best[2]].entity_id
