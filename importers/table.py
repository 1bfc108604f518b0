"""Partner and broker lists (CSV or XLSX, one row per place, activity or offer) -> records.

Columns are found by their (Dutch or English) header, from a table of synonyms
(`importers/table_headers.py`), or named in a small mapping file (TOML or JSON):

    source = "partner:dock"          # provenance name; default table:<file name>
    [columns]                        # header in the file -> wijkgram field, "extra" or "ignore"
    "Naam activiteit" = "name"
    "Waar" = "address"
    [defaults]                       # values for every row
    city = "Amsterdam"
    category = "community_centre"

Each row becomes one of:

- a `PlaceRecord`: it has coordinates or an address the geocoder places exactly
  (with a service when the row describes an activity or offer);
- an `EntryRecord` for a service known by its area: no placeable address, but a
  service area ("Zuidoost", "Heel Amsterdam", "1090-1099", "aan huis");
- an `EntryRecord` for a draft service (status `draft`, "needs a location"): an
  offer a person could act on, but with neither a placeable address nor an area;
- a `Rejected` with its line number and reason: no name, or nothing to act on.

Values a row holds that no field takes are kept as text in the description or
set aside as a `Problem`, never dropped silently.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from directory.errors import RuleError
from directory.schemas import validators as v
from geo.geocoding.base import GeocodeAnswer, Geocoder, only_near
from geo.geocoding.parse import search_text
from geo.service_areas import AreaIndex, AreaMatch, read_area, shipped_areas
from importers.records import EntryRecord, PlaceRecord, Problem, Rejected
from importers.table_files import ImportLimits, UnreadableFile, read_table_rows
from importers.table_headers import (
    FIELDS,
    HEADERS,
    ColumnPlan,
    Mapping_,
    header_key,
    header_score,
    load_mapping,
    plan_columns,
)
from importers.table_values import (
    CATEGORY_SUPPORT,
    address_parts,
    city_in_address,
    find_postcode,
    first_house_number,
    house_number,
    is_rd,
    looks_like_address,
    opening_hours_from_text,
    parse_cost,
    parse_date,
    parse_emails,
    parse_phones,
    parse_target_groups,
    parse_times,
    parse_website,
    parse_websites,
    parse_when,
    rd_to_wgs84,
    split_address,
    strip_html,
    support_functions_in,
)
from importers.vocabulary import FALLBACK_CATEGORY, Vocabulary

__all__ = [
    "FIELDS",
    "HEADERS",
    "ColumnPlan",
    "Mapping_",
    "RowError",
    "TableReader",
    "header_key",
    "load_mapping",
    "read_table",
    "row_to_record",
    "split_address",
    "table_source",
]

#: Fields that make a row an activity or offer (a service), not only a place.
SERVICE_KEYS = (
    "activity", "when", "time", "date", "cost", "target_group", "contact_name", "how_to_join", "offer",
    "support_functions", "service_area",
)  # fmt: skip
Record = PlaceRecord | EntryRecord | Rejected
#: Answers in a "publish?" column that say the partner does not want the row on the map.
_NO = frozenset({"nee", "no", "n", "niet", "false", "onwaar", "0", "nee, niet publiceren"})
#: "Diverse locaties in Oost", "wisselende plekken door heel Amsterdam": the area is what follows.
_VARIOUS_PLACES = re.compile(
    r"^(?:op\s+)?(?:diverse|verschillende|wisselende|meerdere)\s+(?:locaties|plekken|plaatsen|adressen)"
    r"(?:\s+(?:in|door|rond|binnen))?\s+",
    re.IGNORECASE,
)


class RowError(RuleError):
    """A row that cannot be imported; the message names the column, the problem says it as data."""


@dataclass
class RowContext:
    """What every row of one file is read with."""

    source: str
    geocoder: Geocoder | None = None
    vocabulary: Vocabulary = field(default_factory=Vocabulary)
    areas: AreaIndex | None = None
    #: Geocoder answers by query, so a list naming one address many times asks once.
    cache: dict[str, GeocodeAnswer] = field(default_factory=dict)


@dataclass
class _Row:
    """One row being read: its cleaned cells, what it says in extra columns, and what was set aside."""

    get: dict[str, str]
    line: int
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def aside(
        self, column: str, value: str, reason: str, *, keep: str | None = None, code: str = "text_kept"
    ) -> None:
        """Set a value aside with the reason and its catalogue code; `keep` also keeps it as text."""
        self.problems.append(Problem(column, value, reason, code))
        if keep:
            self.notes.append(f"{keep}: {value}")


#: Cells that say "nothing here": read as empty, not as a value ("Telefoon: n.v.t.", postcode "-").
#: "x" is not one of them (a cross in a yes/no column), nor "nee"/"geen" (they answer a question).
PLACEHOLDERS = frozenset({
    "-", "--", "---", "–", "—", ".", "..", "...", "?", "??", "n.v.t.", "n.v.t", "nvt", "n.b.", "n.b", "nb",
    "onbekend", "unknown", "n/a", "tbd", "volgt", "nog niet bekend", "nader te bepalen", "ntb", "n.t.b.",
})  # fmt: skip


def is_placeholder(text: str) -> bool:
    """True for a cell that only says there is nothing ("n.v.t.", "-", "onbekend")."""
    return " ".join(text.lower().split()) in PLACEHOLDERS


def _clean(values: Mapping[str, str]) -> dict[str, str]:
    cleaned = {k: strip_html(x or "").strip() for k, x in values.items()}
    return {k: x for k, x in cleaned.items() if x and not is_placeholder(x)}


def _slug(text: str) -> str:
    """Text as a stable id part ('Soepcafé Nieuwmarkt' -> 'soepcafe-nieuwmarkt'), as earlier runs made it."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _check_publish(row: _Row) -> None:
    """A row the partner marked as not for publication ("Mag op de kaart? nee") is refused, with why."""
    answer = row.get.get("publish")
    if answer and answer.strip().lower().rstrip(".!") in _NO:
        raise RowError(
            f"publiceren: {answer!r}: the partner does not want this row published; left out",
            code="not_for_publication",
            field="publish",
        )


