"""Travel profiles: who moves how fast over which ways, as named, tunable parameters.

A profile turns the OpenStreetMap tags of one edge into a speed (metres per
second) or None when that person cannot use the edge at all. Every number
and rule is a field of `Profile`, so tuning one is a one-line change (and
`docs/reachability.md` lists them).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

#: Highway values a person on foot may use (sidewalks are assumed along roads,
#: as in Dutch cities; motorways and trunk roads are excluded).
FOOT_HIGHWAYS = frozenset(
    {
        "footway", "pedestrian", "path", "steps", "living_street", "residential", "service",
        "unclassified", "tertiary", "tertiary_link", "secondary", "secondary_link", "primary",
        "primary_link", "road", "track", "corridor", "platform", "bridleway", "cycleway",
    }
)  # fmt: skip
#: Surfaces a wheelchair or scootmobiel should avoid (sand, grass, loose stones).
UNPAVED_SURFACES = frozenset(
    {
        "unpaved", "dirt", "earth", "ground", "grass", "grass_paver", "gravel", "fine_gravel",
        "pebblestone", "sand", "mud", "woodchips", "rock", "stone", "shells",
    }
)  # fmt: skip
#: Surfaces that shake a wheelchair: allowed, but slower.
ROUGH_SURFACES = frozenset({"sett", "cobblestone", "unhewn_cobblestone", "compacted", "wood"})
BAD_SMOOTHNESS = frozenset({"bad", "very_bad", "horrible", "very_horrible", "impassable"})
NO_ACCESS = frozenset({"no", "private"})
YES_ACCESS = frozenset({"yes", "designated", "permissive", "official", "destination"})


@dataclass(frozen=True)
class Profile:
    """How one kind of traveller moves; every field is a tunable rule."""

    name: str
    label_nl: str
    speed_kmh: float
    #: Speed on cycleways (None: use `speed_kmh`); only used when `ride_cycleways`.
    cycleway_speed_kmh: float | None = None
    #: May use highway=cycleway without a foot tag (a scootmobiel may ride the fietspad).
    ride_cycleways: bool = False
    steps_allowed: bool = True
    #: Steps take longer than flat ground: time is multiplied by this factor.
    steps_factor: float = 2.0
    unpaved_allowed: bool = True
    unpaved_factor: float = 1.0
    rough_surface_factor: float = 1.0
    #: Edges tagged wheelchair=no are closed for this profile.
    respect_wheelchair_no: bool = False
    #: wheelchair=limited: passable but slower.
    wheelchair_limited_factor: float = 1.0
    #: Highest kerb (metres) this traveller can cross; None means kerbs do not matter.
    max_kerb_m: float | None = None
    #: Steepest tagged incline (percent) this traveller can manage; None: no limit.
    max_incline_pct: float | None = None
    #: Narrowest tagged width (metres) this traveller fits through; None: no limit.
    min_width_m: float | None = None
    #: Average wait for a ferry, added to its crossing time.
    ferry_wait_min: float = 5.0
    #: Ferry speed when the ferry way has no duration tag.
    ferry_speed_kmh: float = 10.0
    #: Extra factors per highway value (e.g. slower in crowded pedestrian streets).
    highway_factors: Mapping[str, float] = field(default_factory=dict)

    @property
    def speed_ms(self) -> float:
        """The base speed in metres per second."""
        return self.speed_kmh / 3.6

    def tuned(self, **changes: object) -> Profile:
        """A copy with some parameters changed (for tuning experiments and tests)."""
        return replace(self, **changes)  # type: ignore[arg-type]


WALKING = Profile(name="walking", label_nl="lopen", speed_kmh=4.5, steps_factor=1.6)
SLOW_WALKING = Profile(
    name="slow_walking",
    label_nl="langzaam lopen",
    speed_kmh=3.0,
    steps_factor=2.5,
    unpaved_factor=1.2,
    rough_surface_factor=1.1,
)
WHEELCHAIR = Profile(
    name="wheelchair",
    label_nl="rolstoel",
    speed_kmh=3.6,
    # Tuned on the measured Nieuwmarkt network (docs/reachability.md): it counts
    # bike paths as usable, and Dutch law lets electric wheelchairs use the fietspad.
    ride_cycleways=True,
    steps_allowed=False,
    unpaved_allowed=False,
    rough_surface_factor=1.25,
    respect_wheelchair_no=True,
    wheelchair_limited_factor=1.5,
    max_kerb_m=0.04,
    max_incline_pct=8.0,
    min_width_m=0.9,
)
SCOOTMOBIEL = Profile(
    name="scootmobiel",
    label_nl="scootmobiel",
    speed_kmh=6.0,
    cycleway_speed_kmh=12.0,
    ride_cycleways=True,
    steps_allowed=False,
    unpaved_allowed=True,
    unpaved_factor=3.0,
    rough_surface_factor=1.2,
    respect_wheelchair_no=True,
    wheelchair_limited_factor=1.5,
    max_kerb_m=0.04,
    max_incline_pct=10.0,
    min_width_m=1.0,
)

PROFILES: dict[str, Profile] = {p.name: p for p in (WALKING, SLOW_WALKING, WHEELCHAIR, SCOOTMOBIEL)}

_NUMBER = re.compile(r"[-+]?\d+(?:[.,]\d+)?")


def parse_metres(value: str | None) -> float | None:
    """A width or kerb height tag ('0.9', '1,2 m', '3 cm') in metres; None when unreadable."""
    if not value:
        return None
    match = _NUMBER.search(value)
    if not match:
        return None
    number = float(match.group().replace(",", "."))
    if "cm" in value:
        return number / 100
    if "mm" in value:
        return number / 1000
    return number


def parse_incline(value: str | None) -> float | None:
    """An incline tag ('5%', '-8 %') as an absolute percentage; 'up'/'down' give None."""
    if not value or "%" not in value:
        return None
    match = _NUMBER.search(value)
    return abs(float(match.group().replace(",", "."))) if match else None


def parse_duration_s(value: str | None) -> float | None:
    """An OSM duration ('00:05', '0:05:30', '7') in seconds; None when unreadable."""
    if not value:
        return None
    parts = value.strip().split(":")
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        return None
    if len(numbers) == 1:
        return numbers[0] * 60
    if len(numbers) == 2:
        return numbers[0] * 3600 + numbers[1] * 60
    if len(numbers) == 3:
        return numbers[0] * 3600 + numbers[1] * 60 + numbers[2]
    return None


#: Kerb values and the height (metres) they stand for when no kerb:height is tagged.
KERB_HEIGHTS = {"raised": 0.12, "regular": 0.08, "normal": 0.08, "yes": 0.08, "rolled": 0.03,
                "lowered": 0.02, "flush": 0.0, "no": 0.0}  # fmt: skip


def kerb_height_m(kerb: str | None, kerb_height: str | None) -> float | None:
    """The kerb height from kerb:height, else from the kerb kind; None when unknown."""
    height = parse_metres(kerb_height)
    if height is not None:
        return height
    return KERB_HEIGHTS.get(kerb or "")


def foot_usable(tags: Mapping[str, str]) -> bool:
    """Whether anyone on foot (or in a wheelchair) may use this way at all."""
    if tags.get("route") == "ferry":
        return tags.get("foot") not in NO_ACCESS
    highway = tags.get("highway", "")
    if highway not in FOOT_HIGHWAYS or (tags.get("area") == "yes" and highway != "pedestrian"):
        return False
    if tags.get("foot") in NO_ACCESS or tags.get("foot") == "use_sidepath":
        return False  # use_sidepath: the pavement beside it is mapped as its own way
    return not (tags.get("access") in NO_ACCESS and tags.get("foot") not in YES_ACCESS)


def edge_speed_ms(
    profile: Profile, tags: Mapping[str, str], max_kerb_on_edge_m: float | None
) -> float | None:
    """Effective speed (m/s) of `profile` on a way with these tags, or None when impassable.

    Multiplying factors are applied as a slower speed, so time = length / speed.
    Ferries are not handled here (their time is a duration, see `ferry_seconds`).
    """
    speed = _base_speed_ms(profile, tags)
    if speed is None or not _fits(profile, tags, max_kerb_on_edge_m):
        return None
    # Each rule gives the factor it slows the way by, or None when the way is impassable;
    # they are applied one by one, in this order.
    for rule in (_steps_factor, _wheelchair_factor, _surface_factor, _smoothness_factor):
        factor = rule(profile, tags)
        if factor is None:
            return None
        speed /= factor
    return speed / profile.highway_factors.get(tags.get("highway", ""), 1.0)


def _base_speed_ms(profile: Profile, tags: Mapping[str, str]) -> float | None:
    """The profile's speed, or its cycleway speed on a cycleway it may ride; None when barred."""
    if tags.get("highway", "") != "cycleway":
        return profile.speed_ms
    if profile.ride_cycleways and tags.get("mofa") not in NO_ACCESS:
        return (profile.cycleway_speed_kmh or profile.speed_kmh) / 3.6
    foot_ok = tags.get("foot") in YES_ACCESS or "segregated" in tags
    return profile.speed_ms if foot_ok else None


