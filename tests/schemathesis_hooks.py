"""Our own schemathesis check, loaded through SCHEMATHESIS_HOOKS by test_schemathesis."""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import strategies as st


@schemathesis.check
def problem_details_on_4xx(ctx: Any, response: Any, case: Any) -> None:
    """Every 4xx answer explains itself in a problem-details `detail`."""
    if 400 <= response.status_code < 500:
        body = response.json()
        if not isinstance(body, dict) or not body.get("detail"):
            raise AssertionError(f"{response.status_code} without a message: {response.text[:200]}")


# -- odd values no schema describes: each once answered 500 (docs/reliability.md, "Odd input") --

ODD_TEXT = ("a\x00b", "\x00")
ODD_NUMBERS = ("9223372036854775807", "-9223372036854775809", "99999999999")
ODD_DATES = ("9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00")
DEEP = "[" * 5000 + "]" * 5000
ODD_GEOMETRY = (DEEP, '{"type": "Polygon", "coordinates": ' + DEEP + "}")
ODD_QUERY_VALUES = ODD_TEXT + ODD_NUMBERS + ODD_DATES + ODD_GEOMETRY
#: Inside a JSON body: deeper than the server accepts, shallow enough for the client to encode.
DEEP_JSON: Any = []
for _ in range(200):
    DEEP_JSON = [DEEP_JSON]
ODD_BODY_VALUES = (*ODD_TEXT, 9223372036854775807, "9999-12-31T23:59:59-14:00", DEEP_JSON)


def _with_one_odd(container: dict[str, Any], values: tuple[Any, ...]) -> st.SearchStrategy[dict[str, Any]]:
    """Mostly (3 in 4) the generated parameters with one replaced by an odd value; else as they are.

    A list value (a repeated parameter) gets the odd value as one of its items.
    """
    if not container:
        return st.just(container)

    def replace(choice: tuple[int, str, Any]) -> dict[str, Any]:
        keep, name, value = choice
        if keep == 0:
            return container
        old = container[name]
        return {**container, name: [*old[:-1], value] if isinstance(old, list) and old else value}

    names = st.sampled_from(sorted(container))
    return st.tuples(st.integers(0, 3), names, st.sampled_from(values)).map(replace)


@schemathesis.hook
def flatmap_query(ctx: Any, query: Any) -> st.SearchStrategy[Any]:
    """Some generated queries carry a NUL, a 64-bit number, a date at the calendar's end or deep JSON."""
    return _with_one_odd(query, ODD_QUERY_VALUES) if isinstance(query, dict) else st.just(query)


@schemathesis.hook
def flatmap_body(ctx: Any, body: Any) -> st.SearchStrategy[Any]:
    """Likewise for one field of a generated JSON body."""
    return _with_one_odd(body, ODD_BODY_VALUES) if isinstance(body, dict) else st.just(body)
