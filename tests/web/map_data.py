"""Read the data a map document carries (web/maps.py), checking on the way that it cannot leave its block."""

from __future__ import annotations

import json
import re
from typing import Any

BLOCK = re.compile(r'<script type="application/json" id="map-data">(.*?)</script>', re.DOTALL)


def map_data(document: str) -> dict[str, Any]:
    """The JSON of a map document; fails when the block holds a character that HTML could read as markup."""
    blocks = BLOCK.findall(document)
    assert len(blocks) == 1, "one data block per map"
    raw = blocks[0]
    for char in "<>&\u2028\u2029":
        assert char not in raw, f"{char!r} must be escaped inside the data block"
    data: dict[str, Any] = json.loads(raw)
    return data


def popups(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Every marker's popup of a map's data."""
    return [m["popup"] for layer in data["layers"] if layer["type"] == "markers" for m in layer["markers"]]


def tooltips(data: dict[str, Any]) -> list[str]:
    """Every marker's and outline's tooltip text of a map's data."""
    texts = [m["tooltip"] for layer in data["layers"] if layer["type"] == "markers" for m in layer["markers"]]
    for layer in data["layers"]:
        if layer["type"] == "outlines":
            texts += [f["properties"]["label"] for f in layer["features"]["features"]]
    return [t for t in texts if t is not None]