def _name(row: _Row) -> tuple[str, dict[str, Any] | None]:
    """The row's name, and the organisation behind it when the list names both."""
    get = row.get
    name = get.get("name") or get.get("activity") or get.get("organization")
    if not name:
        raise RowError(
            "naam: missing (every row needs the name of the place, activity or offer)",
            code="name_required",
            field="name",
        )
    name = " ".join(name.split())[:300]
    organization = get.get("organization")
    if organization and organization != name:
        org = " ".join(organization.split())[:300]
        return name, {"source_id": f"org:{_slug(org)}", "name": org}
    return name, None


def _category(row: _Row, context: RowContext) -> str | None:
    """The category the row names, or `other` with a message when the name is unknown."""
    text = row.get.get("category") or ""
    offer = row.get.get("offer") or ""
    code = context.vocabulary.category(text) if text else None
    if code is None and offer:
        code = context.vocabulary.category(offer)
    if code is None and text:
        closest = context.vocabulary.closest(text)
        hint = f"; closest: {', '.join(closest)}" if closest else ""
        row.aside(
            "categorie",
            text,
            f"unknown category, filed under 'other': choose one{hint}",
            code="category_other",
        )
        return FALLBACK_CATEGORY
    return code


def _contact(row: _Row) -> dict[str, Any]:
    """Phone (the first of several), e-mail and website, each as the schema wants it."""
    get = row.get
    out: dict[str, Any] = {}
    if get.get("phone"):
        phones, rest = parse_phones(get["phone"])
        if phones:
            out["phone"] = phones[0]
        if len(phones) > 1:
            row.notes.append("Ook bereikbaar op: " + ", ".join(phones[1:]))
        if rest and phones:
            row.notes.append(f"Telefoon: {get['phone']}")  # "(ma-vr 9-17)" and the like
        elif rest:
            row.aside("telefoon", rest, "not understood as a phone number; kept as text", keep="Telefoon")
    if get.get("email"):
        emails = parse_emails(get["email"])
        if emails:
            out["email"] = emails[0]
            # A second address ("info@...; jan@...") is kept as text, not dropped.
            if len(emails) > 1:
                row.notes.append(f"E-mail: {get['email']}")
        else:
            row.aside("email", get["email"], "no e-mail address found; kept as text", keep="E-mail")
    if get.get("website"):
        website = parse_website(get["website"])
        if website:
            out["website"] = website
            if len(parse_websites(get["website"])) > 1:
                row.notes.append(f"Website: {get['website']}")  # "www.x.nl / facebook.com/x"
        else:
            row.aside("website", get["website"], "no web address found; kept as text", keep="Website")
    return out


