"""Partner and broker lists (CSV or XLSX, one row per place or activity) -> place records.

Columns are found by their (Dutch or English) header, or named in a small
mapping file (TOML or JSON):

    source = "partner:dock"          # provenance name; default table:<file name>
    [columns]                        # header in the file -> wijkgram field
    "Naam activiteit" = "name"
    "Waar" = "address"
    [defaults]                       # values for every row
    city = "Amsterdam"
    category = "community_centre"

Each row becomes a record or a `Rejected` with its line number and a reason
naming the column. Rows without coordinates are geocoded through the
`Geocoder` protocol.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tomllib
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from directory.errors import RuleError
from directory.schemas import validators as v
from geo.geocoding.base import Geocoder
from importers.records import PlaceRecord, Problem, Rejected

#: Field -> headers recognised without a mapping file (compared lower case, without punctuation).
HEADERS: dict[str, tuple[str, ...]] = {
    "id": ("id", "nummer", "code", "kenmerk"),
    "name": ("naam", "name", "naam locatie", "locatie", "organisatie", "plek"),
    "activity": ("activiteit", "naam activiteit", "activity"),
    "address": ("adres", "address", "straat en huisnummer"),
    "street": ("straat", "street", "straatnaam"),
    "house_number": ("huisnummer", "nr", "house number"),
    "postcode": ("postcode", "postal code", "zip"),
    "city": ("plaats", "woonplaats", "stad", "city"),
    "lat": ("lat", "latitude", "breedtegraad", "noorderbreedte"),
    "lon": ("lon", "lng", "longitude", "lengtegraad", "oosterlengte"),
    "when": ("wanneer", "tijd", "tijden", "dag en tijd", "when", "schedule"),
    "date": ("datum", "date", "startdatum"),
    "opening_hours": ("openingstijden", "opening hours"),
    "cost": ("kosten", "prijs", "cost", "price", "eigen bijdrage"),
    "target_group": ("doelgroep", "voor wie", "target group"),
    "contact_name": ("contactpersoon", "contact", "contact person"),
    "contact_role": ("functie contactpersoon", "rol"),
    "phone": ("telefoon", "telefoonnummer", "tel", "phone"),
    "email": ("email", "e mail", "mail"),
    "website": ("website", "site", "url", "internet"),
    "description": ("omschrijving", "beschrijving", "toelichting", "description"),
    "category": ("categorie", "soort", "category", "type"),
    "languages": ("talen", "taal", "languages"),
}
FIELDS = frozenset(HEADERS)

#: Dutch words in a 'doelgroep' cell -> target-group codes of the vocabulary.
TARGET_WORDS: dict[str, str] = {
    "iedereen": "everyone",
    "alle": "everyone",
    "lvb": "mild_intellectual_disability",
    "licht verstandelijke beperking": "mild_intellectual_disability",
    "psychische": "psychiatric",
    "ggz": "psychiatric",
    "ouderen": "older_people",
    "senioren": "older_people",
    "55+": "older_people",
    "jongeren": "youth",
    "jeugd": "youth",
    "kinderen": "families",
    "gezinnen": "families",
    "ouders": "families",
    "nieuwkomers": "newcomers",
    "statushouders": "newcomers",
    "eenzaam": "lonely",
    "eenzame": "lonely",
    "mantelzorgers": "caregivers",
    "minima": "low_income",
    "weinig geld": "low_income",
    "vrouwen": "women",
    "mannen": "men",
    "lhbti": "lgbtqi",
    "lhbtiq": "lgbtqi",
    "lichamelijke beperking": "physical_disability",
}

_DAYS = {
    "maandag": "MO", "dinsdag": "TU", "woensdag": "WE", "donderdag": "TH",
    "vrijdag": "FR", "zaterdag": "SA", "zondag": "SU",
}  # fmt: skip
_ORDINALS = {
    "eerste": 1,
    "1e": 1,
    "tweede": 2,
    "2e": 2,
    "derde": 3,
    "3e": 3,
    "vierde": 4,
    "4e": 4,
    "laatste": -1,
}
_TIME_RANGE = re.compile(r"(\d{1,2})[:.](\d{2})\s*(?:-|–|tot)\s*(\d{1,2})[:.](\d{2})")


def header_key(text: str) -> str:
    """A header reduced for matching: lower case, no accents or punctuation."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9+]+", " ", text.lower()).strip()


