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
from geo.geocoding.base import GeocodeResult, Precision

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
#: Result types worth returning for a typed address.
TYPE_FILTER = "type:(adres OR postcode OR weg OR woonplaats)"


def parse_point(wkt: str | None) -> tuple[float, float] | None:
    """'POINT(5.13 52.08)' -> (lon, lat); None when absent or malformed."""
    match = _POINT.search(wkt or "")
    return (float(match.group(1)), float(match.group(2))) if match else None


def doc_to_result(doc: dict[str, Any]) -> GeocodeResult | None:
    """One Locatieserver document as a GeocodeResult; None without a point."""
    point = parse_point(doc.get("centroide_ll"))
    if point is None:
        return None
    return GeocodeResult(
        lat=point[1],
        lon=point[0],
        label=str(doc.get("weergavenaam") or ""),
        precision=PRECISION.get(str(doc.get("type")), "place"),
        source="pdok",
        postcode=doc.get("postcode"),
        city=doc.get("woonplaatsnaam"),
    )


class PdokLocatieserver:
    """A small client for the Locatieserver and a Geocoder (uses `free`)."""

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
            raise InvalidInputError("q", f"PDOK refused the query: {message}")
        if response.status_code >= 300:
            raise ServiceUnavailableError(f"PDOK Locatieserver answered HTTP {response.status_code}")
        data: dict[str, Any] = response.json()
        return data

    def free(self, query: str, *, rows: int = 5) -> list[dict[str, Any]]:
        """Free-text search: full documents with coordinates, best first."""
        data = self._get("free", {"q": query, "rows": rows, "fq": TYPE_FILTER})
        docs: list[dict[str, Any]] = data.get("response", {}).get("docs", [])
        return docs

    def suggest(self, query: str, *, rows: int = 10) -> list[dict[str, Any]]:
        """Type-ahead suggestions (id, type, weergavenaam, score); look one up for its point."""
        data = self._get("suggest", {"q": query, "rows": rows, "fq": TYPE_FILTER})
        docs: list[dict[str, Any]] = data.get("response", {}).get("docs", [])
        return docs

    def lookup(self, doc_id: str) -> GeocodeResult | None:
        """The full document behind a suggestion id."""
        if not doc_id:
            raise InvalidInputError("id", "give the id of a suggestion")
        docs = self._get("lookup", {"id": doc_id}).get("response", {}).get("docs", [])
        return doc_to_result(docs[0]) if docs else None

    def geocode(self, query: str) -> GeocodeResult | None:
        """The best free-search match for a typed address or postcode."""
        for doc in self.free(query, rows=1):
            result = doc_to_result(doc)
            if result is not None:
                return result
        return None
