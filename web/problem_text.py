"""A field's problem in the page's language: the catalogue's `error.<code>`, filled with its parameters.

`directory/` and `importers/` say what is wrong as a `Problem` (a code, parameters
and an English message for the API, the CLI and the logs); a page never parses
that message. A code the catalogue does not know reads as a general "this value
cannot be used" on Dutch pages and as the English message on English pages.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from babel.numbers import format_decimal

from directory.errors import Problem
from web.i18n import Translator, field_label, known


def _shown(lang: str, value: Any) -> Any:
    """Numbers the way the page's language writes them (100.000 in Dutch)."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return value
    return format_decimal(value, locale=lang)


def problem_text(t: Translator, problem: Problem) -> str:
    """What a page says next to the field."""
    key = f"error.{problem.code}"
    if not known(key):
        return problem.message if t.lang == "en" else t("error.invalid")
    try:
        return t(key, **{name: _shown(t.lang, value) for name, value in problem.params.items()})
    except (KeyError, ValueError, TypeError):  # a code whose parameters this problem lacks
        return t("error.invalid")


def problems_text(t: Translator, problems: dict[str, Problem]) -> dict[str, str]:
    """{field: text} for a form."""
    return {name: problem_text(t, problem) for name, problem in problems.items()}


def problem_said(t: Translator, problem: Problem) -> str:
    """A problem in the page's language after the label of its field ("Postcode: ..."), for lists."""
    text = problem_text(t, problem)
    if not problem.field or problem.field == "body":
        return text
    return f"{field_label(t.lang, problem.field)}: {text}"