@dataclass
class Mapping_:
    """A mapping file: which header holds which field, defaults, and the source name."""

    columns: dict[str, str] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)
    source: str | None = None


def load_mapping(path: Path | None) -> Mapping_:
    """Read a TOML or JSON mapping file; no file means auto-detection only."""
    if path is None:
        return Mapping_()
    text = path.read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text) if path.suffix == ".json" else tomllib.loads(text)
    unknown = sorted(set(data.get("columns", {}).values()) - FIELDS)
    if unknown:
        raise ValueError(
            f"{path.name}: unknown field(s) {', '.join(unknown)}; known: {', '.join(sorted(FIELDS))}"
        )
    return Mapping_(
        dict(data.get("columns", {})),
        {k: str(x) for k, x in data.get("defaults", {}).items()},
        data.get("source"),
    )


def detect_columns(headers: list[str], mapping: Mapping_) -> dict[int, str]:
    """Column index -> field, from the mapping file first, then from known headers."""
    explicit = {header_key(k): f for k, f in mapping.columns.items()}
    known = {header_key(h): f for f, hs in HEADERS.items() for h in hs}
    result: dict[int, str] = {}
    for index, header in enumerate(headers):
        key = header_key(header or "")
        target = explicit.get(key) or known.get(key)
        if target and target not in result.values():
            result[index] = target
    return result


def read_rows(path: Path) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header and (line number, cells) of a CSV (; or , separated) or XLSX file."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True, data_only=True)
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = [str(c or "") for c in next(rows)]

        def cells() -> Iterator[tuple[int, list[str]]]:
            for number, row in enumerate(rows, start=2):
                yield number, ["" if c is None else _cell(c) for c in row]

        return header, cells()
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")  # Excel's "CSV" on Dutch Windows
    dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=";,\t")
    # The sniffer sees only the header, where no cell holds a quote, and then guesses that a doubled
    # quote ("") is not an escaped quote: a cell like "zaal ""De Ark""" would keep a stray quote.
    reader = csv.reader(io.StringIO(text), dialect, doublequote=True)
    header = next(reader)

    def csv_cells() -> Iterator[tuple[int, list[str]]]:
        for row in reader:
            if any(cell.strip() for cell in row):
                yield reader.line_num, row

    return header, csv_cells()


