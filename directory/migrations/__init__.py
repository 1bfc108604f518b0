"""Alembic migrations: every schema change, named by date and slug."""
