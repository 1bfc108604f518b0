"""The Litestar app: JSON API (OpenAPI) and Dutch/English HTML pages."""
