"""Log in, log out, and the admin's user list."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromQuery
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from directory.errors import InvalidInputError
from directory.models import ROLES
from directory.settings import get_settings
from web.accounts.current import SESSION_COOKIE, client_ip, requires_admin
from web.accounts.ratelimit import LoginRateLimiter
from web.accounts.service import authenticate, create_user, end_session, list_users, start_session
from web.pages.common import redirect, render, translator
from web.problem_text import problem_text

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


def _safe_next(target: str | None) -> str:
    """Only local paths, so a login link cannot send people to another site."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@get("/inloggen", include_in_schema=False, sync_to_thread=False)
def login_page(request: Request[Any, Any, Any], next: FromQuery[str | None] = None) -> Template:
    """The login form."""
    return render(request, "login.html", next=_safe_next(next), error=None, username="")


@post("/inloggen", include_in_schema=False, sync_to_thread=True)
def login(request: Request[Any, Any, Any], db: NamedDependency[Session], data: Form) -> Response[Any]:
    """Check the password (throttled per account and client, and per client), then start a session."""
    limiter: LoginRateLimiter = request.app.state.login_limiter
    username, password = data.get("username", ""), data.get("password", "")
    target = _safe_next(data.get("next"))
    client = client_ip(request)
    refused = limiter.attempt(username, client)
    if refused is not None:
        page = render(request, "login.html", 429, next=target, error="login.too_many", username=username)
        page.headers["Retry-After"] = str(refused.retry_after_s)
        return page
    user = authenticate(db, username, password)
    if user is None:
        return render(request, "login.html", 401, next=target, error="login.failed", username=username)
    limiter.succeeded(username, client)
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        end_session(db, old)
    session_id = start_session(db, user)
    response: Redirect = redirect(target)
    response.set_cookie(
        SESSION_COOKIE,
        session_id,
        httponly=True,
        samesite="lax",
        secure=get_settings().web.cookie_secure,
        path="/",
    )
    return response


@post("/uitloggen", include_in_schema=False, sync_to_thread=True)
def logout(request: Request[Any, Any, Any], db: NamedDependency[Session]) -> Redirect:
    """End this browser's session."""
    session_id = request.cookies.get(SESSION_COOKIE)
    if session_id:
        end_session(db, session_id)
    response = redirect("/")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@get("/beheer/gebruikers", guards=[requires_admin], include_in_schema=False, sync_to_thread=True)
def users_page(request: Request[Any, Any, Any], db: NamedDependency[Session]) -> Template:
    """The admin's list of users with a form to add one."""
    users = list_users(db)
    return render(request, "users.html", users=users, roles=ROLES, errors={}, form={})


@post("/beheer/gebruikers/nieuw", guards=[requires_admin], include_in_schema=False, sync_to_thread=True)
def users_create(request: Request[Any, Any, Any], db: NamedDependency[Session], data: Form) -> Response[Any]:
    """Create a user (admin only)."""
    try:
        create_user(db, data.get("username", ""), data.get("password", ""), data.get("role", ""))
    except InvalidInputError as exc:
        users = list_users(db)
        return render(
            request,
            "users.html",
            422,
            users=users,
            roles=ROLES,
            errors={exc.field: problem_text(translator(request), exc.problem)},
            form={"username": data.get("username", ""), "role": data.get("role", "")},
        )
    return redirect("/beheer/gebruikers", "broker.saved")


ACCOUNT_HANDLERS = [login_page, login, logout, users_page, users_create]
