"""When every word of a question together finds fewer than a handful of entries, ask less.

A professional who gets nothing twice stops searching. So when a question read by
intent.py finds fewer than `RELAX_BELOW` entries, the service searches again:

1. without the words that find nothing on their own (a word no entry holds), then
   those that alone find fewer than a handful while another word finds a handful
   ("waar koffie": no search with "waar" in it finds more than "waar" alone does);
2. without the filters the question's words made, least needed first: the time,
   the area, the cost, the language, the target group, the facilities (an
   accessibility word is a need, and so is a group size: neither is dropped);
3. without the most common of its remaining text words (the least informative),
   keeping at least one;
4. then wider: a compound is searched as its parts ("schuldhulp" -> "schuld hulp",
   compounds.py), and a word that names a kind of place ("moskee", "taalhuis"), or
   a compound with such a part ("kerkdienst"), as its category instead;
5. last, when the question's one word finds nothing at all and its filters say
   what is sought (a target group, a language, a facility, an accessibility
   need), the filters alone: "bijeenkomst voor mantelzorgers" -> for carers.

It stops as soon as a handful is found, after at most `MAX_SEARCHES` searches. The
entries the whole question found come first; the answer says which words were
left out or widened ("ook resultaten zonder 'oost'"). Parameters given explicitly
are never dropped. Only questions that found little pay for this.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from directory.search.areas import AreaNames
from directory.search.compounds import split
from directory.search.intent import Interpretation
from directory.search.intent_words import CATEGORY_WORDS
from directory.search.query import SearchQuery, SearchResult
from directory.search.text import query_terms
from directory.search.understand import apply

#: Fewer entries than this is "a handful too few".
RELAX_BELOW = 3
#: Extra searches a question may cost at most, besides counting at most MAX_PROBES words alone.
MAX_SEARCHES = 5
MAX_PROBES = 4
#: Filters a question's words made, in the order they are given up.
DROPPABLE = ("open", "area", "cost", "languages", "target_groups", "facilities")
#: Filters that say what is sought, not when, where or at what cost: with one of them a
#: question whose only word finds nothing can still be answered by its filters.
SOUGHT = ("target_groups", "languages", "facilities", "accessibility")

Answer = Callable[[SearchQuery], SearchResult]


@dataclass(frozen=True)
class Relaxed:
    """What was asked less: words left out, words searched as their category, and the strict total."""

    dropped: tuple[str, ...] = ()
    #: (word, category code)
    widened: tuple[tuple[str, str], ...] = ()
    strict_total: int = 0
    #: (compound, its parts joined by a space)
    split: tuple[tuple[str, str], ...] = ()


@dataclass
class _State:
    """The interpretation being relaxed, the best answer so far and what it cost."""

    read: Interpretation
    best: SearchResult
    searches: int = 0
    #: Words left out so far, and those left out when the best answer was found.
    dropped: tuple[str, ...] = ()
    best_dropped: tuple[str, ...] = ()
    widened: tuple[tuple[str, str], ...] = ()
    split: tuple[tuple[str, str], ...] = ()


def _narrowed(query: SearchQuery) -> bool:
    """True when the client's own parameters narrow the search (a facet, a place, a cost or a time)."""
    return bool(
        any(query.filters.values())
        or query.near is not None
        or query.bbox is not None
        or query.polygon is not None
        or query.max_cost is not None
        or query.min_capacity is not None
        or query.open_at is not None
    )


def _without_word(read: Interpretation, word: str) -> Interpretation:
    return replace(read, text=" ".join(t for t in query_terms(read.text) if t != word))


def _probe(query: SearchQuery) -> SearchQuery:
    """A search that only counts: one hit, no facets."""
    return replace(query, page=1, page_size=1, facets=())


def _drops(
    answer: Answer, original: SearchQuery, read: Interpretation, areas: AreaNames | None
) -> tuple[list[str], dict[str, int]]:
    """What to leave out, in order (words that find nothing alone, droppable filters, common
    words), and what each word probed found alone."""
    terms = query_terms(read.text)
    counts: dict[str, int] = {}
    if len(terms) > 1 or (terms and _sought(read)):
        for term in terms[:MAX_PROBES]:
            counts[term] = answer(_probe(apply(original, replace(read, filters=(), text=term), areas))).total
    order = [f"word:{t}" for t in terms if counts.get(t, 1) == 0]
    if any(n >= RELAX_BELOW for n in counts.values()):
        scarce = [t for t in terms if 0 < counts.get(t, RELAX_BELOW) < RELAX_BELOW]
        order += [f"word:{t}" for t in sorted(scarce, key=lambda t: counts[t])]
    for kind in DROPPABLE:
        order += [f"filter:{i}" for i, f in enumerate(read.filters) if f.kind == kind]
    order += [f"word:{t}" for t in sorted(terms, key=lambda t: -counts.get(t, 0)) if f"word:{t}" not in order]
    return order, counts


