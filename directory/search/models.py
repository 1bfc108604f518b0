"""The search document table: one row per document, maintained with every entry change."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import Boolean, ForeignKey, Identity, Index, Integer, Numeric, SmallInteger, Text, false, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR, UUID
from sqlalchemy.orm import Mapped, mapped_column

from directory.models.base import Base


class SearchDocument(Base):
    """What the PostgreSQL engine searches: the columns it matches, filters and counts on.

    Rows are rebuilt in the same transaction as the entry change that affects
    them, so the embedded engine is never behind the directory. The document
    itself (what Meilisearch receives and hits show) is in `SearchDocumentBody`.

    A row is never updated in place: a changed document is deleted and inserted anew,
    with a new `ord`, so the facet values the engine keeps in memory by ordinal
    (`directory.search.facet_index`) never go stale.
    """

    __tablename__ = "search_document"
    __table_args__ = (
        Index("ix_search_document_tsv", "tsv", postgresql_using="gin"),
        Index("ix_search_document_geom", "geom", postgresql_using="gist"),
        # Only documents without a point have an area, and every place filter asks for them
        # as `geom IS NULL AND ...` (geo_sql.py): indexed so, that arm reads a few pages
        # instead of every page of the index on `geom` (migration 2026_12_07_0400).
        Index(
            "ix_search_document_area_unplaced",
            "area",
            postgresql_using="gist",
            postgresql_where=text("geom IS NULL"),
        ),
        Index("ix_search_document_support_functions", "support_functions", postgresql_using="gin"),
        Index("ix_search_document_target_groups", "target_groups", postgresql_using="gin"),
        Index("ix_search_document_languages", "languages", postgresql_using="gin"),
        Index("ix_search_document_accessibility", "accessibility", postgresql_using="gin"),
        Index("ix_search_document_facilities", "facilities", postgresql_using="gin"),
        Index("ix_search_document_open_hours", "open_hours", postgresql_using="gin"),
        Index("ix_search_document_open_exact", "open_exact", postgresql_using="gin"),
        Index("ix_search_document_ord", "ord", unique=True),
        # The map's places per box and cell read (location_id, geom) from here alone (place_grid).
        Index(
            "ix_search_document_place_point",
            "location_id",
            postgresql_include=["geom"],
            postgresql_where=text("location_id IS NOT NULL AND geom IS NOT NULL"),
        ),
    )

    id: Mapped[str] = mapped_column(Text, primary_key=True)
    kind: Mapped[str] = mapped_column(Text, nullable=False)
    service_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), index=True)
    location_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), index=True)
    organization_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), index=True)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    category: Mapped[str | None] = mapped_column(Text, index=True)
    support_functions: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False)
    target_groups: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False)
    languages: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False)
    accessibility: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False)
    #: What a group can use there: kitchen, room (migration 2026_12_04_0200).
    facilities: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False, server_default="{}")
    #: How many people the place holds, a service its venue's; null when not known (2026_12_07_0300).
    capacity: Mapped[int | None] = mapped_column(Integer)
    cost_eur: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    stadsdeel_code: Mapped[str | None] = mapped_column(Text, index=True)
    wijk_code: Mapped[str | None] = mapped_column(Text, index=True)
    buurt_code: Mapped[str | None] = mapped_column(Text, index=True)
    open_hours: Mapped[list[int]] = mapped_column(ARRAY(SmallInteger), nullable=False)
    #: Exact open hours (since schedule.EPOCH) up to `open_until`, for entries whose weeks differ.
    open_exact: Mapped[list[int]] = mapped_column(ARRAY(Integer), nullable=False, server_default="{}")
    open_until: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    #: Not verified for WIJKGRAM_STALE_AFTER_MONTHS (or never): ranks below fresh equals (migration 0300).
    stale: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=false())
    geom: Mapped[Any | None] = mapped_column(Geometry("POINT", srid=4326, spatial_index=False))
    area: Mapped[Any | None] = mapped_column(Geometry("MULTIPOLYGON", srid=4326, spatial_index=False))
    tsv: Mapped[Any] = mapped_column(TSVECTOR, nullable=False)
    ord: Mapped[int] = mapped_column(Integer, Identity(always=False), nullable=False)


class SearchDocumentBody(Base):
    """The JSON document of a `SearchDocument`: sent to Meilisearch, shown as a hit.

    Kept apart so that a search scanning thousands of matches reads narrow rows;
    the body is read for the page of hits only.
    """

    __tablename__ = "search_document_body"

    id: Mapped[str] = mapped_column(
        Text, ForeignKey("search_document.id", ondelete="CASCADE"), primary_key=True
    )
    doc: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)


class SearchWord(Base):
    """Every word that occurs in a document: the vocabulary typo matching looks in.

    Words are added as documents are written and never removed; a stale word
    only widens a query to a word that finds nothing.
    """

    __tablename__ = "search_word"
    __table_args__ = (
        Index("ix_search_word_trgm", "word", postgresql_using="gin", postgresql_ops={"word": "gin_trgm_ops"}),
    )

    word: Mapped[str] = mapped_column(Text, primary_key=True)
