"""One exception hierarchy for the domain.

Each error carries its HTTP status and a message that is safe to show a
user; `web` maps them to responses in one place. What is logged may say
more, but never a searched client address.
"""

from __future__ import annotations

from typing import Any


class WijkgramError(Exception):
    """Base of every error wijkgram raises on purpose."""

    status_code = 500
    title = "Internal error"

    def __init__(self, message: str, *, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}


class NotFoundError(WijkgramError):
    """The entry asked for does not exist."""

    status_code = 404
    title = "Not found"


class ConflictError(WijkgramError):
    """An update was based on an old version: someone else saved first."""

    status_code = 409
    title = "Conflict"


class InvalidInputError(WijkgramError):
    """Input failed a domain rule; `field` names what to fix."""

    status_code = 422
    title = "Invalid input"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}", extra={"field": field})
        self.field = field


class ServiceUnavailableError(WijkgramError):
    """A backing service (database, search engine) is not answering right now."""

    status_code = 503
    title = "Service unavailable"


class SetupError(WijkgramError):
    """The machine lacks something wijkgram needs; the message says what to install."""

    status_code = 500
    title = "Setup error"
