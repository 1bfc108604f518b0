"""Build the Litestar application."""

from __future__ import annotations

import secrets
import threading
from typing import Any

from litestar import Litestar
from litestar.config.response_cache import ResponseCacheConfig
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, SwaggerRenderPlugin
from sqlalchemy import Engine
from sqlalchemy.pool import QueuePool

from directory.db import get_engine, sessionmaker_for
from directory.reference import release_reference_cache, start_reference_cache
from directory.search.service import search_service
from directory.services.tiles import TileMemory
from directory.settings import get_settings
from geo.api import GEO_HANDLERS
from geo.geocoding.base import Geocoder
from geo.geocoding.chain import make_geocoder
from geo.reach import routing_cache
from web.accounts.current import api_write_guard, user_middleware
from web.accounts.ratelimit import LoginRateLimiter
from web.api.entries import ENTRY_HANDLERS
from web.api.finder import FINDER_HANDLERS
from web.api.geocode import geocode_post
from web.api.map import MAP_HANDLERS
from web.api.search import SEARCH_HANDLERS, warm_up_search
from web.api.system import health, taxonomy
from web.api.tiles import TILE_HANDLERS
from web.api.wijkgram import WIJKGRAM_HANDLERS
from web.boundary import check_request_input
from web.csrf import csrf_middleware
from web.dependencies import (
    provide_actor,
    provide_db,
    provide_entries,
    provide_names,
    read_sessionmaker,
    set_request_limits,
)
from web.errors import EXCEPTION_HANDLERS
from web.importing import PendingUploads, default_folder
from web.map_assets import MapAssets, compression_config
from web.openapi_errors import document_problems
from web.pages import PAGE_HANDLERS
from web.pages.common import template_config
from web.pages.errors import page_aware
from web.security_headers import add_security_headers
from web.travel import warm_up_routing

#: Swagger UI from our own copy (web/static/vendor/swagger-ui, from npm's swagger-ui-dist): the
#: docs page runs on the app's origin, so a script from a CDN could act as any logged-in user.
SWAGGER_UI = "/static/vendor/swagger-ui"


def openapi_config() -> OpenAPIConfig | None:
    """The OpenAPI document and Swagger UI page under /schema, or None (WIJKGRAM_API_DOCS=0)."""
    if not get_settings().web.api_docs:
        return None
    return OpenAPIConfig(
        title="wijkgram API",
        version="1",
        description="Neighbourhood resource directory: organisations, services and locations "
        "of informal support, with geospatial search.",
        path="/schema",
        render_plugins=[
            JsonRenderPlugin(),
            SwaggerRenderPlugin(
                js_url=f"{SWAGGER_UI}/swagger-ui-bundle.js",
                css_url=f"{SWAGGER_UI}/swagger-ui.css",
                standalone_preset_js_url=f"{SWAGGER_UI}/swagger-ui-standalone-preset.js",
                favicon=f"<link rel='icon' type='image/png' href='{SWAGGER_UI}/favicon-32x32.png'>",
            ),
        ],
    )


#: Largest request body accepted (bytes); larger ones get 413 before they are read whole.
MAX_BODY_BYTES = 2_000_000


def create_app(
    engine: Engine | None = None,
    *,
    extra_handlers: list[Any] | None = None,
    geocoder: Geocoder | None = None,
) -> Litestar:
    """The wijkgram app on the given engine (default: the configured database).

    `geocoder` turns typed addresses into points on the pages and in the API; by
    default geo's (PDOK, then the offline address table; WIJKGRAM_GEOCODER). The app
    holds one geocoder, one search service and one routing cache, made at start-up.
    """
    engine = engine or get_engine()

    def on_startup(app: Litestar) -> None:
        # The one place the app's shared services are made; handlers find them on app.state.
        settings = get_settings()
        if app.openapi_config is not None:
            document_problems(app.openapi_schema)  # before the first request renders it
        app.state.engine = engine
        app.state.sessionmaker = sessionmaker_for(engine)
        app.state.read_sessionmaker = read_sessionmaker(engine)
        # Vocabularies, area names and display names kept in memory until the database
        # announces a change (directory/reference.py); the tiles served, likewise.
        reference = app.state.reference_cache = start_reference_cache(engine)
        app.state.tile_memory = TileMemory(reference, settings.web.tile_memory_mb * 1024 * 1024)
        size = engine.pool.size() if isinstance(engine.pool, QueuePool) else 10
        set_request_limits(app.state, size)
        app.state.login_limiter = LoginRateLimiter(engine)
        app.state.geocoder = geocoder or make_geocoder(engine, settings.geo)
        app.state.routing = routing_cache(engine, max_snap_m=settings.geo.max_snap_m)
        if app.state.get("search_service") is None:  # a test may have set its own
            app.state.search_service = search_service(engine)
        # Uploaded lists wait here between preview and apply; the confirm form is signed with the
        # same secret as CSRF (WIJKGRAM_SECRET, else random per process).
        secret = settings.web.secret
        app.state.pending_uploads = PendingUploads(
            default_folder(), secret.encode() if secret else secrets.token_bytes(32)
        )
        # Load the street network and its profiles in the background, so the first support
        # search or map question does not wait for it (seconds on a city-sized network).
        threading.Thread(
            target=warm_up_routing,
            args=(app.state.routing,),
            name="wijkgram-warm-up",
            daemon=True,
        ).start()
        # Likewise the search's facet arrays (about a second per 100,000 documents).
        threading.Thread(
            target=warm_up_search, args=(app.state,), name="wijkgram-search-warm-up", daemon=True
        ).start()

    def on_shutdown(app: Litestar) -> None:
        service = app.state.get("search_service")
        if service is not None:
            service.close()  # its own pool of search connections (directory/search/postgres.py)
        # Its listener thread holds a connection of its own; apps sharing the engine share the
        # cache, so only the last one to shut down closes it (one release per start-up).
        reference = app.state.get("reference_cache")
        if reference is not None:
            release_reference_cache(reference)

    return Litestar(
        route_handlers=[
            health,
            taxonomy,
            *ENTRY_HANDLERS,
            *GEO_HANDLERS,
            geocode_post,
            *SEARCH_HANDLERS,
            *FINDER_HANDLERS,
            *TILE_HANDLERS,
            *WIJKGRAM_HANDLERS,
            *MAP_HANDLERS,
            *PAGE_HANDLERS,
            *(extra_handlers or []),
        ],
        middleware=[MapAssets(), user_middleware(), csrf_middleware()],
        # gzip for tiles and the map's JSON; the map's scripts come gzipped from MapAssets.
        compression_config=compression_config(),
        # CSP, frame, referrer and sniffing headers on every response; no-store on private pages.
        before_send=[add_security_headers],
        guards=[api_write_guard],
        # Input no handler can store or parse (NUL characters, absurd nesting, ids beyond an
        # integer) is refused here, for every route, before its parameters are read.
        before_request=check_request_input,
        template_config=template_config(),
        dependencies={
            "db": Provide(provide_db),
            "actor": Provide(provide_actor, sync_to_thread=False),
            "entries": Provide(provide_entries, sync_to_thread=False),
            "names": Provide(provide_names, sync_to_thread=False),
        },
        exception_handlers=page_aware(EXCEPTION_HANDLERS),
        on_startup=[on_startup],
        on_shutdown=[on_shutdown],
        openapi_config=openapi_config(),
        response_cache_config=ResponseCacheConfig(),
        # No entry comes near this; partner lists (uploads) may set their own, larger limit.
        request_max_body_size=MAX_BODY_BYTES,
    )
