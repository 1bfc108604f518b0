"""search documents: exact open hours for the coming weeks, for entries whose weeks differ

Revision ID: 0600
Revises: 0500
Create Date: 2026-12-01 20:20:00

"Open at" used hour-of-week buckets only, so a monthly Stamtafel (first
Tuesday) counted as open every Tuesday, and a place closed on public holidays
as open at Christmas. Documents now also carry exact hours for eight weeks
(see directory/search/schedule.py). Existing documents get none (open_until 0:
the weekly buckets hold, as before) until they are written again or rebuilt.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0600"
down_revision: str | None = "0500"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "search_document",
        sa.Column("open_exact", postgresql.ARRAY(sa.Integer()), server_default="{}", nullable=False),
    )
    op.add_column(
        "search_document", sa.Column("open_until", sa.Integer(), server_default="0", nullable=False)
    )
    op.create_index(
        "ix_search_document_open_exact", "search_document", ["open_exact"], postgresql_using="gin"
    )


def downgrade() -> None:
    op.drop_index("ix_search_document_open_exact", table_name="search_document")
    op.drop_column("search_document", "open_until")
    op.drop_column("search_document", "open_exact")
