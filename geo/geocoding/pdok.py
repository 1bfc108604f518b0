"""PDOK Locatieserver: the Dutch national geocoder (free, suggest, lookup).

API: https://api.pdok.nl/bzk/locatieserver/search/v3_1/ (no key). Queries
are sent to PDOK and forgotten; httpx's own request log (which would show
the query string) is silenced here for that reason.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import httpx

from directory.errors import InvalidInputError, ServiceUnavailableError
from geo.geocoding.base import (
    MAX_CANDIDATES,
    AnswersLookup,
    GeocodeAnswer,
    GeocodeResult,
    MatchType,
    Precision,
    only_near,
)
from geo.geocoding.parse import (
    AddressQuery,
    fold,
    number_base,
    number_key,
    parse_query,
    search_text,
    street_core,
)

# httpx logs every request URL at INFO; a URL here holds a client's address.
logging.getLogger("httpx").setLevel(logging.WARNING)
logging.getLogger("httpcore").setLevel(logging.WARNING)

_POINT = re.compile(r"POINT\(\s*([-\d.]+)\s+([-\d.]+)\s*\)")
PRECISION: dict[str, Precision] = {
    "adres": "address",
    "postcode": "postcode",
    "weg": "street",
    "woonplaats": "place",
    "gemeente": "place",
    "appartementsrecht": "address",
}
SOURCE = "pdok"
#: The match type of a document that is not an address (addresses are compared with what was typed).
TYPE_MATCH: dict[str, MatchType] = {
    "postcode": "postcode",
    "weg": "street",
    "woonplaats": "town",
    "gemeente": "town",
}
#: How many documents to read: enough to see the same address in another town.
ROWS = 10
#: Result types worth returning for a typed address.
TYPE_FILTER = "type:(adres OR postcode OR weg OR woonplaats)"


def parse_point(wkt: str | None) -> tuple[float, float] | None:
    """'POINT(5.13 52.08)' -> (lon, lat); None when absent or malformed."""
    match = _POINT.search(wkt or "")
    return (float(match.group(1)), float(match.group(2))) if match else None


def doc_to_result(doc: dict[str, Any], match_type: MatchType | None = None) -> GeocodeResult | None:
    """One Locatieserver document as a GeocodeResult; None without a point."""
    point = parse_point(doc.get("centroide_ll"))
    if point is None:
        return None
    kind = str(doc.get("type"))
    score = doc.get("score")
    return GeocodeResult(
        lat=point[1],
        lon=point[0],
        label=str(doc.get("weergavenaam") or ""),
        precision=PRECISION.get(kind, "place"),
        source="pdok",
        postcode=doc.get("postcode"),
        city=doc.get("woonplaatsnaam"),
        match_type=match_type or TYPE_MATCH.get(kind, "fuzzy"),
        score=float(score) if isinstance(score, int | float) else None,
    )


def _doc_number(doc: dict[str, Any]) -> str | None:
    """The number as PDOK writes it ('18A-1'), folded like the typed one."""
    text = doc.get("huis_nlt") or doc.get("huisnummer")
    return number_key(str(text)) if text else None


def _same_place(doc: dict[str, Any], parsed: AddressQuery) -> bool:
    """Whether the document lies in the place typed (when one was typed)."""
    if not parsed.place:
        return True
    return bool(
        set(parsed.place_folds)
        & {fold(str(doc.get("woonplaatsnaam") or "")), fold(str(doc.get("gemeentenaam") or ""))}
    )


def classify(doc: dict[str, Any], parsed: AddressQuery) -> MatchType:
    """How one document matches what was typed.

    `exact`: an address with the typed number on the typed street (or postcode), in the typed place.
    A street that differs, even by a 'Nieuwe' prefix, is not as typed: `fuzzy`.
    """
    kind = str(doc.get("type"))
    if kind != "adres":
        return TYPE_MATCH.get(kind, "fuzzy")
    if not parsed.number_key or not _same_place(doc, parsed):
        return "fuzzy"
    same_street = bool(parsed.street) and _same_street(doc, parsed)
    same_postcode = bool(parsed.postcode) and doc.get("postcode") == parsed.postcode
    if parsed.street and not same_street:
        return "fuzzy"
    if parsed.street and parsed.postcode and not same_postcode:
        # The street is right but the postcode typed is another one: one of the two is wrong.
        return "fuzzy"
    if not (same_street or same_postcode):
        return "fuzzy"
    return "exact" if _doc_number(doc) in parsed.number_keys else "house_number_nearest"


def _same_street(doc: dict[str, Any], parsed: AddressQuery) -> bool:
    """The document's street is the typed one: as typed, spelt out ('O.Z.' -> 'Oudezijds'), or as
    BAG's own short name (`straatnaam_verkort`, e.g. '1e Const Huygensstr')."""
    names = {fold(str(doc.get("straatnaam") or "")), fold(str(doc.get("straatnaam_verkort") or ""))}
    return bool(names & set(parsed.street_keys))


