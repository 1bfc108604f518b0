"""Which column of a partner's list holds what: header synonyms, the mapping file, and the column plan.

Partners write headers their own way ("Naam organisatie", "Tel.", "E-mailadres",
"Werkgebied", "Aanmelden"). A header is compared without case, accents,
punctuation and spaces against a table of Dutch and English synonyms per
field; a mapping file (`--mapping`) names the rest. Every column ends up in the
plan as a field, as extra text kept on the entry ("extra:description"), or as
ignored, so the report can account for all of them.
"""

from __future__ import annotations

import json
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Field -> headers recognised without a mapping file (compared by `header_key`).
HEADERS: dict[str, tuple[str, ...]] = {
    "id": ("id", "nummer", "code", "kenmerk", "registratienummer", "aanbod id"),
    "name": (
        "naam", "name", "naam locatie", "locatie", "plek", "naam aanbod", "aanbod", "titel", "title",
        "naam voorziening", "voorziening", "project", "naam project", "initiatief", "naam initiatief",
    ),
    # "Wat / Waar / Wanneer / Wie": the question-word headers many lists use.
    "activity": (
        "activiteit", "naam activiteit", "activity", "activiteiten", "wat", "what", "wat is er te doen",
    ),
    "organization": (
        "organisatie", "naam organisatie", "organisatienaam", "organization", "organisation",
        "aanbieder", "organization name", "provider", "stichting", "wie", "who", "wie organiseert",
        "organisator", "georganiseerd door", "door wie", "organised by", "organized by",
    ),
    "address": ("adres", "address", "straat en huisnummer", "bezoekadres", "locatie adres", "adres locatie"),
    "street": ("straat", "street", "straatnaam"),
    "house_number": ("huisnummer", "nr", "house number", "huisnr"),
    "postcode": ("postcode", "postal code", "zip", "pc"),
    "city": ("plaats", "woonplaats", "stad", "city", "gemeente", "plaatsnaam"),
    "lat": ("lat", "latitude", "breedtegraad", "noorderbreedte"),
    "lon": ("lon", "lng", "longitude", "lengtegraad", "oosterlengte"),
    "rd_x": ("x", "x coordinaat", "xcoordinaat", "x coord", "rd x", "x rd", "x-coördinaat"),
    "rd_y": ("y", "y coordinaat", "ycoordinaat", "y coord", "rd y", "y rd", "y-coördinaat"),
    "when": ("wanneer", "dag en tijd", "when", "schedule", "dagen", "dag", "dag en tijdstip", "frequentie"),
    "time": ("tijd", "tijden", "tijdstip", "hoe laat", "time", "times", "van tot", "aanvang", "begintijd"),
    "date": ("datum", "date", "startdatum"),
    "opening_hours": ("openingstijden", "opening hours", "open"),
    "cost": ("kosten", "prijs", "cost", "costs", "price", "eigen bijdrage", "bijdrage", "tarief"),
    "target_group": ("doelgroep", "voor wie", "target group", "for whom", "doelgroepen", "voor"),
    "contact_name": ("contactpersoon", "contact", "contact person", "naam contactpersoon"),
    "contact_role": ("functie contactpersoon", "rol", "functie"),
    "phone": (
        "telefoon", "telefoonnummer", "tel", "phone", "telefoonnummers", "tel nr", "telnr", "mobiel",
        "telephone", "bellen",
    ),
    "email": ("email", "e mail", "mail", "e mailadres", "emailadres", "mailadres", "e-mail adres"),
    "website": ("website", "site", "url", "internet", "webadres", "web", "link", "meer informatie"),
    "description": (
        "omschrijving", "beschrijving", "toelichting", "description", "korte omschrijving",
        "korte beschrijving", "wat doen we", "over ons", "summary", "samenvatting",
    ),
    "category": ("categorie", "soort", "category", "type", "soort aanbod", "type aanbod", "rubriek"),
    "offer": ("wat bieden we", "wat bieden wij", "wat bieden ze", "what we offer", "aanbod type", "hulpvorm"),
    "support_functions": ("soort steun", "soort hulp", "steun", "support", "type ondersteuning", "thema"),
    "languages": ("talen", "taal", "languages", "gesproken talen"),
    "service_area": (
        "werkgebied", "gebied", "stadsdeel", "wijk", "regio", "service area", "area", "area served",
        "waar", "waar actief", "actief in", "stadsdelen", "verzorgingsgebied",
    ),
    "how_to_join": (
        "aanmelden", "hoe aanmelden", "aanmelding", "toegang", "how to join", "sign up", "intake",
        "hoe meedoen", "meedoen", "hoe kom je binnen", "aanmeldprocedure", "verwijzing",
    ),
    "notes": ("opmerkingen", "opmerking", "bijzonderheden", "notes", "remarks", "extra informatie"),
    "publish": (
        "publiceren", "publicatie", "mag op de kaart", "op de kaart", "mag je gegevens op de kaart",
        "mogen we dit publiceren", "toestemming publicatie", "akkoord publicatie", "publish", "zichtbaar",
    ),
}  # fmt: skip
#: Headers of bookkeeping columns that say nothing to a client (listed as ignored in the report).
IGNORED_HEADERS = (
    "ingevoerd door", "gewijzigd", "laatst gewijzigd", "datum invoer", "invoerdatum", "status",
    "interne opmerking", "intern", "volgnummer", "nr.", "#", "created", "updated", "last modified",
    "gecontroleerd", "laatst gecontroleerd", "bron", "tijdstempel", "timestamp", "interne notitie",
    "interne notities", "notitie intern", "niet publiceren", "alleen intern", "privé",
)  # fmt: skip
#: Words a header may hang around a known header ("Naam van je initiatief", "Kosten voor deelnemers").
#: Only headers of more than one word, or of one word this long, are found at the start of a header,
#: so "Open voor nieuwe deelnemers?" is not read as opening hours.
_PREFIX_MIN = 4
_GENERIC = frozenset({"contact", "locatie", "plek", "open", "voor", "type", "soort", "code", "link", "steun"})
#: Fields kept as text in the description ("Opmerkingen: ..."), with the label they get there.
TEXT_FIELDS = {"notes": "Opmerkingen"}
FIELDS = frozenset(HEADERS)
#: What a mapping file may name besides a field.
IGNORE, EXTRA = "ignore", "extra"
#: The report's word for a column kept as text on the entry, and for one left out.
EXTRA_TARGET, IGNORED_TARGET = "extra:description", "ignored"


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def header_key(text: str) -> str:
    """A header reduced for matching: lower case, no accents, punctuation or spaces."""
    return re.sub(r"[^a-z0-9+#]+", "", _ascii(text))


