"""The base map of wijkgram's own vector tiles: loaded from OpenStreetMap with osm2pgsql, served as MVT."""
