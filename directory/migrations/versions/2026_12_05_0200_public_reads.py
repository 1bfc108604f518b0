"""public reads: reference data announces its changes (pg_notify), locations listed by name from an index

Revision ID: 2026_12_05_0200
Revises: 2026_12_05_0400
Create Date: 2026-12-05 02:00:00

The app keeps the vocabularies, the area names and people's display names in process
memory (directory/reference.py). Statement-level triggers announce every change of
them on the channel `wijkgram_reference`, whoever makes it (the app, an import, psql),
and each app process forgets what it kept of that topic.

Location listings by name (of all, or of one category) sorted every match to show one
page; two indexes give the page in name order directly. No data changes.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "2026_12_05_0200"
down_revision: str | None = "2026_12_05_0400"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: (table, topic, the events that change what is kept)
TRIGGERS = (
    ("taxonomy_term", "vocabulary", "INSERT OR UPDATE OR DELETE OR TRUNCATE"),
    ("geo_boundary", "areas", "INSERT OR UPDATE OR DELETE OR TRUNCATE"),
    # Only names: a changed password or role does not change what the public history shows.
    ("app_user", "people", "INSERT OR UPDATE OF username, display_name OR DELETE OR TRUNCATE"),
)


def upgrade() -> None:
    op.execute(
        """
        CREATE FUNCTION wijkgram_reference_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            -- One notification per statement and topic; PostgreSQL folds equal ones of a
            -- transaction into one, delivered at COMMIT (none after a ROLLBACK).
            PERFORM pg_notify('wijkgram_reference', TG_ARGV[0]);
            RETURN NULL;
        END
        $$
        """
    )
    for table, topic, events in TRIGGERS:
        op.execute(
            f"CREATE TRIGGER {table}_reference_changed AFTER {events} ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION wijkgram_reference_changed('{topic}')"
        )

    op.create_index("ix_location_category_name", "location", ["category", "name", "id"])
    op.create_index("ix_location_name", "location", ["name", "id"])


def downgrade() -> None:
    op.drop_index("ix_location_name", table_name="location")
    op.drop_index("ix_location_category_name", table_name="location")
    for table, _topic, _events in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_reference_changed ON {table}")
    op.execute("DROP FUNCTION IF EXISTS wijkgram_reference_changed()")