def _date_meeting(row: _Row) -> list[dict[str, Any]]:
    """A one-off meeting on the row's 'datum' (with its time when Excel stored one), or none."""
    text = row.get["date"]
    try:
        day = parse_date(text)
    except ValueError as exc:
        row.aside("datum", text, f"{exc}; kept as text", keep="Datum", code="date_parsing")
        return []
    meeting: dict[str, Any] = {
        "rrule": "FREQ=DAILY;COUNT=1",
        "dtstart": day.isoformat(),
        "until": day.isoformat(),
    }
    clock = re.search(r"T(\d{2}:\d{2})", text)  # an Excel date with its time
    if clock and clock.group(1) != "00:00":
        meeting["start_time"] = clock.group(1)
    return [meeting]


def _schedule(row: _Row) -> dict[str, Any]:
    """Meetings and opening hours from 'datum' and 'wanneer'; what does not parse is kept as text."""
    get = row.get
    meetings: list[dict[str, Any]] = []
    out: dict[str, Any] = {}
    if get.get("time"):
        # "Wanneer" and "Tijd" in two columns say one thing: "elke dinsdag" + "14:00-16:00".
        get["when"] = f"{get['when']} {get['time']}" if get.get("when") else get["time"]
    if get.get("date"):
        meetings += _date_meeting(row)
    if get.get("when"):
        meeting = parse_when(get["when"])
        if meeting is None and meetings:
            # A date with only a time ("14-03-2026" and "19:30"): the time is that day's.
            start, end = parse_times(get["when"])
            if start:
                meeting = {"start_time": start, "note": get["when"][:500]}
                if end:
                    meeting["end_time"] = end
        if meeting is not None and meetings:
            meetings[0].update({k: x for k, x in meeting.items() if k in ("start_time", "end_time", "note")})
        elif meeting is not None:
            meetings.append(meeting)
        elif _valid_opening_hours(get["when"]):
            out["opening_hours"] = get["when"]
        else:
            row.aside(
                "wanneer",
                get["when"],
                "not understood as a schedule; kept as text",
                keep="Wanneer",
                code="schedule_kept",
            )
    out["meetings"] = meetings
    return out


def _audience(row: _Row, category: str | None) -> dict[str, Any]:
    """Target groups and support functions from their columns, the offer and the category."""
    get = row.get
    out: dict[str, Any] = {}
    if get.get("target_group"):
        codes, unknown = parse_target_groups(get["target_group"])
        out["target_groups"] = codes
        if unknown:
            row.aside(
                "doelgroep",
                ", ".join(unknown),
                "no matching target group; kept as text",
                code="target_group_kept",
            )
            row.notes.append(f"Voor wie: {get['target_group']}")
    functions = support_functions_in(get.get("support_functions"), get.get("offer"), get.get("category"))
    if not functions:
        functions = list(CATEGORY_SUPPORT.get(category or "", ()))
    if not functions:
        functions = support_functions_in(get.get("description"), get.get("name"), get.get("activity"))
    out["support_functions"] = functions
    return out


def _service(row: _Row, name: str, category: str | None, contact: dict[str, Any]) -> dict[str, Any]:
    """The service fields of a row (an activity or an offer)."""
    get = row.get
    service: dict[str, Any] = {
        "name": get.get("activity") or name,
        "category": category,
        "contact_name": get.get("contact_name") or None,
        "contact_role": get.get("contact_role") or None,
        "how_to_join": get.get("how_to_join") or None,
        **_schedule(row),
        **_audience(row, category),
        **contact,
    }
    if get.get("cost"):
        service.update({k: x for k, x in parse_cost(get["cost"]).items() if x is not None})
    return service


def _languages(row: _Row) -> list[str]:
    codes = [x.strip().lower() for x in re.split(r"[,;/ \n]+", row.get["languages"]) if x.strip()]
    try:
        return v.check_languages(codes)
    except ValueError:
        row.aside(
            "talen", row.get["languages"], "not ISO 639 codes like 'nl, ar'; kept as text", keep="Talen"
        )
        return []


@dataclass
class _Place:
    """Where a row's place is: its point and its address fields."""

    lat: float
    lon: float
    fields: dict[str, Any]


