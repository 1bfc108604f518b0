"""The vocabularies (categories, support functions, target groups) and their labels.

Read once per process and kept until a term changes (directory/reference.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from directory.models import TaxonomyTerm
from directory.reference import cached


@dataclass(frozen=True)
class Term:
    """One vocabulary term as read (a plain value, so one process can share it between requests)."""

    code: str
    vocabulary: str
    label_nl: str
    label_en: str
    description_nl: str | None
    description_en: str | None
    parent_code: str | None
    sort_order: int


def _all_terms(db: Session | Connection) -> tuple[Term, ...]:
    def load() -> tuple[Term, ...]:
        t = TaxonomyTerm
        columns = (t.code, t.vocabulary, t.label_nl, t.label_en, t.description_nl, t.description_en)
        rows = db.execute(
            select(*columns, t.parent_code, t.sort_order).order_by(t.vocabulary, t.sort_order, t.code)
        )
        return tuple(Term(*row) for row in rows)

    return cached(db, "vocabulary", "terms", load)


def taxonomy_terms(session: Session, vocabulary: str | None = None) -> Sequence[Term]:
    """The terms of one vocabulary, or of all, in their sort order."""
    terms = _all_terms(session)
    return terms if not vocabulary else [t for t in terms if t.vocabulary == vocabulary]


def vocabulary_labels(session: Session, lang: str, vocabulary: str | None = None) -> dict[str, str]:
    """{code: label} in sort order, Dutch or English."""

    def load() -> dict[str, str]:
        return {
            term.code: term.label_en if lang == "en" else term.label_nl
            for term in taxonomy_terms(session, vocabulary)
        }

    # A fresh dict per call: callers may add to it (a page's own labels).
    return dict(cached(session, "vocabulary", ("labels", lang, vocabulary), load))


def parent_codes(db: Session | Connection) -> dict[str, str]:
    """{code: the code of the broader term} of every term that has one."""

    def load() -> dict[str, str]:
        return {t.code: t.parent_code for t in _all_terms(db) if t.parent_code is not None}

    return cached(db, "vocabulary", "parents", load)
