"""Map every error to a JSON problem response in one place.

Bodies follow RFC 9457 (problem details): `status`, `title`, `detail`, and
for validation errors a list of `errors`, each with the `field`, a `code` and its
`params` (pydantic's error type and context, or our own rule's code: the pages'
catalogues say `error.<code>`), and the English `message`.
"""

from __future__ import annotations

import logging
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.types import ExceptionHandlersMap
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from directory.errors import InvalidInputError, Problem, WijkgramError
from web.request_problems import request_problems

log = logging.getLogger("wijkgram.web")


def _problem(status: int, title: str, detail: str, **extra: Any) -> Response[dict[str, Any]]:
    return Response(
        {"status": status, "title": title, "detail": detail, **extra},
        status_code=status,
        media_type="application/problem+json",
    )


def problem_entry(problem: Problem) -> dict[str, Any]:
    """One entry of a problem body's `errors`: the field, its code and parameters, and the English."""
    params = {
        name: value if isinstance(value, str | int | float | bool) else str(value)
        for name, value in problem.params.items()
    }
    return {
        "field": problem.field or "body",
        "code": problem.code,
        "params": params,
        "message": problem.message,
    }


def validation_handler(request: Request[Any, Any, Any], exc: ValidationException) -> Response[dict[str, Any]]:
    """Request data that fails validation: 422 naming each field, with a code a client can translate."""
    errors = [problem_entry(p) for p in request_problems(request, exc)]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return _problem(422, "Invalid input", detail, errors=errors)


def domain_handler(_: Request[Any, Any, Any], exc: WijkgramError) -> Response[dict[str, Any]]:
    """Our own errors carry their status and a safe message."""
    extra = dict(exc.extra)
    if isinstance(exc, InvalidInputError):
        extra["errors"] = [problem_entry(exc.problem)]
    if exc.status_code >= 500:
        log.error("%s: %s", type(exc).__name__, exc.message)
    return _problem(exc.status_code, exc.title, exc.message, **extra)


def http_handler(_: Request[Any, Any, Any], exc: HTTPException) -> Response[dict[str, Any]]:
    """Framework errors (404 route, 405 method, 413 too large) in the same shape."""
    return _problem(exc.status_code, type(exc).__name__, str(exc.detail))


def database_down_handler(_: Request[Any, Any, Any], exc: OperationalError) -> Response[dict[str, Any]]:
    """The database dropped out mid-request: 503, and the client may retry."""
    log.warning("database unavailable: %s", type(exc.orig).__name__ if exc.orig else exc)
    return _problem(503, "Service unavailable", "the database is not reachable right now; try again shortly")


#: Seconds a client is asked to wait when every database connection is busy.
BUSY_RETRY_AFTER_S = 5


def busy_handler(_: Request[Any, Any, Any], exc: PoolTimeoutError) -> Response[dict[str, Any]]:
    """Every database connection stayed busy for the pool's timeout: 503, nothing was done.

    It is overload (the server's own start-up, or more clients than it can serve), not a
    fault in the request, so the client is told to come back instead of "internal error".
    """
    log.warning("no database connection free within the pool timeout")
    detail = "the server is busy right now; try again in a few seconds"
    response = _problem(503, "Service unavailable", detail)
    response.headers["Retry-After"] = str(BUSY_RETRY_AFTER_S)
    return response


def unexpected_handler(_: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    """Anything else: log it, tell the client little."""
    log.exception("unexpected error", exc_info=exc)
    return _problem(500, "Internal error", "something went wrong on our side")


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    ValidationException: validation_handler,
    WijkgramError: domain_handler,
    HTTPException: http_handler,
    OperationalError: database_down_handler,
    PoolTimeoutError: busy_handler,
    Exception: unexpected_handler,
}

__all__ = ["EXCEPTION_HANDLERS", "MediaType"]
