"""Controlled vocabularies (categories, support functions, target groups) as data."""

from __future__ import annotations

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from directory.models.base import Base

VOCABULARIES = ("category", "support_function", "target_group")


class TaxonomyTerm(Base):
    """One term of a vocabulary, with Dutch and English labels.

    Codes are unique across vocabularies so an entry's `category` can refer
    to a term by code alone.
    """

    __tablename__ = "taxonomy_term"

    code: Mapped[str] = mapped_column(Text, primary_key=True)
    vocabulary: Mapped[str] = mapped_column(String(40), nullable=False, index=True)
    label_nl: Mapped[str] = mapped_column(Text, nullable=False)
    label_en: Mapped[str] = mapped_column(Text, nullable=False)
    description_nl: Mapped[str | None] = mapped_column(Text)
    description_en: Mapped[str | None] = mapped_column(Text)
    parent_code: Mapped[str | None] = mapped_column(Text)
    sort_order: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
