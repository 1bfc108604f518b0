"""What a search document offers: its searched text, its facets, its filters, and the typo rules.

The one declaration both engines, the facet counter and the API derive their lists
from, so a new facet or searched field is added here once (docs/search.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from directory.search.grid import CELL_LEVELS, cell_field

#: Searched text per PostgreSQL weight (A highest), in order of importance; Meilisearch
#: searches the same fields in the same order (its "attribute" ranking rule).
TEXT_WEIGHTS: dict[str, tuple[str, ...]] = {
    "A": ("name", "alternate_name"),
    "B": ("category_labels", "organization_name"),
    "C": (
        "location_name",
        "communities",
        "support_labels",
        "target_labels",
        "tags",
        "place_names",
        "address",
    ),
    # How to join is what a provider writes to the people it is for ("Neem je kapotte
    # spullen mee"): often the only place a service names what it is about in their words.
    # The stems and compound parts of all the words above (compounds.py): found, but last.
    "D": ("description", "how_to_join", "word_parts"),
}
#: Every searched field, most important first.
SEARCHABLE: tuple[str, ...] = tuple(name for fields in TEXT_WEIGHTS.values() for name in fields)


@dataclass(frozen=True)
class Facet:
    """A field a client may count and filter on; `many` when a document holds a list of values."""

    name: str
    many: bool = False


#: The facets, in the order the API lists and counts them.
FACET_FIELDS: tuple[Facet, ...] = (
    Facet("kind"),
    Facet("category"),
    Facet("support_functions", many=True),
    Facet("target_groups", many=True),
    Facet("languages", many=True),
    Facet("accessibility", many=True),
    Facet("facilities", many=True),
    Facet("stadsdeel_code"),
    Facet("wijk_code"),
    Facet("buurt_code"),
)
FACETS: tuple[str, ...] = tuple(f.name for f in FACET_FIELDS)
#: Facets with one value per document, and those with a list of values (counted per set).
SCALAR_FACETS: tuple[str, ...] = tuple(f.name for f in FACET_FIELDS if not f.many)
LIST_FACETS: tuple[str, ...] = tuple(f.name for f in FACET_FIELDS if f.many)
#: List facets whose values must all hold when several are asked ("step-free and a kitchen").
ALL_OF_FACETS: tuple[str, ...] = ("accessibility", "facilities")

#: Fields the engines filter on besides the facets: links, cost, opening and place.
FILTERABLE: tuple[str, ...] = (
    "id",
    "service_id",
    "location_id",
    "organization_id",
    *FACETS,
    "cost_eur",
    # How many people the place holds (null: not known), for "zaal voor 20 personen".
    "capacity",
    "open_hours",
    "open_exact",
    "open_until",
    "has_area",
    "_geo",
    # The map's grid cells, counted as facets when a view holds too many places (grid.py).
    *(cell_field(level) for level in CELL_LEVELS),
)

#: Categories of places that are informal support themselves (what wijkgram is a map of), as
#: opposed to the places around them (restaurants, pubs, museums, toilets from OpenStreetMap).
#: Between equally relevant hits, activities and these places come first; a search with
#: filters only ("rolstoel") then lists buurthuizen before restaurants (docs/search.md, "Ranking").
SUPPORT_CATEGORIES: tuple[str, ...] = (
    "community_centre", "neighbourhood_room", "community_restaurant", "shared_meal", "stamtafel",
    "soup_kitchen", "food_bank", "library", "place_of_worship", "religious_community", "walking_group",
    "hobby_club", "reading_club", "repair_cafe", "volunteer_organisation", "buddy_project",
    "language_buddy", "peer_group", "neighbour_network", "drop_in_centre", "social_facility",
    "youth_centre", "elderly_centre", "social_centre",
)  # fmt: skip

#: Word lengths from which one and two typos are allowed (Meilisearch's defaults), for both engines.
ONE_TYPO_FROM = 5
TWO_TYPOS_FROM = 9
