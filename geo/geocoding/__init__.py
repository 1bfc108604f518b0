"""Geocoding: Dutch addresses and postcodes to points (PDOK online, an offline table otherwise).

Addresses typed by users are geocoded, used and forgotten: no geocoder may
store or log the query text.
"""

from geo.geocoding.base import GeocodeAnswer, Geocoder, GeocodeResult, MatchType
from geo.geocoding.chain import ChainGeocoder, make_geocoder
from geo.geocoding.offline import OfflineGeocoder
from geo.geocoding.pdok import PdokLocatieserver

__all__ = [
    "ChainGeocoder",
    "GeocodeAnswer",
    "GeocodeResult",
    "Geocoder",
    "MatchType",
    "OfflineGeocoder",
    "PdokLocatieserver",
    "make_geocoder",
]