def _cell(value: object) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def parse_date(text: str) -> date:
    """'14-03-2026', '14/3/2026' or '2026-03-14' -> a date; anything else is refused."""
    text = text.strip()
    for pattern in ("%d-%m-%Y", "%d/%m/%Y", "%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"{text!r} is not a date (write dd-mm-jjjj, like 14-03-2026)")


def parse_when(text: str) -> dict[str, Any] | None:
    """'elke dinsdag 14:00-16:00' or 'eerste maandag van de maand 19.00-21.00' -> a meeting, else None."""
    lower = text.lower()
    days = [code for word, code in _DAYS.items() if word in lower]
    if not days:
        return None
    ordinal = next((n for word, n in _ORDINALS.items() if re.search(rf"\b{re.escape(word)}\b", lower)), None)
    if ordinal is not None and "maand" in lower:
        rule = "FREQ=MONTHLY;BYDAY=" + ",".join(f"{ordinal}{d}" for d in days)
    elif "om de week" in lower or "tweewekelijks" in lower:
        rule = "FREQ=WEEKLY;INTERVAL=2;BYDAY=" + ",".join(days)
    else:
        rule = "FREQ=WEEKLY;BYDAY=" + ",".join(days)
    meeting: dict[str, Any] = {"rrule": rule, "note": text.strip()[:500]}
    times = _TIME_RANGE.search(lower)
    if times:
        h1, m1, h2, m2 = times.groups()
        meeting["start_time"] = f"{int(h1):02d}:{m1}"
        meeting["end_time"] = f"{int(h2):02d}:{m2}"
    return meeting


def parse_cost(text: str) -> dict[str, Any]:
    """'gratis' -> free; '€ 3,50 per maaltijd' -> 3.50 with the text as note."""
    lower = text.strip().lower()
    if lower in ("gratis", "0", "nee", "geen", "free", "€0", "€ 0"):
        return {"cost_free": True}
    match = re.search(r"(\d+(?:[.,]\d{1,2})?)", lower)
    if match:
        try:
            amount = Decimal(match.group(1).replace(",", "."))
        except InvalidOperation:
            amount = None
        if amount is not None:
            return {
                "cost_free": amount == 0,
                "cost_amount_eur": str(amount.quantize(Decimal("0.01"))),
                "cost_note": text.strip()[:500],
            }
    return {"cost_note": text.strip()[:500]}


def parse_target_groups(text: str) -> tuple[list[str], list[str]]:
    """Target-group codes found in a 'doelgroep' cell, and the parts not understood."""
    codes: list[str] = []
    unknown: list[str] = []
    for part in re.split(r"[,;/]| en ", text.lower()):
        part = part.strip()
        if not part:
            continue
        hits = [code for word, code in TARGET_WORDS.items() if word in part]
        if hits:
            codes += [c for c in hits if c not in codes]
        else:
            unknown.append(part)
    return codes, unknown


def split_address(text: str) -> tuple[str, str | None]:
    """'Recht Boomssloot 52-H' -> ('Recht Boomssloot', '52-H')."""
    match = re.match(r"^\s*(.*?\D)\s+(\d+\s*[\w-]*)\s*$", text)
    if not match:
        return text.strip(), None
    return match.group(1).strip().rstrip(","), match.group(2).strip()


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", header_key(text)).strip("-")


class RowError(RuleError):
    """A row that cannot be imported; the message names the column, the problem says it as data."""


def _carried(exc: RuleError, field: str) -> dict[str, Any]:
    """A shared rule's code and parameters, for the RowError that names the column."""
    return {"code": exc.problem.code, "params": exc.problem.params, "field": field}


def row_to_record(
    values: Mapping[str, str],
    *,
    source: str,
    line: int,
    geocoder: Geocoder | None,
    categories: set[str],
) -> PlaceRecord:
    """One row (field -> cell text) as a place record; raises RowError with the reason."""
    get = {k: (x or "").strip() for k, x in values.items()}
    name = get.get("name") or get.get("activity")
    if not name:
        raise RowError(
            "naam: missing (every row needs the name of the place or activity)",
            code="name_required",
            field="name",
        )
    problems: list[Problem] = []
    location: dict[str, Any] = {}
    street, number = get.get("street") or None, get.get("house_number") or None
    if get.get("address") and not street:
        street, number = split_address(get["address"])
    location.update(street=street, house_number=number, city=get.get("city") or None)
    if get.get("postcode"):
        try:
            location["postcode"] = v.normalise_postcode(get["postcode"])
        except RuleError as exc:
            raise RowError(f"postcode: {exc}", **_carried(exc, "postcode")) from exc
    lat, lon = get.get("lat"), get.get("lon")
    if lat or lon:
        try:
            flat, flon = float((lat or "").replace(",", ".")), float((lon or "").replace(",", "."))
        except ValueError as exc:
            raise RowError(
                f"lat/lon: {lat!r}, {lon!r} are not numbers (decimal degrees, like 52.37 and 4.90)",
                code="float_parsing",
                field="lat",
            ) from exc
        try:
            v.check_point(flat, flon)
        except RuleError as exc:
            raise RowError(f"lat/lon: {exc}", **_carried(exc, "lat")) from exc
    else:
        query = ", ".join(
            p
            for p in (
                f"{street or ''} {number or ''}".strip(),
                f"{location.get('postcode') or ''} {location.get('city') or ''}".strip(),
            )
            if p
        )
        if not query:
            raise RowError(
                "adres: no address and no coordinates, so the place cannot be put on the map",
                code="no_address",
                field="address",
            )
        hit = geocoder.geocode(query) if geocoder is not None else None
        if hit is None:
            raise RowError(
                f"adres: address {query!r} was not found; correct it or give lat and lon",
                code="address_not_found",
                params={"value": repr(query)},
                field="address",
            )
        flat, flon = hit.lat, hit.lon
        if not location.get("postcode") and hit.postcode:
            location["postcode"] = v.normalise_postcode(hit.postcode)
    category = get.get("category") or None
    if category and category not in categories:
        raise RowError(
            f"categorie: unknown category {category!r}; see `wijkgram import table --help`",
            code="unknown_code",
            params={"value": repr(category)},
            field="category",
        )

    service: dict[str, Any] | None = None
    service_keys = ("activity", "when", "date", "cost", "target_group", "contact_name")
    if any(get.get(k) for k in service_keys):
        service = {
            "name": get.get("activity") or name,
            "contact_name": get.get("contact_name") or None,
            "contact_role": get.get("contact_role") or None,
            "description": get.get("description") or None,
        }
        notes: list[str] = []
        meetings: list[dict[str, Any]] = []
        if get.get("date"):
            try:
                day = parse_date(get["date"])
            except ValueError as exc:
                raise RowError(
                    f"datum: {exc}", code="date_parsing", params={"value": repr(get["date"])}, field="date"
                ) from exc
            meetings.append(
                {"rrule": "FREQ=DAILY;COUNT=1", "dtstart": day.isoformat(), "until": day.isoformat()}
            )
        if get.get("when"):
            meeting = parse_when(get["when"])
            if meeting is not None and meetings:
                meetings[0].update(
                    {k: x for k, x in meeting.items() if k in ("start_time", "end_time", "note")}
                )
            elif meeting is not None:
                meetings.append(meeting)
            elif _valid_opening_hours(get["when"]):
                service["opening_hours"] = get["when"]
            else:
                notes.append(f"Wanneer: {get['when']}")
                problems.append(
                    Problem(
                        "wanneer", get["when"], "not understood as a schedule; kept as text", "schedule_kept"
                    )
                )
        service["meetings"] = meetings
        if get.get("cost"):
            service.update(parse_cost(get["cost"]))
        if get.get("target_group"):
            codes, unknown = parse_target_groups(get["target_group"])
            service["target_groups"] = codes
            if unknown:
                notes.append(f"Doelgroep: {get['target_group']}")
                problems.append(
                    Problem(
                        "doelgroep",
                        ", ".join(unknown),
                        "no matching target group; kept as text",
                        "target_group_kept",
                    )
                )
        if notes:
            service["description"] = "\n".join(filter(None, [service.get("description"), *notes]))
        contact = {"phone": get.get("phone"), "email": get.get("email"), "website": get.get("website")}
        service.update({k: x for k, x in contact.items() if x})
    else:
        location.update(
            phone=get.get("phone") or None,
            email=get.get("email") or None,
            website=get.get("website") or None,
            description=get.get("description") or None,
        )
    if get.get("opening_hours"):
        if _valid_opening_hours(get["opening_hours"]):
            location["opening_hours"] = get["opening_hours"]
        else:
            problems.append(
                Problem(
                    "openingstijden",
                    get["opening_hours"],
                    "not valid opening-hours syntax",
                    "opening_hours_set_aside",
                )
            )
    if get.get("languages"):
        location["languages"] = [
            x.strip().lower() for x in re.split(r"[,;/ ]+", get["languages"]) if x.strip()
        ]
    source_id = (
        get.get("id") or f"{_slug(name)}|{_slug(location.get('postcode') or get.get('address') or '')}"
    )
    return PlaceRecord(
        source=source,
        source_id=source_id,
        name=name[:300],
        lat=flat,
        lon=flon,
        category=category,
        location=location,
        service=service,
        raw={"row": dict(values)},
        problems=problems,
        line=line,
    )


def _valid_opening_hours(text: str) -> bool:
    try:
        v.check_opening_hours(text)
    except ValueError:
        return False
    return True


def read_table(
    path: Path,
    *,
    mapping: Mapping_ | None = None,
    geocoder: Geocoder | None = None,
    categories: set[str] | None = None,
) -> Iterator[PlaceRecord | Rejected]:
    """Every row of a CSV/XLSX as a record, or as a rejection with its line number and reason."""
    mapping = mapping or Mapping_()
    source = mapping.source or f"table:{path.stem}"
    header, rows = read_rows(path)
    columns = detect_columns(header, mapping)
    if "name" not in columns.values() and "activity" not in columns.values():
        raise ValueError(
            f"{path.name}: no column with the name of the place (a header like 'naam'); "
            f"headers found: {', '.join(h for h in header if h)}. Map it in a --mapping file."
        )
    for line, cells in rows:
        values = dict(mapping.defaults)
        for index, target in columns.items():
            if index < len(cells) and cells[index].strip():
                values[target] = cells[index]
        try:
            yield row_to_record(
                values, source=source, line=line, geocoder=geocoder, categories=categories or set()
            )
        except RowError as exc:
            yield Rejected(
                source_id=f"line {line}",
                reason=str(exc),
                line=line,
                name=values.get("name"),
                problem=exc.problem,
            )


def table_source(path: Path, mapping: Mapping_ | None) -> str:
    """The provenance name of a table import."""
    return (mapping.source if mapping and mapping.source else None) or f"table:{path.stem}"
