"""CSRF protection on every form and every cookie-authenticated API write.

Litestar's double-submit-cookie middleware, with one exception: requests that
carry `Authorization: Bearer` are skipped. A browser never adds that header
on its own to a cross-site request, so a forged request cannot carry it.
"""

from __future__ import annotations

import secrets

from litestar.config.csrf import CSRFConfig
from litestar.enums import ScopeType
from litestar.middleware import DefineMiddleware
from litestar.middleware.csrf import CSRFMiddleware
from litestar.types import Receive, Scope, Send

from directory.settings import get_settings
from web.accounts.current import READ_ONLY_API_POSTS, bearer_token, same_for_everyone


class BearerAwareCSRFMiddleware(CSRFMiddleware):
    """CSRF checks for cookie sessions; token-authenticated API calls and API reads pass."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Skip the check when the request authenticates with a bearer token or only reads the API or tiles.

        A read of the JSON API changes nothing and renders no form, so it needs no token, and
        handing every API client a CSRF cookie it cannot use cost 0.1 ms a response. Routes
        marked `SAME_FOR_EVERYONE` (tiles, static files) likewise: a map frame (opaque origin)
        sends no cookies, so every tile answer carried a Set-Cookie, which also keeps shared
        caches from storing a public, immutable tile.
        """
        if scope["type"] == ScopeType.HTTP and (
            bearer_token(scope)
            or (
                scope["method"] in self.config.safe_methods
                and (scope["path"].startswith("/api/") or same_for_everyone(scope))
            )
            # A read sent as POST changes nothing either (and another site cannot read the answer).
            or scope["path"] in READ_ONLY_API_POSTS
        ):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def csrf_middleware() -> DefineMiddleware:
    """The CSRF middleware with our cookie settings (secret from WIJKGRAM_SECRET, else per process)."""
    settings = get_settings().web
    config = CSRFConfig(
        secret=settings.secret or secrets.token_hex(32),
        cookie_secure=settings.cookie_secure,
        cookie_samesite="lax",
        cookie_httponly=True,
    )
    return DefineMiddleware(BearerAwareCSRFMiddleware, config=config)
