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
from litestar.types import ASGIApp, Receive, Scope, Send
from sqlalchemy.orm import Session, sessionmaker

from directory.models import ROLES
from web.accounts.service import user_for_session, user_for_token

SESSION_COOKIE = "wg_session"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: API reads sent as POST (so a client's address stays out of the URL): public, like GET reads.
READ_ONLY_API_POSTS = frozenset({"/api/v1/geocode", "/api/v1/wijkgram"})


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


def _cookie(scope: Scope, name: str) -> str | None:
    raw = _header(scope, b"cookie")
    if not raw:
        return None
    for part in raw.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name and value:
            return value
    return None


def bearer_token(scope: Scope) -> str | None:
    """The token of an `Authorization: Bearer ...` header, if any."""
    value = _header(scope, b"authorization")
    if value and value.lower().startswith("bearer "):
        return value[7:].strip() or None
    return None


class CurrentUserMiddleware:
    """Puts the user (or None) in `scope["user"]` before any handler or guard runs."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Look the user up, then pass the request on."""
        if scope["type"] == ScopeType.HTTP:
            scope["user"] = None
            token = bearer_token(scope)
            session_id = _cookie(scope, SESSION_COOKIE)
            if token or session_id:
                maker: sessionmaker[Session] = scope["app"].state.sessionmaker
                # In a thread: a blocking query on the event loop stalls every request of the worker.
                scope["user"] = await to_thread.run_sync(_look_up, maker, token, session_id)
        await self.app(scope, receive, send)


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
    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
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


def api_write_guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """JSON API writes need a broker (session or token); reads stay public."""
    path = connection.scope.get("path", "")
    if path in READ_ONLY_API_POSTS:
        return
    if path.startswith("/api/") and connection.scope.get("method") in UNSAFE_METHODS:
        requires_broker(connection, handler)


def client_ip(request: Request[Any, Any, Any]) -> str:
    """The peer address (behind a proxy, configure uvicorn's --forwarded-allow-ips)."""
    return request.client.host if request.client else "unknown"
