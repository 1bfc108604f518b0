"""Vector tile bookkeeping: the version of each tile layer's data, and the cache of made tiles."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Integer, LargeBinary, SmallInteger, Text, func
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
