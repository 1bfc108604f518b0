"""Page texts from the gettext catalogues in web/locale: Dutch first (B1), English second.

Every text a page shows is a message in `web/locale/{nl,en}/LC_MESSAGES/messages.po`.
The msgids are stable keys ("map.title"), so both catalogues hold every message and
a missing one fails a test rather than showing a key. Placeholders are `%(name)s`
(what Jinja's newstyle gettext fills in). Templates call `_("key", name=...)`;
Python code calls a `Translator` as `t("key", name=...)`. See docs/web.md.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"
LANGUAGE_COOKIE = "wg_lang"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "messages"

#: The keywords that mark a message in Python code, for Babel's extractor (`pybabel extract -k ...`).
EXTRACT_KEYWORDS = {"_": None, "N_": None, "t": None, "redirect": (2,)}


def N_(key: str) -> str:
    """Marks a key that is looked up later (a notice, a key built from a code), so extraction sees it."""
    return key


def _catalogue(lang: str) -> Translations:
    """The compiled catalogue of one language; compiled in memory when the .mo is missing or older."""
    po = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    mo = po.with_suffix(".mo")
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        with mo.open("rb") as fh:
            return Translations(fh, domain=DOMAIN)
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


@cache
def translations(lang: str) -> Translations:
    """The catalogue of `lang`, falling back to Dutch for a message it lacks (then to the key)."""
    found = _catalogue(lang if lang in LANGUAGES else DEFAULT_LANGUAGE)
    if lang != DEFAULT_LANGUAGE:
        found.add_fallback(_catalogue(DEFAULT_LANGUAGE))
    return found


def known(key: str) -> bool:
    """Whether the Dutch catalogue holds `key` (a notice passed in a URL must be one)."""
    return key in translations(DEFAULT_LANGUAGE)._catalog


@dataclass(frozen=True)
class Translator:
    """Looks messages up in one language, falling back to Dutch, then to the key."""

    lang: str

    def __call__(self, key: str, **values: Any) -> str:
        """The message for `key` with `%(placeholders)s` filled in."""
        return str(translations(self.lang).gettext(key)) % values


def choose_language(query_lang: str | None, cookie_lang: str | None) -> str:
    """The page language: an explicit ?lang= first, then the cookie, then Dutch."""
    for candidate in (query_lang, cookie_lang):
        if candidate in LANGUAGES:
            return candidate
    return DEFAULT_LANGUAGE


def field_label(lang: str, name: str) -> str:
    """The label of an entry field in the page language (the field name when it has none)."""
    key = f"field.{name}"
    text = Translator(lang)(key)
    return name if text == key else text


#: Keys looked up at run time (built from a code, passed as a notice or an error, or chosen by
#: a condition in a template), listed so Babel's extractor and `pybabel update` keep them.
# fmt: off
RUNTIME_KEYS = (
    N_("nav.home"),
    N_("map.more"), N_("map.layer_stadsdeel"), N_("map.layer_wijk"), N_("map.layer_buurt"),
    N_("fact.response"), N_("fact.status"), N_("fact.for_whom"), N_("fact.support"),
    N_("fact.communities"), N_("fact.description"), N_("fact.where"), N_("fact.opening_hours"),
    N_("status.active"), N_("status.closed"), N_("status.needs_review"),
    N_("day.MO"), N_("day.TU"), N_("day.WE"), N_("day.TH"), N_("day.FR"), N_("day.SA"), N_("day.SU"),
    N_("nth.1"), N_("nth.2"), N_("nth.3"), N_("nth.4"), N_("nth.-1"),
    N_("support.within"), N_("support.within_crow_fly"),
    N_("geocode.choose"), N_("geocode.outside_area"), N_("geocode.unreadable"), N_("geocode.not_found"),
    N_("geocode.source_pdok"), N_("geocode.source_offline"), N_("geocode.source_offline_fallback"),
    N_("geocode.source_other"), N_("geocode.match_house_number_nearest"), N_("geocode.match_postcode"),
    N_("geocode.match_street"), N_("geocode.match_town"),
    N_("mode.walk"), N_("mode.slow_walk"), N_("mode.wheelchair"), N_("mode.scootmobiel"),
    N_("travel.minutes"), N_("travel.minutes_one"),
    N_("handout.phone"),
    N_("report.closed"), N_("report.moved"), N_("report.wrong_phone"), N_("report.other"),
    N_("broker.conflict_intro"), N_("broker.keep_mine"),
    N_("kind.location"), N_("kind.service"), N_("kind.organization"),
    N_("login.failed"), N_("login.too_many"), N_("login.forbidden"),
    N_("users.created"),
    N_("role.viewer"), N_("role.broker"), N_("role.admin"),
    N_("error.csrf"),
    N_("meeting.weekly"), N_("meeting.biweekly"), N_("meeting.monthly"),
    N_("error.meeting_choice"), N_("error.time_parsing"),
    N_("error.no_address"), N_("error.address_not_found"), N_("error.schedule_kept"),
    N_("error.text_kept"), N_("error.category_other"), N_("error.postal_address"),
    N_("error.postcode_set_aside"), N_("error.point_set_aside"), N_("error.area_kept"),
    N_("error.needs_location"), N_("error.nothing_to_act_on"), N_("upload.merged_offer"),
    N_("error.address_candidates"),
    N_("error.target_group_kept"), N_("error.opening_hours_set_aside"),
    N_("error.not_for_publication"), N_("error.repeated_row"), N_("error.heading_row"),
    N_("error.hidden_row"),
    # web/problem_text.py: a Problem's code
    N_("error.bool_parsing"), N_("error.date_parsing"), N_("error.decimal_max_digits"),
    N_("error.decimal_max_places"), N_("error.decimal_parsing"), N_("error.decimal_type"),
    N_("error.email"), N_("error.email_hidden_at"), N_("error.empty"), N_("error.extra_forbidden"),
    N_("error.float_parsing"), N_("error.float_type"), N_("error.geometry"), N_("error.greater_than"),
    N_("error.greater_than_equal"), N_("error.int_from_float"), N_("error.int_parsing"),
    N_("error.int_type"), N_("error.invalid"), N_("error.language"), N_("error.lat_lon_required"),
    N_("error.lat_lon_together"), N_("error.less_than"), N_("error.less_than_equal"),
    N_("error.locations_missing"), N_("error.missing"), N_("error.name_required"), N_("error.not_found"),
    N_("error.not_polygon"), N_("error.opening_hours"), N_("error.organization_missing"),
    N_("error.outside_netherlands"), N_("error.phone"), N_("error.polygon"), N_("error.postcode"),
    N_("error.postcode_unused"), N_("error.rrule"), N_("error.string_pattern_mismatch"),
    N_("error.string_too_long"), N_("error.string_too_short"), N_("error.title"), N_("error.too_long"),
    N_("error.unknown_code"), N_("error.url_parsing"), N_("error.uuid_parsing"), N_("error.website"),
    # codes of InvalidInputError and RuleError (tests/web/test_error_codes.py)
    N_("error.nul_character"), N_("error.row_number"), N_("error.too_deep"), N_("error.too_many_positions"),
    N_("error.version"), N_("error.year_range"),
    N_("error.address_unreadable"), N_("error.bbox_format"), N_("error.bbox_order"),
    N_("error.map_bbox_format"), N_("error.choose_one"),
    N_("error.closed_range_date"), N_("error.closed_range_mixed"), N_("error.closed_range_order"),
    N_("error.closed_range_part"), N_("error.datetime_format"), N_("error.distance_needs_point"),
    N_("error.file_ambiguous"), N_("error.file_empty"), N_("error.file_missing"), N_("error.file_type"),
    N_("error.file_unreadable"), N_("error.group_size"), N_("error.lat_lon_format"),
    N_("error.lat_lon_range"), N_("error.one_area"), N_("error.one_of"), N_("error.password_common"),
    N_("error.password_short"), N_("error.point_needs_radius"), N_("error.polygon_holes"),
    N_("error.polygon_type"), N_("error.radius_needs_point"), N_("error.radius_range"), N_("error.range"),
    N_("error.unknown_choice"), N_("error.unknown_filter"), N_("error.username_format"),
    N_("error.username_taken"),
    N_("upload.preview_title"), N_("upload.applied_title"), N_("upload.no_file"), N_("upload.wrong_type"),
    N_("upload.empty"), N_("upload.too_large"), N_("upload.unreadable"), N_("upload.tampered"),
    N_("upload.expired"), N_("upload.changed"),
    N_("field.name"), N_("field.alternate_name"), N_("field.description"), N_("field.category"),
    N_("field.status"), N_("field.email"), N_("field.website"), N_("field.phone"), N_("field.languages"),
    N_("field.last_verified_at"), N_("field.verified_by"), N_("field.verification_method"),
    N_("field.source"), N_("field.source_id"), N_("field.fetched_at"), N_("field.cost_free"),
    N_("field.cost_amount_eur"), N_("field.cost_note"), N_("field.organization_id"), N_("field.lat"),
    N_("field.lon"), N_("field.street"), N_("field.house_number"), N_("field.postcode"), N_("field.city"),
    N_("field.stadsdeel_code"), N_("field.wijk_code"), N_("field.buurt_code"), N_("field.opening_hours"),
    N_("field.step_free"), N_("field.accessible_toilet"), N_("field.scootmobiel_parking"),
    N_("field.accessibility_note"), N_("field.kitchen_available"), N_("field.room_available"),
    N_("field.capacity"), N_("field.support_functions"), N_("field.target_groups"),
    N_("field.communities"), N_("field.meetings"), N_("field.walk_in"), N_("field.referral_required"),
    N_("field.waiting_time_days"), N_("field.response_time_days"), N_("field.how_to_join"),
    N_("field.contact_role"), N_("field.contact_name"), N_("field.service_area"), N_("field.location_ids"),
    N_("field.address"), N_("field.date"), N_("field.target_group"),
    N_("field.service_area_name"), N_("field.delivery_modes"), N_("status.draft"),
    N_("upload.outcome_created"), N_("upload.outcome_updated"), N_("upload.outcome_unchanged"),
    N_("upload.outcome_draft"), N_("upload.outcome_rejected"), N_("upload.outcome_skipped"),
    N_("upload.outcome_missing"),
    N_("fact.at_home"), N_("fact.phone"), N_("fact.online"), N_("fact.citywide"), N_("fact.in_area"),
    N_("history.kind_create"), N_("history.kind_update"), N_("history.kind_restore"),
    N_("history.kind_delete"),
    N_("history.note_verified"), N_("history.note_restored"), N_("history.note_import"),
    N_("history.note_accepted"), N_("history.note_missing"), N_("history.note_report"),
    N_("upload.allowed_category"), N_("upload.allowed_target_group"),
)
# fmt: on
