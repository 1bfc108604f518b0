"""The words of a plain question that mean a filter: the one declaration both engines' intent parser reads.

Dutch first (with the misspellings people type), English too. Phrases are compared
after `text.words` (lowercase, no accents, punctuation splits), so "Rolstoel-
toegankelijk" and "rolstoeltoegankelijk" differ but "Café" and "cafe" do not; list
both spellings of a compound where people write it apart. Area names are not here:
they come from the boundary tables (see `areas.py`). docs/search.md lists the rules.
"""

from __future__ import annotations

from dataclasses import dataclass

#: "goedkoop" means at most this many euro.
LOW_COST_EUR = 5.0


@dataclass(frozen=True)
class Intent:
    """Phrases that all mean one filter: `kind` names the filter, `value` its value."""

    kind: str
    value: str
    phrases: tuple[str, ...]


#: kind -> the filter it sets: cost (max_cost), accessibility and facilities (all of),
#: target_groups and languages (any of). `open` (times) and `area` are read apart.
INTENTS: tuple[Intent, ...] = (
    Intent("cost", "free", (
        "gratis", "kost niets", "kost niks", "kosteloos", "zonder kosten", "geen kosten", "gratis toegang",
        "vrije toegang", "gartis", "gratiz", "graties", "grattis", "free", "for free", "free of charge",
        "no cost", "costs nothing",
    )),
    Intent("cost", "low", (
        "goedkoop", "goedkope", "weinig geld", "niet duur", "betaalbaar", "betaalbare", "laag tarief",
        "kleine bijdrage", "goedkoob", "goetkoop", "goedkop", "cheap", "low cost", "low-cost", "affordable",
    )),
    Intent("accessibility", "step_free", (
        "rolstoel", "rolstoelen", "rolstoeltoegankelijk", "rolstoel toegankelijk", "rolstoelvriendelijk",
        "rolstoeltoegankelijke", "rolstoelvriendelijke", "drempelvrij", "drempelvrije", "drempelloos",
        "zonder drempel",
        "zonder drempels", "geen drempel", "geen drempels", "gelijkvloers", "toegankelijk", "toegankelijke",
        "rollator", "rolstol", "roelstoel", "rolsoel", "drempel vrij", "drempevrij", "drempelvrei",
        "wheelchair", "wheelchair accessible", "step free", "step-free", "stepfree", "accessible",
        "barrier free", "no steps",
    )),
    Intent("accessibility", "accessible_toilet", (
        "invalidentoilet", "invalide toilet", "rolstoeltoilet", "aangepast toilet", "toegankelijk toilet",
        "mindervalidentoilet", "invalidewc", "invaliden wc", "invalide wc", "aangepaste wc",
        "toegankelijke wc", "toegankelijk wc", "toegankelijke toilet", "accessible toilet", "disabled toilet",
    )),
    Intent("accessibility", "scootmobiel_parking", (
        "scootmobiel", "scootmobielen", "scootmobiel parkeren", "scootmobielparkeerplaats", "scootmobil",
        "scotmobiel", "scoot mobiel", "scootmobielvriendelijk", "scootmobielvriendelijke",
        "scootmobieltoegankelijk", "scootmobieltoegankelijke", "mobility scooter",
    )),
    Intent("facilities", "room", (
        "zaal", "zaaltje", "zalen", "zaal huren", "zaalhuur", "ruimte", "ruimte huren", "ruimte voor groep",
        "ruimte voor een groep", "ruimte voor groepen", "groepsruimte", "vergaderruimte", "vergaderzaal",
        "lokaal huren", "ruimte lenen", "zaal lenen", "plek voor een groep", "plek voor groep",
        "zaall", "ruimtes", "zaaltjes", "vergaderen", "vergadering", "vergaderingen", "vergaderlocatie",
        "vergaderplek", "vergaderruimtes", "vergaderzaaltje", "room", "rooms", "meeting room", "hall",
        "room for a group", "space for a group", "meeting space", "meeting place", "meeting venue", "venue",
        "venues", "place to meet", "somewhere to meet",
    )),
    Intent("facilities", "kitchen", (
        "keuken", "keukens", "keuken gebruiken", "zelf koken", "samen koken", "koken", "kookruimte",
        "kookplek", "keuke", "kitchen", "cooking",
    )),
    Intent("target_groups", "older_people", (
        "ouderen", "voor ouderen", "senioren", "voor senioren", "oudere", "bejaarden", "55plus", "55+",
        "65plus", "ouwere", "oudren", "elderly", "older people", "seniors",
    )),
    Intent("target_groups", "youth", (
        "jongeren", "voor jongeren", "jongere", "jeugd", "tieners", "pubers", "jongren", "youth",
        "young people", "teenagers",
    )),
    Intent("target_groups", "families", ("gezinnen", "gezin", "ouders met kinderen", "families", "family")),
    Intent("target_groups", "newcomers", (
        "nieuwkomers", "statushouders", "vluchtelingen", "nieuwkomer", "newcomers", "refugees",
    )),
    Intent("target_groups", "women", ("vrouwen", "voor vrouwen", "women")),
    Intent("target_groups", "men", ("mannen", "voor mannen")),
    Intent("target_groups", "caregivers", ("mantelzorgers", "mantelzorger", "carers", "caregivers")),
    Intent("target_groups", "psychiatric", (
        "psychische problemen", "psychische klachten", "psychisch kwetsbaar", "psychisch kwetsbare",
        "psychiatrie", "psychiatrische", "psychiatrisch", "ggz", "depressie", "depressief",
        "mental health", "mental health problems",
    )),
    Intent("target_groups", "low_income", ("minima", "laag inkomen", "armoede", "low income")),
    Intent("target_groups", "mild_intellectual_disability", (
        "lvb", "licht verstandelijke beperking", "lichte verstandelijke beperking",
        "verstandelijke beperking", "verstandelijk beperkt",
    )),
    Intent("target_groups", "lgbtqi", ("lhbti", "lhbtiq", "lhbt", "lgbt", "lgbtq", "lgbtqi", "queer")),
    Intent("languages", "ar", ("arabisch", "arabische", "arabies", "in het arabisch", "arabic")),
    Intent("languages", "tr", ("turks", "turkse", "in het turks", "turkish")),
    Intent("languages", "en", ("engels", "engelstalig", "engelstalige", "in het engels", "english")),
    Intent("languages", "pl", ("pools", "poolse", "polish")),
    Intent("languages", "es", ("spaans", "spaanse", "spanish")),
    Intent("languages", "fr", ("frans", "franse", "french")),
    Intent("languages", "de", ("duits", "duitse", "german")),
    Intent("languages", "pt", ("portugees", "portugese", "portuguese")),
    Intent("languages", "uk", ("oekraiens", "oekraiense", "ukrainian")),
    Intent("languages", "ru", ("russisch", "russische", "russian")),
    Intent("languages", "ber", ("berbers", "tamazight", "tamazigt", "riffijns", "berber")),
    Intent("languages", "so", ("somalisch", "somali")),
    Intent("languages", "ti", ("tigrinya", "tigrinia", "tigrinja")),
    Intent("languages", "fa", ("farsi", "perzisch", "dari", "persian")),
    Intent("languages", "tw", ("twi", "akan")),
    Intent("languages", "srn", ("sranan", "sranantongo", "sranan tongo")),
    Intent("languages", "pap", ("papiaments", "papiamento")),
    Intent("languages", "zh", ("chinees", "chinese", "mandarijn", "kantonees")),
)  # fmt: skip

