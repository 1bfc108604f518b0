"""The Dutch stemmer: PyStemmer's C build, stemming exactly as snowballstemmer's Python code.

Word forms (directory.search.compounds) are stemmed at import and at query time, and stored
documents keep the stems they were built with. The C build made an import's word forms about
a hundred times cheaper; it must not change a single stem, or documents built before would
stop matching the questions asked after.
"""

from __future__ import annotations

import json

import Stemmer
from snowballstemmer.dutch_stemmer import DutchStemmer

from directory.demo import DEMO_DIR
from directory.search import compounds
from directory.search.text import synonym_groups, words
from importers.osm.reader import read_places


def _demo_words() -> set[str]:
    """Every word of the demo's entries, offers and OSM places, and of the search vocabularies."""
    found: set[str] = set()
    for record in read_places(DEMO_DIR / "centrum-cut.osm.pbf", count=False):
        found.update(words(" ".join(str(v) for v in (record.name, *record.location.values()) if v)))
    for name in ("entries.json", "aanbod-zonder-adres.csv"):
        found.update(words((DEMO_DIR / name).read_text(encoding="utf-8")))
    found.update(w for group in synonym_groups() for phrase in group for w in words(phrase))
    found.update(compounds.known_parts())
    return found


def test_the_c_stemmer_is_the_one_in_use() -> None:
    assert isinstance(compounds._STEMMER, Stemmer.Stemmer)


def test_the_c_stemmer_stems_as_the_python_one() -> None:
    python = DutchStemmer()
    vocabulary = sorted(_demo_words())
    assert len(vocabulary) > 1000, len(vocabulary)  # enough words to mean something
    differ = {
        w: (python.stemWord(w), compounds._STEMMER.stemWord(w))
        for w in vocabulary
        if python.stemWord(w) != compounds._STEMMER.stemWord(w)
    }
    assert not differ, json.dumps(dict(list(differ.items())[:20]), ensure_ascii=False)


def test_known_stems() -> None:
    """A few stems the search relies on (plural and diminutive to the stem the questions use)."""
    stem = compounds._STEMMER.stemWord
    assert stem("buurthuizen") == stem("buurthuis")
    assert stem("maaltijden") == stem("maaltijd")