_KNOWN = {header_key(h): f for f, hs in HEADERS.items() for h in hs}
_IGNORED = {header_key(h) for h in IGNORED_HEADERS}
_WORDS = sorted(
    (
        (tuple(w for w in re.split(r"[^a-z0-9+#]+", _ascii(h)) if w), f)
        for f, hs in HEADERS.items()
        for h in hs
    ),
    key=lambda item: -len(item[0]),
)


def match_header(header: str, known: dict[str, str] | None = None) -> str | None:
    """The field a header names: exactly, then without "(...)", as one of "A/B", or by its first words.

    Forms and spreadsheets decorate headers: "Telefoonnummer (optioneel)", "Website/Facebook",
    "Wat doe je? (korte omschrijving)", "Naam van je initiatief", "Kosten voor deelnemers".
    `known` maps header keys to fields (the synonyms, or a mapping file's columns).
    """
    table = _KNOWN if known is None else known
    key = header_key(header)
    if key in table:
        return table[key]
    bare = re.sub(r"\([^)]*\)", " ", header)
    inside = re.findall(r"\(([^)]*)\)", header)
    for part in [bare, *re.split(r"[/|]", bare), *inside]:
        if header_key(part) in table:
            return table[header_key(part)]
    if known is not None:
        return None
    words = [w for w in re.split(r"[^a-z0-9+#]+", _ascii(bare)) if w]
    for synonym, target in _WORDS:
        specific = len(synonym) > 1 or (len(synonym[0]) >= _PREFIX_MIN and synonym[0] not in _GENERIC)
        if specific and len(synonym) < len(words) and tuple(words[: len(synonym)]) == synonym:
            return target
    return None


