# The handlers are built per kind at runtime; mypy cannot follow types held in variables.
# mypy: disable-error-code="valid-type,no-any-return"
"""CRUD, revision history and restore for organisations, locations and services.

The three kinds share one controller shape, built by `entry_controller`, so a
rule (locking, pagination, errors) is written once.
"""

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, PathParameter, QueryParameter
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT
from pydantic import BaseModel

from directory.errors import InvalidInputError
from directory.points import MAX_RADIUS_M, check_radius, parse_lat_lon
from directory.schemas import (
    LocationCreate,
    LocationRead,
    LocationUpdate,
    OrganizationCreate,
    OrganizationRead,
    OrganizationUpdate,
    Page,
    RestoreRequest,
    RevisionRead,
    ServiceCreate,
    ServiceRead,
    ServiceUpdate,
)
from directory.schemas.limits import MAX_INT, MAX_PAGE
from directory.services.entries import EntryService
from directory.services.nearby import locations_near
from web.accounts.current import current_user
from web.accounts.names import PublicNames
from web.dependencies import READS_ONLY

PageNumber = Annotated[int, QueryParameter(ge=1, le=MAX_PAGE, description="page number, from 1")]
PageSize = Annotated[int, QueryParameter(ge=1, le=200, description="entries per page (at most 200)")]


def entry_controller(
    kind: str,
    path: str,
    create_type: type[BaseModel],
    update_type: type[BaseModel],
    read_type: type[BaseModel],
) -> type[Controller]:
    """A controller with list, create, read, update, delete, history and restore for one kind."""

    def read(entries: NamedDependency[EntryService], entry: Any, names: PublicNames | None = None) -> Any:
        data = entries.to_dict(entry)
        return read_type.model_validate(names.entry(data) if names else data)

    class EntryController(Controller):
        tags = [kind]  # noqa: RUF012

        @post("/", status_code=HTTP_201_CREATED, summary=f"Create a {kind}", sync_to_thread=True)
        def create_entry(
            self, entries: NamedDependency[EntryService], data: JSONBody[create_type]
        ) -> read_type:
            return read(entries, entries.create(kind, data))

        @get("/{entry_id:uuid}", summary=f"One {kind}", sync_to_thread=True, opt=READS_ONLY)
        def get_entry(
            self,
            entries: NamedDependency[EntryService],
            names: NamedDependency[PublicNames],
            entry_id: FromPath[uuid.UUID],
        ) -> read_type:
            return read(entries, entries.get(kind, entry_id), names)

        @patch(
            "/{entry_id:uuid}",
            summary=f"Update a {kind}",
            sync_to_thread=True,
            description="Partial update. `version` must be the version you read; "
            "if someone saved in between, the answer is 409 with the current version.",
        )
        def update_entry(
            self,
            entries: NamedDependency[EntryService],
            entry_id: FromPath[uuid.UUID],
            data: JSONBody[update_type],
        ) -> read_type:
            return read(entries, entries.update(kind, entry_id, data))

        @delete(
            "/{entry_id:uuid}",
            status_code=HTTP_204_NO_CONTENT,
            summary=f"Delete a {kind}",
            sync_to_thread=True,
        )
        def delete_entry(
            self,
            entries: NamedDependency[EntryService],
            entry_id: FromPath[uuid.UUID],
            version: Annotated[int, QueryParameter(ge=1, le=MAX_INT, description="the version you read")],
        ) -> None:
            entries.delete(kind, entry_id, expected_version=version)

        @get(
            "/{entry_id:uuid}/revisions",
            summary=f"Revision history of a {kind}, newest first",
            description="Who changed it shows as a display name or 'een vrijwilliger' unless you are "
            "a broker. The history of a deleted entry is for brokers only (404 for others).",
            sync_to_thread=True,
            opt=READS_ONLY,
        )
        def list_revisions(
            self,
            request: Request[Any, Any, Any],
            entries: NamedDependency[EntryService],
            names: NamedDependency[PublicNames],
            entry_id: FromPath[uuid.UUID],
        ) -> list[RevisionRead]:
            user = current_user(request)
            if user is None or not user.has_role("broker"):
                # A deleted entry's history holds its last contact names and phone numbers:
                # brokers may need them to restore it, the public has no business with them.
                entries.get(kind, entry_id)
            return [
                RevisionRead.model_validate(names.revision(r), from_attributes=True)
                for r in entries.revisions(kind, entry_id)
            ]

        @post(
            "/{entry_id:uuid}/revisions/{revision:int}/restore",
            status_code=200,
            summary=f"Restore a {kind} to an earlier revision",
            sync_to_thread=True,
        )
        def restore_entry(
            self,
            entries: NamedDependency[EntryService],
            entry_id: FromPath[uuid.UUID],
            revision: Annotated[int, PathParameter(ge=1, le=MAX_INT)],
            data: JSONBody[RestoreRequest],
        ) -> read_type:
            restored = entries.restore(
                kind, entry_id, revision, expected_version=data.version, note=data.note
            )
            return read(entries, restored)

    EntryController.path = path
    EntryController.__name__ = f"{kind.title()}Controller"
    return EntryController


