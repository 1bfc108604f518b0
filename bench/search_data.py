"""The search benchmark's data set: 100,000 entries made from real OpenStreetMap places.

The mix follows what wijkgram's importers bring in, scaled up:

- half the entries are venues read from the Amsterdam Centrum extract with the
  OSM importer's own tag map (`importers/osm/reader.py`), so their categories,
  names, opening hours and wheelchair tags have the real distribution (mostly
  restaurants, cafés and pubs, a few churches, museums and community centres);
  each copy perturbs the name (words shuffled, a street or buurt added, a number)
  and scatters the point over a random real buurt;
- a tenth are community venues (buurthuizen, huiskamers, dienstencentra, churches
  and mosques), as partner lists and brokers add them;
- the rest (40%) are services (eettafels, taalcafés, walking groups ...) held at
  one of those venues, with weekly or monthly meetings.

Names and descriptions combine a few words per category with real street and
buurt names, so that a query word matches a share of the entries close to a
real directory's, not every third one.
"""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import osmium
from shapely.geometry import Point, shape
from shapely.prepared import prep

from importers.osm.reader import read_places

#: Community categories with the words their names are made of.
COMMUNITY = {
    "community_centre": ["Buurthuis", "Buurtcentrum", "Wijkcentrum"],
    "neighbourhood_room": ["Buurtkamer", "Huiskamer van de wijk"],
    "community_restaurant": ["Buurtrestaurant"],
    "stamtafel": ["Stamtafel"],
    "shared_meal": ["Eettafel", "Samen eten"],
    "soup_kitchen": ["Inloopmaaltijd", "Gratis maaltijd"],
    "food_bank": ["Voedselbank"],
    "language_buddy": ["Taalmaatje", "Taalcafé"],
    "buddy_project": ["Maatjesproject"],
    "walking_group": ["Wandelclub", "Wandelgroep"],
    "reading_club": ["Leesclub"],
    "repair_cafe": ["Repair Café"],
    "peer_group": ["Lotgenotengroep", "Ervaringsdeskundigen"],
    "religious_community": ["Ghanese kerk", "Parochie", "Gemeente", "Moskee"],
    "elderly_centre": ["Dienstencentrum"],
    "youth_centre": ["Jongerencentrum"],
}
#: The community categories that are places (the others are activities, i.e. services).
COMMUNITY_VENUES = [
    "community_centre",
    "neighbourhood_room",
    "religious_community",
    "elderly_centre",
    "youth_centre",
]
#: What a service's description says, besides its name; {word} is the category word.
DESCRIPTIONS = [
    "{word} voor iedereen uit {buurt}. Aanmelden hoeft niet.",
    "Elke week {word_lower} in {buurt}; nieuwe mensen zijn welkom.",
    "Kom langs, drink een kop koffie en maak kennis. Vrijwilligers uit {buurt} helpen.",
    "Voor buurtbewoners die anderen willen ontmoeten. Rolstoel? Bel even van tevoren.",
    "{word} in {buurt}: samen met vrijwilligers van de buurt.",
]
SUPPORT = ["practical", "company", "information", "peers", "language", "money", "activity"]
TARGETS = [
    "everyone",
    "older_people",
    "youth",
    "newcomers",
    "lonely",
    "low_income",
    "psychiatric",
    "families",
]
LANGS = ["nl", "en", "ar", "tr", "es", "fr", "pl"]
DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
QUARTERS = ["Oost", "West", "Zuid", "Noord"]

#: Shares of the entries (the rest are services).
OSM_SHARE = 0.5
COMMUNITY_VENUE_SHARE = 0.1


@dataclass(frozen=True)
class Buurt:
    """A real buurt: where generated points fall, and a name to use in names and descriptions."""

    code: str
    name: str
    shape: Any
    bounds: tuple[float, float, float, float]


def osm_streets(path: Path) -> list[str]:
    """Every street named in an address in the extract."""
    streets: set[str] = set()

    class Handler(osmium.SimpleHandler):
        def node(self, n: Any) -> None:
            self._add(n.tags)

        def way(self, w: Any) -> None:
            self._add(w.tags)

        def _add(self, tags: Any) -> None:
            if "addr:street" in tags:
                streets.add(tags["addr:street"])

    Handler().apply_file(str(path))
    return sorted(streets) or ["Dam"]


def buurten(path: Path) -> list[Buurt]:
    """The buurten with a code, from the city's boundaries file."""
    out = []
    for f in json.loads(path.read_text())["features"]:
        props = f["properties"]
        if f["geometry"] and props.get("code"):
            s = shape(f["geometry"])
            out.append(Buurt(props["code"], props.get("naam") or props["code"], prep(s), s.bounds))
    return out


