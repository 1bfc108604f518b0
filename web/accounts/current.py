"""Who is making a request: a user from the session cookie or an API token, or nobody."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from anyio import to_thread
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult, DefineMiddleware
from litestar.types import Scope
from sqlalchemy.orm import Session, sessionmaker

from directory.models import ROLES
from web.accounts.service import user_for_session, user_for_token

SESSION_COOKIE = "wg_session"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: API reads sent as POST (so a client's address stays out of the URL): public, like GET reads.
READ_ONLY_API_POSTS = frozenset({"/api/v1/geocode", "/api/v1/wijkgram"})
#: Route `opt` of answers that are the same for everyone (static files, tiles): no session is
#: looked up, no CSRF cookie is handed out and a logged-in person's browser may keep them. Set on
#: the routes rather than matched on their URLs, so a route says so where it is defined.
SAME_FOR_EVERYONE_KEY = "same_for_everyone"
SAME_FOR_EVERYONE: dict[str, Any] = {SAME_FOR_EVERYONE_KEY: True}


@dataclass(frozen=True)
class CurrentUser:
    """The logged-in user as requests see it (no database object, so it outlives the session)."""

    id: int
    username: str
    role: str
    via_token: bool = False

    def has_role(self, role: str) -> bool:
        """True when this user's role is `role` or a stronger one."""
        return ROLES.index(self.role) >= ROLES.index(role)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


def same_for_everyone(scope: Scope) -> bool:
    """True when the request's route is marked `SAME_FOR_EVERYONE` (False before routing, or for no route)."""
    handler = scope.get("route_handler")
    return handler is not None and bool(handler.opt.get(SAME_FOR_EVERYONE_KEY))


def bearer_token(scope: Scope) -> str | None:
    """The token of an `Authorization: Bearer ...` header, if any."""
    value = _header(scope, b"authorization")
    if value and value.lower().startswith("bearer "):
        return value[7:].strip() or None
    return None


class CurrentUserMiddleware(AbstractAuthenticationMiddleware):
    """Puts the user (or None) in `scope["user"]` before any handler or guard runs.

    Litestar's authentication middleware, with nobody being a valid answer: reading
    is open to everyone, and the guards decide what needs a user. Routes marked
    `SAME_FOR_EVERYONE` (static files, tiles) are left out: a logged-in page loads dozens.
    """

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        """The user of the session cookie or the bearer token; `auth` says which ("session", "token")."""
        token = bearer_token(connection.scope)
        session_id = connection.cookies.get(SESSION_COOKIE)
        if not (token or session_id):
            return AuthenticationResult(user=None, auth=None)
        maker: sessionmaker[Session] = connection.app.state.sessionmaker
        # In a worker thread, on the limiter the request handlers use (sized to the connection
        # pool by web.dependencies.set_request_limits): a blocking query on the event loop
        # stalls every request of the worker.
        user = await to_thread.run_sync(
            _look_up, maker, token, session_id, limiter=to_thread.current_default_thread_limiter()
        )
        auth = None if user is None else "token" if user.via_token else "session"
        return AuthenticationResult(user=user, auth=auth)


def user_middleware() -> DefineMiddleware:
    """The user lookup for HTTP requests, routes marked `SAME_FOR_EVERYONE` excluded.

    A tile is the same for everyone and a map view asks for dozens: with a session cookie
    each would otherwise look the session up in the database before its answer from memory.
    """
    return DefineMiddleware(
        CurrentUserMiddleware, exclude_from_auth_key=SAME_FOR_EVERYONE_KEY, scopes={ScopeType.HTTP}
    )


def _look_up(maker: sessionmaker[Session], token: str | None, session_id: str | None) -> CurrentUser | None:
    with maker() as db, db.begin():
        user = user_for_token(db, token) if token else user_for_session(db, session_id or "")
        if user is None:
            return None
        return CurrentUser(user.id, user.username, user.role, via_token=bool(token))


def current_user(connection: ASGIConnection[Any, Any, Any, Any]) -> CurrentUser | None:
    """The user of this request, or None."""
    user = connection.scope.get("user")
    return user if isinstance(user, CurrentUser) else None


def _require(role: str) -> Any:
    # A coroutine: Litestar runs a plain function guard in a worker thread.
    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        user = current_user(connection)
        if user is None:
            raise NotAuthorizedException("log in first")
        if not user.has_role(role):
            raise PermissionDeniedException(f"this needs the {role} role")

    guard.__name__ = f"requires_{role}"
    guard.__doc__ = f"Guard: the user must be logged in with at least the {role} role."
    return guard


requires_viewer = _require("viewer")
requires_broker = _require("broker")
requires_admin = _require("admin")


async def api_write_guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """JSON API writes need a broker (session or token); reads stay public.

    A coroutine, though it awaits nothing else: Litestar runs a plain function guard in a
    worker thread, and this one guards every request of the app.
    """
    path = connection.scope.get("path", "")
    if path in READ_ONLY_API_POSTS:
        return
    if path.startswith("/api/") and connection.scope.get("method") in UNSAFE_METHODS:
        await requires_broker(connection, handler)


def client_ip(request: Request[Any, Any, Any]) -> str:
    """The peer address (behind a proxy, configure uvicorn's --forwarded-allow-ips)."""
    return request.client.host if request.client else "unknown"