def _address_fields(row: _Row) -> dict[str, Any]:
    """Street, number, postcode and city as written (an address cell is split; the city from the row)."""
    get = row.get
    street, number = get.get("street") or None, get.get("house_number") or None
    number = house_number(number) if number else None
    if get.get("address") and not street:
        venue, street, number = address_parts(get["address"])
        if venue and venue != row.get.get("name"):
            row.notes.append(f"Locatie: {venue}")  # "Buurthuis De Kraaipan, Kraaipan 13 hs"
    if street and street.lower().startswith(("postbus", "antwoordnummer")):
        row.aside(
            "adres",
            f"{street} {number or ''}".strip(),
            "a postal address, not a place to visit",
            code="postal_address",
        )
        street = number = None
    postcode_text = get.get("postcode") or find_postcode(get.get("address") or "")
    fields: dict[str, Any] = {
        "street": street or None,
        "house_number": number,
        # No city column: the town written in the address cell, if any (it must not be lost).
        "city": get.get("city") or (city_in_address(get["address"]) if get.get("address") else None),
    }
    if postcode_text:
        try:
            fields["postcode"] = v.normalise_postcode(postcode_text)
        except ValueError as exc:
            row.aside("postcode", postcode_text, f"{exc}; left out", code="postcode_set_aside")
    return fields


def _point(row: _Row) -> tuple[float, float] | None:
    """The row's own coordinates, when it has usable ones (WGS84, or RD New as municipalities give them)."""
    lat, lon = row.get.get("lat") or row.get.get("rd_y"), row.get.get("lon") or row.get.get("rd_x")
    if not (lat or lon):
        return None
    try:
        flat, flon = float((lat or "").replace(",", ".")), float((lon or "").replace(",", "."))
        if is_rd(flon, flat):
            # Dutch open data and GIS exports use RD New (x 121000, y 487000), also under "lat"/"lon".
            flat, flon = rd_to_wgs84(flon, flat)
        v.check_point(flat, flon)
    except ValueError as exc:
        row.aside(
            "lat/lon",
            f"{lat}, {lon}",
            f"not a point in the Netherlands ({exc}); left out",
            code="point_set_aside",
        )
        return None
    return flat, flon


def _place(row: _Row, context: RowContext) -> tuple[_Place | None, str]:
    """The row's place (coordinates, or an address geocoded exactly), and the address text tried."""
    fields = _address_fields(row)
    street = " ".join(p for p in (fields.get("street"), first_house_number(fields.get("house_number"))) if p)
    tail = " ".join(p for p in (fields.get("postcode"), fields.get("city")) if p)
    query = ", ".join(p for p in (street, tail) if p)
    point = _point(row)
    if point is not None:
        return _Place(point[0], point[1], fields), query
    if not fields.get("street") or context.geocoder is None:
        return None, query
    if query not in context.cache:
        context.cache[query] = context.geocoder.lookup(query)
    answer = context.cache[query]
    if row.get.get("address") and search_text(row.get["address"])[1]:
        # 't/o 14', '14 ong.': near that address, not at it; the broker confirms the point.
        answer = only_near(answer)
    # Only the address itself places an entry: not the street, the postcode, another number or a guess.
    hit = answer.exact
    if hit is None or hit.precision != "address":
        if answer.candidates:
            # The geocoder's "did you mean": it goes with the draft so the broker can choose.
            labels = "; ".join(c.label for c in answer.candidates)
            row.problems.append(
                Problem("adres", labels, f"not placed; did you mean: {labels}?", "address_candidates")
            )
        return None, query
    if not fields.get("postcode") and hit.postcode:
        fields["postcode"] = v.normalise_postcode(hit.postcode)
    if not fields.get("city") and hit.city:
        fields["city"] = hit.city
    return _Place(hit.lat, hit.lon, fields), query


def _sort_where(row: _Row, context: RowContext) -> None:
    """Move a "where" cell to the field it is: an address in an area column, an area in an address column.

    Lists have one "Waar" or "Adres" column for both: "Buurthuis De Kraaipan, Kraaipan 13 hs",
    "Online", "Bij u thuis", "Diverse locaties in Oost". A street and number is an address
    (else "Nieuwmarkt 4, Amsterdam" would read as the whole city); a cell without a number
    that names only areas or ways of working ("telefonisch") is a service area.
    """
    get = row.get
    area, address = get.get("service_area"), get.get("address")
    name = get.get("name")
    if name and get.get("activity") and not (address or area or get.get("street")):
        # A "Locatie" column (read as the place's name) holding "Kraaipan 13 hs" or "Telefonisch":
        # it says where, and the activity names the row.
        if looks_like_address(name):
            get["address"] = address = get.pop("name")
        elif _only_area(name, row, context):
            get["service_area"] = area = get.pop("name")
    if area and not address and not get.get("street") and looks_like_address(area):
        get["address"] = get.pop("service_area")
    elif (
        address
        and not area
        and not get.get("street")
        and not looks_like_address(address)
        and _only_area(address, row, context)
    ):
        get["service_area"] = get.pop("address")


