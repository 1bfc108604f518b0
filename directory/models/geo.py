"""geo's own tables: the street network, the offline address table and the area boundaries.

geo reads and writes them with SQL of its own (bulk loads, PostGIS functions) and
never through the ORM, so they are plain tables, not mapped classes. They are
declared here, beside the directory's, so Alembic's autogenerate and the migration
test compare them with what the migrations build (0300, 0750) like every other table.
(Alembic does not compare CHECK constraints; theirs are in migration 0300.)
"""

from __future__ import annotations

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

from directory.models.base import Base

metadata = Base.metadata

#: One load of the pedestrian network (`wijkgram geo network`).
geo_network_build = Table(
    "geo_network_build",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source", Text, nullable=False),
    Column("built_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("nodes", Integer, nullable=False),
    Column("edges", Integer, nullable=False),
)

#: A crossing or end of the network.
geo_network_node = Table(
    "geo_network_node",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("geom", Geometry("POINT", srid=4326, spatial_index=False), nullable=False),
)

#: A walkable piece of street between two nodes, with what each travel profile needs to know.
geo_network_edge = Table(
    "geo_network_edge",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("source", BigInteger, ForeignKey("geo_network_node.id", ondelete="CASCADE"), nullable=False),
    Column("target", BigInteger, ForeignKey("geo_network_node.id", ondelete="CASCADE"), nullable=False),
    Column("osm_way_id", BigInteger, nullable=False),
    Column("kind", Text, nullable=False),
    Column("length_m", Float, nullable=False),  # CHECK (length_m > 0) in the migration
    Column("max_kerb_m", Float),
    Column("tags", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column(
        "walk_cost_s",
        Float,
        nullable=False,
        comment="seconds at the walking profile (both directions), for pgRouting baselines",
    ),
    Column("geom", Geometry("LINESTRING", srid=4326, spatial_index=False), nullable=False),
    Index("ix_geo_network_edge_geom", "geom", postgresql_using="gist"),
    Index("ix_geo_network_edge_source", "source"),
    Index("ix_geo_network_edge_target", "target"),
)

#: The offline geocoder's addresses (from OpenStreetMap), keyed for matching as people type them.
geo_address = Table(
    "geo_address",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("street", Text, nullable=False),
    Column("house_number", Text, nullable=False),
    Column("postcode", Text),
    Column("city", Text),
    Column("street_key", Text, nullable=False),
    Column("number_key", Text, nullable=False),
    Column("geom", Geometry("POINT", srid=4326, spatial_index=False), nullable=False),
    Index("ix_geo_address_postcode", "postcode", "number_key"),
    Index("ix_geo_address_street", "street_key", "number_key"),
    Index(
        "ix_geo_address_street_trgm",
        "street_key",
        postgresql_using="gin",
        postgresql_ops={"street_key": "gin_trgm_ops"},
    ),
    Index("uq_geo_address", "street_key", "number_key", func.coalesce(text("postcode"), ""), unique=True),
    Index("ix_geo_address_city", func.lower(text("city"))),
)

#: Stadsdelen, wijken and buurten, with the year of the data set each came from.
geo_boundary = Table(
    "geo_boundary",
    metadata,
    Column("level", Text, primary_key=True),  # CHECK: stadsdeel, wijk or buurt (in the migration)
    Column("code", Text, primary_key=True),
    Column("name", Text),
    Column("parent_code", Text),
    Column("source", Text, nullable=False),
    Column("geom", Geometry("MULTIPOLYGON", srid=4326, spatial_index=False), nullable=False),
    Column("vintage", Integer, comment="year of the data set the area came from"),
    Index("ix_geo_boundary_geom", "geom", postgresql_using="gist"),
)
