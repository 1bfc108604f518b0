"""The vocabularies (categories, support functions, target groups) and their labels."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.models import TaxonomyTerm


def taxonomy_terms(session: Session, vocabulary: str | None = None) -> Sequence[TaxonomyTerm]:
    """The terms of one vocabulary, or of all, in their sort order."""
    stmt = select(TaxonomyTerm).order_by(TaxonomyTerm.vocabulary, TaxonomyTerm.sort_order)
    if vocabulary:
        stmt = stmt.where(TaxonomyTerm.vocabulary == vocabulary)
    return session.scalars(stmt).all()


def vocabulary_labels(session: Session, lang: str, vocabulary: str | None = None) -> dict[str, str]:
    """{code: label} in sort order, Dutch or English."""
    return {
        term.code: term.label_en if lang == "en" else term.label_nl
        for term in taxonomy_terms(session, vocabulary)
    }
