"""The handout's map drawn on the server: base layers, start point, numbered places apart, metric scale."""

from __future__ import annotations

import math
import re
from pathlib import Path

from shapely.geometry import LineString, Point, Polygon
from sqlalchemy import Engine, text

from geo.basemap.handout import (
    LABEL_R,
    MAX_STREET_NAMES,
    frame_for,
    handout_svg,
    place_labels,
    place_street_names,
    scale_bar,
)
from geo.basemap.load import SCHEMA
from tests.tiles.conftest import basemap  # noqa: F401 (the fixture: the demo's base map loaded)

BOOMSPIJKER = (52.37254, 4.90153)


def test_crowded_labels_move_apart_and_keep_a_line_to_their_place() -> None:
    points = [(300.0 + i, 200.0 + (i % 3)) for i in range(8)]  # eight places within a few pixels
    labels = place_labels(points, [(300.0, 200.0, 13.0)])
    for i, a in enumerate(labels):
        assert math.dist(a, (300.0, 200.0)) >= LABEL_R + 13.0, "the start point stays readable"
        for b in labels[i + 1 :]:
            assert math.dist(a, b) >= 2 * LABEL_R
    assert place_labels([(100.0, 100.0)], []) == [(100.0, 100.0)], "a free label stays on its place"


def test_scale_bar_is_metric_and_measures_the_ground() -> None:
    frame = frame_for([BOOMSPIJKER, (52.3700, 4.8950)])
    metres, pixels = scale_bar(frame, BOOMSPIJKER[0])
    assert metres in (50, 100, 200, 250, 500)
    # Ground metres per pixel from the frame: projected metres shrink by cos(latitude).
    ground_per_px = math.cos(math.radians(BOOMSPIJKER[0])) / frame.scale
    assert abs(pixels * ground_per_px - metres) < 0.01 * metres


def test_the_picture_holds_streets_water_buildings_start_and_numbers(
    basemap: Engine,  # noqa: F811
    output_dir: Path,
) -> None:
    places = [(1, 52.3712, 4.8985), (2, 52.3714, 4.8987), (3, 52.3690, 4.9020)]
    with basemap.connect() as conn:
        svg = str(
            handout_svg(
                conn, BOOMSPIJKER, places, title="Kaart <b>", start_label="Start", attribution="© OSM"
            )
        )
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    for layer in ("water", "buildings", "street minor"):
        assert f'class="{layer}"' in svg, layer
    assert "Kaart &lt;b&gt;" in svg, "texts are escaped"
    assert re.findall(r'data-number="(\d)"', svg) == ["1", "2", "3"]
    # Every point lies inside the picture.
    for x, y in re.findall(r'<circle cx="([\d.-]+)" cy="([\d.-]+)"', svg):
        assert 0 <= float(x) <= 640 and 0 <= float(y) <= 420
    assert 'class="start"' in svg and " m</text>" in svg
    assert "<button" not in svg and "leaflet" not in svg
    (output_dir / "handout-map.svg").write_text(svg, encoding="utf-8")


def street_names(svg: str) -> list[tuple[str, Polygon]]:
    """Each street name in the picture with the box it was placed in."""
    found = re.findall(r'<text class="street-name"[^>]*data-box="([^"]+)">([^<]*)</text>', svg)
    return [
        (name, Polygon([tuple(map(float, p.split(","))) for p in corners.split()])) for corners, name in found
    ]


def test_the_picture_names_its_streets_apart_from_each_other_and_the_places(
    basemap: Engine,  # noqa: F811
) -> None:
    places = [(1, 52.3712, 4.8985), (2, 52.3714, 4.8987), (3, 52.3690, 4.9020), (4, 52.3730, 4.9000)]
    with basemap.connect() as conn:
        svg = str(
            handout_svg(conn, BOOMSPIJKER, places, title="Kaart", start_label="Start", attribution="© OSM")
        )
        known = set(
            conn.execute(text(f"SELECT DISTINCT name FROM {SCHEMA}.streets WHERE name <> ''")).scalars()
        )
    names = street_names(svg)
    assert 3 <= len(names) <= MAX_STREET_NAMES, [n for n, _ in names]
    assert {name for name, _ in names} <= known, "only real street names of the demo's base map"
    assert len({name for name, _ in names}) == len(names), "each street named once"
    # No two names touch, and none covers a numbered place or the start point.
    for i, (_, a) in enumerate(names):
        west, north, east, south = a.bounds
        assert a.is_valid and min(west, north) >= 0 and east <= 640 and south <= 420
        for _, b in names[i + 1 :]:
            assert not a.intersects(b)
    circles = re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)" r="([\d.]+)"', svg)
    assert len(circles) >= 1 + len(places)
    for x, y, r in circles:
        disc = Point(float(x), float(y)).buffer(float(r))
        assert not any(box.intersects(disc) for _, box in names), (x, y)
    # Names are drawn after the base layers and before the places (which stay on top).
    assert svg.index('class="street-name"') > svg.index('class="street minor"')
    assert svg.index('class="street-name"') < svg.index('class="place"')


def test_a_hostile_street_name_from_osm_is_text_never_markup(basemap: Engine) -> None:  # noqa: F811
    hostile = '"><svg onload=alert(1)>&amp;\x07\x1b'
    with basemap.connect() as conn, conn.begin() as transaction:
        # The longest named street near the start gets the hostile name (undone afterwards).
        conn.execute(
            text(
                f"UPDATE {SCHEMA}.streets SET name = :hostile, class = 'major' WHERE ctid IN ("
                f"SELECT ctid FROM {SCHEMA}.streets WHERE name <> '' AND "
                "geom && ST_Transform(ST_Expand(ST_SetSRID(ST_MakePoint(4.90153, 52.37254), 4326), 0.003), "
                "3857)"
                " ORDER BY ST_Length(geom) DESC LIMIT 1)"
            ),
            {"hostile": hostile},
        )
        svg = str(handout_svg(conn, BOOMSPIJKER, [], title="Kaart", start_label="Start", attribution="© OSM"))
        transaction.rollback()
    assert "<svg onload" not in svg and "\x07" not in svg and "\x1b" not in svg
    assert ">&#34;&gt;&lt;svg onload=alert(1)&gt;&amp;amp;</text>" in svg, "drawn, as text"


def test_street_names_give_way_to_what_is_taken_and_to_each_other() -> None:
    street = LineString([(40, 200), (600, 200)])
    crossing = LineString([(320, 20), (320, 400)])
    start = Point(320, 200).buffer(14)
    names = place_street_names(
        [
            ("Lange Straat", "major", street),
            ("Dwarsstraat", "minor", crossing),
            ("Lange Straat", "minor", street),
        ],
        [start],
    )
    assert [n.name for n in names] == ["Lange Straat", "Dwarsstraat"], "each name once"
    horizontal, vertical = names
    assert horizontal.angle == 0 and abs(vertical.angle) == 90, "along the street, never upside down"
    assert not horizontal.box.intersects(start) and not vertical.box.intersects(start)
    assert not horizontal.box.intersects(vertical.box)
    assert (
        place_street_names(
            [("Te Lange Naam Voor Dit Korte Straatje", "minor", LineString([(0, 0), (60, 0)]))], []
        )
        == []
    )
    many = [(f"Straat {i}", "minor", LineString([(20, 20 + 18 * i), (620, 20 + 18 * i)])) for i in range(20)]
    assert len(place_street_names(many, [])) == MAX_STREET_NAMES, "a limited number of names"
