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
    "activity": ("activiteit", "naam activiteit", "activity", "activiteiten"),
    "organization": (
        "organisatie", "naam organisatie", "organisatienaam", "organization", "organisation",
        "aanbieder", "organization name", "provider", "stichting",
    ),
    "address": ("adres", "address", "straat en huisnummer", "bezoekadres", "locatie adres", "adres locatie"),
    "street": ("straat", "street", "straatnaam"),
    "house_number": ("huisnummer", "nr", "house number", "huisnr"),
    "postcode": ("postcode", "postal code", "zip", "pc"),
    "city": ("plaats", "woonplaats", "stad", "city", "gemeente", "plaatsnaam"),
    "lat": ("lat", "latitude", "breedtegraad", "noorderbreedte"),
    "lon": ("lon", "lng", "longitude", "lengtegraad", "oosterlengte"),
    "when": ("wanneer", "tijd", "tijden", "dag en tijd", "when", "schedule", "dagen", "dag"),
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
}  # fmt: skip
#: Headers of bookkeeping columns that say nothing to a client (listed as ignored in the report).
IGNORED_HEADERS = (
    "ingevoerd door", "gewijzigd", "laatst gewijzigd", "datum invoer", "invoerdatum", "status",
    "interne opmerking", "intern", "volgnummer", "nr.", "#", "created", "updated", "last modified",
    "gecontroleerd", "laatst gecontroleerd", "bron",
)  # fmt: skip
#: Fields kept as text in the description ("Opmerkingen: ..."), with the label they get there.
TEXT_FIELDS = {"notes": "Opmerkingen"}
FIELDS = frozenset(HEADERS)
#: What a mapping file may name besides a field.
IGNORE, EXTRA = "ignore", "extra"
#: The report's word for a column kept as text on the entry, and for one left out.
EXTRA_TARGET, IGNORED_TARGET = "extra:description", "ignored"


def header_key(text: str) -> str:
    """A header reduced for matching: lower case, no accents, punctuation or spaces."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9+#]+", "", text.lower())


_KNOWN = {header_key(h): f for f, hs in HEADERS.items() for h in hs}
_IGNORED = {header_key(h) for h in IGNORED_HEADERS}


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


def plan_columns(headers: list[str], mapping: Mapping_) -> ColumnPlan:
    """Decide for each column: the mapping file first, then known headers, else extra text or ignored.

    A column whose header is unknown is kept as text on the entry, not dropped: the
    partner wrote it for a reason. Empty headers and bookkeeping columns are ignored.
    A second column for a field that is already taken is kept as extra text.
    """
    explicit = {header_key(k): f for k, f in mapping.columns.items()}
    plan = ColumnPlan(list(headers))
    for index, header in enumerate(headers):
        key = header_key(header or "")
        target = explicit.get(key) or _KNOWN.get(key)
        if target == IGNORE:
            plan.ignored[index] = "mapping file"
        elif target == EXTRA or (target is None and key and key not in _IGNORED):
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
