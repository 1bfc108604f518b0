"""Area outlines for the map, simplified once per boundary import and kept in process memory.

Simplifying 637 polygons costs about 60 ms per map page; the boundaries
change only when someone imports them again. In an app process the outlines are
kept under the reference cache's topic `areas` (directory/reference.py): a
trigger on `geo_boundary` announces every change, so a re-import shows on the
next page without a restart and a map page reads nothing. Elsewhere (no
listening reference cache: the command line, an app whose listener is
reconnecting) a fingerprint of the boundaries (count, vertices, codes and names,
one query over all of them) tells whether the kept outlines still hold.
"""

from __future__ import annotations

import threading

from sqlalchemy import Connection, text

from directory.reference import reference_cache
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


def _simplified(conn: Connection) -> Outlines:
    return {level: boundary_outlines(conn, level) for level in LEVELS}


def outlines(conn: Connection) -> Outlines:
    """Every level's simplified outlines; recomputed only after the boundaries changed."""
    cache = reference_cache(conn)
    if cache is not None and cache.listening.is_set():
        return cache.get("areas", "outlines", lambda: _simplified(conn))
    global _cached
    key = f"{conn.engine.url.render_as_string(hide_password=True)}|{_fingerprint(conn)}"
    with _lock:
        if _cached is not None and _cached[0] == key:
            return _cached[1]
    fresh = _simplified(conn)
    with _lock:
        _cached = (key, fresh)
    return fresh