def point_in(buurt: Buurt, rng: random.Random) -> tuple[float, float]:
    """A random point inside a buurt (its bounding box's centre after 50 misses)."""
    w, s, e, n = buurt.bounds
    for _ in range(50):
        x, y = rng.uniform(w, e), rng.uniform(s, n)
        if buurt.shape.contains(Point(x, y)):
            return y, x
    return (s + n) / 2, (w + e) / 2


def perturbed(name: str, street: str, buurt: str, i: int, rng: random.Random) -> str:
    """A real name made different: words shuffled, a street or buurt added, a number."""
    words = name.split()
    if len(words) > 1 and rng.random() < 0.3:
        rng.shuffle(words)
    roll = rng.random()
    suffix = f" {street}" if roll < 0.35 else f" {buurt}" if roll < 0.55 else ""
    number = f" {i % 97}" if rng.random() < 0.2 else ""
    return " ".join(words) + suffix + number


def generate(entries: int, shared: Path, seed: int = 7) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Location and service rows (services end with a `{"_links": [...]}` item for the join table)."""
    rng = random.Random(seed)
    osm_file = shared / "osm" / "amsterdam-centrum.osm.pbf"
    venues = list(read_places(osm_file))
    streets = osm_streets(osm_file)
    areas = buurten(shared / "boundaries" / "amsterdam-buurten-2022.geojson")
    now = datetime.now().astimezone()
    n_osm = int(entries * OSM_SHARE)
    n_loc = n_osm + int(entries * COMMUNITY_VENUE_SHARE)

    locations: list[dict[str, Any]] = []
    for i in range(n_loc):
        buurt = rng.choice(areas)
        lat, lon = point_in(buurt, rng)
        street = rng.choice(streets)
        if i < n_osm:
            venue = rng.choice(venues)
            category = venue.category
            name = perturbed(venue.name, street, buurt.name, i, rng)
            hours = venue.location.get("opening_hours") if rng.random() < 0.6 else None
            step_free = venue.location.get("step_free")
            free = rng.random() < 0.1
        else:
            category = rng.choice(COMMUNITY_VENUES)
            word = rng.choice(COMMUNITY[category])
            name = f"{word} {street if rng.random() < 0.5 else buurt.name}"
            hours = None
            step_free = rng.random() < 0.6
            free = rng.random() < 0.6
        locations.append(
            {
                "id": uuid.uuid4(),
                "version": 1,
                "status": "active",
                "name": name,
                "category": category,
                "languages": rng.sample(LANGS, rng.randint(0, 2)),
                "field_provenance": {},
                "street": street,
                "house_number": str(rng.randint(1, 300)),
                "city": "Amsterdam",
                "stadsdeel_code": buurt.code[0],
                "wijk_code": buurt.code[:2],
                "buurt_code": buurt.code,
                "geom": f"SRID=4326;POINT({lon:.6f} {lat:.6f})",
                "opening_hours": hours,
                "step_free": step_free if step_free is not None else rng.random() < 0.5,
                "accessible_toilet": rng.random() < 0.3,
                "scootmobiel_parking": rng.random() < 0.2,
                "cost_free": free,
                "cost_amount_eur": None if free or rng.random() < 0.5 else round(rng.uniform(1, 15), 2),
                "last_verified_at": now,
            }
        )

    services: list[dict[str, Any]] = []
    links: list[dict[str, Any]] = []
    for _ in range(entries - n_loc):
        category = rng.choice(list(COMMUNITY))
        venue_row = rng.choice(locations)
        buurt_name = rng.choice(areas).name
        word = rng.choice(COMMUNITY[category])
        place = venue_row["street"] if rng.random() < 0.5 else buurt_name
        name = f"{word} {place}" if rng.random() < 0.7 else f"{word} in {place}"
        if rng.random() < 0.3:
            name += f" {rng.choice(QUARTERS)}"
        sid = uuid.uuid4()
        day = rng.choice(DAYS)
        rule = f"FREQ=WEEKLY;BYDAY={day}" if rng.random() < 0.6 else f"FREQ=MONTHLY;BYDAY=1{day}"
        services.append(
            {
                "id": sid,
                "version": 1,
                "status": "active",
                "name": name,
                "category": category,
                "languages": rng.sample(LANGS, rng.randint(1, 3)),
                "field_provenance": {},
                "support_functions": rng.sample(SUPPORT, rng.randint(1, 3)),
                "target_groups": rng.sample(TARGETS, rng.randint(1, 2)),
                "communities": ["Ghanese"]
                if category == "religious_community" and rng.random() < 0.3
                else [],
                "meetings": [{"rrule": rule, "start_time": f"{rng.randint(9, 20):02d}:00:00"}],
                "cost_free": rng.random() < 0.5,
                "cost_amount_eur": round(rng.uniform(0, 10), 2),
                "description": rng.choice(DESCRIPTIONS).format(
                    word=word, word_lower=word.lower(), buurt=buurt_name
                ),
            }
        )
        links.append({"service_id": sid, "location_id": venue_row["id"]})
    return locations, [*services, {"_links": links}]
