"""What every HTML page shares: language, the logged-in user, rendering and redirects."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from litestar import Request
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect, Template
from litestar.template.config import TemplateConfig

from directory.settings import get_settings
from web.accounts.current import CurrentUser, current_user
from web.i18n import LANGUAGE_COOKIE, MESSAGES, Translator, choose_language
from web.validation_text import in_language

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

#: Entry kinds as they appear in page URLs.
KINDS = ("location", "service", "organization")


def _date(value: Any) -> str:
    """A date as 23-11-2026 (Dutch order), from a datetime or an ISO string."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return str(value)
    return str(format(value, "%d-%m-%Y"))


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    """Jinja templates from web/templates with HTML escaping always on."""
    environment = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["nldate"] = _date
    environment.filters["in_language"] = in_language
    return TemplateConfig(engine=JinjaTemplateEngine.from_environment(environment))


def language(request: Request[Any, Any, Any]) -> str:
    """This request's page language."""
    return choose_language(request.query_params.get("lang"), request.cookies.get(LANGUAGE_COOKIE))


def translator(request: Request[Any, Any, Any]) -> Translator:
    """Message lookup in this request's language."""
    return Translator(language(request))


def render(
    request: Request[Any, Any, Any], template: str, status_code: int = 200, **context: Any
) -> Template:
    """A page from a template, with the language, user, messages and the notice to show."""
    lang = language(request)
    notice = request.query_params.get("msg")
    user: CurrentUser | None = current_user(request)
    response = Template(
        template_name=template,
        status_code=status_code,
        context={
            "t": Translator(lang),
            "lang": lang,
            "other_lang": "en" if lang == "nl" else "nl",
            "user": user,
            "path": request.url.path,
            "notice": notice if notice in MESSAGES["nl"] else None,
            **context,
        },
    )
    if request.query_params.get("lang") == lang:
        response.set_cookie(
            LANGUAGE_COOKIE,
            lang,
            max_age=365 * 24 * 3600,
            samesite="lax",
            httponly=True,
            secure=get_settings().web.cookie_secure,
        )
    return response


def redirect(path: str, notice: str | None = None) -> Redirect:
    """A 303 redirect after a form post, optionally with a notice key from the catalogue."""
    if notice:
        path += ("&" if "?" in path else "?") + "msg=" + quote(notice)
    return Redirect(path=path, status_code=303)
