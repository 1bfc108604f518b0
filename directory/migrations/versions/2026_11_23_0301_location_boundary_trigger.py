"""geo: keep stadsdeel/wijk/buurt codes of locations assigned from the boundary polygons

Revision ID: 0301
Revises: 0300
Create Date: 2026-11-23 18:50:00.000000

A trigger fills location.stadsdeel_code / wijk_code / buurt_code from
geo_boundary whenever a location is inserted or its point moves, so the codes
follow every write path (EntryService, imports, restores). Outside all
imported polygons the codes are left as they were given. After importing new
boundaries, `geo_assign_all_boundaries()` re-derives them for every location.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0301"
down_revision: str | None = "0300"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        """
        CREATE FUNCTION geo_boundary_code(p_level text, p_geom geometry) RETURNS text
        LANGUAGE sql STABLE AS $$
            SELECT code FROM geo_boundary
            WHERE level = p_level AND ST_Intersects(geom, p_geom)
            ORDER BY code LIMIT 1
        $$;

        CREATE FUNCTION geo_assign_location_boundaries() RETURNS trigger
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

        CREATE TRIGGER trg_location_boundaries
            BEFORE INSERT OR UPDATE OF geom ON location
            FOR EACH ROW EXECUTE FUNCTION geo_assign_location_boundaries();

        CREATE FUNCTION geo_assign_all_boundaries() RETURNS integer
        LANGUAGE plpgsql AS $$
        DECLARE
            v_changed integer;
        BEGIN
            WITH derived AS (
                SELECT l.id,
                       geo_boundary_code('buurt', l.geom) AS buurt,
                       geo_boundary_code('wijk', l.geom) AS wijk,
                       geo_boundary_code('stadsdeel', l.geom) AS stadsdeel
                FROM location l
            ), changed AS (
                UPDATE location l
                SET buurt_code = d.buurt, wijk_code = d.wijk, stadsdeel_code = d.stadsdeel
                FROM derived d
                WHERE l.id = d.id
                  AND (d.buurt IS NOT NULL OR d.wijk IS NOT NULL OR d.stadsdeel IS NOT NULL)
                  AND (l.buurt_code, l.wijk_code, l.stadsdeel_code)
                      IS DISTINCT FROM (d.buurt, d.wijk, d.stadsdeel)
                RETURNING l.id
            ), queued AS (
                -- the search index holds the codes too: tell it through the outbox
                INSERT INTO search_outbox (entity_type, entity_id, operation, attempts)
                SELECT 'location', id, 'upsert', 0 FROM changed
                RETURNING 1
            )
            SELECT count(*) INTO v_changed FROM queued;
            RETURN v_changed;
        END
        $$;
        """
    )


def downgrade() -> None:
    op.execute(
        """
        DROP TRIGGER IF EXISTS trg_location_boundaries ON location;
        DROP FUNCTION IF EXISTS geo_assign_all_boundaries();
        DROP FUNCTION IF EXISTS geo_assign_location_boundaries();
        DROP FUNCTION IF EXISTS geo_boundary_code(text, geometry);
        """
    )
