"""Build the Litestar application."""

from __future__ import annotations

from typing import Any

from litestar import Litestar, MediaType, get
from litestar.config.response_cache import ResponseCacheConfig
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin
from sqlalchemy import Engine

from directory.db import get_engine, sessionmaker_for
from web.api.entries import ENTRY_HANDLERS
from web.api.search import SEARCH_HANDLERS
from web.api.system import health, taxonomy
from web.dependencies import provide_actor, provide_db, provide_entries
from web.errors import EXCEPTION_HANDLERS

HOME = """<!doctype html>
<html lang="nl"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>wijkgram</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; line-height: 1.5">
<h1>wijkgram</h1>
<p>Een kaart van de steun in de buurt: buurthuizen, clubs, kerken, vrijwilligers en groepen.</p>
<ul>
<li><a href="/schema/swagger">API-documentatie (OpenAPI)</a></li>
<li><a href="/api/v1/locations">Alle plekken (JSON)</a></li>
<li><a href="/health">Status</a></li>
</ul>
<p><small>Kaartgegevens © OpenStreetMap-bijdragers (ODbL).</small></p>
</body></html>"""


@get("/", media_type=MediaType.HTML, include_in_schema=False, sync_to_thread=False)
def home() -> str:
    """A plain landing page until the full web pages exist."""
    return HOME


def create_app(engine: Engine | None = None, *, extra_handlers: list[Any] | None = None) -> Litestar:
    """The wijkgram app on the given engine (default: the configured database)."""
    engine = engine or get_engine()

    def on_startup(app: Litestar) -> None:
        app.state.engine = engine
        app.state.sessionmaker = sessionmaker_for(engine)

    return Litestar(
        route_handlers=[home, health, taxonomy, *ENTRY_HANDLERS, *SEARCH_HANDLERS, *(extra_handlers or [])],
        dependencies={
            "db": Provide(provide_db),
            "actor": Provide(provide_actor, sync_to_thread=False),
            "entries": Provide(provide_entries, sync_to_thread=False),
        },
        exception_handlers=EXCEPTION_HANDLERS,
        on_startup=[on_startup],
        openapi_config=OpenAPIConfig(
            title="wijkgram API",
            version="1",
            description="Neighbourhood resource directory: organisations, services and locations "
            "of informal support, with geospatial search.",
            path="/schema",
            render_plugins=[SwaggerRenderPlugin(), ScalarRenderPlugin()],
        ),
        response_cache_config=ResponseCacheConfig(),
    )
