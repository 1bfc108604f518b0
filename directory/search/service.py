"""Choose the engine from configuration, and fall back to PostgreSQL when Meilisearch fails."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import TypeVar

from sqlalchemy import Engine

from directory.clock import now_amsterdam
from directory.errors import InvalidInputError, ServiceUnavailableError
from directory.search.areas import AreaNames
from directory.search.base import EngineUnavailable, SearchEngine
from directory.search.postgres import PostgresEngine
from directory.search.query import PlaceGrid, SearchQuery, SearchResult, check_query
from directory.search.relax import relax
from directory.search.suggest import suggestions
from directory.search.understand import understand
from directory.settings import SearchSettings, get_settings

log = logging.getLogger("wijkgram.search")

Answer = TypeVar("Answer", SearchResult, PlaceGrid)

#: After Meilisearch failed, how long queries go straight to PostgreSQL before trying it again.
RETRY_AFTER_S = 10.0


class SearchService:
    """The one query interface: the configured engine first, PostgreSQL when it cannot answer."""

    def __init__(
        self, primary: SearchEngine, fallback: SearchEngine | None = None, areas: AreaNames | None = None
    ) -> None:
        self.primary = primary
        self.fallback = fallback
        #: Area names for reading questions, kept in memory (areas.py).
        self.areas = areas
        self._skip_primary_until = 0.0

    def warm_up(self) -> None:
        """Prepare what the engines keep in memory (PostgreSQL's facet arrays), e.g. at server start."""
        for engine in (self.primary, self.fallback):
            if isinstance(engine, PostgresEngine):
                engine.warm_up()

    def close(self) -> None:
        """Close the engines' connections (the app shuts down)."""
        for engine in (self.primary, self.fallback):
            if engine is not None:
                engine.close()

    @property
    def engine_name(self) -> str:
        """The name of the configured engine."""
        return self.primary.name

    def search(
        self, query: SearchQuery, *, interpret: bool = False, now: datetime | None = None
    ) -> SearchResult:
        """Validate and answer a query; the result names the engine that answered.

        With `interpret`, words of the question that mean a filter become that filter
        (intent.py; "vanavond" counts from `now`, default the current Amsterdam time) and the
        result's `interpreted` says how the question was read; a question that finds fewer
        than a handful is asked less (relax.py, `relaxed`), and one that finds nothing gets
        `suggestions` (suggest.py).
        """
        query = check_query(query)
        if not interpret:
            return self._answer(query)
        understood = understand(query, now or now_amsterdam(), self.areas)
        read = understood.interpretation
        first = self._answer(understood.query)
        result, relaxed = relax(self._answer, query, read, first, self.areas)
        found = suggestions(self.areas.db if self.areas else None, read) if result.total == 0 else []
        return replace(result, interpreted=read, relaxed=relaxed, suggestions=found)

    def place_grid(self, query: SearchQuery, level: int, limit: int) -> PlaceGrid:
        """The map's venues in a box, one by one up to `limit` or per grid cell (see `SearchEngine`)."""
        if query.bbox is None:
            raise InvalidInputError("bbox", "the map's places need a box", code="map_bbox_format")
        query = check_query(query)
        return self._ask(lambda engine: engine.place_grid(query, level, limit))

    def _answer(self, query: SearchQuery) -> SearchResult:
        """The configured engine's answer, or the fallback's."""
        return self._ask(lambda engine: engine.search(query))

    def _ask(self, ask: Callable[[SearchEngine], Answer]) -> Answer:
        """Ask the configured engine, or PostgreSQL after it failed; the answer then says why."""
        reason: str | None = None
        if self.fallback is None or time.monotonic() >= self._skip_primary_until:
            try:
                return ask(self.primary)
            except EngineUnavailable as exc:
                if self.fallback is None:
                    raise ServiceUnavailableError(
                        "search is not available right now; try again shortly"
                    ) from exc
                # Log the kind of failure only: the query may contain a client's address.
                log.warning("%s unavailable, answering from %s", self.primary.name, self.fallback.name)
                self._skip_primary_until = time.monotonic() + RETRY_AFTER_S
                reason = str(exc).split(":")[0]
        else:
            reason = f"{self.primary.name} failed recently; retrying it after {RETRY_AFTER_S:.0f} s"
        assert self.fallback is not None
        try:
            result = ask(self.fallback)
        except EngineUnavailable as exc:
            raise ServiceUnavailableError("search is not available right now; try again shortly") from exc
        return replace(result, fallback_reason=reason)


def search_service(db: Engine, settings: SearchSettings | None = None) -> SearchService:
    """The search service for this configuration: Meilisearch when MEILI_URL is set, else PostgreSQL."""
    settings = settings or get_settings().search
    postgres = PostgresEngine(db)
    areas = AreaNames(db)
    if settings.meili_url:
        from directory.search.meili import MeiliEngine

        return SearchService(MeiliEngine(settings, db), postgres, areas)
    return SearchService(postgres, areas=areas)
