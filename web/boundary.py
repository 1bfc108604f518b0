"""What every request must satisfy before any handler sees it (one `before_request` hook).

Each rule here closes a class of 500s for every page and endpoint at once, also
for parameters added later, and answers 422 naming the parameter instead:

- no NUL character in any text: path and query parameters, form fields, JSON
  strings and keys (PostgreSQL text cannot hold one);
- a JSON body nested at most MAX_JSON_DEPTH deep (the decoder recurses per level);
- integer path parameters are row numbers (ids, revisions): 1..MAX_INT, the range
  of a PostgreSQL integer;
- a form's `version` (the version an edit, restore or "verified today" is based
  on) is such a number too.

Bounds that belong to one parameter (page, page_size, dates) are declared on the
parameter or checked by the schema, so they also appear in the OpenAPI document.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.enums import RequestEncodingType
from litestar.exceptions import SerializationException

from directory.errors import InvalidInputError
from directory.schemas.limits import MAX_INT, MAX_JSON_DEPTH, NUL, find_nul, too_deep

NUL_MESSAGE = "must not contain a NUL character (\\u0000)"
TOO_DEEP = f"is nested deeper than {MAX_JSON_DEPTH} levels"
#: Form fields that carry the version of an entry an action is based on.
VERSION_FIELDS = ("version",)


def _printable(name: str) -> str:
    return name.replace(NUL, "\\u0000")


def _check_text(name: str, value: str) -> None:
    if NUL in name or NUL in value:
        raise InvalidInputError(_printable(name), NUL_MESSAGE, code="nul_character")


def _check_row_number(name: str, value: Any) -> None:
    if isinstance(value, int) and not isinstance(value, bool) and not 1 <= value <= MAX_INT:
        raise InvalidInputError(
            name, f"must lie between 1 and {MAX_INT}", code="row_number", params={"limit": MAX_INT}
        )


def _check_version(name: str, value: str) -> None:
    try:
        number = int(value.strip())
    except ValueError as exc:
        raise InvalidInputError(
            name, "must be the version number the form was based on", code="version"
        ) from exc
    _check_row_number(name, number)


async def _check_json(request: Request[Any, Any, Any]) -> None:
    try:
        data = await request.json()  # cached: the handler reads the same decoded body
    except RecursionError as exc:
        raise InvalidInputError("body", TOO_DEEP, code="too_deep", params={"limit": MAX_JSON_DEPTH}) from exc
    except SerializationException:
        return  # malformed JSON: the handler's own decoding answers it (400)
    deep = too_deep(data, MAX_JSON_DEPTH)
    if deep is not None:
        raise InvalidInputError(deep, TOO_DEEP, code="too_deep", params={"limit": MAX_JSON_DEPTH})
    where = find_nul(data)
    if where is not None:
        raise InvalidInputError(_printable(where), NUL_MESSAGE, code="nul_character")


async def _check_form(request: Request[Any, Any, Any]) -> None:
    form = await request.form()  # cached for the handler too
    for name, value in form.multi_items():
        if isinstance(value, str):
            _check_text(name, value)
            if name in VERSION_FIELDS and value.strip():
                _check_version(name, value)


async def check_request_input(request: Request[Any, Any, Any]) -> None:
    """Refuse input no handler can store or parse, naming the parameter (422)."""
    for name, value in request.path_params.items():
        if isinstance(value, str):
            _check_text(name, value)
        _check_row_number(name, value)
    for name, value in request.query_params.multi_items():
        _check_text(name, value)
    content_type, _ = request.content_type
    if content_type == RequestEncodingType.URL_ENCODED:
        await _check_form(request)
    elif (content_type == "application/json" or content_type.endswith("+json")) and await request.body():
        await _check_json(request)
