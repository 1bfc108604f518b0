"""tiles: the places counted per grid cell once per data version, for the zoomed-out entries tiles

Revision ID: 2026_12_05_0410
Revises: 2026_12_05_0200
Create Date: 2026-12-05 04:10:00

An entries tile at zoom 13 or below draws clusters: places per grid cell. Made
from `location`, a zoom-12 tile over a city of 100,000 places read 20,000-28,000
rows and projected each (50-200 ms cold on this machine, against a 30 ms target).
`tile_entry_cell` holds, per cell of level 16 (611 Web Mercator metres, about
370 m on the ground in Amsterdam; the cells zoom 13 clusters on), the number of
active places, the sums of their Web Mercator coordinates and one of their ids,
for the entries version it was counted at. A clustered tile adds up the few hundred cells under it; the table is
counted anew (one pass over `location`) by the first clustered tile that finds it
older than the entries version. UNLOGGED: it is a cache.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "2026_12_05_0410"
down_revision: str | None = "2026_12_05_0200"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tile_entry_cell",
        sa.Column("x", sa.Integer(), nullable=False),
        sa.Column("y", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("sum_mx", sa.Float(), nullable=False),
        sa.Column("sum_my", sa.Float(), nullable=False),
        sa.Column("one_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.PrimaryKeyConstraint("x", "y", name=op.f("pk_tile_entry_cell")),
        prefixes=["UNLOGGED"],
    )


def downgrade() -> None:
    op.drop_table("tile_entry_cell")
