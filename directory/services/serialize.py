"""Convert entries to plain dicts (API shape, revision snapshots) and back."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime, time
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from geoalchemy2.elements import WKBElement, WKTElement
from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry import Point, shape
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from directory.models import Service, service_at_location

Entry = Any  # Organization | Location | Service; columns differ per kind

#: Columns the server owns; never taken from input or restored from a snapshot.
SERVER_FIELDS = frozenset({"id", "version", "created_at", "updated_at", "field_provenance"})
#: Changes to these fields are bookkeeping, not content; revisions and provenance do not list them.
META_FIELDS = SERVER_FIELDS | {"fetched_at"}


#: Column value types that are already JSON-safe.
_AS_IS = frozenset({str, int, float, bool})


def _plain(value: Any) -> Any:
    """A JSON-safe form of a column value."""
    if value is None or type(value) in _AS_IS:  # most columns: no conversion (bulk imports call this a lot)
        return value
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, WKBElement | WKTElement):
        return dict(to_shape(value).__geo_interface__)
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def entry_to_dict(session: Session, entry: Entry) -> dict[str, Any]:
    """The entry as the API shows it: geometry as lat/lon or GeoJSON, links as id lists."""
    return entries_to_dicts(session, [entry])[0]


def entries_to_dicts(session: Session, entries: Sequence[Entry]) -> list[dict[str, Any]]:
    """Several entries in API shape, with the links of all services loaded in one query."""
    links: dict[uuid.UUID, list[str]] = {}
    service_ids = [e.id for e in entries if isinstance(e, Service)]
    if service_ids:
        rows = session.execute(
            select(service_at_location.c.service_id, service_at_location.c.location_id)
            .where(service_at_location.c.service_id.in_(service_ids))
            .order_by(service_at_location.c.location_id)
        )
        for service_id, location_id in rows:
            links.setdefault(service_id, []).append(str(location_id))
    result = []
    for entry in entries:
        data = _columns(entry)
        if isinstance(entry, Service):
            data["location_ids"] = links.get(entry.id, [])
        result.append(data)
    return result


def _columns(entry: Entry) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for column in inspect(entry).mapper.column_attrs:
        key = column.key
        value = getattr(entry, key)
        if key == "geom":
            point = to_shape(value) if value is not None else None
            data["lat"] = point.y if point is not None else None
            data["lon"] = point.x if point is not None else None
            continue
        data[key] = _plain(value)
    return data


class StoredEntry(SimpleNamespace):
    """An entry's columns as a bulk write read them back: attributes named as on the model, the
    point as `lat` and `lon` (no `geom`). Cheaper than loading mapped objects for thousands of new
    places; `stored_dict` gives exactly what `entry_to_dict` gives for the same row.
    """


def stored_keys(model: type[Any]) -> list[str]:
    """The keys of a model's columns in `entry_to_dict` order, with `geom` as `lat` and `lon`."""
    keys: list[str] = []
    for column in inspect(model).column_attrs:
        keys += ["lat", "lon"] if column.key == "geom" else [column.key]
    return keys


def stored_dict(entry: StoredEntry, keys: Sequence[str]) -> dict[str, Any]:
    """A read-back entry in API shape (as `entry_to_dict`; services' location links not included)."""
    values = entry.__dict__
    return {key: _plain(values[key]) for key in keys}


def point_element(lat: float, lon: float) -> WKBElement:
    """A PostGIS point (SRID 4326) from latitude and longitude."""
    return from_shape(Point(lon, lat), srid=4326)


def apply_fields(session: Session, entry: Any, fields: dict[str, Any]) -> None:
    """Set input fields on an entry, converting API shapes to column values."""
    fields = dict(fields)
    lat, lon = fields.pop("lat", None), fields.pop("lon", None)
    if lat is not None and lon is not None:
        entry.geom = point_element(lat, lon)
    location_ids = fields.pop("location_ids", None)
    if "service_area" in fields:
        area = fields.pop("service_area")
        entry.service_area = from_shape(shape(area), srid=4326) if area else None
    for key, value in fields.items():
        if key in SERVER_FIELDS:
            continue
        setattr(entry, key, value)
    # Links go last: writing them flushes the entry, which must be complete by then.
    if location_ids is not None:
        set_service_locations(session, entry.id, [uuid.UUID(str(i)) for i in location_ids])


def set_service_locations(session: Session, service_id: uuid.UUID, location_ids: list[uuid.UUID]) -> None:
    """Replace the set of locations a service takes place at."""
    session.flush()
    session.execute(service_at_location.delete().where(service_at_location.c.service_id == service_id))
    if location_ids:
        session.execute(
            service_at_location.insert(),
            [{"service_id": service_id, "location_id": lid} for lid in dict.fromkeys(location_ids)],
        )
