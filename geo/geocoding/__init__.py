"""Geocoding: Dutch addresses and postcodes to points (PDOK online, an offline table otherwise).

Addresses typed by users are geocoded, used and forgotten: no geocoder may
store or log the query text.
"""

from geo.geocoding.base import Geocoder, GeocodeResult

__all__ = ["GeocodeResult", "Geocoder"]
