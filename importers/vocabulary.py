"""Categories as partners name them: by code, by Dutch or English label, or by a common synonym.

The taxonomy's labels ("Maatjesproject", "Buddy project", "Taalmaatje / taalcafé")
are read from the database; `CATEGORY_SYNONYMS` adds the words lists use in
practice ("buurthuis", "maatje", "burenhulp"). A name nothing matches is not a
reason to refuse an offer: the caller files it under `other` and tells the
broker, with the closest labels as a suggestion.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process
from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.models import TaxonomyTerm
from directory.search.intent_words import CATEGORY_WORDS

#: The category for offers whose category the list names in a way nothing matches.
FALLBACK_CATEGORY = "other"
#: Words partners use -> category code: one declaration with the words a search question
#: names a category by (directory/search/intent_words.py).
CATEGORY_SYNONYMS: dict[str, str] = CATEGORY_WORDS


def _key(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


@dataclass
class Vocabulary:
    """Category codes with their labels, and how to read a category cell."""

    labels: dict[str, str] = field(default_factory=dict)
    _lookup: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_terms(cls, terms: Iterable[tuple[str, str, str]]) -> Vocabulary:
        """From (code, label_nl, label_en) of the category vocabulary."""
        vocabulary = cls()
        for code, label_nl, label_en in terms:
            vocabulary.labels[code] = label_nl
            vocabulary._lookup[_key(code)] = code
            for label in (label_nl, label_en):
                vocabulary._lookup.setdefault(_key(label), code)
                for part in re.split(r"\s*[/(),]\s*", label):
                    if _key(part):
                        vocabulary._lookup.setdefault(_key(part), code)
        for word, code in CATEGORY_SYNONYMS.items():
            if code in vocabulary.labels:
                vocabulary._lookup.setdefault(_key(word), code)
        return vocabulary

    @classmethod
    def from_codes(cls, codes: Iterable[str]) -> Vocabulary:
        """Codes only (labels unknown): codes and synonyms still match."""
        return cls.from_terms((code, code, code) for code in codes)

    @classmethod
    def load(cls, session: Session) -> Vocabulary:
        """The category vocabulary from the database."""
        rows = session.execute(
            select(TaxonomyTerm.code, TaxonomyTerm.label_nl, TaxonomyTerm.label_en).where(
                TaxonomyTerm.vocabulary == "category"
            )
        ).all()
        return cls.from_terms((r[0], r[1], r[2]) for r in rows)

    def category(self, text: str) -> str | None:
        """The category a cell names (code, label or synonym; also a known word inside it), or None."""
        key = _key(text)
        if not key:
            return None
        if key in self._lookup:
            return self._lookup[key]
        words = key.split()
        # A known word or phrase inside the cell ("Maatjesproject voor ouderen"), longest first.
        for size in range(min(4, len(words)), 0, -1):
            for start in range(len(words) - size + 1):
                phrase = " ".join(words[start : start + size])
                if phrase in self._lookup:
                    return self._lookup[phrase]
        return None

    def closest(self, text: str, limit: int = 3) -> list[str]:
        """Labels of the categories a name resembles most (for the broker's suggestion)."""
        choices = {label: code for code, label in self.labels.items()}
        found = process.extract(_key(text), {label: _key(label) for label in choices}, scorer=fuzz.WRatio,
                                limit=limit)  # fmt: skip
        return [str(label) for _, score, label in found if score >= 50]