def _only_area(text: str, row: _Row, context: RowContext) -> bool:
    """True when a cell names only areas or ways of working ("Online", "Bij u thuis", "Oost")."""
    match = read_area(_area_text(text), city=row.get.get("city"), index=context.areas or shipped_areas())
    return not match.unknown and (match.geometry is not None or bool(match.modes))


def _area_text(text: str) -> str:
    return _VARIOUS_PLACES.sub("", text.strip())


def _area(row: _Row, context: RowContext) -> AreaMatch | None:
    """The service area the row names, if any; words that name no area are kept as text."""
    text = row.get.get("service_area")
    if not text:
        return None
    if _area_text(text) != text:
        row.notes.append(f"Waar: {text}")
        text = _area_text(text)
    match = read_area(text, city=row.get.get("city"), index=context.areas or shipped_areas())
    if match.unknown:
        row.aside(
            "werkgebied",
            ", ".join(match.unknown),
            "no known area; kept as text",
            keep="Werkgebied",
            code="area_kept",
        )
    return match


def _description(row: _Row, extras: list[str]) -> str | None:
    parts = [row.get.get("description") or "", *row.notes, *extras]
    text = "\n".join(p for p in parts if p).strip()
    return text[:10_000] or None


def _source_id(row: _Row, name: str, where: str) -> str:
    return row.get.get("id") or f"{_slug(name)}|{_slug(where)}"


def _actionable(row: _Row, contact: dict[str, Any], address: str) -> bool:
    """True when a person could do something with the row: call, mail, visit, sign up or read on."""
    return bool(contact or address or row.get.get("contact_name") or row.get.get("how_to_join"))


def row_to_record(
    values: Mapping[str, str],
    *,
    source: str,
    line: int,
    geocoder: Geocoder | None = None,
    categories: set[str] | None = None,
    context: RowContext | None = None,
    extras: list[str] | None = None,
) -> PlaceRecord | EntryRecord:
    """One row (field -> cell text) as a place, an area service or a draft; raises RowError with the reason.

    `extras` are "Header: value" texts of columns no field takes; they end up in the
    description so nothing the partner wrote is lost.
    """
    if context is None:
        context = RowContext(source, geocoder, Vocabulary.from_codes(categories or ()))
    row = _Row(_clean(values), line)
    _check_publish(row)
    _sort_where(row, context)
    name, organization = _name(row)
    category = _category(row, context)
    contact = _contact(row)
    place, address = _place(row, context)
    area = _area(row, context)
    is_service = any(row.get.get(k) for k in SERVICE_KEYS) or place is None
    service = _service(row, name, category, contact) if is_service else None
    if area is not None and service is not None:
        service.update(service_area=area.geometry, service_area_name=area.name, delivery_modes=area.modes)
    raw = {"row": dict(values)}
    if place is not None:
        return _place_record(row, context, name, category, place, service, contact, extras, organization, raw)
    if service is None or not (_actionable(row, contact, address) or (area and area.geometry)):
        raise RowError(
            "contact: nothing a person could act on "
            "(no address, area, phone, e-mail, website or how to sign up)",
            code="nothing_to_act_on",
            field="contact",
        )
    if row.get.get("languages"):
        service["languages"] = _languages(row)
    hours = _opening_hours(row)
    if hours and not service.get("opening_hours"):
        service["opening_hours"] = hours  # a helpline's hours, not dropped for want of a venue
    service["description"] = _description(row, extras or [])
    if area is None or area.geometry is None:
        where = address or "no address"
        service["status"] = "draft"
        row.problems.append(
            Problem(
                "adres",
                address,
                f"needs a location: {where!r} cannot be placed and no area is named",
                "needs_location",
            )
        )
        source_id = _source_id(row, name, address)
    else:
        source_id = _source_id(row, name, area.name or "")
    return EntryRecord(
        kind="service",
        source=context.source,
        source_id=source_id,
        name=name,
        fields=service,
        organization=organization,
        raw=raw,
        line=line,
        problems=row.problems,
    )


