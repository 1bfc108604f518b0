"""The gettext catalogues hold every message the pages use, in Dutch and in English."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from web.i18n import EXTRACT_KEYWORDS, LANGUAGES, LOCALE_DIR, Translator

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _catalogue(lang: str) -> Catalog:
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh, locale=lang)


def _used_msgids() -> set[str]:
    """What Babel's extractors find in the code and the templates, with the settings of babel.cfg."""
    method_map = [("web/templates/**.html", "jinja2"), ("web/**.py", "python")]
    options = {"web/templates/**.html": {"extensions": "jinja2.ext.i18n", "trim_blocks": "true"}}
    found = extract_from_dir(str(ROOT), method_map, options, keywords=EXTRACT_KEYWORDS)
    return {msg if isinstance(msg, str) else msg[0] for _file, _line, msg, _comments, _context in found}


def test_babel_cfg_names_what_the_test_extracts() -> None:
    """The documented extraction (babel.cfg) covers the same files as this test."""
    text = (ROOT / "babel.cfg").read_text()
    assert "[python: web/**.py]" in text and "[jinja2: web/templates/**.html]" in text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_a_page_uses_is_in_the_catalogue(lang: str) -> None:
    used = _used_msgids()
    assert len(used) > 300  # the extractor really read the templates and the code
    translated = {m.id for m in _catalogue(lang) if m.id and m.string}
    assert sorted(used - translated) == [], f"missing from web/locale/{lang}: add them (docs/web.md)"


def test_both_catalogues_hold_the_same_keys_with_the_same_placeholders() -> None:
    nl, en = ({m.id: m.string for m in _catalogue(lang) if m.id} for lang in ("nl", "en"))
    assert sorted(set(nl) ^ set(en)) == []
    for key, dutch in nl.items():
        english = en[key]
        assert isinstance(dutch, str) and isinstance(english, str)
        assert set(PLACEHOLDER.findall(dutch)) == set(PLACEHOLDER.findall(english)), key
        # A message is filled with `%`, so a lone percent sign would break it at run time.
        assert "%" not in PLACEHOLDER.sub("", dutch).replace("%%", ""), key


def test_translator_reads_the_catalogues_and_falls_back_to_the_key() -> None:
    assert Translator("nl")("map.free", max=5) == "Gratis of goedkoop (tot € 5)"
    assert Translator("en")("map.free", max=5) == "Free or low cost (up to € 5)"
    assert Translator("en")("no.such.key") == "no.such.key"


def test_a_clone_without_compiled_catalogues_reads_the_po_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No .mo (a fresh clone before setup, or a .po newer than its .mo): the .po is compiled in memory."""
    import shutil

    import web.i18n

    for lang in LANGUAGES:
        folder = tmp_path / lang / "LC_MESSAGES"
        folder.mkdir(parents=True)
        shutil.copy(LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po", folder / "messages.po")
    monkeypatch.setattr(web.i18n, "LOCALE_DIR", tmp_path)
    assert not list(tmp_path.rglob("*.mo"))
    assert web.i18n._catalogue("nl").gettext("nav.map") == "Kaart"
    assert web.i18n._catalogue("en").gettext("nav.map") == "Map"


def test_templates_use_gettext_not_the_old_lookup() -> None:
    """`t(...)` is gone from the templates (it was the dictionary's lookup); a template calls `_()`."""
    old_style = re.compile(r"(?<![\w.])t\(")
    templates = (ROOT / "web" / "templates").rglob("*.html")
    offenders = [path.name for path in templates if old_style.search(path.read_text())]
    assert offenders == [], 'write _("key", name=...) instead of t(...) (docs/web.md)'
