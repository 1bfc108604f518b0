"""Text normalisation shared by both engines: lowercase, no accents, simple word split."""

from __future__ import annotations

import json
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

SYNONYMS_FILE = Path(__file__).with_name("synonyms.json")
#: A word: what `words` finds (intent.py reads the characters around numbers by it).
WORD = re.compile(r"[0-9a-z]+")


def normalise(text: str) -> str:
    """Lowercase and strip accents, so "Café" and "cafe" are the same word."""
    lowered = text.lower()
    if lowered.isascii():  # most text: nothing to strip, and the check is cheap
        return lowered
    decomposed = unicodedata.normalize("NFKD", lowered)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """The normalised words of a text, in order (punctuation splits words)."""
    return WORD.findall(normalise(text))


@lru_cache(maxsize=1)
def synonym_groups() -> tuple[tuple[str, ...], ...]:
    """The synonym groups from synonyms.json (one file for both engines)."""
    data = json.loads(SYNONYMS_FILE.read_text(encoding="utf-8"))
    return tuple(tuple(normalise(w) for w in group) for group in data["groups"])


@lru_cache(maxsize=1)
def synonym_map() -> dict[str, tuple[str, ...]]:
    """Each word to the other words it finds (the union of its groups)."""
    mapping: dict[str, set[str]] = {}
    for group in synonym_groups():
        for word in group:
            mapping.setdefault(word, set()).update(w for w in group if w != word)
    return {word: tuple(sorted(others)) for word, others in mapping.items()}


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """Words both engines ignore in a query (PostgreSQL's Dutch stop list)."""
    data = json.loads(SYNONYMS_FILE.read_text(encoding="utf-8"))
    return frozenset(data["stopwords"])


def query_terms(q: str) -> list[str]:
    """The words of a query that must each match, without stopwords and repeats."""
    return list(dict.fromkeys(w for w in words(q) if w not in stopwords()))
