"""The start page."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.response import Template

from web.pages.common import render


@get("/", include_in_schema=False, sync_to_thread=False)
def home(request: Request[Any, Any, Any]) -> Template:
    """Links to the map and the support search."""
    return render(request, "home.html")