def _ignored(header: str) -> bool:
    key = header_key(header)
    return key in _IGNORED or key.startswith("intern")


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
    unknown = sorted(set(data.get("columns", {}).values()) - FIELDS - {IGNORE, EXTRA})
    if unknown:
        raise ValueError(
            f"{path.name}: unknown field(s) {', '.join(unknown)}; known: {', '.join(sorted(FIELDS))}, "
            f"or '{IGNORE}' / '{EXTRA}'"
        )
    return Mapping_(
        dict(data.get("columns", {})),
        {k: str(x) for k, x in data.get("defaults", {}).items()},
        data.get("source"),
    )


@dataclass
class ColumnPlan:
    """Every column of a file and what it becomes: a field, extra text, or ignored."""

    headers: list[str]
    #: Column index -> field name (only columns mapped to a field).
    fields: dict[int, str] = field(default_factory=dict)
    #: Column index -> label, for columns kept as "Label: value" text in the description.
    extras: dict[int, str] = field(default_factory=dict)
    #: Column index -> why it is left out.
    ignored: dict[int, str] = field(default_factory=dict)

    def report(self) -> dict[str, str]:
        """Header as in the file -> field, 'extra:description' or 'ignored' (the JSON report's shape)."""
        out: dict[str, str] = {}
        for index, header in enumerate(self.headers):
            label = header if header.strip() else f"(column {index + 1})"
            if label in out:
                label = f"{label} (column {index + 1})"
            if index in self.fields:
                out[label] = self.fields[index]
            elif index in self.extras:
                out[label] = EXTRA_TARGET
            else:
                out[label] = IGNORED_TARGET
        return out

    def has_name(self) -> bool:
        """True when some column can name a row (name, activity or organisation)."""
        return bool({"name", "activity", "organization"} & set(self.fields.values()))


def header_score(headers: list[str], mapping: Mapping_ | None = None) -> int:
    """How many cells of a row name a known column: the header row is the row that names the most."""
    explicit = {header_key(k): f for k, f in (mapping.columns if mapping else {}).items()}
    return sum(
        1
        for h in headers
        if h.strip() and len(h) <= 100 and (match_header(h, explicit) or match_header(h) or _ignored(h))
    )


def plan_columns(headers: list[str], mapping: Mapping_, hidden: set[int] | None = None) -> ColumnPlan:
    """Decide for each column: the mapping file first, then known headers, else extra text or ignored.

    A column whose header is unknown is kept as text on the entry, not dropped: the
    partner wrote it for a reason. Empty headers, bookkeeping columns and columns the
    spreadsheet hides (internal notes a broker hid) are ignored, unless the mapping file
    names them. A second column for a field that is already taken is kept as extra text.
    """
    explicit = {header_key(k): f for k, f in mapping.columns.items()}
    plan = ColumnPlan(list(headers))
    for index, header in enumerate(headers):
        key = header_key(header or "")
        target = match_header(header or "", explicit)
        if target is None and index in (hidden or set()):
            plan.ignored[index] = "hidden column"
            continue
        if target is None and not _ignored(header or ""):
            target = match_header(header or "")
        if target == IGNORE:
            plan.ignored[index] = "mapping file"
        elif target == EXTRA or (target is None and key and not _ignored(header or "")):
            plan.extras[index] = header.strip()
        elif target is None:
            plan.ignored[index] = "no header" if not key else "bookkeeping column"
        elif target in TEXT_FIELDS:
            plan.extras[index] = TEXT_FIELDS[target]
        elif target in plan.fields.values():
            plan.extras[index] = header.strip()
        else:
            plan.fields[index] = target
    return plan
