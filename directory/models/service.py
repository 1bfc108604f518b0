"""Services: the activities and help an organisation offers, at one or more locations."""

from __future__ import annotations

import uuid
from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, Table, Text, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from directory.models.base import Base, CostColumns, EntryColumns

service_at_location = Table(
    "service_at_location",
    Base.metadata,
    Column("service_id", UUID(as_uuid=True), ForeignKey("service.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "location_id",
        UUID(as_uuid=True),
        ForeignKey("location.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class Service(EntryColumns, CostColumns, Base):
    """A service or recurring activity, close to HSDS `service`.

    `meetings` holds recurring meetings as RFC 5545 rules
    (`[{"rrule": "FREQ=MONTHLY;BYDAY=1TU", "start_time": "18:00", ...}]`);
    `opening_hours` holds OpenStreetMap opening-hours syntax. Either or both.
    """

    __tablename__ = "service"
    __table_args__ = (
        Index("ix_service_support_functions", "support_functions", postgresql_using="gin"),
        Index("ix_service_target_groups", "target_groups", postgresql_using="gin"),
        Index("ix_service_service_area", "service_area", postgresql_using="gist"),
    )

    organization_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("organization.id", ondelete="SET NULL"), index=True
    )
    category: Mapped[str | None] = mapped_column(Text, ForeignKey("taxonomy_term.code"))
    support_functions: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False, default=list)
    target_groups: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False, default=list)
    communities: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False, default=list)

    opening_hours: Mapped[str | None] = mapped_column(Text)
    meetings: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, nullable=False, default=list)

    walk_in: Mapped[bool | None] = mapped_column(Boolean)
    referral_required: Mapped[bool | None] = mapped_column(Boolean)
    waiting_time_days: Mapped[int | None] = mapped_column(Integer)
    response_time_days: Mapped[int | None] = mapped_column(Integer)
    how_to_join: Mapped[str | None] = mapped_column(Text)
    contact_role: Mapped[str | None] = mapped_column(Text)
    contact_name: Mapped[str | None] = mapped_column(Text)

    service_area: Mapped[Any | None] = mapped_column(Geometry("MULTIPOLYGON", srid=4326, spatial_index=False))
    #: The served area in words ("Zuidoost", "Heel Amsterdam"), shown where a venue shows its address.
    service_area_name: Mapped[str | None] = mapped_column(Text)
    #: How the service reaches people without a venue: `at_home`, `phone`, `online`.
    delivery_modes: Mapped[list[str]] = mapped_column(
        ARRAY(Text), nullable=False, default=list, server_default=text("'{}'::text[]")
    )
