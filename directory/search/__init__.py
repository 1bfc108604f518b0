"""Search over the directory: one query interface, Meilisearch or PostgreSQL behind it.

See docs/search.md for the design. `search_service()` picks the engine from
the configuration; `documents` builds what both engines search.
"""
