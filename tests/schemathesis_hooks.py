"""Our own schemathesis check, loaded through SCHEMATHESIS_HOOKS by test_schemathesis."""

from __future__ import annotations

from typing import Any

import schemathesis


@schemathesis.check
def problem_details_on_4xx(ctx: Any, response: Any, case: Any) -> None:
    """Every 4xx answer explains itself in a problem-details `detail`."""
    if 400 <= response.status_code < 500:
        body = response.json()
        if not isinstance(body, dict) or not body.get("detail"):
            raise AssertionError(f"{response.status_code} without a message: {response.text[:200]}")
