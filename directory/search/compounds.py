"""Word forms a document is also found by: Dutch stems and the parts of compounds.

"formulier" should find "formulieren" and "schuld" the "schuldhulpverlening". PostgreSQL
stems Dutch words itself, Meilisearch does not, and neither splits compounds. So each
document carries `word_parts` (searched last, after the description): for each of its
words the Snowball Dutch stem, the word without a plural or linking ending, and the parts
of a compound made of known parts. The known parts are a short list of the words our
entries are made of (`PARTS`) plus every word of the search vocabularies (synonyms,
intent words, category words), so a new category word splits too.

The question side: a word that finds nothing is split the same way when a question is
relaxed ("schuldhulp" -> "schuld hulp", relax.py).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from functools import lru_cache

import snowballstemmer
from rapidfuzz.distance import OSA

from directory.search.intent_words import CATEGORY_WORDS, INTENTS
from directory.search.text import stopwords, synonym_groups, words

#: Words Dutch compounds in this field are built from (lowercase, no accents).
PARTS = (
    "administratie", "advies", "avond", "bank", "bezoek", "bieb", "boodschap", "buddy", "buren", "buurt",
    "cafe", "centrale", "centrum", "club", "computer", "contact", "dag", "dienst", "dienstverlening",
    "digitaal", "eten", "begeleiding", "bijeenkomst", "formulier", "gebed", "geld", "gemeente", "groep",
    "hobby", "hulp", "huis", "huiswerk", "inloop",
    "jeugd", "jongeren", "kamer", "kerk", "klas", "klus", "koffie", "kook", "kring", "lees", "les", "loket",
    "lotgenoot", "maaltijd", "maatje", "mantel", "middag", "moskee", "netwerk", "ochtend", "ontmoeting",
    "ouder", "ouderen", "plek", "post", "project", "punt", "repair", "ruimte", "schuld", "sport", "spreekuur",
    "stam", "steun", "taal", "tafel", "thuis", "verlening", "voedsel", "vraag", "vragen", "vrijwilliger",
    "vrouwen", "wandel", "werk", "wijk", "winkel", "zaal", "zorg",
)  # fmt: skip
#: Endings between the parts of a compound ("vrijwilliger-s-werk", "wandel-groep"), or of a plural.
LINKS = ("", "s", "en", "e", "n")
#: Shortest part, and shortest word worth looking at.
MIN_PART = 3
MIN_WORD = 6

_STEMMER = snowballstemmer.stemmer("dutch")
#: A Snowball stemmer keeps the word it works on in itself: one thread at a time.
_STEMMER_LOCK = threading.Lock()


def stem(word: str) -> str:
    """The Snowball Dutch stem of a word."""
    with _STEMMER_LOCK:
        return str(_STEMMER.stemWord(word))


@lru_cache(maxsize=1)
def known_parts() -> frozenset[str]:
    """PARTS and every one-word entry of the search vocabularies (at least MIN_PART letters)."""
    vocabulary = [*PARTS, *CATEGORY_WORDS]
    vocabulary += [w for group in synonym_groups() for w in group]
    vocabulary += [p for intent in INTENTS for p in intent.phrases]
    return frozenset(w for w in vocabulary if " " not in w and len(w) >= MIN_PART and w.isalpha())


#: Endings of a Dutch diminutive, singular and plural ("huisje", "koffietje", "kerkjes").
DIMINUTIVE_ENDINGS = ("je", "jes")


def diminutive_base(word: str) -> str:
    """A diminutive of a known word as that word ("koffietje" -> "koffie", "buurthuisje" ->
    "buurthuis"), else the word itself.

    The Snowball stem undoes the diminutive; it counts only when it is a known word, so
    "meisje" stays "meisje" and no ending is cut off a name.
    """
    if len(word) < MIN_WORD - 1 or not word.endswith(DIMINUTIVE_ENDINGS):
        return word
    base = stem(word)
    return base if base != word and base in known_parts() else word


#: Words at least this long may be one slip (a letter wrong, missing, extra, or two swapped)
#: from a known word and be read as it, as the question's filter words are (intent.py).
RESPELL_FROM = 7


@lru_cache(maxsize=4096)
def respelled(word: str) -> str | None:
    """The one known word one slip away from `word` ("eenzaamhied" -> "eenzaamheid"), if exactly one is.

    The engines allow that many typos too, but a swap of two letters costs them two, and
    a known word (a synonym, say) need not be in any document to find something.
    """
    if len(word) < RESPELL_FROM or word in known_parts():
        return None
    near = [
        k
        for k in known_parts()
        if abs(len(k) - len(word)) <= 1 and OSA.distance(word, k, score_cutoff=1) <= 1
    ]
    return near[0] if len(near) == 1 else None


def _bare(word: str) -> str | None:
    """The word without a plural or linking ending, when that is a known part ("schulden" -> "schuld")."""
    parts = known_parts()
    for link in LINKS[1:]:
        if word.endswith(link) and word[: -len(link)] in parts:
            return word[: -len(link)]
    return None


@lru_cache(maxsize=65536)
def split(word: str) -> tuple[str, ...]:
    """The known parts a compound is made of, longest head first; () when it is not one."""
    parts = known_parts()
    if len(word) < MIN_WORD:
        return ()
    for cut in range(len(word) - MIN_PART, MIN_PART - 1, -1):
        head, rest = word[:cut], word[cut:]
        if head not in parts:
            continue
        for link in LINKS:
            if not rest.startswith(link) or len(rest) - len(link) < MIN_PART:
                continue
            tail = rest[len(link) :]
            if tail in parts or _bare(tail):
                return (head, _bare(tail) or tail)
            more = split(tail)
            if more:
                return (head, *more)
    return ()


@lru_cache(maxsize=65536)
def forms(word: str) -> tuple[str, ...]:
    """Other forms a word is found by: its stem, its bare form, its compound parts and their joins."""
    if len(word) < MIN_WORD - 1 or word.isdigit():
        return ()
    stemmed = stem(word)
    # Only a stem that cuts an ending off: the Dutch stemmer also drops a "ge-" in front
    # ("geldzorgen" -> "ldzorg"), which nobody types.
    out = [stemmed if word.startswith(stemmed) else "", _bare(word) or ""]
    for part in split(word):
        out += [part, *forms(part)] if split(part) else [part]
    return tuple(dict.fromkeys(f for f in out if f and f != word and len(f) >= MIN_PART))


#: Word forms computed in another process (an import's reader), looked up before `forms`:
#: an `lru_cache` cannot be filled from outside. Emptied by `clear_seeded_forms`.
_SEEDED: dict[str, tuple[str, ...]] = {}


def seed_forms(known: dict[str, tuple[str, ...]]) -> None:
    """Take word forms another process computed (with `forms`), so they are not computed again here."""
    _SEEDED.update(known)


def clear_seeded_forms() -> None:
    """Forget the seeded forms (at the end of the import that seeded them)."""
    _SEEDED.clear()


def forms_of(texts: Iterable[str], skip: set[str]) -> dict[str, tuple[str, ...]]:
    """`forms` of every searched word of some texts that is not in `skip` (which gains them)."""
    stop = stopwords()
    out: dict[str, tuple[str, ...]] = {}
    for part in texts:
        for word in words(part):
            if word not in stop and word not in skip:
                skip.add(word)
                out[word] = forms(word)
    return out


def word_parts(texts: Iterable[str]) -> list[str]:
    """The extra forms of every word of some texts (not the words themselves), for `word_parts`."""
    stop = stopwords()
    seeded = _SEEDED
    seen: dict[str, None] = {}
    for part in texts:
        for word in words(part):
            if word not in stop:
                known = seeded.get(word)
                for form in forms(word) if known is None else known:
                    seen.setdefault(form, None)
    return list(seen)
