"""The small base class every search engine implements."""

from __future__ import annotations

from abc import ABC, abstractmethod

from directory.search.query import PlaceGrid, SearchQuery, SearchResult


class SearchEngine(ABC):
    """A search backend: answers a SearchQuery with documents, total and facet counts."""

    #: Name reported in responses ("meilisearch" or "postgresql").
    name: str = ""

    @abstractmethod
    def search(self, query: SearchQuery) -> SearchResult:
        """Answer one query; raise EngineUnavailable when the backend cannot."""

    @abstractmethod
    def place_grid(self, query: SearchQuery, level: int, limit: int) -> PlaceGrid:
        """Venues matching a query in its bbox: each one up to `limit`, else counts per cell of `level`."""

    @abstractmethod
    def healthy(self) -> bool:
        """True when the backend answers right now."""

    def close(self) -> None:  # noqa: B027 (most engines hold nothing to close)
        """Let go of connections (the app shuts down)."""


class EngineUnavailable(Exception):
    """The engine did not answer (down, slow, misconfigured); another one may."""