def _place_record(
    row: _Row,
    context: RowContext,
    name: str,
    category: str | None,
    place: _Place,
    service: dict[str, Any] | None,
    contact: dict[str, Any],
    extras: list[str] | None,
    organization: dict[str, Any] | None,
    raw: dict[str, Any],
) -> PlaceRecord:
    location = dict(place.fields)
    if row.get.get("languages"):
        location["languages"] = _languages(row)
    hours = _opening_hours(row)
    if hours:
        location["opening_hours"] = hours
    description = _description(row, extras or [])
    if service is not None:
        service["description"] = description
    else:
        location.update(contact, description=description)
    where = location.get("postcode") or row.get.get("address") or ""
    return PlaceRecord(
        source=context.source,
        source_id=_source_id(row, name, where),
        name=name,
        lat=place.lat,
        lon=place.lon,
        category=category,
        location=location,
        service=service,
        raw=raw,
        problems=row.problems,
        line=row.line,
        organization=organization,
    )


def _opening_hours(row: _Row) -> str | None:
    """The 'openingstijden' cell as opening-hours syntax, converted from Dutch if it can be, else text."""
    text = row.get.get("opening_hours")
    if not text:
        return None
    if _valid_opening_hours(text):
        return text
    converted = opening_hours_from_text(text)
    if converted and _valid_opening_hours(converted):
        return converted  # "ma t/m vr 9.00-17.00 uur" -> "Mo-Fr 09:00-17:00"
    # Kept as text on the entry too: "ma-vr 9-17, in de vakanties gesloten" is worth reading.
    row.aside(
        "openingstijden",
        text,
        "not valid opening-hours syntax; kept as text",
        keep="Openingstijden",
        code="opening_hours_set_aside",
    )
    return None


def _valid_opening_hours(text: str) -> bool:
    try:
        v.check_opening_hours(text)
    except ValueError:
        return False
    return True


class TableReader:
    """A partner list opened for reading: its column plan, then its rows as records."""

    def __init__(
        self,
        path: Path,
        *,
        mapping: Mapping_ | None = None,
        geocoder: Geocoder | None = None,
        categories: set[str] | None = None,
        vocabulary: Vocabulary | None = None,
        limits: ImportLimits | None = None,
    ) -> None:
        self.mapping = mapping or Mapping_()
        self.limits = limits or ImportLimits.from_settings()
        self.context = RowContext(
            self.mapping.source or f"table:{path.stem}",
            geocoder,
            vocabulary or Vocabulary.from_codes(categories or ()),
        )
        table = read_table_rows(path, self.limits, score=lambda cells: header_score(cells, self.mapping))
        header, self._rows = table.header, table.rows
        self._hidden_rows = table.hidden_rows
        #: Where the header was found: the lines above it (a title, notes) are not rows.
        self.header_line = table.header_line
        self.plan: ColumnPlan = plan_columns(header, self.mapping, table.hidden)
        if not self.plan.has_name():
            raise UnreadableFile(
                f"{path.name}: no column with the name of the place or offer (a header like 'naam' or "
                f"'naam organisatie'); headers found: {', '.join(h for h in header if h)}. "
                "Map it in a --mapping file."
            )

    def __iter__(self) -> Iterator[Record]:
        """Every row as a record or a rejection; stops with UnreadableFile after too many rejections.

        The whole list is read before the first record is given out (it is at most
        `max_rows` rows), so rows naming the same offer can be joined first.
        """
        yield from join_repeated_rows(list(self._records()))

    def _records(self) -> Iterator[Record]:
        rejected = 0
        section: str | None = None  # the category a heading row above names ("SPORT EN BEWEGEN")
        for line, cells in self._rows:
            if line in self._hidden_rows:
                # A filter hides stopped offers or another district's: not published unseen.
                error = RowError(
                    "verborgen regel: the row is hidden in the sheet (filtered out or hidden); "
                    "left out: show it in the spreadsheet to import it",
                    code="hidden_row",
                    field="regel",
                )
                yield Rejected(f"line {line}", str(error), line, cells[0][:300] or None, error.problem)
                continue
            filled = [c.strip() for c in cells if c.strip()]
            if len(filled) == 1 and len(self.plan.headers) > 2:
                # A heading ("SPORT EN BEWEGEN", "Sport:") gives its category to the rows under it.
                # A lone name in ordinary case may be an offer with nothing else filled in: it is
                # read as a row (and refused with that reason), and ends the heading above it.
                text = filled[0]
                section = self.context.vocabulary.category(text)
                if section and (text.isupper() or text.endswith(":")):
                    yield self._heading_row(line, text, section)
                    continue
                section = None
            values = dict(self.mapping.defaults)
            if section:
                values["category"] = section
            extras: list[str] = []
            for index, cell in enumerate(cells):
                if not cell.strip():
                    continue
                if index in self.plan.fields:
                    values[self.plan.fields[index]] = cell
                elif index in self.plan.extras and not is_placeholder(strip_html(cell).strip()):
                    extras.append(f"{self.plan.extras[index]}: {strip_html(cell).strip()}")
            try:
                yield row_to_record(
                    values, source=self.context.source, line=line, context=self.context, extras=extras
                )
            except RowError as exc:
                rejected += 1
                name = values.get("name") or values.get("activity") or values.get("organization")
                yield Rejected(
                    source_id=f"line {line}", reason=str(exc), line=line, name=name, problem=exc.problem
                )
                if rejected >= self.limits.max_rejected:
                    raise UnreadableFile(
                        f"stopped after {rejected} rejected rows (line {line}): this is probably not a list "
                        "of offers, or its columns need a --mapping file "
                        "(the limit is the setting WIJKGRAM_IMPORT_MAX_REJECTED)"
                    ) from exc

    def _heading_row(self, line: int, text: str, section: str | None) -> Rejected:
        """A row with one cell filled ("SPORT EN BEWEGEN", "Stadsdeel Oost"): a heading, not an offer."""
        then = f"; the rows below it get the category {section!r}" if section else ""
        error = RowError(
            f"kopregel {text[:80]!r}: only one cell is filled, read as a heading, not an offer{then}",
            code="heading_row",
            field="name",
        )
        return Rejected(
            source_id=f"line {line}", reason=str(error), line=line, name=text[:300], problem=error.problem
        )


