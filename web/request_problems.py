"""A request Litestar refused (`ValidationException`) as `Problem`s: a field, a code and parameters.

Litestar hands on only English sentences (`extra` holds `{"key", "message"}`), so
nothing here reads them. A JSON body that fails its pydantic model is still
attached as the exception's cause, and keeps pydantic's `type`, `ctx` and `loc`
(and our own `RuleError` codes). A query, path, header or cookie parameter is
checked once more with a pydantic `TypeAdapter` built from the handler's own
declaration (its type and its `ge`, `le`, `max_length`, ... constraints), so its
problem carries pydantic's code too. A required parameter that is absent is
found by comparing the declaration with the request.
"""

from __future__ import annotations

import types
from typing import Annotated, Any, Union, get_args, get_origin

from litestar import Request
from litestar.constants import RESERVED_KWARGS
from litestar.exceptions import ValidationException
from litestar.params import ParameterKwarg
from litestar.typing import FieldDefinition
from pydantic import Field, TypeAdapter, ValidationError

from directory.errors import Problem
from directory.schemas.problems import problems

#: Litestar's parameter constraints that pydantic's `Field` takes under its own name.
_CONSTRAINTS = {
    "gt": "gt",
    "ge": "ge",
    "lt": "lt",
    "le": "le",
    "multiple_of": "multiple_of",
    "min_length": "min_length",
    "max_length": "max_length",
    "min_items": "min_length",
    "max_items": "max_length",
    "pattern": "pattern",
}


def request_problems(request: Request[Any, Any, Any], exc: ValidationException) -> list[Problem]:
    """What is wrong with the request, one `Problem` per field (never empty)."""
    cause = _pydantic_cause(exc)
    if cause is not None:
        return problems(cause, full_path=True) or [_whole(exc)]
    items = [item for item in exc.extra if isinstance(item, dict)] if isinstance(exc.extra, list) else []
    found = [_parameter_problem(request, item) for item in items]
    return found or _missing(request) or [_whole(exc)]


def _pydantic_cause(exc: BaseException) -> ValidationError | None:
    """The pydantic error behind a refused body (Litestar raises from it, through msgspec)."""
    seen: BaseException | None = exc.__cause__
    while seen is not None:
        if isinstance(seen, ValidationError):
            return seen
        seen = seen.__cause__
    return None


def _whole(exc: ValidationException) -> Problem:
    return Problem("invalid", str(exc.detail), {}, "body")


def _parameters(request: Request[Any, Any, Any]) -> dict[str, FieldDefinition]:
    handler = request.scope.get("route_handler")
    signature = getattr(handler, "parsed_fn_signature", None)
    return dict(signature.parameters) if signature is not None else {}


def _sent(request: Request[Any, Any, Any], field: FieldDefinition) -> tuple[str, Any] | None:
    """The parameter's name in the request and the raw value sent for it, or None when absent."""
    kwarg = field.kwarg_definition if isinstance(field.kwarg_definition, ParameterKwarg) else None
    if kwarg is not None and kwarg.header:
        value = request.headers.get(kwarg.header)
        return (kwarg.header, value) if value is not None else None
    if kwarg is not None and kwarg.cookie:
        value = request.cookies.get(kwarg.cookie)
        return (kwarg.cookie, value) if value is not None else None
    name = (kwarg.query if kwarg is not None else None) or field.name
    if name in request.path_params:
        return name, request.path_params[name]
    values = request.query_params.getall(name, [])
    if not values:
        return None
    return name, values if field.is_non_string_sequence else values[-1]


def _declared_type(field: FieldDefinition) -> Any:
    """The parameter's type with its constraints, as pydantic reads them (None left out: a value came)."""
    annotation = field.annotation
    if get_origin(annotation) in (Union, types.UnionType):
        kept = [arg for arg in get_args(annotation) if arg is not type(None)]
        annotation = kept[0] if len(kept) == 1 else Union[tuple(kept)]  # noqa: UP007
    kwarg = field.kwarg_definition
    limits = {
        ours: getattr(kwarg, theirs)
        for theirs, ours in _CONSTRAINTS.items()
        if kwarg is not None and getattr(kwarg, theirs, None) is not None
    }
    return Annotated[annotation, Field(**limits)] if limits else annotation


def _parameter_problem(request: Request[Any, Any, Any], item: dict[str, Any]) -> Problem:
    key = str(item.get("key") or "")
    message = str(item.get("message") or "")
    field = _parameters(request).get(key)
    sent = _sent(request, field) if field is not None else None
    if field is None or sent is None:
        return Problem("invalid", message, {}, key or "body")
    name, raw = sent
    try:
        TypeAdapter(_declared_type(field)).validate_python(raw)
    except ValidationError as exc:
        first = problems(exc)[0]
        return Problem(first.code, first.message, first.params, name)
    except TypeError:  # a type pydantic cannot build an adapter for (PydanticUserError)
        return Problem("invalid", message, {}, name)
    # msgspec and pydantic disagree on this value: the code says only that it is not valid.
    return Problem("invalid", message, {}, name)


def _alias(field: FieldDefinition) -> str:
    kwarg = field.kwarg_definition if isinstance(field.kwarg_definition, ParameterKwarg) else None
    if kwarg is None:
        return field.name
    return kwarg.header or kwarg.cookie or kwarg.query or field.name


def _missing(request: Request[Any, Any, Any]) -> list[Problem]:
    """Required parameters the request did not send ("Missing required query parameter")."""
    handler = request.scope.get("route_handler")
    dependencies = handler.resolve_dependencies() if handler is not None else {}
    found = []
    for field in _parameters(request).values():
        if field.name in RESERVED_KWARGS or field.name in dependencies or not field.is_required:
            continue
        if field.kwarg_definition is not None and not isinstance(field.kwarg_definition, ParameterKwarg):
            continue  # a body or a dependency, not a parameter
        if _sent(request, field) is None:
            found.append(Problem("missing", "Field required", {}, _alias(field)))
    return found
