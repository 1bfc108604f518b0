"""Area outlines for the map, simplified once per boundary import and kept in process memory.

Simplifying 637 polygons costs about 60 ms per map page; the boundaries
change only when someone imports them again. A cheap fingerprint (count,
vertices, codes and names) tells when that happened, so a re-import shows
on the next page without a restart.
"""

from __future__ import annotations

import threading

from sqlalchemy import Connection, text

from geo.boundaries import boundary_outlines

LEVELS = ("stadsdeel", "wijk", "buurt")
Outlines = dict[str, list[dict[str, str | None]]]

_lock = threading.Lock()
_cached: tuple[str, Outlines] | None = None


def _fingerprint(conn: Connection) -> str:
    row = conn.execute(
        text(
            "SELECT count(*), coalesce(sum(ST_NPoints(geom)), 0), "
            "md5(coalesce(string_agg(level || code || coalesce(name, ''), ',' ORDER BY level, code), '')) "
            "FROM geo_boundary"
        )
    ).one()
    return f"{row[0]}:{row[1]}:{row[2]}"


def outlines(conn: Connection) -> Outlines:
    """Every level's simplified outlines; recomputed only after the boundaries changed."""
    global _cached
    key = f"{conn.engine.url.render_as_string(hide_password=True)}|{_fingerprint(conn)}"
    with _lock:
        if _cached is not None and _cached[0] == key:
            return _cached[1]
    fresh = {level: boundary_outlines(conn, level) for level in LEVELS}
    with _lock:
        _cached = (key, fresh)
    return fresh
