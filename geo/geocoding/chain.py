"""The chain geocoder: PDOK when it answers, the offline table otherwise."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy import Engine

from directory.errors import InvalidInputError, ServiceUnavailableError, SetupError
from directory.settings import GeoSettings
from geo.geocoding.base import AnswersLookup, GeocodeAnswer, Geocoder
from geo.geocoding.offline import OfflineGeocoder
from geo.geocoding.pdok import PdokLocatieserver

#: After a geocoder fails, skip it for this long so every search does not wait on a dead service.
BACKOFF_S = 60.0


class ChainGeocoder(AnswersLookup):
    """Asks each geocoder in turn; one that is down is skipped for a while."""

    source = "chain"

    def __init__(self, geocoders: Sequence[Geocoder], *, backoff_s: float = BACKOFF_S) -> None:
        """Try `geocoders` in this order."""
        self.geocoders = list(geocoders)
        self.backoff_s = backoff_s
        self._down_until: dict[int, float] = {}

    def lookup(self, query: str) -> GeocodeAnswer:
        """The first answer with a point or candidates; says which geocoders were down; 503 when all were.

        When none finds anything, the first one that answered says why (PDOK knows the whole
        country, so its "no such address" beats the table's "outside the area we know").
        """
        skipped: list[str] = []
        first_nothing: GeocodeAnswer | None = None
        for i, geocoder in enumerate(self.geocoders):
            if self._down_until.get(i, 0.0) > time.monotonic():
                skipped.append(geocoder.source)
                continue
            try:
                answer = geocoder.lookup(query)
            except ServiceUnavailableError:
                self._down_until[i] = time.monotonic() + self.backoff_s
                skipped.append(geocoder.source)
                continue
            if answer.found:
                return replace(answer, skipped=tuple(skipped))
            first_nothing = first_nothing or replace(answer, skipped=tuple(skipped))
        if first_nothing is None:
            raise ServiceUnavailableError("no geocoder is reachable right now; try again shortly")
        return first_nothing


def make_geocoder(engine: Engine, settings: GeoSettings) -> Geocoder:
    """The geocoder WIJKGRAM_GEOCODER asks for: auto (PDOK, then offline), pdok or offline."""
    mode = settings.geocoder.strip().lower()
    offline = OfflineGeocoder(engine)
    if mode == "offline":
        return offline
    pdok = PdokLocatieserver(settings.pdok_url, timeout_s=settings.pdok_timeout_s)
    if mode == "pdok":
        return pdok
    if mode == "auto":
        return ChainGeocoder([pdok, offline])
    raise SetupError(f"WIJKGRAM_GEOCODER must be auto, pdok or offline, not {settings.geocoder!r}")


def check_query(query: str | None) -> str:
    """A usable query text, or a 422 naming `q` (the text itself is never echoed or logged)."""
    text = (query or "").strip()
    if len(text) < 2:
        raise InvalidInputError(
            "q",
            "type an address, postcode or place (at least 2 characters)",
            code="string_too_short",
            params={"min_length": 2},
        )
    if len(text) > 200:
        raise InvalidInputError(
            "q", "too long (at most 200 characters)", code="string_too_long", params={"max_length": 200}
        )
    return text
