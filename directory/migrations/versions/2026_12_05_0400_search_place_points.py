"""search documents: a covering index of each document's place and point, for the map's counts

Revision ID: 2026_12_05_0400
Revises: 2026_12_04_0500
Create Date: 2026-12-05 04:00:00

The map's places answer (PostgresEngine.place_grid) asks "which places lie in
this box" and, for a whole city, "how many per grid cell". With this index both
read (location_id, geom) from the index alone, in place order: the "more than
300?" probe stops at the 301st place, and the count per cell reads no table
rows and sorts nothing. Before it, the whole-city count read and sorted every
document in the box. Only documents of a venue (with a point) are in it.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "2026_12_05_0400"
down_revision: str | None = "2026_12_04_0500"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "CREATE INDEX IF NOT EXISTS ix_search_document_place_point ON search_document "
        "(location_id) INCLUDE (geom) WHERE location_id IS NOT NULL AND geom IS NOT NULL"
    )


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_search_document_place_point")
