"""The OpenAPI document says what a refused request really gets: a 422 problem with codes.

Litestar documents every operation that reads parameters or a body with its own
generic answer (400, `{"status_code", "detail", "extra"}`); wijkgram answers such
a request with a 422 problem (web/errors.py). This replaces the one with the other,
so clients generated from the document read the `errors` they will get.
"""

from __future__ import annotations

from litestar.openapi.spec import (
    Components,
    OpenAPI,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Reference,
    Schema,
)

#: The description Litestar gives its generic validation answer's schema.
LITESTAR_VALIDATION = "Validation Exception"
PROBLEM_MEDIA_TYPE = "application/problem+json"

_FIELD_PROBLEM = Schema(
    type=OpenAPIType.OBJECT,
    required=["field", "code", "params", "message"],
    properties={
        "field": Schema(
            type=OpenAPIType.STRING,
            description="the parameter or body field, dotted when nested ('meetings.0.rrule'); 'body': all",
        ),
        "code": Schema(
            type=OpenAPIType.STRING,
            description="what is wrong: pydantic's error type ('greater_than_equal') or wijkgram's own "
            "('postcode', 'outside_netherlands', 'one_of', 'range', ...)",
        ),
        "params": Schema(
            type=OpenAPIType.OBJECT,
            additional_properties=Schema(),
            description="the values the code's text names, e.g. {'ge': 1} or {'choices': 'walk, wheelchair'}",
        ),
        "message": Schema(type=OpenAPIType.STRING, description="the problem in English"),
    },
)

PROBLEM = Schema(
    type=OpenAPIType.OBJECT,
    required=["status", "title", "detail"],
    properties={
        "status": Schema(type=OpenAPIType.INTEGER),
        "title": Schema(type=OpenAPIType.STRING),
        "detail": Schema(type=OpenAPIType.STRING),
        "errors": Schema(type=OpenAPIType.ARRAY, items=_FIELD_PROBLEM),
    },
    description="RFC 9457 problem details; a 422 lists each field's problem in `errors`.",
    examples=[
        {
            "status": 422,
            "title": "Invalid input",
            "detail": "page: Input should be greater than or equal to 1",
            "errors": [
                {
                    "field": "page",
                    "code": "greater_than_equal",
                    "params": {"ge": 1},
                    "message": "Input should be greater than or equal to 1",
                }
            ],
        }
    ],
)

INVALID_INPUT = OpenAPIResponse(
    description="Invalid input: each entry of `errors` names a field, a code and its parameters",
    content={PROBLEM_MEDIA_TYPE: OpenAPIMediaType(schema=Reference(ref="#/components/schemas/Problem"))},
)


def _operations(openapi: OpenAPI) -> list[Operation]:
    found: list[Operation] = []
    for item in (openapi.paths or {}).values():
        for name in ("get", "put", "post", "delete", "patch"):
            operation = getattr(item, name, None)
            if isinstance(operation, Operation):
                found.append(operation)
    return found


def _is_litestar_validation(response: OpenAPIResponse | Reference) -> bool:
    if not isinstance(response, OpenAPIResponse):
        return False
    for media in (response.content or {}).values():
        schema = media.schema
        if isinstance(schema, Schema) and schema.description == LITESTAR_VALIDATION:
            return True
    return False


def document_problems(openapi: OpenAPI) -> None:
    """Put the 422 problem in place of Litestar's generic 400 validation answer, everywhere."""
    openapi.components = openapi.components or Components()
    openapi.components.schemas["Problem"] = PROBLEM
    for operation in _operations(openapi):
        responses = operation.responses or {}
        generic = responses.get("400")
        if generic is not None and _is_litestar_validation(generic):
            del responses["400"]
            responses["422"] = INVALID_INPUT