#: Weekdays (Monday = 0) by the words for them. Two-letter forms are left out ("do", "zo").
WEEKDAYS: dict[str, int] = {
    "maandag": 0, "maandags": 0, "mandag": 0, "monday": 0,
    "dinsdag": 1, "dinsdags": 1, "dinsdach": 1, "tuesday": 1,
    "woensdag": 2, "woensdags": 2, "woesdag": 2, "wensdag": 2, "wednesday": 2,
    "donderdag": 3, "donderdags": 3, "dondedag": 3, "thursday": 3,
    "vrijdag": 4, "vrijdags": 4, "vrydag": 4, "friday": 4,
    "zaterdag": 5, "zaterdags": 5, "zatterdag": 5, "saterdag": 5, "saturday": 5,
    "zondag": 6, "zondags": 6, "sondag": 6, "sunday": 6,
}  # fmt: skip
#: Days counted from today.
RELATIVE_DAYS: dict[str, int] = {
    "vandaag": 0, "today": 0, "morgen": 1, "tomorrow": 1, "overmorgen": 2,
}  # fmt: skip
#: Parts of a day: local hours [start, end).
DAY_PARTS: dict[str, tuple[int, int]] = {
    "ochtend": (8, 12), "ochtends": (8, 12), "morgens": (8, 12), "morning": (8, 12),
    "middag": (12, 17), "middags": (12, 17), "afternoon": (12, 17),
    "avond": (17, 23), "avonds": (17, 23), "evening": (17, 23), "night": (19, 23),
}  # fmt: skip
#: A day without a part: the hours people look for something to go to.
WHOLE_DAY = (8, 23)
#: Single words that are a day and a part at once ("vanavond" = today, evening).
TODAY_PARTS: dict[str, str] = {
    "vanavond": "avond", "vanmiddag": "middag", "vanochtend": "ochtend", "vanmorgen": "ochtend",
    "tonight": "evening", "vanaavond": "avond", "vanavont": "avond",
}  # fmt: skip
#: The weekend: Saturday and Sunday.
WEEKEND_WORDS = ("weekend", "dit weekend", "in het weekend", "het weekend", "this weekend")
#: "Open now" phrases.
NOW_WORDS = ("nu open", "open nu", "nu geopend", "nu", "nou open", "open now", "now open", "right now", "now")
#: Phrases that say "near" without naming a place: not a filter and not a subject, so they
#: are not searched as text ("buurthuis bij mij in de buurt"). The place is the page's own
#: (an address or the map's view); an area name after them is read as usual.
NEARBY_WORDS = (
    "in de buurt", "bij mij in de buurt", "hier in de buurt", "in mijn buurt", "in de buurt van",
    "in de omgeving", "in de omgeving van", "in mijn omgeving", "dichtbij", "dicht bij", "vlakbij",
    "vlak bij", "dichtbij huis", "nearby", "near me", "close by", "in the area", "in my area",
)  # fmt: skip
#: Phrases that say the question is for a group without asking for a room ("cafe voor een groep",
#: "waar kunnen we met de groep koken"): like NEARBY_WORDS, no filter and no subject. A room
#: phrase that holds them ("ruimte voor een groep") is read first, being longer and earlier.
GROUP_WORDS = (
    "voor een groep", "voor de groep", "voor onze groep", "voor mijn groep", "met een groep",
    "met de groep", "met onze groep", "met mijn groep", "for a group", "with a group", "with my group",
    "with our group",
)  # fmt: skip
#: "Near" phrases followed by a place that is no area ("in de buurt van de Dam", "vlakbij het
#: Waterlooplein"): its words are searched as text, but left out like an area when they find
#: too little with the rest (relax.py). An area name after them is read as usual.
PLACE_AFTER = (
    "in de buurt van", "in de omgeving van", "vlakbij", "vlak bij", "dichtbij", "dicht bij", "rond",
    "rondom", "near", "close to", "around",
)  # fmt: skip
#: Words in front of an area name that belong to it ("in Oost", "uit de Pijp").
AREA_GLUE = ("in", "uit", "rond", "rondom", "bij", "near", "around")
#: Words that only join a day to its part or a time to the rest ("op zaterdag", "'s avonds").
TIME_GLUE = ("op", "on", "s", "open", "geopend", "elke", "iedere", "every")
#: A clock time ("om 18 uur", "18:00", "na 17 uur", "tussen 12 en 14 uur"), alone (today) or after
#: a day ("dinsdag om 18 uur"): the words before the hour, and the hour's own words.
CLOCK_AT = ("om", "rond", "at", "around")
CLOCK_FROM = ("na", "vanaf", "from", "after")
CLOCK_BETWEEN = ("tussen", "between")
CLOCK_AND = ("en", "tot", "and", "to")
CLOCK_UNITS = ("uur", "u", "h")
#: The last hour a time "after" ("na 17 uur") asks for.
CLOCK_LATEST = 23
#: A group size ("zaal voor 20 personen") is read as the `capacity` filter (intent.py): a number
#: followed by one of PEOPLE_WORDS ("20 personen"), or after a room word and "voor"/"for" ("zaal
#: voor 20", "room for 15"), or after "groep van" ("groep van 8"). A number alone is never a group.
PEOPLE_WORDS = (
    "personen", "persoon", "pers", "mensen", "man", "deelnemers", "gasten", "bezoekers",
    "people", "persons", "person", "participants", "guests", "pax",
)  # fmt: skip
#: The words after which "voor N" is a group size: the room asked for.
ROOM_WORDS = (
    "zaal", "zaaltje", "zalen", "ruimte", "ruimtes", "zaall", "lokaal", "groepsruimte", "vergaderruimte",
    "vergaderzaal", "plek", "plekje", "locatie", "room", "rooms", "hall", "space", "venue", "place",
)  # fmt: skip
#: The words before "voor"/"for" that say the number after it is a group.
CAPACITY_FOR = ("voor", "for")
#: The words between the two numbers of a range ("8 tot 12 mensen", "10 a 15 personen").
RANGE_WORDS = ("tot", "a", "to")
#: "groep van 8", "group of 8".
GROUP_OF = (("groep", "van"), ("groepje", "van"), ("group", "of"))
#: Words after a number that make it no group size ("zaal voor 20 euro", "voor 18 jaar").
NOT_PEOPLE = (
    "euro", "eur", "cent", "jaar", "jarigen", "jarige", "uur", "u", "minuten", "min", "procent", "km",
    "meter", "m", "m2", "years", "year", "hours", "hour", "minutes", "pm", "am", "h",
)  # fmt: skip
#: The largest group a question (and `min_capacity`) may ask for; larger numbers are no group size.
MAX_CAPACITY = 500
#: Words that name a category -> its code: partner lists' cells (importers/vocabulary.py, compared
#: whole, longest match first) and a question's words that say which kind of place is meant
#: (relax.py widens a word that finds nothing to its category).
CATEGORY_WORDS: dict[str, str] = {
    "buurthuis": "community_centre", "buurtcentrum": "community_centre", "wijkcentrum": "community_centre",
    "buurthuizen": "community_centre", "community center": "community_centre",
    "huiskamer": "neighbourhood_room", "buurtkamer": "neighbourhood_room", "wijkkamer": "neighbourhood_room",
    "maatje": "buddy_project", "maatjes": "buddy_project", "maatjesproject": "buddy_project",
    "buddy": "buddy_project", "buddyzorg": "buddy_project", "vriendschappelijk huisbezoek": "buddy_project",
    "taalmaatje": "language_buddy", "taalcafe": "language_buddy", "taalles": "language_buddy",
    "taalhuis": "language_buddy", "taal": "language_buddy",
    "voedselbank": "food_bank", "voedselhulp": "food_bank", "food bank": "food_bank",
    "maaltijd": "shared_meal", "samen eten": "shared_meal", "eettafel": "shared_meal",
    "buurtbuik": "shared_meal", "maaltijden": "shared_meal", "meal": "shared_meal",
    "buurtrestaurant": "community_restaurant", "inloopmaaltijd": "soup_kitchen",
    "inloop": "drop_in_centre", "inloophuis": "drop_in_centre", "inloopspreekuur": "drop_in_centre",
    "lotgenoten": "peer_group", "lotgenotengroep": "peer_group", "zelfhulpgroep": "peer_group",
    "zelfhulp": "peer_group", "ervaringsdeskundigen": "peer_group", "peer support": "peer_group",
    "burenhulp": "neighbour_network", "burennetwerk": "neighbour_network", "buren": "neighbour_network",
    "keyring": "neighbour_network", "burenhulpcentrale": "neighbour_network",
    "vrijwilligers": "volunteer_organisation", "vrijwilligerswerk": "volunteer_organisation",
    "vrijwilligersorganisatie": "volunteer_organisation", "vrijwilligerscentrale": "volunteer_organisation",
    "repaircafe": "repair_cafe", "repair": "repair_cafe",
    "sport": "sports_club", "bewegen": "sports_club", "sportclub": "sports_club",
    "wandelen": "walking_group", "wandelclub": "walking_group",
    "leesclub": "reading_club", "hobby": "hobby_club",
    "yoga": "sports_club", "zwemmen": "sports_club", "zwemles": "sports_club", "fitness": "sports_club",
    "schaken": "hobby_club", "schaakclub": "hobby_club", "handwerken": "hobby_club", "breien": "hobby_club",
    "spelletjes": "hobby_club", "spelletjesmiddag": "hobby_club", "koor": "hobby_club",
    "kerk": "place_of_worship", "moskee": "place_of_worship", "tempel": "place_of_worship",
    "jongerenwerk": "youth_centre", "jongeren": "youth_centre",
    "ouderenwerk": "elderly_centre", "dienstencentrum": "elderly_centre",
    "bibliotheek": "library", "bieb": "library",
    "schuldhulp": "social_facility", "schuldhulpverlening": "social_facility",
    "thuisadministratie": "social_facility",
    "formulierenhulp": "social_facility", "sociaal loket": "social_facility", "wijkteam": "social_facility",
    "mantelzorg": "ngo", "mantelzorgondersteuning": "ngo", "fonds": "ngo", "stichting": "ngo",
}  # fmt: skip
