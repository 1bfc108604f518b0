"""search documents: how many people a place holds, to filter "zaal voor 20 personen" on

Revision ID: 2026_12_07_0300
Revises: 2026_12_06_0300
Create Date: 2026-12-07 03:00:00

A question such as "zaal voor 20 personen" (or `min_capacity=20`) leaves out places
known to be too small (directory/search/intent.py, query.py). Documents now carry
`capacity` (null when not known), a service its venue's. Existing documents get it
from their location here, in the table and in the stored JSON document, so nothing
needs a rebuild; Meilisearch needs `wijkgram index rebuild` to filter and sort on it
(until then a search with a group size falls back to PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "2026_12_07_0300"
down_revision: str | None = "2026_12_06_0300"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("search_document", sa.Column("capacity", sa.Integer(), nullable=True))
    # A location's document and the documents of the services held there all carry its id.
    op.execute(
        """
        UPDATE search_document d SET capacity = l.capacity
        FROM location l WHERE l.id = d.location_id AND l.capacity IS NOT NULL
        """
    )
    op.execute(
        """
        UPDATE search_document_body b
        SET doc = b.doc || jsonb_build_object('capacity', d.capacity)
        FROM search_document d WHERE d.id = b.id
        """
    )


def downgrade() -> None:
    # The stored JSON keeps its `capacity`: older code ignores the key (as 2026_12_04_0200 does).
    op.drop_column("search_document", "capacity")
