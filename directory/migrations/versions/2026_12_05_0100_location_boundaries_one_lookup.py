"""geo: a location's stadsdeel, wijk and buurt codes found with one boundary lookup instead of three

Revision ID: 2026_12_05_0100
Revises: 2026_12_05_0410
Create Date: 2026-12-05 01:00:00

`trg_location_boundaries` runs for every new location and every moved point. It
asked `geo_boundary_code` three times (buurt, wijk, stadsdeel), three queries and
three probes of the boundaries' spatial index per row: 45 % of `COPY location` in
an import's first batch, with no boundaries loaded at all. One query now finds the
three codes together; each is still the lowest code of its level whose polygon meets
the point (what `ORDER BY code LIMIT 1` gave), and codes outside every polygon are
still left as they were given.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "2026_12_05_0100"
down_revision: str | None = "2026_12_05_0410"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        """
        CREATE OR REPLACE FUNCTION geo_assign_location_boundaries() RETURNS trigger
        LANGUAGE plpgsql AS $$
        DECLARE
            v_buurt text;
            v_wijk text;
            v_stadsdeel text;
        BEGIN
            IF NEW.geom IS NULL THEN
                RETURN NEW;
            END IF;
            SELECT min(code) FILTER (WHERE level = 'buurt'),
                   min(code) FILTER (WHERE level = 'wijk'),
                   min(code) FILTER (WHERE level = 'stadsdeel')
              INTO v_buurt, v_wijk, v_stadsdeel
              FROM geo_boundary
             WHERE level IN ('buurt', 'wijk', 'stadsdeel') AND ST_Intersects(geom, NEW.geom);
            IF v_buurt IS NOT NULL OR v_wijk IS NOT NULL OR v_stadsdeel IS NOT NULL THEN
                NEW.buurt_code := v_buurt;
                NEW.wijk_code := v_wijk;
                NEW.stadsdeel_code := v_stadsdeel;
            END IF;
            RETURN NEW;
        END
        $$;
        """
    )


def downgrade() -> None:
    op.execute(
        """
        CREATE OR REPLACE FUNCTION geo_assign_location_boundaries() RETURNS trigger
        LANGUAGE plpgsql AS $$
        DECLARE
            v_buurt text;
            v_wijk text;
            v_stadsdeel text;
        BEGIN
            IF NEW.geom IS NULL THEN
                RETURN NEW;
            END IF;
            v_buurt := geo_boundary_code('buurt', NEW.geom);
            v_wijk := geo_boundary_code('wijk', NEW.geom);
            v_stadsdeel := geo_boundary_code('stadsdeel', NEW.geom);
            IF v_buurt IS NOT NULL OR v_wijk IS NOT NULL OR v_stadsdeel IS NOT NULL THEN
                NEW.buurt_code := v_buurt;
                NEW.wijk_code := v_wijk;
                NEW.stadsdeel_code := v_stadsdeel;
            END IF;
            RETURN NEW;
        END
        $$;
        """
    )
