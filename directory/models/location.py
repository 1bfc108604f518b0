"""Locations: physical places with a point, a Dutch address and venue facilities."""

from __future__ import annotations

import uuid
from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import Boolean, ForeignKey, Index, Integer, Text, func, text
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from directory.models.base import Base, CostColumns, EntryColumns


class Location(EntryColumns, CostColumns, Base):
    """A place where activities happen, close to HSDS `location`.

    Beyond HSDS it carries what kwartiermakers scout for: facilities for a
    group (kitchen, room, capacity) and accessibility (step-free entrance,
    accessible toilet, scootmobiel parking). Cost here is the cost of using
    the place (borrowing the room), not of an activity.
    """

    __tablename__ = "location"
    __table_args__ = (
        Index("ix_location_geom", "geom", postgresql_using="gist"),
        Index("ix_location_category", "category"),
        # Listings by name, of all or of one category, read their page from the index instead of
        # sorting every match (at 100,000 locations a category page took 50-100 ms, now < 1 ms).
        Index("ix_location_category_name", "category", "name", "id"),
        Index("ix_location_name", "name", "id"),
        Index("ix_location_geog", func.geography(text("geom")), postgresql_using="gist"),
    )

    organization_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("organization.id", ondelete="SET NULL"), index=True
    )
    category: Mapped[str | None] = mapped_column(Text, ForeignKey("taxonomy_term.code"))

    street: Mapped[str | None] = mapped_column(Text)
    house_number: Mapped[str | None] = mapped_column(Text)
    postcode: Mapped[str | None] = mapped_column(Text)
    city: Mapped[str | None] = mapped_column(Text)
    stadsdeel_code: Mapped[str | None] = mapped_column(Text)
    wijk_code: Mapped[str | None] = mapped_column(Text)
    buurt_code: Mapped[str | None] = mapped_column(Text)
    geom: Mapped[Any] = mapped_column(Geometry("POINT", srid=4326, spatial_index=False), nullable=False)

    opening_hours: Mapped[str | None] = mapped_column(Text)
    # Places of worship: OpenStreetMap `religion` / `denomination` values (christian, roman_catholic).
    religion: Mapped[str | None] = mapped_column(Text)
    denomination: Mapped[str | None] = mapped_column(Text)

    step_free: Mapped[bool | None] = mapped_column(Boolean)
    accessible_toilet: Mapped[bool | None] = mapped_column(Boolean)
    scootmobiel_parking: Mapped[bool | None] = mapped_column(Boolean)
    accessibility_note: Mapped[str | None] = mapped_column(Text)

    kitchen_available: Mapped[bool | None] = mapped_column(Boolean)
    room_available: Mapped[bool | None] = mapped_column(Boolean)
    capacity: Mapped[int | None] = mapped_column(Integer)
