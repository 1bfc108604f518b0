"""The radius query proves the spatial layer: PostGIS distances against hand-checked ones."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient
from pyproj import Geod
from shapely.geometry import Point

from tests import factories

Client = TestClient[Any]


def test_distance_dam_to_centraal_matches_hand_computation(client: Client) -> None:
    # Dam (52.37310, 4.89323) to Centraal (52.37886, 4.90004), by hand:
    # north 0.00576 deg * 111.2 km = 640.5 m; east 0.00681 deg * 111.32 km * cos(52.376) = 462.8 m;
    # sqrt(640.5^2 + 462.8^2) = 790.2 m.
    centraal = client.post("/api/v1/locations", json=factories.location(factories.CENTRAAL, name="Centraal"))
    assert centraal.status_code == 201
    found = client.get(f"/api/v1/locations?near={factories.DAM.y},{factories.DAM.x}&radius_m=1000").json()
    assert found["total"] == 1
    distance = found["items"][0]["distance_m"]
    assert distance == pytest.approx(790.2, rel=0.01)
    # And against the geodesic on the WGS84 ellipsoid, computed outside PostGIS.
    _, _, geodesic = Geod(ellps="WGS84").inv(
        factories.DAM.x, factories.DAM.y, factories.CENTRAAL.x, factories.CENTRAAL.y
    )
    assert distance == pytest.approx(geodesic, abs=1.0)


def test_radius_filters_and_orders_by_distance(client: Client) -> None:
    for point, name in [
        (factories.CENTRAAL, "Centraal"),
        (factories.BOOMSPIJKER, "Boomspijker"),
        (factories.DAM, "Dam"),
    ]:
        client.post("/api/v1/locations", json=factories.location(point, name=name))
    # Bijlmer is ~8 km away: outside a 2 km radius.
    client.post("/api/v1/locations", json=factories.location(Point(4.9553, 52.3167), name="Bijlmer"))
    found = client.get(f"/api/v1/locations?near={factories.DAM.y},{factories.DAM.x}&radius_m=2000").json()
    names = [item["name"] for item in found["items"]]
    assert names == ["Dam", "Boomspijker", "Centraal"]
    distances = [item["distance_m"] for item in found["items"]]
    assert distances == sorted(distances)
    assert distances[0] == pytest.approx(0, abs=0.5)
    wide = client.get(f"/api/v1/locations?near={factories.DAM.y},{factories.DAM.x}&radius_m=10000").json()
    assert wide["items"][-1]["name"] == "Bijlmer"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("near=52.37&radius_m=100", "near"),
        ("near=abc,def&radius_m=100", "near"),
        ("near=52.37,4.89&radius_m=-5", "radius_m"),
        ("near=52.37,4.89&radius_m=60000", "radius_m"),
        ("near=52.37,4.89", "radius_m"),
        ("radius_m=100", "near"),
    ],
)
def test_bad_radius_queries_are_422(client: Client, query: str, field: str) -> None:
    response = client.get(f"/api/v1/locations?{query}")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field
