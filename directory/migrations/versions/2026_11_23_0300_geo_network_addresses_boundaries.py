"""geo: pedestrian network, offline address table, area boundaries

Revision ID: 0300
Revises: 0001
Create Date: 2026-11-23 18:45:00.000000

geo keeps its own tables; it never writes entries. The network is stored
here (source of truth, and what pgRouting can route on) and loaded into an
in-process graph for queries (see docs/reachability.md).
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0300"
down_revision: str | None = "0400"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE geo_network_build (
            id serial PRIMARY KEY,
            source text NOT NULL,
            built_at timestamptz NOT NULL DEFAULT now(),
            nodes integer NOT NULL,
            edges integer NOT NULL
        );
        CREATE TABLE geo_network_node (
            id bigint PRIMARY KEY,
            geom geometry(POINT, 4326) NOT NULL
        );
        CREATE TABLE geo_network_edge (
            id bigint PRIMARY KEY,
            source bigint NOT NULL REFERENCES geo_network_node (id) ON DELETE CASCADE,
            target bigint NOT NULL REFERENCES geo_network_node (id) ON DELETE CASCADE,
            osm_way_id bigint NOT NULL,
            kind text NOT NULL,
            length_m double precision NOT NULL CHECK (length_m > 0),
            max_kerb_m double precision,
            tags jsonb NOT NULL DEFAULT '{}'::jsonb,
            walk_cost_s double precision NOT NULL,
            geom geometry(LINESTRING, 4326) NOT NULL
        );
        CREATE INDEX ix_geo_network_edge_geom ON geo_network_edge USING gist (geom);
        CREATE INDEX ix_geo_network_edge_source ON geo_network_edge (source);
        CREATE INDEX ix_geo_network_edge_target ON geo_network_edge (target);
        COMMENT ON COLUMN geo_network_edge.walk_cost_s IS
            'seconds at the walking profile (both directions), for pgRouting baselines';

        CREATE TABLE geo_address (
            id bigserial PRIMARY KEY,
            street text NOT NULL,
            house_number text NOT NULL,
            postcode text,
            city text,
            street_key text NOT NULL,
            number_key text NOT NULL,
            geom geometry(POINT, 4326) NOT NULL
        );
        CREATE INDEX ix_geo_address_postcode ON geo_address (postcode, number_key);
        CREATE INDEX ix_geo_address_street ON geo_address (street_key, number_key);
        CREATE INDEX ix_geo_address_street_trgm ON geo_address USING gin (street_key gin_trgm_ops);
        CREATE UNIQUE INDEX uq_geo_address ON geo_address (street_key, number_key, coalesce(postcode, ''));

        CREATE TABLE geo_boundary (
            level text NOT NULL CHECK (level IN ('stadsdeel', 'wijk', 'buurt')),
            code text NOT NULL,
            name text,
            parent_code text,
            source text NOT NULL,
            geom geometry(MULTIPOLYGON, 4326) NOT NULL,
            PRIMARY KEY (level, code)
        );
        CREATE INDEX ix_geo_boundary_geom ON geo_boundary USING gist (geom);
        """
    )


def downgrade() -> None:
    op.execute(
        """
        DROP TABLE IF EXISTS geo_boundary;
        DROP TABLE IF EXISTS geo_address;
        DROP TABLE IF EXISTS geo_network_edge;
        DROP TABLE IF EXISTS geo_network_node;
        DROP TABLE IF EXISTS geo_network_build;
        """
    )