def _service_fields(record: PlaceRecord | EntryRecord) -> dict[str, Any] | None:
    return record.service if isinstance(record, PlaceRecord) else record.fields


def join_repeated_rows(records: list[Record]) -> list[Record]:
    """Rows naming the same offer at the same place (one row per session) share their meetings.

    "Taalcafé, Kraaipan 13, maandag 10-12" and "Taalcafé, Kraaipan 13, donderdag 19-21"
    have one source id: imported as they are, the second row overwrote the first and
    Monday was lost without a word. Every such row now carries all the group's meetings,
    and the later rows say which line they repeat; other values that differ are named
    (the last row's value is the one that stays).
    """
    groups: dict[tuple[str, str], list[PlaceRecord | EntryRecord]] = {}
    for record in records:
        if isinstance(record, PlaceRecord | EntryRecord):
            groups.setdefault((type(record).__name__, record.source_id), []).append(record)
    for group in groups.values():
        if len(group) < 2:
            continue
        meetings: list[dict[str, Any]] = []
        for record in group:
            fields = _service_fields(record) or {}
            meetings += [m for m in fields.get("meetings") or [] if m not in meetings]
        first = group[0]
        first_fields = _service_fields(first) or {}
        for record in group:
            own = _service_fields(record) or {}
            if own and meetings:
                own["meetings"] = list(meetings)
            if record is first:
                continue
            differing = sorted(
                k
                for k in set(first_fields) | set(own)
                if k not in ("meetings", "description") and first_fields.get(k) != own.get(k)
            )
            reason = f"the same offer as line {first.line} (same name and place): their times are joined"
            if differing:
                reason += f"; differs in {', '.join(differing)}: this row's values are used"
            record.problems.append(Problem("regel", str(first.line), reason, "repeated_row"))
    return records


def read_table(
    path: Path,
    *,
    mapping: Mapping_ | None = None,
    geocoder: Geocoder | None = None,
    categories: set[str] | None = None,
    vocabulary: Vocabulary | None = None,
    limits: ImportLimits | None = None,
) -> Iterator[Record]:
    """Every row of a CSV/XLSX as a record, or as a rejection with its line number and reason."""
    yield from TableReader(
        path, mapping=mapping, geocoder=geocoder, categories=categories, vocabulary=vocabulary, limits=limits
    )


def table_source(path: Path, mapping: Mapping_ | None) -> str:
    """The provenance name of a table import."""
    return (mapping.source if mapping and mapping.source else None) or f"table:{path.stem}"