def _steps_factor(profile: Profile, tags: Mapping[str, str]) -> float | None:
    if tags.get("highway", "") != "steps":
        return 1.0
    ramp = tags.get("ramp:wheelchair") == "yes" or tags.get("ramp") == "yes"
    if not profile.steps_allowed and not ramp:
        return None
    return profile.steps_factor


def _wheelchair_factor(profile: Profile, tags: Mapping[str, str]) -> float | None:
    wheelchair = tags.get("wheelchair")
    if profile.respect_wheelchair_no and wheelchair == "no":
        return None
    return profile.wheelchair_limited_factor if wheelchair == "limited" else 1.0


def _surface_factor(profile: Profile, tags: Mapping[str, str]) -> float | None:
    surface = tags.get("surface", "")
    if surface in UNPAVED_SURFACES or tags.get("tracktype") in {"grade3", "grade4", "grade5"}:
        return profile.unpaved_factor if profile.unpaved_allowed else None
    return profile.rough_surface_factor if surface in ROUGH_SURFACES else 1.0


def _smoothness_factor(profile: Profile, tags: Mapping[str, str]) -> float | None:
    smoothness = tags.get("smoothness", "")
    if smoothness not in BAD_SMOOTHNESS or profile.unpaved_allowed:
        return 1.0
    return profile.rough_surface_factor if smoothness == "bad" else None


def _fits(profile: Profile, tags: Mapping[str, str], max_kerb_on_edge_m: float | None) -> bool:
    """Whether the way's kerbs, incline and width are within the profile's limits (where tagged)."""
    kerb_limit = profile.max_kerb_m
    if kerb_limit is not None and max_kerb_on_edge_m is not None and max_kerb_on_edge_m > kerb_limit:
        return False
    if profile.max_incline_pct is not None:
        incline = parse_incline(tags.get("incline"))
        if incline is not None and incline > profile.max_incline_pct:
            return False
    if profile.min_width_m is not None:
        width = parse_metres(tags.get("width") or tags.get("est_width"))
        if width is not None and width < profile.min_width_m:
            return False
    return True


def ferry_seconds(profile: Profile, tags: Mapping[str, str], length_m: float) -> float | None:
    """Time to cross by ferry: the tagged duration (or length at ferry speed) plus the average wait."""
    if tags.get("foot") in NO_ACCESS:
        return None
    if profile.respect_wheelchair_no and tags.get("wheelchair") == "no":
        return None
    crossing = parse_duration_s(tags.get("duration"))
    if crossing is None:
        crossing = length_m / (profile.ferry_speed_kmh / 3.6)
    return crossing + profile.ferry_wait_min * 60
