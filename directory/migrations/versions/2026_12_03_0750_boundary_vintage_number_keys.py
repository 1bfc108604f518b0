"""geo: the year (vintage) of each boundary, and house-number keys that keep their whole addition

Revision ID: 0750
Revises: 0700
Create Date: 2026-12-03 07:50:00

`geo_boundary.vintage` holds the year of the data set an area came from (2022 for
amsterdam-buurten-2022.geojson), so a replaced vintage can be told apart. Existing
rows get the year found in their source file name, where it holds one.

The offline address table's `number_key` cut an addition after its letter
('12A-2' and '12A-3' were both '12-a'); keys are now '12-a2' and '12-a3'
(geo/geocoding/parse.py `number_key`). Existing keys are recomputed here with the
same rule, skipping a row whose new key another row of its street already has.
An index on lower(city) serves the geocoder's "is this a town we know?".
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0750"
down_revision: str | None = "0700"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: number_key in SQL: digits, then '-' and the rest without separators; lower case, no accents.
NEW_KEY = """
    CASE WHEN lower(unaccent(trim(house_number))) ~ '^[0-9]+'
         THEN substring(lower(unaccent(trim(house_number))) FROM '^[0-9]+')
              || coalesce('-' || nullif(regexp_replace(
                     substring(lower(unaccent(trim(house_number))) FROM '^[0-9]+(.*)$'),
                     '[^0-9a-z]', '', 'g'), ''), '')
         ELSE regexp_replace(lower(unaccent(trim(house_number))), '[^0-9a-z]', '', 'g')
    END
"""


def upgrade() -> None:
    op.execute("ALTER TABLE geo_boundary ADD COLUMN vintage integer")
    op.execute("COMMENT ON COLUMN geo_boundary.vintage IS 'year of the data set the area came from'")
    op.execute(
        "UPDATE geo_boundary SET vintage = substring(source FROM '(19[0-9]{2}|20[0-9]{2})')::int "
        "WHERE source ~ '(19[0-9]{2}|20[0-9]{2})'"
    )
    op.execute(
        f"""
        WITH keyed AS (
            SELECT id, street_key, postcode, {NEW_KEY} AS new_key FROM geo_address
        ), recomputed AS (
            SELECT *, count(*) OVER (PARTITION BY street_key, coalesce(postcode, ''), new_key) AS same
            FROM keyed
        )
        UPDATE geo_address a SET number_key = r.new_key
        FROM recomputed r
        WHERE a.id = r.id AND a.number_key <> r.new_key AND r.same = 1
          AND NOT EXISTS (
              SELECT 1 FROM geo_address o
              WHERE o.street_key = r.street_key AND o.number_key = r.new_key
                AND coalesce(o.postcode, '') = coalesce(r.postcode, '') AND o.id <> r.id
          )
        """
    )

    # The offline geocoder asks "is this a town we know?" on every query naming a place.
    op.execute("CREATE INDEX IF NOT EXISTS ix_geo_address_city ON geo_address (lower(city))")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_geo_address_city")
    op.execute("ALTER TABLE geo_boundary DROP COLUMN IF EXISTS vintage")
