"""The geocoder interface shared by importers (rows without coordinates) and web (searches).

A geocoder gives a `GeocodeAnswer`, never a silent guess: one point only
when the match is good enough to use without asking (`usable`), otherwise
candidates for the person to choose from ("Bedoelt u ...?"), or a reason
why nothing was found. Modelled on Pelias' `match_type` and on PDOK's
`score`, `type` and `numFound`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Literal, Protocol

Precision = Literal["address", "postcode", "street", "place"]
#: How a point was found, best first. `fuzzy` is a guess: never used without the person's choice.
MatchType = Literal["exact", "house_number_nearest", "postcode", "street", "town", "fuzzy"]
MATCH_TYPES: tuple[MatchType, ...] = ("exact", "house_number_nearest", "postcode", "street", "town", "fuzzy")
#: Why nothing was found: outside what the geocoder knows, text that is no address, or no such address.
NotFoundReason = Literal["outside_area", "unreadable", "not_found"]
#: "Bedoelt u ...?" lists at most this many candidates.
MAX_CANDIDATES = 5


@dataclass(frozen=True)
class GeocodeResult:
    """One place a query may mean: where, how precisely, how it matched, and which geocoder said so."""

    lat: float
    lon: float
    label: str
    precision: Precision
    source: str
    postcode: str | None = None
    city: str | None = None
    match_type: MatchType = "exact"
    #: The geocoder's own confidence (PDOK's score, pg_trgm's similarity); only comparable within one answer.
    score: float | None = None


@dataclass(frozen=True)
class GeocodeAnswer:
    """What a geocoder says about one query.

    - `place` set, `ambiguous` false: use that point (its `match_type` says how it was found).
    - `ambiguous` true: two or more `candidates` fit equally well; the person picks, no point is chosen.
    - `place` None with candidates: only guesses (`fuzzy`); the person picks.
    - nothing at all: `reason` says why.
    """

    source: str
    place: GeocodeResult | None = None
    candidates: tuple[GeocodeResult, ...] = ()
    ambiguous: bool = False
    reason: NotFoundReason | None = None
    #: How many matches the geocoder counted in all (PDOK's numFound), where it says.
    num_found: int | None = None
    #: Other geocoders that were tried first and did not answer (e.g. PDOK down, the table answered).
    skipped: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.ambiguous and (self.place is not None or len(self.candidates) < 2):
            raise ValueError("an ambiguous answer has at least two candidates and no single point")
        if self.place is not None and self.place.match_type == "fuzzy":
            raise ValueError("a fuzzy match is never used as the point; give it as a candidate")

    @property
    def usable(self) -> GeocodeResult | None:
        """The point to use without asking, or None (ambiguous, only guesses, or nothing found)."""
        return self.place if not self.ambiguous else None

    @property
    def exact(self) -> GeocodeResult | None:
        """The point only when street and number (or postcode and number) matched as typed.

        Importers place entries only on this: anything less becomes a draft with the candidates.
        """
        place = self.usable
        return place if place is not None and place.match_type == "exact" else None

    @property
    def found(self) -> bool:
        """Whether there is anything to show: a point or candidates."""
        return self.place is not None or bool(self.candidates)

    @classmethod
    def nothing(cls, source: str, reason: NotFoundReason, num_found: int | None = None) -> GeocodeAnswer:
        """No point and no candidates, for `reason`."""
        return cls(source=source, reason=reason, num_found=num_found)

    @classmethod
    def point(cls, place: GeocodeResult, others: Sequence[GeocodeResult] = ()) -> GeocodeAnswer:
        """A usable point; `others` are listed as candidates too (the point first)."""
        candidates = _unique([place, *others])[:MAX_CANDIDATES]
        return cls(source=place.source, place=place, candidates=tuple(candidates))

    @classmethod
    def choose(
        cls, source: str, candidates: Sequence[GeocodeResult], num_found: int | None = None
    ) -> GeocodeAnswer:
        """Candidates for the person to choose from: ambiguous when two or more."""
        unique = _unique(candidates)[:MAX_CANDIDATES]
        if not unique:
            return cls.nothing(source, "not_found", num_found)
        return cls(source=source, candidates=tuple(unique), ambiguous=len(unique) >= 2, num_found=num_found)


def _unique(results: Sequence[GeocodeResult]) -> list[GeocodeResult]:
    """Drop repeats of the same label (PDOK and the table both list one address once per object)."""
    seen: set[str] = set()
    out = []
    for result in results:
        if result.label not in seen:
            seen.add(result.label)
            out.append(result)
    return out


def with_match(result: GeocodeResult, match_type: MatchType) -> GeocodeResult:
    """`result` with another match type."""
    return replace(result, match_type=match_type)


def only_near(answer: GeocodeAnswer) -> GeocodeAnswer:
    """The answer for an address typed as 'near' ('t/o 14', '14 ong.'): an address found is a
    candidate the person confirms, never an exact point (an importer does not place on it)."""
    if answer.usable is None or answer.usable.precision != "address":
        return answer
    near = [
        with_match(c, "house_number_nearest") if c.match_type == "exact" else c for c in answer.candidates
    ]
    chosen = GeocodeAnswer.choose(answer.source, near, answer.num_found)
    return replace(chosen, skipped=answer.skipped)


class Geocoder(Protocol):
    """Turns free text ('Recht Boomssloot 52, Amsterdam', '1011 EC 52', '1102 AB') into an answer."""

    source: str

    def lookup(self, query: str) -> GeocodeAnswer:
        """The answer for `query`: a point, candidates to choose from, or why there is nothing."""
        ...

    def geocode(self, query: str) -> GeocodeResult | None:
        """The point to use without asking (never a fuzzy guess, never one of several), or None."""
        ...


class AnswersLookup:
    """Gives a geocoder `geocode` from its `lookup`."""

    def lookup(self, query: str) -> GeocodeAnswer:  # pragma: no cover - every geocoder defines it
        """The answer for `query`."""
        raise NotImplementedError

    def geocode(self, query: str) -> GeocodeResult | None:
        """The point to use without asking (never a fuzzy guess, never one of several), or None."""
        return self.lookup(query).usable
