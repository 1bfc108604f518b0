"""The directory's mapped classes, one area per module; every table of wijkgram is here.

Importing this package puts every table in `Base.metadata`, so Alembic's autogenerate
and the migration test see the whole schema.
"""

from directory.models.accounts import ROLES, ApiToken, LoginThrottle, User, WebSession
from directory.models.base import ENTRY_STATUSES, Base
from directory.models.geo import (
    geo_address,
    geo_boundary,
    geo_network_build,
    geo_network_edge,
    geo_network_node,
)
from directory.models.kinds import EntryKind
from directory.models.location import Location
from directory.models.organization import Organization
from directory.models.report import REPORT_KINDS, Report, ReportKind, ReportState
from directory.models.revision import Revision, SearchOutbox
from directory.models.service import Service, service_at_location
from directory.models.sources import SourceLink, SourceSuggestion
from directory.models.taxonomy import VOCABULARIES, TaxonomyTerm
from directory.models.tiles import TileCache, TileEntryCell, TileLayerVersion

#: Entry kinds and their tables.
ENTITY_MODELS: dict[str, type[Organization | Location | Service]] = {
    EntryKind.ORGANIZATION: Organization,
    EntryKind.LOCATION: Location,
    EntryKind.SERVICE: Service,
}

__all__ = [
    "ENTITY_MODELS",
    "ENTRY_STATUSES",
    "REPORT_KINDS",
    "ROLES",
    "VOCABULARIES",
    "ApiToken",
    "Base",
    "EntryKind",
    "Location",
    "LoginThrottle",
    "Organization",
    "Report",
    "ReportKind",
    "ReportState",
    "Revision",
    "SearchOutbox",
    "Service",
    "SourceLink",
    "SourceSuggestion",
    "TaxonomyTerm",
    "TileCache",
    "TileEntryCell",
    "TileLayerVersion",
    "User",
    "WebSession",
    "geo_address",
    "geo_boundary",
    "geo_network_build",
    "geo_network_edge",
    "geo_network_node",
    "service_at_location",
]