def _plausible(doc: dict[str, Any], parsed: AddressQuery) -> bool:
    """An address with the typed number whose street is the typed one up to a Nieuwe/Oude/Kleine prefix."""
    if doc.get("type") != "adres" or not parsed.street or not parsed.number_key:
        return False
    return (
        street_core(str(doc.get("straatnaam") or "")) == street_core(parsed.street)
        and _doc_number(doc) in parsed.number_keys
        and _same_place(doc, parsed)
    )


def read_answer(data: dict[str, Any], query: str) -> GeocodeAnswer:
    """A Locatieserver `free` response as an answer: a point, candidates to choose from, or nothing.

    Several documents are read, not the first one only: the same street and
    number in two towns ('Achtergracht 72': Nieuwe Achtergracht in Amsterdam,
    Achtergracht in Weesp) is ambiguous and the person chooses.
    """
    parsed = parse_query(query)
    answer = _read(data, parsed)
    return only_near(answer) if parsed.approximate else answer


def _read(data: dict[str, Any], parsed: AddressQuery) -> GeocodeAnswer:
    response = data.get("response", {})
    docs: list[dict[str, Any]] = [d for d in response.get("docs", []) if parse_point(d.get("centroide_ll"))]
    num_found = response.get("numFound")
    num_found = int(num_found) if isinstance(num_found, int) else None
    if not docs:
        return GeocodeAnswer.nothing(SOURCE, "not_found", num_found)
    results = [(doc, doc_to_result(doc, classify(doc, parsed))) for doc in docs]
    plausible = [(doc, r) for doc, r in results if r is not None and _plausible(doc, parsed)]
    towns = {fold(str(doc.get("woonplaatsnaam") or "")) for doc, _ in plausible}
    if len(towns) > 1:
        return GeocodeAnswer.choose(SOURCE, [r for _, r in plausible], num_found)
    wanted = _wanted(parsed)
    ranked = sorted(
        (r for _, r in results if r is not None),
        key=lambda r: (_rank(r.match_type, wanted), -(r.score or 0.0)),
    )
    best = ranked[0]
    if best.match_type == "fuzzy":
        return GeocodeAnswer.choose(SOURCE, ranked, num_found)
    if best.match_type == "house_number_nearest":
        same_street = [r for r in ranked if r.match_type == "house_number_nearest"]
        if len({fold(r.city or "") for r in same_street}) > 1:
            # The typed street with another number in two towns: which town is not ours to guess.
            return GeocodeAnswer.choose(SOURCE, same_street, num_found)
        typed_number = number_base(parsed.number_key or "") or 0
        nearest = min(same_street, key=lambda r: abs((_label_number(r.label) or 0) - typed_number))
        return GeocodeAnswer(
            source=SOURCE,
            place=nearest,
            candidates=tuple(dict.fromkeys([nearest, *same_street]))[:MAX_CANDIDATES],
            num_found=num_found,
        )
    alike = [r for r in ranked if r.match_type == best.match_type]
    if best.match_type in ("street", "town") and not parsed.place:
        name = _name(best.label)
        namesakes = [r for r in alike if _name(r.label) == name]
        if len({fold(r.city or r.label) for r in namesakes}) > 1:
            # 'Kerkstraat' is a street in many towns: the person says which.
            return GeocodeAnswer.choose(SOURCE, namesakes, num_found)
    return GeocodeAnswer(
        source=SOURCE, place=best, candidates=tuple(alike[:MAX_CANDIDATES]), num_found=num_found
    )


