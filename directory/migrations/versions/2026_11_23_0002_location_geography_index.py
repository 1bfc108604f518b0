"""location: GiST index on geography(geom) for metre-radius queries; JIT off

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 18:36:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # ST_DWithin on geography (metres on the spheroid) cannot use the geometry
    # index; without this the radius query scans every location.
    op.execute("CREATE INDEX ix_location_geog ON location USING gist (geography(geom))")
    # JIT compiles expensive-looking PostGIS plans for hundreds of milliseconds;
    # our queries are short, so it only ever costs time.
    op.execute("DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET jit = off', current_database()); END $$")


def downgrade() -> None:
    op.execute("DO $$ BEGIN EXECUTE format('ALTER DATABASE %I RESET jit', current_database()); END $$")
    op.execute("DROP INDEX IF EXISTS ix_location_geog")
