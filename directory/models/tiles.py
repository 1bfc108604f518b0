"""Vector tile bookkeeping: the version of each tile layer's data, and the cache of made tiles."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Float, Integer, LargeBinary, SmallInteger, Text, func
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from directory.models.base import Base


class TileLayerVersion(Base):
    """The data version of one tile layer set ('base', 'entries').

    Bumped when the data under the tiles changes: a base map import for 'base', any
    committed write to a location for 'entries' (a deferred trigger on `location`,
    once per transaction, at commit). Cached tiles of an older version are never
    served, and the version goes into the tile URLs the pages use, so browsers may
    keep a tile for a year.
    """

    __tablename__ = "tile_layer_version"

    layer: Mapped[str] = mapped_column(Text, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default="1")
    changed_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )


class TileCache(Base):
    """One encoded tile (Mapbox Vector Tile bytes, empty for an empty tile) of one data version.

    UNLOGGED: a cache may be lost in a crash (PostgreSQL then empties it) and is
    cheaper to write without the write-ahead log.
    """

    __tablename__ = "tile_cache"
    __table_args__ = {"prefixes": ["UNLOGGED"]}  # noqa: RUF012 - SQLAlchemy's own form

    layer: Mapped[str] = mapped_column(Text, primary_key=True)
    z: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    x: Mapped[int] = mapped_column(Integer, primary_key=True)
    y: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, nullable=False)
    data: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    etag: Mapped[str] = mapped_column(Text, nullable=False)


class TileEntryCell(Base):
    """The map's places in one grid cell of level 16, counted at one entries version (a cache).

    The zoomed-out entries tiles add these up instead of reading every place under
    them (directory/services/entry_tiles.py); counted anew, whole, by the first
    clustered tile that finds `version` older than the entries version. UNLOGGED.
    """

    __tablename__ = "tile_entry_cell"
    __table_args__ = {"prefixes": ["UNLOGGED"]}  # noqa: RUF012 - SQLAlchemy's own form

    x: Mapped[int] = mapped_column(Integer, primary_key=True)
    y: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, nullable=False)
    #: Places in the cell, and the sums of their Web Mercator x and y (their mean is drawn).
    n: Mapped[int] = mapped_column(Integer, nullable=False)
    sum_mx: Mapped[float] = mapped_column(Float, nullable=False)
    sum_my: Mapped[float] = mapped_column(Float, nullable=False)
    #: One place of the cell: the place itself when `n` is 1.
    one_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
