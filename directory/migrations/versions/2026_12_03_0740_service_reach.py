"""services without a venue: how a service reaches people, and the name of the area it serves

Revision ID: 0740
Revises: 0600
Create Date: 2026-12-03 07:40:00

Much informal support has no address: a buddy visits at home, debt help works
by phone, a neighbours' network serves all of Oost. `service.delivery_modes`
says how a service reaches people (`at_home`, `phone`, `online`);
`service.service_area_name` says in words which area `service_area` covers
("Zuidoost", "Heel Amsterdam"), so a page can show it without a map. Both are
empty on existing services (an empty list, NULL): nothing is lost or changed.
Drafts (status `draft`, an imported offer that still needs a location) need no
schema change: `status` is free text of 20 characters.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0740"
down_revision: str | None = "0600"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "service",
        sa.Column(
            "delivery_modes",
            postgresql.ARRAY(sa.Text()),
            nullable=False,
            server_default=sa.text("'{}'::text[]"),
        ),
    )
    op.add_column("service", sa.Column("service_area_name", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("service", "service_area_name")
    op.drop_column("service", "delivery_modes")
