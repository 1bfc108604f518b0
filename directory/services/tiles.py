"""Vector tiles: tile addresses, data versions and the tile cache in PostgreSQL.

A tile is made by one SQL statement per layer (`ST_TileEnvelope` for the bounds,
`ST_AsMVTGeom` to clip and quantise, `ST_AsMVT` to encode), as Martin and
pg_tileserv do; the statements live beside their data (`directory.services.entry_tiles`
for the places, `geo.basemap.tiles` for the base map). This module keeps what all
layer sets share: which tiles exist, the version of each set's data and the cache
keyed by it.

Consistency: the version is read *before* the data, each in its own snapshot. A
writer that commits in between makes the tile newer than its version label, and a
tile labelled with an old version is never served (lookups ask for the current
version), so a cached tile is never older than its label.

Two levels of cache: `tile_cache` in PostgreSQL, shared by every process, and
`TileMemory` in each app process, which answers a tile it served before without a
database round trip. The memory is bounded by bytes and forgets a layer set's tiles
when the database announces a new version of it: the reference data's listener
(directory/reference.py, topics `tiles_base` and `tiles_entries`, announced by a
trigger on `tile_layer_version`, migration 2026_12_06_0200). The generation of the
topic is taken before the database is read, as for the reference data, so a tile read
while a new version was being announced is not kept past the announcement.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import Connection, text

from directory.errors import NotFoundError

if TYPE_CHECKING:
    from directory.reference import ReferenceCache

#: The deepest zoom level served (clients over-zoom beyond their data).
MAX_ZOOM = 22
#: MVT coordinate space of one tile, and the margin kept around it (in those units), so
#: lines, polygons and circles drawn across a tile edge join up.
EXTENT = 4096
BUFFER = 64
#: The layer sets and their versions' rows in `tile_layer_version`.
LAYER_SETS = ("base", "entries")
#: Media type of a Mapbox Vector Tile.
MVT_MEDIA_TYPE = "application/vnd.mapbox-vector-tile"
#: gzip level of a tile: level 6 took 3.7 ms for an 82 KB entries tile, level 1 0.6 ms for 4 % more bytes.
GZIP_LEVEL = 1
#: Tiles smaller than this are sent as they are (gzip's header and the work are not worth it).
GZIP_MIN_BYTES = 1024

#: Makes the tile of one layer set: (connection, tile) -> MVT bytes (empty: nothing there).
TileRenderer = Callable[[Connection, "TileAddress"], bytes]


class TileNotFoundError(NotFoundError):
    """A tile address that does not exist (zoom out of range, x or y outside the zoom's grid)."""


@dataclass(frozen=True)
class TileAddress:
    """A tile in the Web Mercator (XYZ, "slippy map") grid."""

    z: int
    x: int
    y: int

    @classmethod
    def parse(cls, z: int, x: int, y: int) -> TileAddress:
        """The tile z/x/y, or TileNotFoundError when no such tile exists."""
        if not 0 <= z <= MAX_ZOOM:
            raise TileNotFoundError(f"zoom {z} is outside 0..{MAX_ZOOM}")
        side = 1 << z
        if not (0 <= x < side and 0 <= y < side):
            raise TileNotFoundError(f"tile {x}/{y} is outside zoom {z}'s grid (0..{side - 1})")
        return cls(z, x, y)

    @property
    def width_m(self) -> float:
        """Width of the tile in Web Mercator metres."""
        return 40_075_016.685578488 / (1 << self.z)

    @property
    def unit_m(self) -> float:
        """Web Mercator metres per MVT coordinate unit at this zoom."""
        return self.width_m / EXTENT


@dataclass(frozen=True)
class Tile:
    """An encoded tile with what the HTTP answer needs."""

    data: bytes
    etag: str
    version: int
    cached: bool
    #: The bytes gzipped (GZIP_LEVEL), once made; None: not made yet, or too small to be worth it.
    gzipped: bytes | None = None

    def gzip(self) -> bytes | None:
        """The tile's bytes gzipped, or None when it is too small to compress."""
        if self.gzipped is not None:
            return self.gzipped
        if len(self.data) < GZIP_MIN_BYTES:
            return None
        return gzip.compress(self.data, compresslevel=GZIP_LEVEL, mtime=0)


def topic_of(layer: str) -> str:
    """The reference cache topic a layer set's new versions are announced under."""
    return f"tiles_{layer}"


#: (layer set, z, x, y)
TileKey = tuple[str, int, int, int]


class TileMemory:
    """The tiles this process served, by layer set and address, bounded by their bytes (least used go first).

    A tile is kept with the generation of its layer set's topic in the process's
    reference cache (`ReferenceCache.generation`), taken before the database was read,
    and used only while that generation is still the current one; while the listener
    has no connection nothing is kept or used. Kept tiles hold their gzipped bytes too,
    so an answer from memory does no work but sending.
    """

    def __init__(self, reference: ReferenceCache, max_bytes: int) -> None:
        self._reference = reference
        self.max_bytes = max_bytes
        self._tiles: OrderedDict[TileKey, tuple[int, Tile]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    @property
    def size_bytes(self) -> int:
        """The bytes of the kept tiles (plain and gzipped)."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._tiles)

    def generation(self, layer: str) -> int | None:
        """The generation to keep a tile of `layer` read from now on with; None: do not keep it."""
        if self.max_bytes <= 0 or not self._reference.listening.is_set():
            return None
        return self._reference.generation(topic_of(layer))

    def get(self, layer: str, address: TileAddress) -> Tile | None:
        """The kept tile, if its layer set has not changed since it was read."""
        generation = self.generation(layer)
        if generation is None:
            return None
        key = (layer, address.z, address.x, address.y)
        with self._lock:
            found = self._tiles.get(key)
            if found is None:
                return None
            if found[0] != generation:  # of an older version: its room is better used
                del self._tiles[key]
                self._bytes -= len(found[1].data) + len(found[1].gzipped or b"")
                return None
            self._tiles.move_to_end(key)
            return found[1]

    def keep(self, layer: str, address: TileAddress, generation: int | None, tile: Tile) -> Tile:
        """Keep a tile read at `generation` (from `generation()`); returns it as memory answers it."""
        if generation is None:
            return tile
        kept = Tile(tile.data, tile.etag, tile.version, cached=True, gzipped=tile.gzip())
        size = len(kept.data) + len(kept.gzipped or b"")
        if size > self.max_bytes // 8:  # one tile may not push out a good share of the rest
            return tile
        key = (layer, address.z, address.x, address.y)
        with self._lock:
            old = self._tiles.pop(key, None)
            if old is not None:
                self._bytes -= len(old[1].data) + len(old[1].gzipped or b"")
            self._tiles[key] = (generation, kept)
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, (_, dropped) = self._tiles.popitem(last=False)
                self._bytes -= len(dropped.data) + len(dropped.gzipped or b"")
        return Tile(kept.data, kept.etag, kept.version, tile.cached, kept.gzipped)


def etag_of(layer: str, data: bytes) -> str:
    """A strong ETag from the tile's bytes: it changes exactly when the tile does."""
    digest = hashlib.blake2b(data, digest_size=12).hexdigest()
    return f'"{layer}-{digest}"'


def layer_versions(conn: Connection) -> dict[str, int]:
    """{layer set: data version}; the tile URLs the pages use carry it (`?v=`)."""
    rows = conn.execute(text("SELECT layer, version FROM tile_layer_version"))
    return {layer: int(version) for layer, version in rows}


def layer_version(conn: Connection, layer: str) -> int:
    """The data version of one layer set."""
    version = conn.execute(
        text("SELECT version FROM tile_layer_version WHERE layer = :layer"), {"layer": layer}
    ).scalar()
    if version is None:
        raise NotFoundError(f"unknown tile layer set {layer!r}")
    return int(version)


def bump_version(conn: Connection, layer: str) -> int:
    """Raise a layer set's version and drop its cached tiles (in the caller's transaction)."""
    version = conn.execute(
        text(
            "UPDATE tile_layer_version SET version = version + 1, changed_at = now() "
            "WHERE layer = :layer RETURNING version"
        ),
        {"layer": layer},
    ).scalar_one()
    conn.execute(text("DELETE FROM tile_cache WHERE layer = :layer"), {"layer": layer})
    return int(version)


_LOOKUP = text(
    "SELECT v.version, c.data, c.etag FROM tile_layer_version v "
    "LEFT JOIN tile_cache c ON c.layer = v.layer AND c.z = :z AND c.x = :x AND c.y = :y "
    "AND c.version = v.version WHERE v.layer = :layer"
)
_STORE = text(
    "INSERT INTO tile_cache (layer, z, x, y, version, data, etag) "
    "VALUES (:layer, :z, :x, :y, :version, :data, :etag) "
    "ON CONFLICT (layer, z, x, y) DO UPDATE SET version = EXCLUDED.version, data = EXCLUDED.data, "
    "etag = EXCLUDED.etag WHERE tile_cache.version < EXCLUDED.version"
)


def cached_tile(conn: Connection, layer: str, address: TileAddress, render: TileRenderer) -> Tile:
    """The tile from the cache, or made by `render` and stored for the next request.

    Runs in autocommit-like short transactions of its own on `conn`: one lookup
    (version and cached tile in one statement), and on a miss the rendering and
    one insert.
    """
    params = {"layer": layer, "z": address.z, "x": address.x, "y": address.y}
    row = conn.execute(_LOOKUP, params).one_or_none()
    if row is None:
        raise NotFoundError(f"unknown tile layer set {layer!r}")
    conn.commit()
    version = int(row.version)
    if row.data is not None:
        return Tile(bytes(row.data), row.etag, version, cached=True)
    data = render(conn, address)
    etag = etag_of(layer, data)
    conn.execute(_STORE, {**params, "version": version, "data": data, "etag": etag})
    conn.commit()
    return Tile(data, etag, version, cached=False)
