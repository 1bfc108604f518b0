"""Pydantic's validation errors as `Problem`s: a field, a code and parameters, no sentences to parse."""

from __future__ import annotations

from decimal import Decimal

from pydantic import ValidationError

from directory.errors import Problem, RuleError


def problems(exc: ValidationError, *, full_path: bool = False) -> list[Problem]:
    """One `Problem` per error, named by the field it concerns.

    A rule of our own (`RuleError`) keeps its code; pydantic's own errors use
    pydantic's error type as the code and its `ctx` as the parameters. The field
    is the top-level one a form shows ("meetings"), or with `full_path` the whole
    location an API client can follow ("meetings.0.rrule").
    """
    found: list[Problem] = []
    for error in exc.errors():
        loc = [str(p) for p in error.get("loc", ())]
        where = (".".join(loc) if full_path else loc[0]) if loc else ""
        ctx = dict(error.get("ctx") or {})
        cause = ctx.get("error")
        if isinstance(cause, RuleError):
            own = cause.problem
            found.append(Problem(own.code, own.message, own.params, where or own.field))
            continue
        message = str(error.get("msg", "")).removeprefix("Value error, ")
        params = {k: v for k, v in ctx.items() if isinstance(v, str | int | float | Decimal)}
        found.append(Problem(str(error.get("type", "invalid")), message, params, where))
    return found
