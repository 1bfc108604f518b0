"""wijkgram's vocabularies as HSDS taxonomies, and HSDS attributes read back as our codes.

Each wijkgram vocabulary (category, support_function, target_group) is one HSDS taxonomy
with a stable id; entries carry their codes as attributes. Terms of any other taxonomy are
not ours: one whose code or name is one of our target groups becomes that target group, every
other one is reported and kept in the source record (never taken for a category).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from importers.hsds.spec import derived_id
from importers.hsds.tables import Index
from importers.records import Problem

#: Our vocabularies and the entry field each fills.
VOCABULARY_FIELDS = {
    "category": "category",
    "support_function": "support_functions",
    "target_group": "target_groups",
}


def taxonomy_id(vocabulary: str) -> str:
    return derived_id("taxonomy", vocabulary)


def term_id(code: str) -> str:
    return derived_id("term", code)


OUR_TAXONOMIES = {taxonomy_id(v): v for v in VOCABULARY_FIELDS}


@dataclass
class Terms:
    """What an entry's attributes say in wijkgram's terms, and what they say that we cannot keep."""

    fields: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def _taxonomy_name(index: Index, term: dict[str, Any]) -> str:
    taxonomy = index.rows.get(("taxonomy", str(term.get("taxonomy_id"))))
    return str((taxonomy or {}).get("name") or term.get("taxonomy") or "no taxonomy")


def _add(terms: Terms, vocabulary: str, code: str) -> None:
    name = VOCABULARY_FIELDS[vocabulary]
    if name == "category":
        terms.fields.setdefault("category", code)
        return
    values = terms.fields.setdefault(name, [])
    if code not in values:
        values.append(code)


def entry_terms(index: Index, link_id: str, target_groups: set[str]) -> Terms:
    """The category, support functions and target groups an entry's attributes give it."""
    terms = Terms()
    for attribute in index.owned("attribute", "", link_id):
        term = index.rows.get(("taxonomy_term", str(attribute.get("taxonomy_term_id"))))
        if term is None:
            value = str(attribute.get("value") or attribute.get("taxonomy_term_id"))
            terms.problems.append(Problem("attribute", value, "its taxonomy term is not in the package"))
            continue
        vocabulary = OUR_TAXONOMIES.get(str(term.get("taxonomy_id")))
        code = str(term.get("code") or term.get("name"))
        if vocabulary is not None:
            _add(terms, vocabulary, code)
            continue
        match = next(
            (c for c in (term.get("code"), term.get("name")) if c and str(c).lower() in target_groups), None
        )
        if match is not None:
            _add(terms, "target_group", str(match).lower())
            continue
        terms.problems.append(
            Problem(
                "attribute",
                f"{_taxonomy_name(index, term)}: {term.get('name')}",
                "a term of another taxonomy that wijkgram has no field for",
            )
        )
    return terms
