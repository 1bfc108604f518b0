"""What to offer when a question found nothing at all: the nearest spelling, or a broader category.

Typos within Meilisearch's rules (one from 5 letters, two from 9) are already found by
both engines; this looks further, by trigram similarity over every indexed word
(`search_word`, the PostgreSQL table both engines' documents fill), so "formulierrn"
offers "formulieren" and "scuhldhulp" offers what is there. Only a zero-result
answer pays for the one query it takes.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz.distance import OSA
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from directory.search.compounds import stem
from directory.search.intent import Interpretation
from directory.search.intent_words import CATEGORY_WORDS
from directory.search.text import query_terms
from directory.services.taxonomy import parent_codes

#: How alike (pg_trgm similarity, 0..1) an indexed word must be to be offered. Above pg_trgm's
#: default threshold of `%` (0.3), which finds the candidates with the index.
MIN_SIMILARITY = 0.35

#: Edits (a swap of two letters counts one) allowed per letter of the word typed. Trigrams alone
#: offered "bin" for "bingo" and "bijenkorf" (a department store) for "bijeenkomst": alike in
#: their letters, not a slip of the keys.
MAX_EDITS_PER_LETTER = 0.3
#: Candidates per word, most alike first, that are checked for edits.
CANDIDATES = 5

NEAREST_SQL = text(
    """
    SELECT t.term, ARRAY(SELECT w.word FROM search_word w
                         WHERE w.word % t.term AND similarity(w.word, t.term) >= :min AND w.word <> t.term
                         ORDER BY similarity(w.word, t.term) DESC, w.word LIMIT :candidates)
    FROM unnest(CAST(:terms AS text[])) AS t(term)
    WHERE NOT EXISTS (SELECT 1 FROM search_word w WHERE w.word = t.term)
    """
)


#: Indexed words that begin like a term's stem (its first letters), shortest first: the candidates
#: for the same word in another form. LIKE with a fixed head is served by the trigram index.
FORMS_SQL = text(
    """
    SELECT t.term, ARRAY(SELECT w.word FROM search_word w
                         WHERE w.word LIKE t.head || '%' AND w.word <> t.term
                         ORDER BY length(w.word), w.word LIMIT :candidates)
    FROM unnest(CAST(:terms AS text[]), CAST(:heads AS text[])) AS t(term, head)
    """
)
#: Letters of the stem a form must begin with, and how many candidates are compared.
FORM_HEAD = 4
FORM_CANDIDATES = 200


def indexed_forms(db: Engine | None, terms: list[str]) -> dict[str, str]:
    """For each term, the shortest indexed word with the same Dutch stem ("koffietje" -> "koffie").

    PostgreSQL's full-text search stems a question's words and finds these forms itself;
    Meilisearch only matches words as typed (and a few typos), so a word that finds
    nothing there is searched in the form the documents hold. Empty without a database.
    """
    stems = {t: stem(t) for t in terms if len(t) >= FORM_HEAD + 1 and t.isalpha()}
    if db is None or not stems:
        return {}
    heads = [stems[t][:FORM_HEAD] for t in stems]
    try:
        with db.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            params = {"terms": list(stems), "heads": heads, "candidates": FORM_CANDIDATES}
            rows = conn.execute(FORMS_SQL, params).all()
    except DBAPIError:
        return {}
    found: dict[str, str] = {}
    for term, candidates in rows:
        same = next((w for w in candidates if stem(w) == stems[term]), None)
        if same is not None:
            found[term] = same
    return found


def _typed_for(term: str, words: list[str]) -> str | None:
    """The most alike word that a few slips of the keys make of `term`, or None."""
    most = int(len(term) * MAX_EDITS_PER_LETTER)
    return next((w for w in words if OSA.distance(term, w, score_cutoff=most) <= most), None)


@dataclass(frozen=True)
class Suggestion:
    """A question to try instead: `q` with one word respelled (`instead`), or `q` within a category."""

    q: str
    word: str
    instead: str | None = None
    category: str | None = None


def _replaced(read: Interpretation, word: str, new: str | None) -> str:
    tokens = [new if t == word else t for t in read.tokens]
    return " ".join(t for t in tokens if t)


def suggestions(db: Engine | None, read: Interpretation) -> list[Suggestion]:
    """Respellings of the question's unknown words, and the broader category of its kind-of-place words.

    The category's own entries were already tried (relax.py widens to it), so the
    suggestion is the category above it ("stamtafel" -> shared meals), when there is one.
    """
    terms = query_terms(read.text)
    if db is None or not terms:
        return []
    try:
        # Autocommit: two reads need no transaction (whose ROLLBACK would also make psycopg
        # drop the connection's prepared statements).
        with db.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            params = {"terms": terms, "min": MIN_SIMILARITY, "candidates": CANDIDATES}
            rows = conn.execute(NEAREST_SQL, params).all()
            parents = parent_codes(conn)
    except DBAPIError:
        return []  # no suggestion beats no answer
    nearest = [(term, _typed_for(term, list(words))) for term, words in rows]
    found = [Suggestion(_replaced(read, term, word), term, instead=word) for term, word in nearest if word]
    for term in terms:
        broader = parents.get(CATEGORY_WORDS.get(term, ""))
        if broader is not None:
            found.append(Suggestion(_replaced(read, term, None), term, category=broader))
    return found
