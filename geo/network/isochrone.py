"""Isochrone polygons: the area reachable within a time, drawn from the reached street parts.

Buffering thousands of lines with GEOS takes seconds; instead points along
the reached street parts mark a grid of `cell_m` cells, the grid is closed
by one cell (so the streets of one block merge into an area) and the cells
are merged as row runs.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import shapely
from scipy import ndimage

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
#: Grid cell size in metres: about the width of a street with its pavements.
DEFAULT_CELL_M = 20.0


def isochrone_polygon(points: FloatArray, cell_m: float = DEFAULT_CELL_M) -> Any:
    """One (multi)polygon in projected metres around reached points; empty when nothing is reached.

    The points (every few metres along the reached street parts) mark grid
    cells; runs of marked cells in a grid row become one rectangle, so GEOS
    merges hundreds of rectangles rather than thousands of cells (measured:
    10 ms against 15 ms for cells with coverage union, and 3 s for buffering lines).
    """
    if not len(points):
        return shapely.Polygon()
    ij = np.floor(points / cell_m).astype(np.int64)
    low = ij.min(axis=0) - 2
    ij -= low
    grid = np.zeros(ij.max(axis=0) + 3, dtype=bool)
    grid[ij[:, 0], ij[:, 1]] = True
    grid = ndimage.binary_dilation(grid, iterations=1)
    grid = ndimage.binary_closing(grid, iterations=1)
    # Runs along the second axis: where a run starts and ends in each row.
    padded = np.zeros((grid.shape[0], grid.shape[1] + 2), dtype=np.int8)
    padded[:, 1:-1] = grid
    change = np.diff(padded, axis=1)
    start_i, start_j = np.nonzero(change == 1)
    _, end_j = np.nonzero(change == -1)
    x0 = (start_i + low[0]) * cell_m
    y0 = (start_j + low[1]) * cell_m
    y1 = (end_j + low[1]) * cell_m
    # Rectangles of neighbouring rows share only parts of edges, so a plain union (not coverage union).
    merged = shapely.union_all(shapely.box(x0, y0, x0 + cell_m, y1))
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
