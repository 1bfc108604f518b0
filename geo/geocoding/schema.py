"""The geocode answer as the JSON API gives it (shared by every geocode endpoint, GET or POST)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from geo.geocoding.base import MATCH_TYPES, GeocodeAnswer, GeocodeResult, MatchType, Precision


class GeocodeCandidate(BaseModel):
    """One place the query may mean, for "Bedoelt u ...?"; pick one by asking for its label."""

    label: str
    lat: float
    lon: float
    precision: Precision
    match_type: MatchType
    source: str
    postcode: str | None = None
    city: str | None = None
    score: float | None = Field(
        default=None, description="the geocoder's own score; compare within one answer"
    )

    @classmethod
    def of(cls, result: GeocodeResult) -> GeocodeCandidate:
        """The candidate for one result (the result's fields of the same names)."""
        return cls.model_validate(result, from_attributes=True)


#: The response's fields that describe the point it found, copied from that place (None without one).
POINT_FIELDS = ("label", "lat", "lon", "precision", "postcode", "city")


class GeocodeResponse(BaseModel):
    """The answer to a geocode query.

    `lat`/`lon` are set only when the point may be used without asking. With
    `ambiguous: true` there are at least two candidates and no point; with
    `match_type: "fuzzy"` there are only guesses (candidates) and no point.
    """

    label: str | None
    lat: float | None
    lon: float | None
    precision: Precision | None
    match_type: MatchType
    source: str
    ambiguous: bool
    candidates: list[GeocodeCandidate]
    postcode: str | None = None
    city: str | None = None
    num_found: int | None = Field(default=None, description="how many matches the source counted (PDOK)")
    skipped: list[str] = Field(default_factory=list, description="sources tried first that did not answer")

    @classmethod
    def of(cls, answer: GeocodeAnswer) -> GeocodeResponse:
        """The response for an answer that found something (a point or candidates)."""
        place = answer.usable
        candidates = [GeocodeCandidate.of(c) for c in answer.candidates]
        if place is not None:
            match_type: MatchType = place.match_type
        else:
            match_type = min((c.match_type for c in answer.candidates), key=_rank, default="fuzzy")
        point = {name: getattr(place, name) if place else None for name in POINT_FIELDS}
        return cls(
            **point,
            match_type=match_type,
            source=place.source if place else answer.source,
            ambiguous=answer.ambiguous,
            candidates=candidates,
            num_found=answer.num_found,
            skipped=list(answer.skipped),
        )


def _rank(match_type: MatchType) -> int:
    return MATCH_TYPES.index(match_type)
