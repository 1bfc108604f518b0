"""What an import run did: one `Outcome` per source record, gathered in an `ImportReport`."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal, get_args

from pydantic import ValidationError

from directory.errors import InvalidInputError, WijkgramError
from directory.errors import Problem as RuleProblem
from importers.records import Problem

#: What a run did with one source record.
ImportOutcome = Literal["created", "updated", "unchanged", "draft", "rejected", "skipped", "missing"]
OUTCOMES: tuple[ImportOutcome, ...] = get_args(ImportOutcome)


@dataclass
class Outcome:
    """What happened to one source record."""

    source_id: str
    name: str | None
    outcome: ImportOutcome
    category: str | None = None
    reason: str | None = None
    line: int | None = None
    entity_id: uuid.UUID | None = None
    matched_by: str | None = None
    problems: list[Problem] = field(default_factory=list)
    #: Why it was rejected, as data (code and parameters) for pages in another language.
    errors: list[RuleProblem] = field(default_factory=list)
    #: (kind, field) this record wrote, and those it only suggested (a broker or another source owns
    #: them); the upload preview shows them per row.
    changed_fields: list[tuple[str, str]] = field(default_factory=list)
    suggested_fields: list[tuple[str, str]] = field(default_factory=list)
    #: What the entry is: a place (with its activity), or a service known by its area (or a draft).
    entity_type: str = "location"


@dataclass
class ImportReport:
    """Everything a run did, for the summary table and the tests."""

    source: str
    scope: str
    run_id: str
    dry_run: bool = False
    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0
    objects_read: int = 0

    def counts(self) -> Counter[str]:
        """Number of records per outcome."""
        return Counter(o.outcome for o in self.outcomes)

    def by_category(self) -> dict[str, Counter[str]]:
        """Outcome counts per category."""
        table: dict[str, Counter[str]] = {}
        for o in self.outcomes:
            table.setdefault(o.category or "-", Counter())[o.outcome] += 1
        return table

    def rejects(self) -> list[Outcome]:
        """The rejected records, in input order."""
        return [o for o in self.outcomes if o.outcome == "rejected"]

    def problems(self) -> list[tuple[Outcome, Problem]]:
        """Values set aside (invalid opening hours etc.), with the record they belong to."""
        return [(o, p) for o in self.outcomes for p in o.problems]


def validation_reason(exc: ValidationError) -> str:
    """A schema's refusal in one line: 'field: message; ...'."""
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "record"
        parts.append(f"{where}: {err['msg'].removeprefix('Value error, ')}")
    return "; ".join(parts)


def domain_problems(exc: WijkgramError) -> list[RuleProblem]:
    """A directory rule's refusal as data, for pages in another language."""
    return [exc.problem] if isinstance(exc, InvalidInputError) else []
