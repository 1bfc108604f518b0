"""Overpass JSON parsing on real recorded Overpass answers (overpy 0.7 test data)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from importers.osm.overpass import OverpassError, build_query, element_point, parse_overpass
from importers.osm.tags import TagRule, classify

pytestmark = pytest.mark.shared_data

#: The recorded answers hold German streets, stations and buildings, not Dutch community places; a
#: tag map for what they do hold exercises the same parsing path.
RULES = (
    TagRule((("railway", "platform"),), "other", "Perron", "Platform", None),
    TagRule((("building", "*"),), "other", "Gebouw", "Building", "Gebouw"),
    TagRule((("highway", "*"),), "other", "Weg", "Road", "Weg"),
    TagRule((("public_transport", "*"),), "other", "OV", "Public transport", None),
)


def _answer(shared_data: Path, name: str) -> dict[str, Any]:
    path = shared_data / "api-samples" / "overpass" / "overpy-0.7-tests" / "json" / name
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def test_way_point_from_nodes_in_the_same_answer(shared_data: Path) -> None:
    """A way without a centre gets the point halfway along its nodes, which the answer also holds."""
    data = _answer(shared_data, "result-way-03.json")
    records = list(parse_overpass(data, RULES))
    assert [r.source_id for r in records] == ["w317146077"]
    nodes = [e for e in data["elements"] if e["type"] == "node"]
    assert records[0].lat == pytest.approx((nodes[0]["lat"] + nodes[1]["lat"]) / 2)
    assert records[0].lon == pytest.approx((nodes[0]["lon"] + nodes[1]["lon"]) / 2)
    assert records[0].name == "Gebouw"  # unnamed building: the rule's default name


def test_centre_output_is_used_and_an_empty_centre_ignored(shared_data: Path) -> None:
    """`out center` answers: the centre Overpass computed is the point; an empty centre is no point."""
    relation = next(e for e in _answer(shared_data, "relation-03.json")["elements"] if e.get("center"))
    point = element_point(relation, {}, {})
    assert point is not None
    assert (point.y, point.x) == (relation["center"]["lat"], relation["center"]["lon"])
    way = next(e for e in _answer(shared_data, "way-04.json")["elements"] if e["type"] == "way")
    assert way["center"] == {} and element_point(way, {}, {}) is None


def test_way_without_its_nodes_is_skipped(shared_data: Path) -> None:
    """A way whose nodes are not in the answer has no point and is left out, not guessed."""
    assert list(parse_overpass(_answer(shared_data, "result-way-01.json"), RULES)) == []


def test_untagged_nodes_and_area_objects_are_not_places(shared_data: Path) -> None:
    """Member nodes without tags and Overpass' derived 'area' objects never become records."""
    nodes = list(parse_overpass(_answer(shared_data, "node-01.json"), RULES))
    assert [r.source_id for r in nodes] == ["n100793192"]  # the only tagged node (a turning circle)
    assert list(parse_overpass(_answer(shared_data, "area-01.json"), RULES)) == []


def test_runtime_error_remark_fails_the_import(shared_data: Path) -> None:
    """A timeout remark means a partial answer: refuse it, so nothing is flagged missing by mistake."""
    with pytest.raises(OverpassError, match="timed out"):
        list(parse_overpass(_answer(shared_data, "remark-runtime-error-01.json"), RULES))
    # A plain remark is not an error.
    assert list(parse_overpass(_answer(shared_data, "remark-runtime-remark-01.json"), RULES)) == []


def test_query_for_bbox_and_area() -> None:
    """The query asks for every tag-map key with centres; a malformed bbox is refused."""
    query = build_query(bbox="52.365,4.893,52.377,4.910")
    assert 'nwr["amenity"](52.365,4.893,52.377,4.910);' in query and "out center tags;" in query
    assert 'area["name"="Amsterdam"]' in build_query(area="Amsterdam")
    with pytest.raises(ValueError, match="south,west,north,east"):
        build_query(bbox="Amsterdam")


def test_classify_tries_rules_in_file_order_by_their_first_tag() -> None:
    """The rule index finds what a walk over every rule finds: the first match, `*` never taking `no`."""
    rules = (
        TagRule(
            (("amenity", "social_facility"), ("social_facility", "food_bank")), "food_bank", "V", "F", None
        ),
        TagRule((("amenity", "social_facility"),), "social_facility", "M", "S", None),
        TagRule((("social_facility", "*"),), "other", "M", "S", None),
        TagRule((("club", "sport"),), "sports_club", "S", "S", None),
        TagRule((("club", "*"),), "club", "V", "C", None),
    )

    def walk(tags: dict[str, str]) -> TagRule | None:
        return next((rule for rule in rules if rule.matches(tags)), None)

    cases = [
        {"amenity": "social_facility", "social_facility": "food_bank"},
        {"amenity": "social_facility", "social_facility": "outreach"},
        {"social_facility": "food_bank"},
        {"social_facility": "no"},
        {"club": "sport"},
        {"club": "chess"},
        {"club": "no"},
        {"amenity": "bench"},
        {},
    ]
    for tags in cases:
        assert classify(tags, rules) == walk(tags), tags
    assert classify(cases[0], rules) is rules[0] and classify(cases[5], rules) is rules[4]
    assert classify({"club": "no"}, rules) is None
