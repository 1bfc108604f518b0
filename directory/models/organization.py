"""Organisations: who offers services (a church, a volunteer organisation, a club)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column

from directory.models.base import Base, EntryColumns


class Organization(EntryColumns, Base):
    """An organisation, close to HSDS `organization`."""

    __tablename__ = "organization"

    category: Mapped[str | None] = mapped_column(Text, ForeignKey("taxonomy_term.code"))
