"""Errors on HTML pages: a readable page (or the login form) instead of problem JSON."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.types import ExceptionHandler, ExceptionHandlersMap

from directory.errors import ConflictError, InvalidInputError, NotFoundError, WijkgramError
from web.pages.common import redirect, render, translator
from web.problem_text import problem_said
from web.request_problems import request_problems

#: Paths that always answer in JSON.
JSON_PREFIXES = ("/api/", "/schema", "/health", "/tiles/")


def _page_response(request: Request[Any, Any, Any], exc: Exception) -> Response[Any] | None:
    t = translator(request)
    status = getattr(exc, "status_code", 500)
    if isinstance(exc, NotAuthorizedException):
        if request.method == "GET":
            return redirect(f"/inloggen?next={request.url.path}", None)
        return render(request, "error.html", 401, message=t("login.needed"), show_login=True)
    if isinstance(exc, PermissionDeniedException):
        key = "error.csrf" if "CSRF" in str(exc.detail) else "login.forbidden"
        return render(request, "error.html", 403, message=t(key), show_login=False)
    if isinstance(exc, NotFoundError) or status == 404:
        return render(request, "error.html", 404, message=t("error.not_found"), show_login=False)
    if isinstance(exc, ValidationException):
        message = "; ".join(problem_said(t, p) for p in request_problems(request, exc))
        return render(request, "error.html", 422, message=message, show_login=False)
    if isinstance(exc, ConflictError):  # a stale form the page itself does not resolve (restore)
        return render(request, "error.html", 409, message=t("error.stale"), show_login=False)
    if isinstance(exc, InvalidInputError):
        return render(request, "error.html", status, message=problem_said(t, exc.problem), show_login=False)
    if isinstance(exc, WijkgramError | HTTPException) and status < 500:
        message = exc.message if isinstance(exc, WijkgramError) else str(exc.detail)
        return render(request, "error.html", status, message=message, show_login=False)
    return None


def page_aware(handlers: ExceptionHandlersMap) -> ExceptionHandlersMap:
    """Wrap the JSON handlers: pages get HTML, the API keeps problem JSON."""

    def wrap(json_handler: ExceptionHandler[Any]) -> ExceptionHandler[Any]:
        def handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
            if not request.url.path.startswith(JSON_PREFIXES):
                page = _page_response(request, exc)
                if page is not None:
                    return page
            return json_handler(request, exc)

        return handler

    return {key: wrap(value) for key, value in handlers.items()}
