"""Amounts and dates on the pages are written the way each language writes them (Babel)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

from web.i18n import Translator
from web.present import cost_text, date_text, datetime_text, money_text


def test_amounts_in_euro() -> None:
    """A no-break space keeps the euro sign on the line of its amount."""
    assert money_text("nl", Decimal("3.5")) == "€\xa03,50"
    assert money_text("nl", 1250) == "€\xa01.250,00"
    assert money_text("en", "3.50") == "€3.50"
    meal = SimpleNamespace(cost_free=False, cost_amount_eur=Decimal("3.50"), cost_note="per maaltijd")
    assert cost_text(Translator("nl"), meal) == "€\xa03,50 per maaltijd"


def test_dates_in_words_in_amsterdam_time() -> None:
    assert date_text("nl", date(2026, 12, 2)) == "2 december 2026"
    assert date_text("en", "2026-12-02") == "2 December 2026"
    # 23:30 UTC on 2 December is already 3 December in Amsterdam.
    assert date_text("nl", "2026-12-02T23:30:00+00:00") == "3 december 2026"
    assert datetime_text("nl", "2026-07-01T12:05:00+00:00") == "1 juli 2026 14:05"
    assert date_text("nl", None) == "" and date_text("nl", "soon") == "soon"
