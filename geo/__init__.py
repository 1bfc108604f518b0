"""Geo: geocoding, boundaries, the pedestrian street network and reachability.

geo serves `directory` and `web` (distances, isochrones, geocoding). It keeps
its own tables (network, addresses, boundaries) and never writes entries.
"""