def _wanted(parsed: AddressQuery) -> MatchType:
    """What kind of answer the text asks for when it holds no number: a postcode, else a street or town."""
    return "postcode" if parsed.postcode or parsed.area else "street"


def _rank(match_type: MatchType, wanted: MatchType) -> int:
    """Addresses as typed first, then the right street; then what the text asks for; guesses last."""
    order = {"exact": 0, "house_number_nearest": 1, wanted: 2, "fuzzy": 9}
    return order.get(match_type, 3)


def _name(label: str) -> str:
    """The part of a PDOK label before the town ('Kerkstraat, Amsterdam' -> 'kerkstraat')."""
    return fold(label.split(",")[0])


def _label_number(label: str) -> int | None:
    """The house number in a PDOK label ('Damrak 12A, 1012LG Amsterdam' -> 12)."""
    parsed = parse_query(label.split(",")[0])
    return number_base(parsed.number_key) if parsed.number_key else None


class PdokLocatieserver(AnswersLookup):
    """A small client for the Locatieserver and a Geocoder (uses `free`)."""

    source = SOURCE

    def __init__(self, base_url: str, *, timeout_s: float = 3.0, client: httpx.Client | None = None) -> None:
        """Talk to `base_url` (e.g. .../search/v3_1); pass `client` to reuse one or to replay recordings."""
        self.base_url = base_url.rstrip("/")
        self.client = client or httpx.Client(timeout=timeout_s)

    def _get(self, endpoint: str, params: dict[str, Any]) -> dict[str, Any]:
        try:
            response = self.client.get(f"{self.base_url}/{endpoint}", params=params)
        except httpx.HTTPError as exc:
            # The message names the error class only: the URL holds the query.
            raise ServiceUnavailableError(
                f"PDOK Locatieserver not reachable ({type(exc).__name__})"
            ) from None
        if response.status_code == 400:
            body = (
                response.json()
                if response.headers.get("content-type", "").startswith("application/json")
                else {}
            )
            message = str(body.get("error", {}).get("msg", "bad request")).split(": ")[-1]
            raise InvalidInputError("q", f"PDOK refused the query: {message}", code="address_unreadable")
        if response.status_code >= 300:
            raise ServiceUnavailableError(f"PDOK Locatieserver answered HTTP {response.status_code}")
        data: dict[str, Any] = response.json()
        return data

    def free_response(self, query: str, *, rows: int = ROWS) -> dict[str, Any]:
        """Free-text search: the whole response (numFound, maxScore, documents best first)."""
        return self._get("free", {"q": query, "rows": rows, "fq": TYPE_FILTER})

    def free(self, query: str, *, rows: int = ROWS) -> list[dict[str, Any]]:
        """Free-text search: full documents with coordinates, best first."""
        docs: list[dict[str, Any]] = self.free_response(query, rows=rows).get("response", {}).get("docs", [])
        return docs

    def suggest(self, query: str, *, rows: int = 10) -> list[dict[str, Any]]:
        """Type-ahead suggestions (id, type, weergavenaam, score); look one up for its point."""
        data = self._get("suggest", {"q": query, "rows": rows, "fq": TYPE_FILTER})
        docs: list[dict[str, Any]] = data.get("response", {}).get("docs", [])
        return docs

    def lookup_id(self, doc_id: str) -> GeocodeResult | None:
        """The full document behind a suggestion id."""
        if not doc_id:
            raise InvalidInputError("id", "give the id of a suggestion", code="missing")
        docs = self._get("lookup", {"id": doc_id}).get("response", {}).get("docs", [])
        return doc_to_result(docs[0]) if docs else None

    def lookup(self, query: str) -> GeocodeAnswer:
        """Several free-search matches for a typed address, read together (see `read_answer`).

        PDOK is sent the text without what no address holds and without 't/o' or 'ong.'
        (`search_text`); the answer is read against what was typed.
        """
        return read_answer(self.free_response(search_text(query)[0] or query), query)
