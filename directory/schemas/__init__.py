"""Validated shapes of entries for every input path and for API output."""

from directory.schemas.entries import (
    LocationCreate,
    LocationRead,
    LocationUpdate,
    Meeting,
    OrganizationCreate,
    OrganizationRead,
    OrganizationUpdate,
    Page,
    RestoreRequest,
    RevisionRead,
    ServiceCreate,
    ServiceRead,
    ServiceUpdate,
    TaxonomyTermRead,
)

__all__ = [
    "LocationCreate",
    "LocationRead",
    "LocationUpdate",
    "Meeting",
    "OrganizationCreate",
    "OrganizationRead",
    "OrganizationUpdate",
    "Page",
    "RestoreRequest",
    "RevisionRead",
    "ServiceCreate",
    "ServiceRead",
    "ServiceUpdate",
    "TaxonomyTermRead",
]
