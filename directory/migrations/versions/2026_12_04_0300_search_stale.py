"""search documents: whether the entry is stale, so fresh entries rank first among equals

Revision ID: 2026_12_04_0300
Revises: 0750
Create Date: 2026-12-04 03:00:00

An entry not verified for WIJKGRAM_STALE_AFTER_MONTHS (or never) ranks below
a fresh one of equal relevance (docs/search.md, "Ranking"). Existing documents
get the flag from their entries' `last_verified_at` here; Meilisearch gets it
with the next `wijkgram index rebuild`. Nothing is lost: the column is derived.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "2026_12_04_0300"
down_revision: str | None = "0750"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    from directory.settings import get_settings

    op.add_column(
        "search_document", sa.Column("stale", sa.Boolean(), server_default=sa.false(), nullable=False)
    )
    months = get_settings().web.stale_after_months
    for table, link in (("location", "location_id"), ("service", "service_id")):
        kind = "location" if table == "location" else "service"
        op.execute(
            sa.text(
                f"UPDATE search_document d SET stale = (e.last_verified_at IS NULL "
                f"OR e.last_verified_at < now() - make_interval(months => :months)) "
                f"FROM {table} e WHERE d.kind = :kind AND e.id = d.{link}"
            ).bindparams(months=months, kind=kind)
        )


def downgrade() -> None:
    op.drop_column("search_document", "stale")
