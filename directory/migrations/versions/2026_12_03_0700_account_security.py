"""accounts: display names, expiring API tokens, and a shared login throttle

Revision ID: 0700
Revises: 0740
Create Date: 2026-12-03 12:20:00

- `app_user.display_name`: what the public history shows instead of a username
  (usernames are what an attacker needs to guess passwords).
- `api_token.expires_at`: tokens no longer live forever. Tokens made before
  this migration get 90 days from now, so nothing stops working today.
- `login_throttle`: failed logins counted in the database, one row per
  (account, client) and per client, updated with one atomic statement, so
  concurrent tries and several workers share one count; rows carry their
  expiry and are deleted after it.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0700"
down_revision: str | None = "0740"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("app_user", sa.Column("display_name", sa.Text(), nullable=True))
    op.add_column("api_token", sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE api_token SET expires_at = now() + interval '90 days' WHERE expires_at IS NULL")
    op.alter_column("api_token", "expires_at", nullable=False)
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_throttle")),
    )
    op.create_index(op.f("ix_login_throttle_expires_at"), "login_throttle", ["expires_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_login_throttle_expires_at"), table_name="login_throttle")
    op.drop_table("login_throttle")
    op.drop_column("api_token", "expires_at")
    op.drop_column("app_user", "display_name")
