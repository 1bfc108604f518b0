"""Import suggestions: values a source offered for fields a broker owns; accept or dismiss them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Template
from pydantic import ValidationError

from directory.errors import ConflictError, InvalidInputError, NotFoundError
from directory.models import SourceSuggestion
from directory.services.entries import EntryService
from directory.services.suggestions import (
    accept_suggestion,
    all_open_suggestions,
    dismiss_suggestion,
    open_suggestions,
)
from directory.services.taxonomy import vocabulary_labels
from web.accounts.current import requires_broker
from web.field_words import FieldWords
from web.i18n import Translator, field_label
from web.pages.common import redirect, render, translator

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
LIST_PATH = "/beheer/suggesties"


@dataclass
class SuggestionRow:
    """One open suggestion with what the entry holds now (which may differ from when it was made)."""

    id: int
    kind: str
    entity_id: str
    entry_name: str
    version: int
    field: str
    label: str
    current: str
    suggested: str
    source: str


def suggestion_rows(entries: EntryService, lang: str, rows: Any) -> list[SuggestionRow]:
    """Suggestions ready for a template, values in words of the page language; deleted entries left out."""
    t = Translator(lang)
    words = FieldWords(t, vocabulary_labels(entries.session, lang), entries.names)
    result: list[SuggestionRow] = []
    for row in rows:
        assert isinstance(row, SourceSuggestion)
        try:
            entry: Any = entries.get(row.entity_type, row.entity_id)
        except NotFoundError:
            continue
        current = entries.to_dict(entry).get(row.field)
        result.append(
            SuggestionRow(
                row.id,
                row.entity_type,
                str(row.entity_id),
                entry.name,
                entry.version,
                row.field,
                field_label(lang, row.field),
                words.value(row.field, current),
                words.value(row.field, row.value),
                row.source.removeprefix("table:"),
            )
        )
    return result


def entry_suggestions(entries: EntryService, lang: str, kind: str, entity_id: Any) -> list[SuggestionRow]:
    """The open suggestions of one entry (shown on its edit page)."""
    return suggestion_rows(entries, lang, open_suggestions(entries.session, kind, entity_id))


@get(LIST_PATH, guards=[requires_broker], include_in_schema=False, sync_to_thread=True)
def suggestions_page(request: Request[Any, Any, Any], entries: NamedDependency[EntryService]) -> Template:
    """Every open suggestion, with accept and dismiss."""
    t = translator(request)
    rows = suggestion_rows(entries, t.lang, all_open_suggestions(entries.session))
    return render(request, "suggestions.html", suggestions=rows, back=LIST_PATH)


def _back(data: dict[str, str]) -> str:
    back = data.get("back") or LIST_PATH
    return back if back.startswith("/") and not back.startswith("//") else LIST_PATH


@post(
    LIST_PATH + "/{suggestion_id:int}/overnemen",
    guards=[requires_broker],
    include_in_schema=False,
    sync_to_thread=True,
)
def accept(
    entries: NamedDependency[EntryService],
    suggestion_id: FromPath[int],
    data: Form,
) -> Response[Any]:
    """Take the source's value as the broker's own edit, through the version check."""
    try:
        version = int(data.get("version", ""))
    except ValueError:
        return redirect(_back(data), "suggest.changed")
    try:
        accept_suggestion(entries, suggestion_id, expected_version=version)
    except NotFoundError:
        entries.session.rollback()
        return redirect(_back(data), "suggest.gone")
    except ConflictError:
        # The entry changed after the page was shown: let the broker look at it again.
        entries.session.rollback()
        return redirect(_back(data), "suggest.changed")
    except (InvalidInputError, ValidationError):
        entries.session.rollback()
        return redirect(_back(data), "suggest.invalid")
    return redirect(_back(data), "suggest.accepted")


@post(
    LIST_PATH + "/{suggestion_id:int}/negeren",
    guards=[requires_broker],
    include_in_schema=False,
    sync_to_thread=True,
)
def dismiss(
    entries: NamedDependency[EntryService],
    suggestion_id: FromPath[int],
    data: Form,
) -> Response[Any]:
    """Close the suggestion; the entry stays as it is."""
    try:
        dismiss_suggestion(entries, suggestion_id)
    except NotFoundError:
        return redirect(_back(data), "suggest.gone")
    return redirect(_back(data), "suggest.dismissed")


SUGGESTION_HANDLERS = [suggestions_page, accept, dismiss]
