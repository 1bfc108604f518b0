"""Isochrone polygons: the area reachable within a time, drawn from the reached street parts.

Buffering thousands of lines with GEOS takes seconds; instead the reached
lines are sampled onto a grid of `cell_m` cells, the grid is closed by one
cell (so the streets of one block merge into an area) and the cells are
merged with GEOS coverage union, which is fast because cells never overlap.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import shapely
from scipy import ndimage

#: Grid cell size in metres: about the width of a street with its pavements.
DEFAULT_CELL_M = 20.0


def isochrone_polygon(lines: Sequence[Any], cell_m: float = DEFAULT_CELL_M) -> Any:
    """One (multi)polygon in projected metres around the reached lines; empty when nothing is reached."""
    if not len(lines):
        return shapely.Polygon()
    points = shapely.get_coordinates(shapely.segmentize(np.asarray(lines, dtype=object), cell_m / 2))
    ij = np.floor(points / cell_m).astype(np.int64)
    low = ij.min(axis=0) - 2
    ij -= low
    grid = np.zeros(ij.max(axis=0) + 3, dtype=bool)
    grid[ij[:, 0], ij[:, 1]] = True
    grid = ndimage.binary_dilation(grid, iterations=1)
    grid = ndimage.binary_closing(grid, iterations=1)
    cells_i, cells_j = np.nonzero(grid)
    x0 = (cells_i + low[0]) * cell_m
    y0 = (cells_j + low[1]) * cell_m
    merged = shapely.coverage_union_all(shapely.box(x0, y0, x0 + cell_m, y0 + cell_m))
    return shapely.simplify(merged, cell_m / 2)


def circle_polygon(x: float, y: float, radius_m: float) -> Any:
    """A circle (projected metres): the crow-fly fallback when the origin is off the network."""
    return shapely.Point(x, y).buffer(max(radius_m, 1.0), quad_segs=16)


def crow_fly_m(xy_a: np.ndarray[Any, Any], xy_b: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Straight-line distances in metres between rows of projected points."""
    distances: np.ndarray[Any, Any] = np.hypot(xy_a[..., 0] - xy_b[..., 0], xy_a[..., 1] - xy_b[..., 1])
    return distances


def minutes(seconds: float) -> float:
    """Seconds as minutes rounded up to one decimal (a result never looks closer than it is)."""
    return math.ceil(seconds / 6) / 10
