"""When every word of a question together finds fewer than a handful of entries, ask less.

A professional who gets nothing twice stops searching. So when a question read by
intent.py finds fewer than `RELAX_BELOW` entries, the service searches again:

0. a word that finds nothing on its own is first searched in the form the index
   holds, when one has the same Dutch stem ("koffietje" -> "koffie", "eenzaamheid"
   -> "eenzaam": PostgreSQL stems the words of a question, Meilisearch does not, so
   this keeps the two engines alike), else as its compound parts when they find
   something ("lotgenotencontact" -> "lotgenoten contact");
1. without the words that still find nothing on their own (a word no entry holds);
2. without the time, the area and the cost the question's words made;
3. without the words that alone find fewer than a handful while another word finds
   a handful ("repair cafe": no search with "repair" in it finds three);
4. without the filters that say what is sought, least needed first: the language,
   the target group, the facilities (an accessibility word is a need, and so is a
   group size: neither is dropped);
5. without the most common of its remaining text words (the least informative),
   keeping at least one;
6. then wider: a compound is searched as its parts ("schuldhulp" -> "schuld hulp",
   compounds.py), and a word that names a kind of place ("moskee", "taalhuis"), or
   a compound with such a part ("kerkdienst"), as its category instead;
7. last, when the question's words find nothing at all and its filters say what
   is sought (a target group, a language, a facility, an accessibility need, a
   group size), the filters alone ("bijeenkomst voor mantelzorgers" -> for carers),
   then without their time, area and cost ("ruimte voor een bijeenkomst in de
   Jordaan" -> rooms elsewhere).

A search that holds a word known to find nothing on its own is not made: it would
find nothing. It stops as soon as a handful is found, after at most `MAX_SEARCHES`
searches. The entries the whole question found come first, then those each narrower
search on the way found (they matched more of the question); the answer says which words were
left out or widened ("ook resultaten zonder 'oost'"). Parameters given explicitly
are never dropped. Only questions that found little pay for this.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from sqlalchemy.exc import DBAPIError

from directory.search.areas import AreaNames
from directory.search.compounds import respelled, split
from directory.search.intent import Interpretation, Understood
from directory.search.intent_words import CATEGORY_WORDS
from directory.search.query import SearchQuery, SearchResult
from directory.search.suggest import indexed_forms
from directory.search.text import query_terms
from directory.search.understand import apply
from directory.services.taxonomy import parent_codes

#: Fewer entries than this is "a handful too few".
RELAX_BELOW = 3
#: Extra searches a question may cost at most, besides counting at most MAX_PROBES words alone
#: and, for at most MAX_PROBES words that find nothing, their other form and up to three tries
#: of their compound parts (so up to 4 x MAX_PROBES probes on a question of unknown words).
MAX_SEARCHES = 5
MAX_PROBES = 4
#: Filters a question's words made that say when, where or at what cost: given up before a word.
CIRCUMSTANCES = ("open", "area", "cost")
#: Filters that say what is sought, given up after the scarce words, in this order.
WANTS = ("languages", "target_groups", "facilities")
#: Filters that say what is sought, not when, where or at what cost: with one of them a
#: question whose words find nothing can still be answered by its filters.
SOUGHT = ("target_groups", "languages", "facilities", "accessibility", "capacity")

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
    #: Answers on the way to the best one, narrowest first (their hits come first).
    narrower: list[SearchResult] = field(default_factory=list)
    #: What each word found alone (a handful at most), and the question's words after `_reform`.
    alone: dict[str, SearchResult] = field(default_factory=dict)
    asked: tuple[str, ...] = ()

    def wants_more(self) -> bool:
        """True while too few are found and another search may be made."""
        return self.best.total < RELAX_BELOW and self.searches < MAX_SEARCHES

    def found(self, result: SearchResult, read: Interpretation | None = None) -> bool:
        """Keep `result` when it finds more than the best so far; True when it was kept."""
        if result.total <= self.best.total:
            return False
        if self.best.total:
            self.narrower.append(self.best)
        self.best, self.best_dropped = result, self.dropped
        if read is not None:
            self.read = read
        return True


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


def _without_filter(read: Interpretation, gone: Understood) -> Interpretation:
    return replace(read, filters=tuple(f for f in read.filters if f is not gone))


def _probe(query: SearchQuery) -> SearchQuery:
    """A search that counts, and lists a handful (all there is of a scarce word), no facets."""
    return replace(query, page=1, page_size=RELAX_BELOW, facets=())


def _alone(
    answer: Answer, original: SearchQuery, read: Interpretation, text: str, areas: AreaNames | None
) -> SearchResult:
    """What `text` finds alone (without the question's filters): the count and a handful."""
    return answer(_probe(apply(original, replace(read, filters=(), text=text), areas)))


def _counts(answer: Answer, original: SearchQuery, state: _State, areas: AreaNames | None) -> dict[str, int]:
    """What each word finds alone: probed when there are several words or sought filters."""
    read, first = state.read, state.best
    terms = query_terms(read.text)
    if len(terms) == 1 and not read.filters and not _narrowed(original):
        return {terms[0]: first.total}  # the question was that word alone
    if len(terms) > 1 or (terms and _sought(read)):
        for term in terms[:MAX_PROBES]:
            state.alone[term] = _alone(answer, original, read, term, areas)
        return {term: found.total for term, found in state.alone.items()}
    return {}


def _reform(
    answer: Answer,
    original: SearchQuery,
    state: _State,
    counts: dict[str, int],
    areas: AreaNames | None,
) -> None:
    """Search each word that finds nothing in the form the index holds, or as its compound parts.

    The form with the same stem replaces the word silently (PostgreSQL already finds it so);
    compound parts are reported in `split`.
    """
    zero = [t for t in query_terms(state.read.text) if counts.get(t) == 0]
    if not zero:
        return
    forms = indexed_forms(areas.db if areas is not None else None, zero)
    replaced: dict[str, str] = {}
    for term in zero[:MAX_PROBES]:
        form = forms.get(term) or respelled(term)
        if form is not None:
            state.alone[form] = _alone(answer, original, state.read, form, areas)
            if state.alone[form].total:
                replaced[term], counts[form] = form, state.alone[form].total
                continue
        parts = split(term)
        # The parts together, else the first part that finds something alone ("huiswerkbegeleiding"
        # -> "huiswerk" when no entry says "begeleiding"), unless a part names a kind of place:
        # then the kind is meant ("kerkdienst" -> places of worship, `_widen`), not any "kerk...".
        alone = () if _category_of(term) else tuple((p,) for p in parts[:2])
        for tried in (parts, *alone) if parts else ():
            probe = _alone(answer, original, state.read, " ".join(tried), areas)
            if probe.total:
                replaced[term] = " ".join(tried)
                counts.update(dict.fromkeys(tried, probe.total))
                if len(tried) == 1:
                    state.alone[tried[0]] = probe
                state.split = (*state.split, (term, " ".join(tried)))
                break
    if replaced:
        text = " ".join(replaced.get(t, t) for t in query_terms(state.read.text))
        state.read = replace(state.read, text=text)


def _order(read: Interpretation, counts: dict[str, int]) -> list[str]:
    """What to leave out, in order: words that find nothing alone, the time, area and cost,
    words that alone find less than a handful, the filters that say what is sought, common words."""
    terms = query_terms(read.text)
    order = [f"word:{t}" for t in terms if counts.get(t, 1) == 0]
    for kind in CIRCUMSTANCES:
        order += [f"filter:{i}" for i, f in enumerate(read.filters) if f.kind == kind]
    order += [f"word:{t}" for t in read.places if t in terms and f"word:{t}" not in order]
    if any(n >= RELAX_BELOW for n in counts.values()):
        scarce = [t for t in terms if 0 < counts.get(t, RELAX_BELOW) < RELAX_BELOW]
        order += [f"word:{t}" for t in sorted(scarce, key=lambda t: counts[t])]
    for kind in WANTS:
        order += [f"filter:{i}" for i, f in enumerate(read.filters) if f.kind == kind]
    order += [f"word:{t}" for t in sorted(terms, key=lambda t: -counts.get(t, 0)) if f"word:{t}" not in order]
    return order


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
    counts = _counts(answer, original, state, areas)
    zero = {t for t, n in counts.items() if n == 0}
    _reform(answer, original, state, counts, areas)
    state.asked = tuple(query_terms(state.read.text))
    if state.read is not read:
        state.searches += 1
        state.found(answer(apply(original, state.read, areas)))
    _leave_out(answer, original, state, counts, areas)
    if state.wants_more():
        _split(answer, original, state, areas)
    if state.wants_more():
        _widen(answer, original, state, counts, areas)
    if state.wants_more():
        _filters_alone(answer, original, read, zero, state, areas)
    if state.best is first:
        return first, None
    relaxed = Relaxed(state.best_dropped, state.widened, first.total, state.split)
    return _merged(first, state, original, read), relaxed


def _leave_out(
    answer: Answer, original: SearchQuery, state: _State, counts: dict[str, int], areas: AreaNames | None
) -> None:
    """Leave out words and filters one by one (`_order`), searching again after each."""
    filters = list(state.read.filters)
    for step in _order(state.read, counts):
        if not state.wants_more():
            return
        kind, _, key = step.partition(":")
        if kind == "word":
            candidate = _without_word(state.read, key)
            said = key
            if len(query_terms(state.read.text)) <= 1 and not (
                key in state.read.places and (candidate.filters or _narrowed(original))
            ):
                continue  # the last word is what the question is about (a place is not)
        else:
            gone = filters[int(key)]
            candidate = _without_filter(state.read, gone)
            said = gone.words
            if not (candidate.text or candidate.filters or _narrowed(original)):
                continue  # with nothing left the answer would be every entry
        state.read = candidate
        state.dropped = (*state.dropped, said)
        if any(counts.get(t) == 0 for t in query_terms(candidate.text)):
            continue  # a word that finds nothing alone finds nothing with more
        state.searches += 1
        state.found(answer(apply(original, candidate, areas)))


def _split(answer: Answer, original: SearchQuery, state: _State, areas: AreaNames | None) -> None:
    """Search the compounds of the question as their parts (once)."""
    terms = query_terms(state.read.text)
    parts = {t: split(t) for t in terms if split(t)}
    if not parts:
        return
    candidate = replace(state.read, text=" ".join(" ".join(parts.get(t) or (t,)) for t in terms))
    result = answer(apply(original, candidate, areas))
    state.searches += 1
    if state.found(result, candidate):
        state.split = (*state.split, *((t, " ".join(p)) for t, p in parts.items()))


def _widen(
    answer: Answer,
    original: SearchQuery,
    state: _State,
    counts: dict[str, int],
    areas: AreaNames | None,
) -> None:
    """Search a word that names a kind of place as that category instead (once)."""
    if original.filters.get("category"):
        return
    # A word already left out because it finds nothing may still name a kind of place
    # ("zwemles voor volwassenen"): the words that find nothing stay out.
    for term in dict.fromkeys((*query_terms(state.read.text), *state.asked)):
        code = _category_of(term)
        if code is None:
            continue
        kept = [t for t in query_terms(state.read.text) if t != term and counts.get(t) != 0]
        candidate = replace(state.read, text=" ".join(kept))
        query = apply(original, candidate, areas)
        codes = (code, *_narrower(areas, code))
        result = answer(replace(query, filters={**query.filters, "category": codes}))
        state.searches += 1
        if state.found(result, candidate):
            state.widened = ((term, code),)
        return


def _filters_alone(
    answer: Answer,
    original: SearchQuery,
    read: Interpretation,
    zero: set[str],
    state: _State,
    areas: AreaNames | None,
) -> None:
    """The question's filters without its words, when each word finds nothing at all and the
    filters say what is sought: "bijeenkomst voor mantelzorgers" -> what there is for carers;
    then without the time, the area and the cost, while too few are found."""
    terms = query_terms(read.text)
    if not terms or any(t not in zero for t in terms) or not _sought(read):
        return
    candidate, said = replace(read, text=""), tuple(terms)
    for gone in [None, *(f for kind in CIRCUMSTANCES for f in read.filters if f.kind == kind)]:
        if not state.wants_more():
            return
        if gone is not None:
            candidate = _without_filter(candidate, gone)
            said = (*said, gone.words)
        result = answer(apply(original, candidate, areas))
        state.searches += 1
        if result.total > state.best.total:
            state.dropped = said
            state.found(result)
            state.widened, state.split = (), ()


def _narrower(areas: AreaNames | None, code: str) -> tuple[str, ...]:
    """The categories below `code` in the taxonomy: "sport" widens to walking groups too."""
    if areas is None or areas.db is None:
        return ()
    try:
        with areas.db.connect() as conn:
            parents = parent_codes(conn)
    except DBAPIError:
        return ()
    return tuple(sorted(child for child, parent in parents.items() if parent == code))


def _category_of(term: str) -> str | None:
    """The category a word names, or one of its compound's parts names ("kerkdienst" -> kerk)."""
    code = CATEGORY_WORDS.get(term)
    if code is not None:
        return code
    return next((CATEGORY_WORDS[part] for part in split(term) if part in CATEGORY_WORDS), None)


def _merged(first: SearchResult, state: _State, query: SearchQuery, read: Interpretation) -> SearchResult:
    """The relaxed answer, with the entries the whole question found first on page 1, then those
    each narrower search on the way found.

    A word left out because alone it finds only a few ("rekeningen" in "hulp met rekeningen")
    is the most particular word of the question: what it found comes right after, when the
    question has no filter that its search alone did not apply.
    """
    relaxed = state.best
    if query.page != 1:
        return relaxed
    scarce = []
    if not read.filters and not _narrowed(query):
        rare = sorted(
            (t for t in state.best_dropped if t in state.alone and 0 < state.alone[t].total < RELAX_BELOW),
            key=lambda t: state.alone[t].total,
        )
        scarce = [state.alone[t] for t in rare]
    seen: set[str] = set()
    hits = []
    for result in (first, *scarce, *state.narrower, relaxed):
        for hit in result.hits:
            if hit["id"] not in seen:
                seen.add(hit["id"])
                hits.append(hit)
    hits = hits[: query.page_size]
    return replace(relaxed, hits=hits, total=max(relaxed.total, first.total, len(hits)))
