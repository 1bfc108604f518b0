"""search documents: the service-area index holds only the documents without a point

Revision ID: 2026_12_07_0400
Revises: 2026_12_07_0300
Create Date: 2026-12-07 04:00:00

Every place filter has an arm for the documents known only by a service area:
`geom IS NULL AND ST_Covers(area, point)` (or ST_Intersects with a box or polygon).
PostgreSQL answered that arm with `geom IS NULL` on the GiST index of `geom`, which
means reading the whole index (about 1,000 pages at 100,000 entries, 3-7 ms of every
radius search), because it estimated that scan as nearly free. The index on `area`
held a (null) entry for every document, though only documents without a point have
an area. Indexed only where `geom IS NULL`, it is a few pages, matches the arm's own
condition, and the planner takes it (0.004 ms); writes no longer add an entry to it
for every place (docs/reliability.md, "Public reads at 100k").
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "2026_12_07_0400"
down_revision: str | None = "2026_12_07_0300"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_search_document_area_unplaced",
        "search_document",
        ["area"],
        postgresql_using="gist",
        postgresql_where="geom IS NULL",
    )
    op.drop_index("ix_search_document_area", table_name="search_document")


def downgrade() -> None:
    op.create_index("ix_search_document_area", "search_document", ["area"], postgresql_using="gist")
    op.drop_index("ix_search_document_area_unplaced", table_name="search_document")
