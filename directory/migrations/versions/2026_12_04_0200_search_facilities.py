"""search documents: the facilities a group can use (kitchen, room), to filter "zaal huren" on

Revision ID: 2026_12_04_0200
Revises: 2026_12_04_0300
Create Date: 2026-12-04 02:00:00

A question such as "zaal huren" or "keuken" becomes a filter on what a venue
offers groups (directory/search/intent.py). Documents now carry `facilities`
(`kitchen`, `room`), a service its venue's. Existing documents get theirs from
their location here, in the table and in the stored JSON document, so nothing
needs a rebuild; Meilisearch needs `wijkgram index rebuild` to filter on it.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "2026_12_04_0200"
down_revision: str | None = "2026_12_04_0300"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FACILITIES_OF_LOCATION = """
    array_remove(ARRAY[
        CASE WHEN l.kitchen_available THEN 'kitchen' END,
        CASE WHEN l.room_available THEN 'room' END
    ], NULL)
"""


def upgrade() -> None:
    op.add_column(
        "search_document",
        sa.Column("facilities", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
    )
    op.create_index(
        "ix_search_document_facilities", "search_document", ["facilities"], postgresql_using="gin"
    )
    op.execute(
        f"""
        UPDATE search_document d SET facilities = {FACILITIES_OF_LOCATION}
        FROM location l WHERE l.id = d.location_id
        """
    )
    op.execute(
        """
        UPDATE search_document_body b
        SET doc = b.doc || jsonb_build_object('facilities', to_jsonb(d.facilities))
        FROM search_document d WHERE d.id = b.id
        """
    )


def downgrade() -> None:
    # The stored JSON keeps its `facilities`: older code ignores the key, and a downgrade
    # then changes no document that was there before it.
    op.drop_index("ix_search_document_facilities", table_name="search_document")
    op.drop_column("search_document", "facilities")