def _sought(read: Interpretation) -> bool:
    """True when the question's filters say what is sought (who for, which language, what it has)."""
    return any(f.kind in SOUGHT for f in read.filters)


def relax(
    answer: Answer,
    original: SearchQuery,
    read: Interpretation,
    first: SearchResult,
    areas: AreaNames | None,
) -> tuple[SearchResult, Relaxed | None]:
    """The answer to ask less when `first` found fewer than RELAX_BELOW entries, and what was left out."""
    if first.total >= RELAX_BELOW or not (read.text or read.filters):
        return first, None
    state = _State(read, first)
    filters = list(read.filters)
    order, counts = _drops(answer, original, read, areas)
    for step in order:
        if state.best.total >= RELAX_BELOW or state.searches >= MAX_SEARCHES:
            break
        kind, _, key = step.partition(":")
        if kind == "word":
            if len(query_terms(state.read.text)) <= 1:
                continue  # the last word is what the question is about
            candidate = _without_word(state.read, key)
            said = key
        else:
            gone = filters[int(key)]
            candidate = replace(state.read, filters=tuple(f for f in state.read.filters if f is not gone))
            said = gone.words
            if not (candidate.text or candidate.filters or _narrowed(original)):
                continue  # with nothing left the answer would be every entry
        result = answer(apply(original, candidate, areas))
        state.searches += 1
        state.read = candidate
        state.dropped = (*state.dropped, said)
        if result.total > state.best.total:
            state.best, state.best_dropped = result, state.dropped
    if state.best.total < RELAX_BELOW and state.searches < MAX_SEARCHES:
        _split(answer, original, state, areas)
    if state.best.total < RELAX_BELOW and state.searches < MAX_SEARCHES:
        _widen(answer, original, state, areas)
    if state.best.total < RELAX_BELOW and state.searches < MAX_SEARCHES:
        _filters_alone(answer, original, read, counts, state, areas)
    if state.best is first:
        return first, None
    relaxed = Relaxed(state.best_dropped, state.widened, first.total, state.split)
    return _merged(first, state.best, original), relaxed


def _split(answer: Answer, original: SearchQuery, state: _State, areas: AreaNames | None) -> None:
    """Search the compounds of the question as their parts (once)."""
    terms = query_terms(state.read.text)
    parts = {t: split(t) for t in terms if split(t)}
    if not parts:
        return
    candidate = replace(state.read, text=" ".join(" ".join(parts.get(t) or (t,)) for t in terms))
    result = answer(apply(original, candidate, areas))
    state.searches += 1
    if result.total > state.best.total:
        state.best, state.read, state.best_dropped = result, candidate, state.dropped
        state.split = tuple((t, " ".join(p)) for t, p in parts.items())


def _widen(
    answer: Answer,
    original: SearchQuery,
    state: _State,
    areas: AreaNames | None,
) -> None:
    """Search a word that names a kind of place as that category instead (once)."""
    if original.filters.get("category"):
        return
    for term in query_terms(state.read.text):
        code = _category_of(term)
        if code is None:
            continue
        candidate = _without_word(state.read, term)
        query = apply(original, candidate, areas)
        result = answer(replace(query, filters={**query.filters, "category": (code,)}))
        state.searches += 1
        if result.total > state.best.total:
            state.best, state.read, state.best_dropped = result, candidate, state.dropped
            state.widened = ((term, code),)
        return


def _filters_alone(
    answer: Answer,
    original: SearchQuery,
    read: Interpretation,
    counts: dict[str, int],
    state: _State,
    areas: AreaNames | None,
) -> None:
    """The question's filters without its one word, when that word finds nothing at all and the
    filters say what is sought: "bijeenkomst voor mantelzorgers" -> what there is for carers."""
    terms = query_terms(read.text)
    if len(terms) != 1 or counts.get(terms[0]) != 0 or not _sought(read):
        return
    result = answer(apply(original, replace(read, text=""), areas))
    state.searches += 1
    if result.total > state.best.total:
        state.best, state.best_dropped, state.widened, state.split = result, (terms[0],), (), ()


def _category_of(term: str) -> str | None:
    """The category a word names, or one of its compound's parts names ("kerkdienst" -> kerk)."""
    code = CATEGORY_WORDS.get(term)
    if code is not None:
        return code
    return next((CATEGORY_WORDS[part] for part in split(term) if part in CATEGORY_WORDS), None)


def _merged(first: SearchResult, relaxed: SearchResult, query: SearchQuery) -> SearchResult:
    """The relaxed answer, with the entries the whole question found first on page 1."""
    if query.page != 1 or not first.hits:
        return relaxed
    ids = {h["id"] for h in first.hits}
    hits = [*first.hits, *(h for h in relaxed.hits if h["id"] not in ids)][: query.page_size]
    return replace(relaxed, hits=hits, total=max(relaxed.total, first.total))
