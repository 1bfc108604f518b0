"""search documents: the JSON body moves to its own table; documents get ordinals

Revision ID: 0500
Revises: 0200
Create Date: 2026-12-01 19:10:00

A search reads every matching row of `search_document`; the JSON sent to
Meilisearch was ~1.1 kB of each ~1.6 kB row, too small for PostgreSQL to
move out of line by itself (TOAST starts at ~2 kB, and `toast_tuple_target`
does not lower that), so broad searches read three times the pages they
needed and the table outgrew the part of shared_buffers a scan may keep.
The body is now read for the page of hits only.

`ord` numbers the document rows; the PostgreSQL engine counts facets in memory by
ordinal (directory/search/facet_index.py). Adding it rewrites the table, which also
drops the removed column's bytes from every row.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0500"
down_revision: str | None = "0200"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "search_document_body",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("doc", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.ForeignKeyConstraint(
            ["id"],
            ["search_document.id"],
            name=op.f("fk_search_document_body_id_search_document"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_document_body")),
    )
    op.execute("INSERT INTO search_document_body (id, doc) SELECT id, doc FROM search_document")
    op.drop_column("search_document", "doc")
    op.add_column(
        "search_document",
        sa.Column("ord", sa.Integer(), sa.Identity(always=False), nullable=False),
    )
    op.create_index("ix_search_document_ord", "search_document", ["ord"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_search_document_ord", table_name="search_document")
    op.drop_column("search_document", "ord")
    op.add_column(
        "search_document",
        sa.Column("doc", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    )
    op.execute("UPDATE search_document d SET doc = b.doc FROM search_document_body b WHERE b.id = d.id")
    op.execute("DELETE FROM search_document WHERE doc IS NULL")
    op.alter_column("search_document", "doc", nullable=False)
    op.drop_table("search_document_body")
