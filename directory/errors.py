"""One exception hierarchy for the domain.

Each error carries its HTTP status and a message that is safe to show a
user; `web` maps them to responses in one place. What is logged may say
more, but never a searched client address.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal


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


@dataclass(frozen=True)
class Problem:
    """What is wrong with one input field, said as data (like Django's ValidationError).

    `code` and `params` let a page say it in its own language (the catalogue's
    `error.<code>`); `message` is the English for the API, the CLI and the logs.
    `field` is empty when the problem concerns the whole record.
    """

    code: str
    message: str
    params: Mapping[str, Any] = field(default_factory=dict)
    field: str = ""


class RuleError(ValueError):
    """A value breaks a field rule; raised by the shared validators.

    A ValueError, so pydantic reports it as a `value_error` with the English
    message, and keeps this exception (and so its code) in the error's `ctx`.
    """

    def __init__(
        self, message: str, *, code: str, params: Mapping[str, Any] | None = None, field: str = ""
    ) -> None:
        super().__init__(message)
        self.problem = Problem(code, message, dict(params or {}), field)


class InvalidInputError(WijkgramError):
    """Input failed a domain rule; `field` names what to fix, `code` and `params` say what is wrong.

    `code` is required: a page says the problem as the catalogue's `error.<code>`
    (tests/web/test_error_codes.py checks both catalogues hold every code raised).
    """

    status_code = 422
    title = "Invalid input"

    def __init__(
        self, field: str, message: str, *, code: str, params: Mapping[str, Any] | None = None
    ) -> None:
        super().__init__(f"{field}: {message}", extra={"field": field})
        self.field = field
        self.problem = Problem(code, message, dict(params or {}), field)

    @classmethod
    def from_rule(cls, field: str, rule: RuleError) -> InvalidInputError:
        """A shared field rule's problem as a 422 on `field`, keeping its code and parameters."""
        return cls(field, rule.problem.message, code=rule.problem.code, params=rule.problem.params)


#: The two codes of a "choose from these" answer. Both are public (API clients and the
#: catalogues know them): `one_of` is what a setting with a few fixed options has always
#: answered (sort, mode, profile, role, level, report kind), `unknown_choice` the rest.
ChoiceCode = Literal["unknown_choice", "one_of"]


def require_choice(
    field: str,
    value: str | Collection[str],
    choices: Sequence[str],
    *,
    noun: str = "value",
    code: ChoiceCode = "unknown_choice",
) -> None:
    """A 422 on `field` unless `value` (one, or each of several) is among `choices`.

    The one rule behind every "we do not know this" and "choose one of these" answer, so
    its parameters and English are the same everywhere, whichever of the two codes it
    carries: `value` (the unknown ones) and `choices` (all known, in order); one value is
    answered "must be one of ...", several name those unknown as `noun`s ("unknown facet
    colour; known: ...").
    """
    given = [value] if isinstance(value, str) else list(value)
    unknown = [v for v in given if v not in choices]
    if not unknown:
        return
    known = ", ".join(choices)
    message = (
        f"must be one of {known}"
        if isinstance(value, str)
        else f"unknown {noun} {', '.join(unknown)}; known: {known}"
    )
    unknown_said = ", ".join(unknown)
    # Each code spelled out in its own raise: tests/web/test_error_codes.py reads the codes and
    # their parameters from the source to check both catalogues can say them.
    if code == "one_of":
        raise InvalidInputError(
            field, message, code="one_of", params={"value": unknown_said, "choices": known}
        )
    raise InvalidInputError(
        field, message, code="unknown_choice", params={"value": unknown_said, "choices": known}
    )


class ServiceUnavailableError(WijkgramError):
    """A backing service (database, search engine) is not answering right now."""

    status_code = 503
    title = "Service unavailable"


class SetupError(WijkgramError):
    """The machine lacks something wijkgram needs; the message says what to install."""

    status_code = 500
    title = "Setup error"
