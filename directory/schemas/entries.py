"""Input and output shapes of directory entries.

`*Create` requires what a new entry must have; `*Update` is a partial update
that must name the `version` it was based on (optimistic locking); `*Read`
is what the API returns. Domain rules that need the database (does this
category exist?) live in the service layer, not here.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from decimal import Decimal
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from directory.errors import RuleError
from directory.schemas import validators as v
from directory.schemas.limits import MAX_INT, bounded_date, bounded_moment

T = TypeVar("T")
Status = Literal["active", "closed", "needs_review", "draft"]
DeliveryMode = Literal["at_home", "phone", "online"]
Postcode = Annotated[str, AfterValidator(v.normalise_postcode)]
Phone = Annotated[str, AfterValidator(v.normalise_phone)]
OpeningHours = Annotated[str, Field(max_length=500), AfterValidator(v.check_opening_hours)]
ClosedRange = Annotated[str, Field(max_length=40), AfterValidator(v.check_closed_range)]
Languages = Annotated[list[str], AfterValidator(v.check_languages)]
Codes = Annotated[list[Annotated[str, Field(min_length=1, max_length=80)]], Field(max_length=50)]
ShortText = Annotated[str, Field(max_length=500)]
Day = Annotated[date, AfterValidator(bounded_date)]
Moment = Annotated[datetime, AfterValidator(bounded_moment)]
LongText = Annotated[str, Field(max_length=10_000)]


class Strict(BaseModel):
    """Unknown fields are an error, so a typo never silently drops data."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Meeting(Strict):
    """A recurring meeting: an RFC 5545 rule plus the time of day."""

    rrule: Annotated[str, AfterValidator(v.check_rrule)] = Field(
        description="RFC 5545 RRULE, e.g. FREQ=MONTHLY;BYDAY=1TU (first Tuesday of the month)"
    )
    dtstart: Day | None = Field(None, description="first date the rule applies")
    until: Day | None = Field(None, description="last date the rule applies")
    start_time: time | None = None
    end_time: time | None = None
    exdates: list[Day] = Field(default_factory=list, description="dates it does not happen")
    closed_ranges: Annotated[list[ClosedRange], Field(max_length=50)] = Field(
        default_factory=list,
        description="periods without meetings: 2024-07-05:2024-08-21, 07:08 (each July-August), 12-24:12-31",
    )
    note: ShortText | None = None


class EntryFields(Strict):
    """Fields shared by organisations, services and locations (all optional here)."""

    name: Annotated[str, Field(min_length=1, max_length=300)] | None = None
    alternate_name: ShortText | None = None
    description: LongText | None = None
    category: Annotated[str, Field(max_length=80)] | None = Field(
        None, description="code from the 'category' vocabulary (GET /api/v1/taxonomy)"
    )
    status: Status | None = None
    email: Annotated[str, Field(max_length=320), AfterValidator(v.check_email)] | None = None
    website: Annotated[str, Field(max_length=1000), AfterValidator(v.normalise_website)] | None = None
    phone: Phone | None = None
    languages: Languages | None = Field(None, description="ISO 639 codes of languages spoken")
    last_verified_at: Moment | None = None
    verified_by: ShortText | None = None
    verification_method: ShortText | None = None
    source: ShortText | None = None
    source_id: ShortText | None = None
    fetched_at: Moment | None = None


class CostFields(Strict):
    """Cost: free, or an amount in euro with a note."""

    cost_free: bool | None = None
    cost_amount_eur: Annotated[Decimal, Field(ge=0, le=100_000, decimal_places=2)] | None = None
    cost_note: ShortText | None = None


class OrganizationFields(EntryFields):
    """What can be set on an organisation."""


class LocationFields(EntryFields, CostFields):
    """What can be set on a location."""

    organization_id: uuid.UUID | None = None
    lat: Annotated[float, Field(ge=-90, le=90)] | None = None
    lon: Annotated[float, Field(ge=-180, le=180)] | None = None
    street: ShortText | None = None
    house_number: Annotated[str, Field(max_length=20)] | None = None
    postcode: Postcode | None = None
    city: ShortText | None = None
    stadsdeel_code: Annotated[str, Field(max_length=20)] | None = None
    wijk_code: Annotated[str, Field(max_length=20)] | None = None
    buurt_code: Annotated[str, Field(max_length=20)] | None = None
    opening_hours: OpeningHours | None = None
    religion: Annotated[str, Field(max_length=80)] | None = None
    denomination: Annotated[str, Field(max_length=80)] | None = None
    step_free: bool | None = None
    accessible_toilet: bool | None = None
    scootmobiel_parking: bool | None = None
    accessibility_note: ShortText | None = None
    kitchen_available: bool | None = None
    room_available: bool | None = None
    capacity: Annotated[int, Field(ge=0, le=100_000)] | None = None

    @model_validator(mode="after")
    def _point_in_netherlands(self) -> LocationFields:
        if (self.lat is None) != (self.lon is None):
            raise RuleError("lat and lon must be given together", code="lat_lon_together", field="lat")
        if self.lat is not None and self.lon is not None:
            v.check_point(self.lat, self.lon, field="lat")
        return self


