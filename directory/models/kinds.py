"""The kinds of entry: the names used in URLs, revisions, the search outbox and source links."""

from __future__ import annotations

from enum import StrEnum


class EntryKind(StrEnum):
    """An organisation, a location or a service (each is its own table)."""

    ORGANIZATION = "organization"
    LOCATION = "location"
    SERVICE = "service"
