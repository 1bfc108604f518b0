"""search documents: the map's grid cells, for Meilisearch to count places per cell

Revision ID: 2026_12_04_0500
Revises: 2026_12_04_0400
Create Date: 2026-12-04 05:00:00

The scouting map loads its places per view and, when a view holds too many,
counts them per grid cell (directory/search/grid.py, docs/web.md). PostgreSQL
computes a point's cell in SQL; Meilisearch counts the `cell_6` .. `cell_20`
fields every document with a point now carries. Existing documents get them
here, computed in SQL with the same formula; with Meilisearch, run
`wijkgram index rebuild` after upgrading.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "2026_12_04_0500"
down_revision: str | None = "2026_12_04_0400"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The levels of directory/search/grid.py CELL_LEVELS at the time of this migration.
LEVELS = (6, 8, 10, 12, 14, 16, 18, 20)
#: grid.tile_xy in SQL, for level `lv` and point `g`.
CELL = """
    least(greatest(floor((ST_X(g) + 180.0) / 360.0 * 2.0 ^ lv), 0), 2.0 ^ lv - 1)::int || '/' ||
    least(greatest(floor((1.0 - ln(tan(radians(least(greatest(ST_Y(g), -85.05112878), 85.05112878)))
        + 1.0 / cos(radians(least(greatest(ST_Y(g), -85.05112878), 85.05112878)))) / pi()) / 2.0
        * 2.0 ^ lv), 0), 2.0 ^ lv - 1)::int
"""


def upgrade() -> None:
    levels = ", ".join(str(level) for level in LEVELS)
    op.execute(
        f"""
        UPDATE search_document_body b
        SET doc = b.doc || (SELECT jsonb_object_agg('cell_' || lv, {CELL})
                            FROM unnest(ARRAY[{levels}]) AS lv, (SELECT d.geom AS g) AS p)
        FROM search_document d
        WHERE d.id = b.id AND d.geom IS NOT NULL
        """
    )


def downgrade() -> None:
    cells = " - ".join(f"'cell_{level}'" for level in LEVELS)
    op.execute(f"UPDATE search_document_body SET doc = doc - {cells}")
