"""The wijkgram domain: entries (organisations, services, locations), persistence and search.

`importers`, `geo` and `web` depend on this package; it depends on none of them.
"""
