"""tiles: the entries tiles show places under review, as the map's places answer does

Revision ID: 2026_12_06_0300
Revises: 2026_12_06_0200
Create Date: 2026-12-06 03:00:00

The entries tiles now draw locations with status `needs_review` too (marked
`needs_review`), like `GET /api/v1/map/places` (docs/web.md, "Which places the map
shows"). Tiles cached and cells counted before were made by the old rule and carry
the current entries version, so nothing would redo them until the next edit of a
location: a new version makes every entries tile and the cell counts (`tile_entry_cell`,
counted anew when older than the version) be made again, and is announced to the app
processes that keep tiles in memory (2026_12_06_0200). Downgrading does the same for
the old rule. No table changes.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "2026_12_06_0300"
down_revision: str | None = "2026_12_06_0200"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEW_ENTRIES_VERSION = (
    "UPDATE tile_layer_version SET version = version + 1, changed_at = now() WHERE layer = 'entries'"
)


def upgrade() -> None:
    op.execute(NEW_ENTRIES_VERSION)
    op.execute("DELETE FROM tile_cache WHERE layer = 'entries'")


def downgrade() -> None:
    upgrade()
