"""What every HTML page shares: language, the logged-in user, rendering and redirects."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context
from litestar import Request
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect, Template
from litestar.template.config import TemplateConfig
from markupsafe import escape

from directory.models import EntryKind
from directory.settings import get_settings
from web.accounts.current import CurrentUser, current_user
from web.geocode import pick_value
from web.i18n import DEFAULT_LANGUAGE, LANGUAGE_COOKIE, Translator, choose_language, known, translations
from web.map_assets import static_url
from web.present import date_text, datetime_text

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

#: Entry kinds as they appear in page URLs.
KINDS = (EntryKind.LOCATION, EntryKind.SERVICE, EntryKind.ORGANIZATION)


@pass_context
def _date(context: Context, value: Any) -> str:
    """A date in the page's language ('2 december 2026'), from a date, a datetime or an ISO string."""
    return date_text(str(context.get("lang") or DEFAULT_LANGUAGE), value)


@pass_context
def _datetime(context: Context, value: Any) -> str:
    """A moment in the page's language, Amsterdam time ('2 december 2026 14:05')."""
    return datetime_text(str(context.get("lang") or DEFAULT_LANGUAGE), value)


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    """Jinja templates from web/templates with HTML escaping always on."""
    environment = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    # Newstyle: `_("key", name=...)` fills `%(name)s` and escapes the values. The real
    # gettext comes per page in the render context (see `page_gettext`), as the language
    # is per request; these null callables only make the extension parse newstyle.
    environment.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    environment.filters["nldate"] = _date
    environment.filters["nldatetime"] = _datetime
    environment.filters["pick_value"] = pick_value
    # Styles and scripts under versioned URLs, kept a year by the browser (web/map_assets.py).
    environment.globals["static_url"] = static_url
    return TemplateConfig(engine=JinjaTemplateEngine.from_environment(environment))


def page_gettext(lang: str) -> Callable[..., str]:
    """`gettext` for templates in `lang`: the message escaped like any text, its values escaped too."""

    @pass_context
    def gettext(context: Context, key: str, **values: Any) -> str:
        text = str(translations(lang).gettext(key))
        if context.eval_ctx.autoescape:
            return escape(text) % values
        return text % values

    return gettext


def language(request: Request[Any, Any, Any]) -> str:
    """This request's page language."""
    return choose_language(request.query_params.get("lang"), request.cookies.get(LANGUAGE_COOKIE))


def translator(request: Request[Any, Any, Any]) -> Translator:
    """Message lookup in this request's language."""
    return Translator(language(request))


def local_path(path: str) -> str:
    """The request path as a link on this site: `//evil.example/x` (or `/\\evil...`) would leave it."""
    return "/" + path.lstrip("/\\")


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
            "gettext": page_gettext(lang),
            "lang": lang,
            "other_lang": "en" if lang == "nl" else "nl",
            "user": user,
            "path": local_path(request.url.path),
            "notice": notice if notice and known(notice) else None,
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
