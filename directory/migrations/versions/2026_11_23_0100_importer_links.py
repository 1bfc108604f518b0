"""importers: source links, source suggestions, religion columns, OSM categories

Revision ID: 0100
Revises: 0001
Create Date: 2026-11-23 18:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0100"
down_revision: str | None = "0301"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Categories the OpenStreetMap data needs beyond the seed of 0001.
# (code, label_nl, label_en, parent_code). Never edit in place; add a migration.
NEW_CATEGORIES = [
    ("pub", "Kroeg / bruin café", "Pub", "cafe"),
    ("public_bookcase", "Minibieb / boekenkast", "Public bookcase", "library"),
    ("theatre", "Theater", "Theatre", "arts_centre"),
    ("cinema", "Bioscoop / filmhuis", "Cinema", "arts_centre"),
    ("sports_centre", "Sporthal / sportcentrum", "Sports centre", None),
    ("community_garden", "Buurttuin / moestuin", "Community garden", "park"),
    ("playground", "Speeltuin", "Playground", "park"),
    ("marketplace", "Markt", "Marketplace", None),
    ("public_toilet", "Openbaar toilet", "Public toilet", None),
    ("ngo", "Maatschappelijke organisatie", "Non-profit organisation", None),
    ("club", "Vereniging / club", "Club or society", None),
    ("school", "School / opleiding", "School or college", None),
    ("health_care", "Huisarts / zorg", "Health care", None),
]


def upgrade() -> None:
    op.create_table(
        "source_link",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("entity_type", sa.String(length=20), nullable=False),
        sa.Column("entity_id", sa.UUID(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("source_id", sa.Text(), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_seen_run", sa.Text(), nullable=True),
        sa.Column("missing_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("raw", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source_link")),
        sa.UniqueConstraint(
            "entity_type", "source", "source_id", name=op.f("uq_source_link_entity_type_source_source_id")
        ),
    )
    op.create_index("ix_source_link_entity", "source_link", ["entity_type", "entity_id"])
    op.create_index("ix_source_link_scope", "source_link", ["source", "scope"])
    op.create_table(
        "source_suggestion",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("entity_type", sa.String(length=20), nullable=False),
        sa.Column("entity_id", sa.UUID(), nullable=False),
        sa.Column("field", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("value", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("current", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source_suggestion")),
        sa.UniqueConstraint(
            "entity_type",
            "entity_id",
            "field",
            "source",
            name=op.f("uq_source_suggestion_entity_type_entity_id_field_source"),
        ),
    )
    op.add_column("location", sa.Column("religion", sa.Text(), nullable=True))
    op.add_column("location", sa.Column("denomination", sa.Text(), nullable=True))
    table = sa.table(
        "taxonomy_term",
        sa.column("code", sa.Text),
        sa.column("vocabulary", sa.String),
        sa.column("label_nl", sa.Text),
        sa.column("label_en", sa.Text),
        sa.column("parent_code", sa.Text),
        sa.column("sort_order", sa.Integer),
    )
    op.bulk_insert(
        table,
        [
            {
                "code": code,
                "vocabulary": "category",
                "label_nl": nl,
                "label_en": en,
                "parent_code": parent,
                "sort_order": 100 + i,
            }
            for i, (code, nl, en, parent) in enumerate(NEW_CATEGORIES)
        ],
    )


def downgrade() -> None:
    codes = [code for code, *_ in NEW_CATEGORIES]
    for table in ("location", "organization", "service"):
        op.execute(
            sa.text(f"UPDATE {table} SET category = 'other' WHERE category = ANY(:codes)").bindparams(
                codes=codes
            )
        )
    op.execute(sa.text("DELETE FROM taxonomy_term WHERE code = ANY(:codes)").bindparams(codes=codes))
    op.drop_column("location", "denomination")
    op.drop_column("location", "religion")
    op.drop_table("source_suggestion")
    op.drop_index("ix_source_link_scope", table_name="source_link")
    op.drop_index("ix_source_link_entity", table_name="source_link")
    op.drop_table("source_link")
