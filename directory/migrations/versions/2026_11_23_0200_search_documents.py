"""search documents: table for the PostgreSQL engine and the Meilisearch feed, word list, Dutch config

Revision ID: 0200
Revises: 0001
Create Date: 2026-11-23 18:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import geoalchemy2
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0200"
down_revision: str | None = "0100"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # levenshtein_less_equal() decides which typos count, like Meilisearch's typo rules.
    op.execute("CREATE EXTENSION IF NOT EXISTS fuzzystrmatch")
    # The `dutch` configuration with accents removed before stemming: "café" finds "cafe".
    op.execute("CREATE TEXT SEARCH CONFIGURATION wijkgram_nl (COPY = pg_catalog.dutch)")
    op.execute(
        "ALTER TEXT SEARCH CONFIGURATION wijkgram_nl "
        "ALTER MAPPING FOR hword, hword_part, word WITH unaccent, dutch_stem"
    )
    op.create_table(
        "search_document",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("service_id", sa.UUID(), nullable=True),
        sa.Column("location_id", sa.UUID(), nullable=True),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("category", sa.Text(), nullable=True),
        sa.Column("support_functions", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("target_groups", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("languages", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("accessibility", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("cost_eur", sa.Numeric(precision=8, scale=2), nullable=True),
        sa.Column("stadsdeel_code", sa.Text(), nullable=True),
        sa.Column("wijk_code", sa.Text(), nullable=True),
        sa.Column("buurt_code", sa.Text(), nullable=True),
        sa.Column("open_hours", postgresql.ARRAY(sa.SmallInteger()), nullable=False),
        sa.Column(
            "geom",
            geoalchemy2.types.Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.Column(
            "area",
            geoalchemy2.types.Geometry(
                geometry_type="MULTIPOLYGON",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.Column("tsv", postgresql.TSVECTOR(), nullable=False),
        sa.Column("doc", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_document")),
    )
    for column in (
        "service_id",
        "location_id",
        "organization_id",
        "category",
        "stadsdeel_code",
        "wijk_code",
        "buurt_code",
    ):
        op.create_index(op.f(f"ix_search_document_{column}"), "search_document", [column])
    op.create_index("ix_search_document_tsv", "search_document", ["tsv"], postgresql_using="gin")
    op.create_index("ix_search_document_geom", "search_document", ["geom"], postgresql_using="gist")
    op.create_index("ix_search_document_area", "search_document", ["area"], postgresql_using="gist")
    for column in ("support_functions", "target_groups", "languages", "accessibility", "open_hours"):
        op.create_index(f"ix_search_document_{column}", "search_document", [column], postgresql_using="gin")
    op.create_table(
        "search_word",
        sa.Column("word", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("word", name=op.f("pk_search_word")),
    )
    op.create_index(
        "ix_search_word_trgm",
        "search_word",
        ["word"],
        postgresql_using="gin",
        postgresql_ops={"word": "gin_trgm_ops"},
    )


def downgrade() -> None:
    op.drop_index("ix_search_word_trgm", table_name="search_word")
    op.drop_table("search_word")
    op.drop_table("search_document")
    op.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS wijkgram_nl")
    op.execute("DROP EXTENSION IF EXISTS fuzzystrmatch")
