"""The handout's map drawn on the server: base layers, start point, numbered places apart, metric scale."""

from __future__ import annotations

import math
import re
from pathlib import Path

from sqlalchemy import Engine

from geo.basemap.handout import LABEL_R, frame_for, handout_svg, place_labels, scale_bar
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
