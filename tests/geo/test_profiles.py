"""Profile rules on single ways, and ferries in the network reader."""

from __future__ import annotations

import pytest

from geo.network.osm import _Way, split_ways
from geo.network.profiles import (
    SCOOTMOBIEL,
    SLOW_WALKING,
    WALKING,
    WHEELCHAIR,
    edge_speed_ms,
    ferry_seconds,
    foot_usable,
    kerb_height_m,
    parse_duration_s,
    parse_incline,
    parse_metres,
)


def test_steps_close_for_wheels_but_not_feet() -> None:
    """Steps: slower on foot, closed for wheelchair and scootmobiel unless there is a ramp."""
    steps = {"highway": "steps"}
    assert edge_speed_ms(WALKING, steps, None) == pytest.approx(WALKING.speed_ms / WALKING.steps_factor)
    assert edge_speed_ms(WHEELCHAIR, steps, None) is None
    assert edge_speed_ms(SCOOTMOBIEL, steps, None) is None
    assert edge_speed_ms(WHEELCHAIR, {**steps, "ramp:wheelchair": "yes"}, None) is not None


def test_unpaved_is_closed_or_avoided() -> None:
    """Gravel: closed for a wheelchair, three times slower for a scootmobiel, normal on foot."""
    gravel = {"highway": "path", "surface": "gravel"}
    assert edge_speed_ms(WHEELCHAIR, gravel, None) is None
    assert edge_speed_ms(SCOOTMOBIEL, gravel, None) == pytest.approx(SCOOTMOBIEL.speed_ms / 3.0)
    assert edge_speed_ms(WALKING, gravel, None) == pytest.approx(WALKING.speed_ms)


def test_cycleways_for_scootmobiel_not_for_walkers() -> None:
    """A fietspad without a foot tag: the scootmobiel rides it faster; a walker may not use it."""
    cycleway = {"highway": "cycleway"}
    assert edge_speed_ms(WALKING, cycleway, None) is None
    assert edge_speed_ms(SCOOTMOBIEL, cycleway, None) == pytest.approx(12 / 3.6)
    assert edge_speed_ms(SCOOTMOBIEL, {"highway": "footway"}, None) == pytest.approx(6 / 3.6)
    assert edge_speed_ms(WALKING, {**cycleway, "foot": "designated"}, None) == pytest.approx(WALKING.speed_ms)
    assert edge_speed_ms(SCOOTMOBIEL, {**cycleway, "mofa": "no"}, None) is None


def test_kerb_width_and_incline_limits() -> None:
    """A raised kerb, a narrow passage or a steep ramp closes an edge for a wheelchair only."""
    footway = {"highway": "footway"}
    assert edge_speed_ms(WHEELCHAIR, footway, kerb_height_m("raised", None)) is None
    assert edge_speed_ms(WHEELCHAIR, footway, kerb_height_m("lowered", None)) is not None
    assert edge_speed_ms(WHEELCHAIR, footway, kerb_height_m(None, "3 cm")) is not None
    assert edge_speed_ms(WALKING, footway, kerb_height_m("raised", None)) is not None
    assert edge_speed_ms(WHEELCHAIR, {**footway, "width": "0.7"}, None) is None
    assert edge_speed_ms(WHEELCHAIR, {**footway, "incline": "12%"}, None) is None
    assert edge_speed_ms(SLOW_WALKING, {**footway, "incline": "12%"}, None) == pytest.approx(3 / 3.6)


def test_access_rules() -> None:
    """Private ways and motorways are out; a private way with foot=yes is in."""
    assert not foot_usable({"highway": "motorway"})
    assert not foot_usable({"highway": "residential", "access": "private"})
    assert foot_usable({"highway": "residential", "access": "private", "foot": "yes"})
    assert not foot_usable({"highway": "primary", "foot": "use_sidepath"})
    assert foot_usable({"route": "ferry"})


@pytest.mark.parametrize(
    ("text", "seconds"), [("00:05", 300), ("0:05:30", 330), ("7", 420), ("soon", None), (None, None)]
)
def test_ferry_durations(text: str | None, seconds: float | None) -> None:
    """OSM duration values in seconds."""
    assert parse_duration_s(text) == seconds


def test_ferry_time_is_crossing_plus_wait() -> None:
    """An IJ ferry tagged duration=00:05: five minutes across plus the average wait."""
    assert ferry_seconds(WALKING, {"route": "ferry", "duration": "00:05"}, 400) == 300 + 5 * 60
    untagged = ferry_seconds(WALKING, {"route": "ferry"}, 1000)
    assert untagged == pytest.approx(1000 / (10 / 3.6) + 300)


def test_parsers() -> None:
    """Widths, kerb heights and inclines as people tag them."""
    assert parse_metres("1,2 m") == pytest.approx(1.2)
    assert parse_metres("30 cm") == pytest.approx(0.3)
    assert parse_metres("wide") is None
    assert parse_incline("-8 %") == 8
    assert parse_incline("up") is None


def test_ways_split_at_shared_nodes_and_ferries_kept() -> None:
    """Two streets crossing mid-way give four edges; a ferry way stays one edge; kerbs are remembered."""
    line = [(4.90, 52.37), (4.901, 52.37), (4.902, 52.37)]
    ways = [
        _Way(1, [1, 2, 3], line, {"highway": "residential"}),
        _Way(
            2,
            [4, 2, 5],
            [(4.901, 52.369), (4.901, 52.37), (4.901, 52.371)],
            {"highway": "footway", "footway": "crossing"},
        ),
        _Way(3, [3, 6], [(4.902, 52.37), (4.902, 52.38)], {"route": "ferry", "duration": "00:05"}),
    ]
    network = split_ways(ways, kerbs={4: 0.12})
    assert len(network.edges) == 5
    assert network.ferries == 1
    crossing = [e for e in network.edges if e.tags.get("footway") == "crossing"]
    assert sorted(e.max_kerb_m or 0 for e in crossing) == [0, 0.12]
    assert set(network.nodes) == {1, 2, 3, 4, 5, 6}
