"""The geocoder interface shared by importers (rows without coordinates) and web (searches)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

Precision = Literal["address", "postcode", "street", "place"]


@dataclass(frozen=True)
class GeocodeResult:
    """Where a query points to, how precisely, and which geocoder said so."""

    lat: float
    lon: float
    label: str
    precision: Precision
    source: str
    postcode: str | None = None
    city: str | None = None


class Geocoder(Protocol):
    """Turns free text ('Recht Boomssloot 52, Amsterdam', '1011 EC 52', '1102 AB') into a point."""

    def geocode(self, query: str) -> GeocodeResult | None:
        """The best match, or None when nothing matches well enough."""
        ...