def _simple_list(kind: str, path: str, read_type: type[BaseModel]) -> Any:
    @get(path, summary=f"List {kind}s, by name", sync_to_thread=True, tags=[kind], opt=READS_ONLY)
    def list_entries(
        entries: NamedDependency[EntryService],
        names: NamedDependency[PublicNames],
        page: PageNumber = 1,
        page_size: PageSize = 50,
    ) -> Page[read_type]:
        rows, total = entries.list(kind, page=page, page_size=page_size)
        items = [read_type.model_validate(names.entry(d)) for d in entries.to_dicts(rows)]
        return Page[read_type](items=items, total=total, page=page, page_size=page_size)

    return list_entries


@get(
    "/api/v1/locations",
    tags=["location"],
    summary="List locations, by name or by distance",
    description="With `near=lat,lon&radius_m=...` only locations within the radius are listed, "
    "nearest first, each with `distance_m` (metres, on the WGS84 spheroid).",
    sync_to_thread=True,
    opt=READS_ONLY,
)
def list_locations(
    entries: NamedDependency[EntryService],
    names: NamedDependency[PublicNames],
    page: PageNumber = 1,
    page_size: PageSize = 50,
    near: Annotated[str | None, QueryParameter(description="centre as 'lat,lon'")] = None,
    radius_m: Annotated[
        float | None, QueryParameter(description=f"radius in metres (0..{MAX_RADIUS_M})")
    ] = None,
    category: Annotated[str | None, QueryParameter(description="category code")] = None,
) -> Page[LocationRead]:
    """Locations, optionally within a radius of a point."""
    if near is None:
        if radius_m is not None:
            raise InvalidInputError("near", "radius_m needs near=lat,lon", code="radius_needs_point")
        rows, total = entries.list("location", page=page, page_size=page_size, category=category)
        items = [LocationRead.model_validate(names.entry(d)) for d in entries.to_dicts(rows)]
        return Page[LocationRead](items=items, total=total, page=page, page_size=page_size)
    lat, lon = parse_lat_lon(near, "near")
    if radius_m is None:
        raise InvalidInputError(
            "radius_m",
            f"give a radius in metres (0..{MAX_RADIUS_M}) with near",
            code="point_needs_radius",
            params={"max": MAX_RADIUS_M},
        )
    check_radius(radius_m, "radius_m")
    found, total = locations_near(
        entries.session, lat, lon, radius_m, category=category, limit=page_size, offset=(page - 1) * page_size
    )
    items = [
        LocationRead.model_validate({**names.entry(entries.to_dict(loc)), "distance_m": round(d, 1)})
        for loc, d in found
    ]
    return Page[LocationRead](items=items, total=total, page=page, page_size=page_size)


OrganizationController = entry_controller(
    "organization", "/api/v1/organizations", OrganizationCreate, OrganizationUpdate, OrganizationRead
)
LocationController = entry_controller(
    "location", "/api/v1/locations", LocationCreate, LocationUpdate, LocationRead
)
ServiceController = entry_controller("service", "/api/v1/services", ServiceCreate, ServiceUpdate, ServiceRead)

ENTRY_HANDLERS = [
    OrganizationController,
    LocationController,
    ServiceController,
    _simple_list("organization", "/api/v1/organizations", OrganizationRead),
    list_locations,
    _simple_list("service", "/api/v1/services", ServiceRead),
]
