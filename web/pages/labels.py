"""Vocabulary labels (categories, support functions, target groups) in the page language."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.models import TaxonomyTerm


def vocabulary_labels(session: Session, lang: str, vocabulary: str | None = None) -> dict[str, str]:
    """{code: label} in sort order, Dutch or English."""
    stmt = select(TaxonomyTerm).order_by(TaxonomyTerm.vocabulary, TaxonomyTerm.sort_order)
    if vocabulary:
        stmt = stmt.where(TaxonomyTerm.vocabulary == vocabulary)
    return {term.code: term.label_en if lang == "en" else term.label_nl for term in session.scalars(stmt)}
