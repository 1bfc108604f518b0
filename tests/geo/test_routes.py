"""Travel times on hand-verified real routes in the Amsterdam Centrum extract.

Each route was checked by reading the OSM ways it uses (names, bridges,
steps) against the real street layout; the tests assert the properties that
make those routes right, with thresholds derived from crow-fly distance.
"""

from __future__ import annotations

import numpy as np
import pytest
from shapely.geometry import Point

from directory.points import distance_m
from geo.network.profiles import SCOOTMOBIEL, SLOW_WALKING, WALKING, WHEELCHAIR
from geo.reach import Origin, Reachability

#: Kloveniersburgwal, two quays facing each other across the canal (about 55 m apart),
#: between the bridges at Nieuwe Hoogstraat (north) and the Aluminiumbrug (Nieuwe Doelenstraat -
#: Staalstraat, south), about 110 m to the south: checked on the map, that bridge is the way across.
KLOVENIERSBURGWAL_WEST = (52.368865, 4.896375)
KLOVENIERSBURGWAL_EAST = (52.368990, 4.897160)
#: Sint Antoniesluis (the lock bridge at the Waterlooplein) and the Zwanenburgwal quay below it:
#: a short flight of steps joins them; a wheelchair must go round by Jodenbreestraat.
SINT_ANTONIESLUIS = (52.369490, 4.901145)
ZWANENBURGWAL_QUAY = (52.369472, 4.901122)


def _route_names(
    centrum: Reachability, profile: object, a: tuple[float, float], b: tuple[float, float]
) -> list[dict[str, str]]:
    graph = centrum.graph
    snaps = graph.snap(profile, np.array([[a[1], a[0]], [b[1], b[0]]]))  # type: ignore[arg-type]
    assert snaps[0] is not None and snaps[1] is not None
    start = int(graph.edge_u[snaps[0].edge])
    end = int(graph.edge_u[snaps[1].edge])
    return [graph.tags[e] for e in graph.route_edges(profile, start, end)]  # type: ignore[arg-type]


def test_crossing_a_canal_takes_a_bridge(centrum: Reachability) -> None:
    """Across Kloveniersburgwal the walk goes round by a bridge: far longer than crow-fly."""
    crow_m = distance_m(*KLOVENIERSBURGWAL_WEST, *KLOVENIERSBURGWAL_EAST)
    seconds, method = centrum.travel_time(Origin(*KLOVENIERSBURGWAL_WEST), KLOVENIERSBURGWAL_EAST, WALKING)
    assert method == "network"
    crow_s = crow_m / WALKING.speed_ms
    # The nearest bridge is ~110 m down the canal, so the detour is a multiple of the
    # straight line, yet the whole walk stays within a few minutes.
    assert seconds > 2.5 * crow_s
    assert seconds < 8 * 60
    tags = _route_names(centrum, WALKING, KLOVENIERSBURGWAL_WEST, KLOVENIERSBURGWAL_EAST)
    bridges = [t.get("name") for t in tags if t.get("bridge") not in (None, "no")]
    assert bridges == ["Aluminiumbrug"], "the crossing must use the Aluminiumbrug"


def test_steps_block_a_wheelchair_which_detours(centrum: Reachability) -> None:
    """Sint Antoniesluis -> Zwanenburgwal: seconds on foot by the steps, minutes round for a wheelchair."""
    walk_s, _ = centrum.travel_time(Origin(*SINT_ANTONIESLUIS), ZWANENBURGWAL_QUAY, WALKING)
    chair_s, method = centrum.travel_time(Origin(*SINT_ANTONIESLUIS), ZWANENBURGWAL_QUAY, WHEELCHAIR)
    assert method == "network"
    walk_route = _route_names(centrum, WALKING, SINT_ANTONIESLUIS, ZWANENBURGWAL_QUAY)
    chair_route = _route_names(centrum, WHEELCHAIR, SINT_ANTONIESLUIS, ZWANENBURGWAL_QUAY)
    assert any(t.get("highway") == "steps" for t in walk_route)
    assert not any(t.get("highway") == "steps" for t in chair_route)
    assert any(t.get("name") == "Jodenbreestraat" for t in chair_route)
    assert walk_s < 30
    assert chair_s > walk_s + 90  # the detour is well over a minute and a half


def test_profiles_order_on_a_step_free_route(centrum: Reachability) -> None:
    """On the same route without steps, slower profiles take longer in proportion to their speed."""
    origin = Origin(52.372446, 4.900297)  # Nieuwmarkt, by the Waag
    target = (52.371958, 4.903483)  # De Boomspijker, Recht Boomssloot 52
    times = {p.name: centrum.travel_time(origin, target, p)[0] for p in (WALKING, SLOW_WALKING, SCOOTMOBIEL)}
    assert times["walking"] < 10 * 60
    assert times["slow_walking"] == pytest.approx(times["walking"] * 4.5 / 3.0, rel=0.25)
    assert times["scootmobiel"] < times["walking"]


def test_off_network_falls_back_to_crow_fly(centrum: Reachability) -> None:
    """A point kilometres from the extract's streets is marked crow-fly, with a time from the distance."""
    far = (52.30, 4.98)  # Zuidoost, outside the Centrum extract
    origin = Origin(52.372446, 4.900297)
    seconds, method = centrum.travel_time(origin, far, WALKING, limit_min=60)
    assert method == "crow_fly"
    distance = Point(origin.lon, origin.lat).distance(Point(far[1], far[0]))  # degrees, only to be positive
    assert distance > 0
    expected = distance_m(origin.lat, origin.lon, *far) / WALKING.speed_ms
    assert seconds == pytest.approx(expected, rel=0.01)
