"""Zoeken: a plain question ("gratis eten in oost vanavond") answered as a list, with its filters as chips.

The words the search read as filters show as chips; each chip's × searches the question
without its words. When the whole question found too little the page says what was
left out, and when it found nothing it offers a respelling or a broader category. The
JSON twin is GET /api/v1/search, which answers the same (directory/search/).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from babel import Locale
from litestar import Request, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from litestar.response import Template
from sqlalchemy.orm import Session

from directory.schemas.limits import MAX_PAGE
from directory.search.intent import Understood
from directory.search.intent_words import LOW_COST_EUR
from directory.search.query import MAX_QUERY_LENGTH, SearchQuery, SearchResult
from directory.services.taxonomy import vocabulary_labels
from web.api.search import capacity_label, service_for
from web.i18n import N_, Translator
from web.pages.common import render, translator

PAGE_SIZE = 20
#: The chip text of the filters whose value is a fixed code.
FIXED_CHIPS = {
    ("cost", "free"): N_("search.chip_free"),
    ("cost", "low"): N_("search.chip_low_cost"),
    ("accessibility", "step_free"): "map.step_free",
    ("accessibility", "accessible_toilet"): "fact.toilet",
    ("accessibility", "scootmobiel_parking"): "fact.scootmobiel",
    ("facilities", "kitchen"): "map.kitchen",
    ("facilities", "room"): "map.room",
}


@dataclass(frozen=True)
class Chip:
    """A filter the question was read as: its text and the link that drops it."""

    kind: str
    text: str
    remove: str


def search_link(q: str, **extra: str) -> str:
    """The search page for a question (and e.g. a category)."""
    return "/zoeken?" + urlencode({"q": q, **{k: v for k, v in extra.items() if v}})


def chip_text(t: Translator, f: Understood, labels: dict[str, dict[str, str]]) -> str:
    """What a chip says, in the page language."""
    key = FIXED_CHIPS.get((f.kind, f.value))
    if key is not None:
        return t(key, max=f"{LOW_COST_EUR:.0f}")
    if f.kind == "open":
        return t("search.chip_open", when=f.words)
    if f.kind == "area":
        return f.label
    if f.kind == "capacity":
        return capacity_label(t, int(f.value))
    if f.kind == "languages":
        name = Locale.parse(t.lang).languages.get(f.value)
        return t("search.chip_language", language=name or f.value)
    return labels["target_group"].get(f.value, f.value)


def _chips(t: Translator, result: SearchResult, labels: dict[str, dict[str, str]]) -> list[Chip]:
    read = result.interpreted
    if read is None:
        return []
    return [
        Chip(f.kind, chip_text(t, f, labels), search_link(read.without(i)))
        for i, f in enumerate(read.filters)
    ]


def _relaxed_notes(t: Translator, result: SearchResult, labels: dict[str, dict[str, str]]) -> list[str]:
    relaxed = result.relaxed
    if relaxed is None:
        return []
    notes = [t("search.relaxed_without", words="', '".join(relaxed.dropped))] if relaxed.dropped else []
    notes += [t("search.relaxed_split", word=word, parts=parts) for word, parts in relaxed.split]
    notes += [
        t("search.relaxed_category", word=word, category=labels["category"].get(code, code))
        for word, code in relaxed.widened
    ]
    return notes


@get("/zoeken", include_in_schema=False, sync_to_thread=True)
def search_page(
    request: Request[Any, Any, Any],
    db: NamedDependency[Session],
    q: Annotated[str, QueryParameter(max_length=MAX_QUERY_LENGTH)] = "",
    category: Annotated[str | None, QueryParameter(max_length=64)] = None,
    page: Annotated[int, QueryParameter(ge=1, le=MAX_PAGE)] = 1,
) -> Template:
    """The search box, and for a question: its chips, what was asked less, suggestions, the hits."""
    t = translator(request)
    labels = {v: vocabulary_labels(db, t.lang, v) for v in ("category", "target_group")}
    context: dict[str, Any] = {"q": q, "category": category, "category_label": None, "result": None}
    if q.strip() or category:
        filters: dict[str, tuple[str, ...]] = (
            {"category": (category,)} if category and category in labels["category"] else {}
        )
        query = SearchQuery(q=q, filters=filters, page=page, page_size=PAGE_SIZE, facets=())
        result = service_for(request.app.state).search(query, interpret=True)
        context.update(
            result=result,
            chips=_chips(t, result, labels),
            notes=_relaxed_notes(t, result, labels),
            suggestions=[
                (
                    s.instead or labels["category"].get(s.category or "", s.category),
                    search_link(s.q, category=s.category or ""),
                )
                for s in result.suggestions
            ],
            category_label=labels["category"].get(category or ""),
            category_labels=labels["category"],
            next_page=search_link(q, category=category or "", page=str(page + 1))
            if page * PAGE_SIZE < result.total
            else None,
        )
    return render(request, "search.html", **context)


SEARCH_PAGE_HANDLERS = [search_page]