class ServiceFields(EntryFields, CostFields):
    """What can be set on a service or activity."""

    organization_id: uuid.UUID | None = None
    location_ids: Annotated[list[uuid.UUID], Field(max_length=200)] | None = Field(
        None, description="locations where this service takes place"
    )
    support_functions: Codes | None = Field(None, description="codes from 'support_function'")
    target_groups: Codes | None = Field(None, description="codes from 'target_group'")
    communities: Annotated[list[ShortText], Field(max_length=50)] | None = None
    opening_hours: OpeningHours | None = None
    meetings: Annotated[list[Meeting], Field(max_length=50)] | None = None
    walk_in: bool | None = None
    referral_required: bool | None = None
    waiting_time_days: Annotated[int, Field(ge=0, le=3650)] | None = None
    response_time_days: Annotated[int, Field(ge=0, le=3650)] | None = None
    how_to_join: LongText | None = None
    contact_role: ShortText | None = None
    contact_name: ShortText | None = None
    service_area: Annotated[dict[str, Any], AfterValidator(v.check_service_area)] | None = Field(
        None, description="GeoJSON (Multi)Polygon where the service comes to people"
    )
    service_area_name: ShortText | None = Field(
        None, description="the served area in words, e.g. 'Zuidoost' or 'Heel Amsterdam'"
    )
    delivery_modes: Annotated[list[DeliveryMode], Field(max_length=3)] | None = Field(
        None, description="how the service reaches people without a venue: at_home, phone, online"
    )


def _required_name(model: EntryFields) -> None:
    if model.name is None:
        raise RuleError("name is required", code="name_required", field="name")


class OrganizationCreate(OrganizationFields):
    """A new organisation."""

    @model_validator(mode="after")
    def _required(self) -> OrganizationCreate:
        _required_name(self)
        return self


class LocationCreate(LocationFields):
    """A new location: name and point are required."""

    @model_validator(mode="after")
    def _required(self) -> LocationCreate:
        _required_name(self)
        if self.lat is None:
            raise RuleError("lat and lon are required", code="lat_lon_required", field="lat")
        return self


class ServiceCreate(ServiceFields):
    """A new service."""

    @model_validator(mode="after")
    def _required(self) -> ServiceCreate:
        _required_name(self)
        return self


class Versioned(BaseModel):
    """The version an update or delete was based on."""

    version: int = Field(ge=1, le=MAX_INT, description="the version you read; a newer one means a conflict")


class OrganizationUpdate(OrganizationFields, Versioned):
    """A partial update of an organisation."""


class LocationUpdate(LocationFields, Versioned):
    """A partial update of a location."""


class ServiceUpdate(ServiceFields, Versioned):
    """A partial update of a service."""


class RestoreRequest(Versioned):
    """Restore an entry to the state of one of its revisions."""

    note: ShortText | None = None


class ReadMeta(BaseModel):
    """Fields the server sets."""

    model_config = ConfigDict(extra="ignore")

    id: uuid.UUID
    version: int
    created_at: datetime
    updated_at: datetime
    field_provenance: dict[str, Any] = Field(default_factory=dict)


class OrganizationRead(ReadMeta, OrganizationFields):
    """An organisation as the API returns it."""

    model_config = ConfigDict(extra="ignore")


class LocationRead(ReadMeta, LocationFields):
    """A location as the API returns it; `distance_m` is set by radius queries."""

    model_config = ConfigDict(extra="ignore")
    distance_m: float | None = None

    # A plain method replacing the validator is what mypy calls an incompatible override, and
    # what pydantic reads as "no such validator here"; LocationFields itself keeps the rule,
    # since the importers validate with it.
    def _point_in_netherlands(self) -> LocationRead:  # type: ignore[override]
        """Not checked on the way out: the rule is for input, and a stored point passed it.

        Named as LocationFields' validator, so pydantic leaves that one out here. Testing the
        point against the outline of the Netherlands was a fifth of a radius listing's CPU
        (50 places a page; docs/reliability.md, "Public reads at 100k").
        """
        return self


class ServiceRead(ReadMeta, ServiceFields):
    """A service as the API returns it."""

    model_config = ConfigDict(extra="ignore")


class RevisionRead(BaseModel):
    """One revision of an entry."""

    version: int
    kind: str
    changed_by: str
    changed_at: datetime
    changes: dict[str, Any]
    snapshot: dict[str, Any]
    note: str | None = None


class TaxonomyTermRead(BaseModel):
    """A vocabulary term."""

    model_config = ConfigDict(from_attributes=True)

    code: str
    vocabulary: str
    label_nl: str
    label_en: str
    parent_code: str | None = None


class Page(BaseModel, Generic[T]):
    """One page of a list."""

    items: list[T]
    total: int
    page: int
    page_size: int
