"""Apply what a question was read as (intent.py) to a search: its filters join the query, its text stays.

Parameters the client gave explicitly win: a question's "Arabisch" adds no language
filter when `languages` was given, a "vanavond" no time when `open_at` was, and
"gratis" never loosens a lower `max_cost`, a "voor 20 personen" no group size when
`min_capacity` was. A filter so overruled is left out of
the interpretation, and its words are not searched as text either.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from directory.search.areas import AreaNames
from directory.search.intent import Interpretation, Understood, interpret
from directory.search.query import AreaFilter, SearchQuery


@dataclass(frozen=True)
class Understanding:
    """The query as it will be searched, and the interpretation the answer reports."""

    query: SearchQuery
    interpretation: Interpretation


def _overruled(f: Understood, query: SearchQuery) -> bool:
    """True when an explicit parameter already decides what this filter would."""
    if f.kind in ("target_groups", "languages"):
        return bool(query.filters.get(f.kind))
    if f.kind == "capacity":
        return query.min_capacity is not None
    if f.kind == "open":
        return query.open_at is not None or bool(query.open_during)
    if f.kind == "area":
        return query.area is not None or any(
            query.filters.get(name) for name in ("stadsdeel_code", "wijk_code", "buurt_code")
        )
    return False


def understand(query: SearchQuery, now: datetime, areas: AreaNames | None) -> Understanding:
    """Read `query.q` and return the query with its filters, searching only the words that are left."""
    read = interpret(query.q, now, areas)
    if not read.filters:
        # Both engines get the words left, not the question: Meilisearch would otherwise
        # match "ik zoek een plek om samen te eten" word for word, stop words or not.
        return Understanding(apply(query, read, areas), read)
    kept = tuple(f for f in read.filters if not _overruled(f, query))
    owner = tuple(
        (kept.index(read.filters[o]) if read.filters[o] in kept else -2) if o >= 0 else -1 for o in read.owner
    )
    read = Interpretation(kept, read.text, read.tokens, owner, read.places)
    return Understanding(apply(query, read, areas), read)


def apply(query: SearchQuery, read: Interpretation, areas: AreaNames | None) -> SearchQuery:
    """The query with an interpretation's filters added and only its text left to search."""
    filters = dict(query.filters)
    for kind in ("accessibility", "facilities", "target_groups", "languages"):
        codes = read.codes(kind)
        if codes:
            filters[kind] = tuple(dict.fromkeys((*filters.get(kind, ()), *codes)))
    max_cost = read.max_cost
    if query.max_cost is not None:
        max_cost = query.max_cost if max_cost is None else min(max_cost, query.max_cost)
    area = query.area
    if read.areas:
        by_level: dict[str, list[str]] = {"stadsdeel": [], "wijk": [], "buurt": []}
        for a in read.areas:
            by_level[a.level].append(a.code)
        area = AreaFilter(
            stadsdeel_code=tuple(by_level["stadsdeel"]),
            wijk_code=tuple(by_level["wijk"]),
            buurt_code=tuple(by_level["buurt"]),
            served_ids=areas.served(read.areas) if areas is not None else (),
        )
    # The last word left is matched as a prefix, as when it was typed last ("koffie voor
    # ouderen" finds the Koffieochtend), unless the question ended with a space.
    return replace(
        query,
        q=read.text + (" " if read.text and query.q.endswith(" ") else ""),
        filters=filters,
        max_cost=max_cost,
        min_capacity=query.min_capacity if query.min_capacity is not None else read.min_capacity,
        open_during=read.open_hours if query.open_at is None else query.open_during,
        area=area,
    )
