"""tiles: a new data version of a tile layer set is announced (pg_notify), so app processes can keep tiles in memory

Revision ID: 2026_12_06_0200
Revises: 2026_12_05_0100
Create Date: 2026-12-06 02:00:00

Each app process keeps the tiles it served in memory (web/api/tiles.py,
`directory.services.tiles.TileMemory`), valid until their layer set's version
changes. Every change of `tile_layer_version` (the entries trigger at the commit
of a location write, `wijkgram geo import-basemap`, `bump_version`, psql) is
announced on the reference data's channel `wijkgram_reference` with the topic
`tiles_<layer>` (`tiles_base`, `tiles_entries`); the listener of
directory/reference.py hears it and the processes forget that set's tiles. An
app of an older version that hears an unknown topic forgets everything it kept,
which is safe. No data changes.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "2026_12_06_0200"
down_revision: str | None = "2026_12_05_0100"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        """
        CREATE FUNCTION wijkgram_tiles_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            -- Delivered at COMMIT (none after a ROLLBACK); equal ones of a transaction fold into one.
            IF TG_OP = 'TRUNCATE' THEN
                PERFORM pg_notify('wijkgram_reference', 'tiles_base');
                PERFORM pg_notify('wijkgram_reference', 'tiles_entries');
                RETURN NULL;
            END IF;
            IF TG_OP IN ('INSERT', 'UPDATE') THEN
                PERFORM pg_notify('wijkgram_reference', 'tiles_' || NEW.layer);
            END IF;
            IF TG_OP IN ('UPDATE', 'DELETE') THEN
                PERFORM pg_notify('wijkgram_reference', 'tiles_' || OLD.layer);
            END IF;
            RETURN NULL;
        END
        $$
        """
    )
    # Per row: the payload names the layer set (two rows, changed a few times a day).
    op.execute(
        "CREATE TRIGGER tile_layer_version_changed AFTER INSERT OR UPDATE OR DELETE ON tile_layer_version "
        "FOR EACH ROW EXECUTE FUNCTION wijkgram_tiles_changed()"
    )
    op.execute(
        "CREATE TRIGGER tile_layer_version_truncated AFTER TRUNCATE ON tile_layer_version "
        "FOR EACH STATEMENT EXECUTE FUNCTION wijkgram_tiles_changed()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS tile_layer_version_truncated ON tile_layer_version")
    op.execute("DROP TRIGGER IF EXISTS tile_layer_version_changed ON tile_layer_version")
    op.execute("DROP FUNCTION IF EXISTS wijkgram_tiles_changed()")
