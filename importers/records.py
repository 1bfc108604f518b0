"""The normalised record every importer produces, whatever its source.

A record is one place (a directory `location`) and, optionally, one
activity held there (a `service`: a repair café, a partner's weekly
meeting). Field names are those of the entry schemas, so the merge step can
hand them to `EntryService` unchanged. Values an importer could not accept
(an opening-hours string that does not parse) are kept in `problems`
instead of failing the whole import.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from directory.errors import Problem as RuleProblem


@dataclass(frozen=True)
class Problem:
    """A value set aside: which field, the raw value and why it was not used."""

    field: str
    value: str
    reason: str
    #: What a page looks up in its catalogue (`error.<code>`).
    code: str = "invalid"


@dataclass
class PlaceRecord:
    """One place from a source, in the shape of `LocationFields` (+ an optional service)."""

    source: str
    source_id: str
    name: str
    lat: float
    lon: float
    category: str | None = None
    location: dict[str, Any] = field(default_factory=dict)
    service: dict[str, Any] | None = None
    raw: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    line: int | None = None
    #: The service's own id in the source, when a place holds several services (HSDS).
    service_source_id: str | None = None
    #: The organisation behind the place and service: its source id and fields.
    organization: dict[str, Any] | None = None

    def location_fields(self) -> dict[str, Any]:
        """Everything to write on the location, without empty values."""
        fields: dict[str, Any] = {
            "name": self.name,
            "lat": self.lat,
            "lon": self.lon,
            "category": self.category,
        }
        fields.update(self.location)
        return {k: v for k, v in fields.items() if v not in (None, "", [], {})}

    def service_fields(self) -> dict[str, Any] | None:
        """Everything to write on the service, without empty values (None: no service)."""
        if self.service is None:
            return None
        return {k: v for k, v in self.service.items() if v not in (None, "", [], {})}


@dataclass(frozen=True)
class Rejected:
    """A source row that could not become a record, with its line and the reason."""

    source_id: str
    reason: str
    line: int | None = None
    name: str | None = None
    #: The reason as data (code and parameters), for pages in another language than the reason's.
    problem: RuleProblem | None = None


@dataclass
class EntryRecord:
    """An organisation, or a service without a place (it comes to people), from a source."""

    kind: str  # 'organization' or 'service'
    source: str
    source_id: str
    name: str
    fields: dict[str, Any] = field(default_factory=dict)
    organization: dict[str, Any] | None = None
    raw: dict[str, Any] = field(default_factory=dict)
    line: int | None = None
    #: Values set aside (no wijkgram field for them), shown in the report like a place's.
    problems: list[Problem] = field(default_factory=list)
