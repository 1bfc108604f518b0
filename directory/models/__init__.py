"""The directory's mapped classes, one per module."""

from directory.models.base import ENTRY_STATUSES, Base
from directory.models.location import Location
from directory.models.organization import Organization
from directory.models.revision import Revision, SearchOutbox
from directory.models.service import Service, service_at_location
from directory.models.taxonomy import VOCABULARIES, TaxonomyTerm

#: Entry kinds by the name used in URLs, revisions and the outbox.
ENTITY_MODELS: dict[str, type[Organization | Location | Service]] = {
    "organization": Organization,
    "location": Location,
    "service": Service,
}

__all__ = [
    "ENTITY_MODELS",
    "ENTRY_STATUSES",
    "VOCABULARIES",
    "Base",
    "Location",
    "Organization",
    "Revision",
    "SearchOutbox",
    "Service",
    "TaxonomyTerm",
    "service_at_location",
]
