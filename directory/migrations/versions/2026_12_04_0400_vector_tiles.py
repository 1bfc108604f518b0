"""tiles: the data version of each vector tile layer set, the tile cache, and the trigger that bumps it

Revision ID: 2026_12_04_0400
Revises: 2026_12_04_0200
Create Date: 2026-12-04 04:00:00

`tile_layer_version` holds one row per layer set ('base', 'entries'). The
'entries' version goes up once per transaction that wrote a location, at commit
(a deferred constraint trigger, whoever wrote: EntryService, a bulk load, a
restore), and the cached entries tiles go with it; 'base' goes up with every
base map import (`wijkgram geo import-basemap`). `tile_cache` is UNLOGGED: a
cache may be lost in a crash. The base map's own tables live in the schema
`basemap`, made and replaced by osm2pgsql through that command, not here.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "2026_12_04_0400"
down_revision: str | None = "2026_12_04_0200"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BUMP_FUNCTION = """
CREATE OR REPLACE FUNCTION tile_entries_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Once per transaction: the first changed row at commit bumps, the others see the mark.
    IF coalesce(current_setting('wijkgram.tile_entries_bumped', true), '') <> txid_current()::text THEN
        PERFORM set_config('wijkgram.tile_entries_bumped', txid_current()::text, true);
        UPDATE tile_layer_version SET version = version + 1, changed_at = now() WHERE layer = 'entries';
        DELETE FROM tile_cache WHERE layer = 'entries';
    END IF;
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    op.create_table(
        "tile_layer_version",
        sa.Column("layer", sa.Text(), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default="1", nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("layer", name=op.f("pk_tile_layer_version")),
    )
    op.execute("INSERT INTO tile_layer_version (layer) VALUES ('base'), ('entries')")
    op.create_table(
        "tile_cache",
        sa.Column("layer", sa.Text(), nullable=False),
        sa.Column("z", sa.SmallInteger(), nullable=False),
        sa.Column("x", sa.Integer(), nullable=False),
        sa.Column("y", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("etag", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("layer", "z", "x", "y", name=op.f("pk_tile_cache")),
        prefixes=["UNLOGGED"],
    )
    op.execute(BUMP_FUNCTION)
    op.execute(
        "CREATE CONSTRAINT TRIGGER location_tiles_changed AFTER INSERT OR UPDATE OR DELETE ON location "
        "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION tile_entries_changed()"
    )
    op.execute(
        "CREATE TRIGGER location_tiles_truncated AFTER TRUNCATE ON location "
        "FOR EACH STATEMENT EXECUTE FUNCTION tile_entries_changed()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS location_tiles_truncated ON location")
    op.execute("DROP TRIGGER IF EXISTS location_tiles_changed ON location")
    op.execute("DROP FUNCTION IF EXISTS tile_entries_changed()")
    op.drop_table("tile_cache")
    op.drop_table("tile_layer_version")
    op.execute("DROP SCHEMA IF EXISTS basemap CASCADE")
