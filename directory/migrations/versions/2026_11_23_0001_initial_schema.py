"""initial schema: entries, taxonomy (seeded), revisions, search outbox

Revision ID: 0001
Revises:
Create Date: 2026-11-23 18:12:29.095300
"""

from __future__ import annotations

from collections.abc import Sequence

import geoalchemy2
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for extension in ("postgis", "unaccent", "pg_trgm"):
        op.execute(f"CREATE EXTENSION IF NOT EXISTS {extension}")
    op.create_table(
        "revision",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("entity_type", sa.String(length=20), nullable=False),
        sa.Column("entity_id", sa.UUID(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("changed_by", sa.Text(), nullable=False),
        sa.Column(
            "changed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("changes", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("snapshot", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_revision")),
    )
    op.create_index(
        "uq_revision_entity_version",
        "revision",
        ["entity_type", "entity_id", "version"],
        unique=True,
    )
    op.create_table(
        "search_outbox",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("entity_type", sa.String(length=20), nullable=False),
        sa.Column("entity_id", sa.UUID(), nullable=False),
        sa.Column("operation", sa.String(length=10), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_outbox")),
    )
    op.create_index(
        "ix_search_outbox_pending",
        "search_outbox",
        ["id"],
        unique=False,
        postgresql_where="processed_at IS NULL",
    )
    op.create_table(
        "taxonomy_term",
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("vocabulary", sa.String(length=40), nullable=False),
        sa.Column("label_nl", sa.Text(), nullable=False),
        sa.Column("label_en", sa.Text(), nullable=False),
        sa.Column("description_nl", sa.Text(), nullable=True),
        sa.Column("description_en", sa.Text(), nullable=True),
        sa.Column("parent_code", sa.Text(), nullable=True),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_taxonomy_term")),
    )
    op.create_index(op.f("ix_taxonomy_term_vocabulary"), "taxonomy_term", ["vocabulary"], unique=False)
    op.create_table(
        "organization",
        sa.Column("category", sa.Text(), nullable=True),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("alternate_name", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("website", sa.Text(), nullable=True),
        sa.Column("phone", sa.Text(), nullable=True),
        sa.Column("languages", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("last_verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("verified_by", sa.Text(), nullable=True),
        sa.Column("verification_method", sa.Text(), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("source_id", sa.Text(), nullable=True),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("field_provenance", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["category"],
            ["taxonomy_term.code"],
            name=op.f("fk_organization_category_taxonomy_term"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organization")),
    )
    op.create_table(
        "location",
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("category", sa.Text(), nullable=True),
        sa.Column("street", sa.Text(), nullable=True),
        sa.Column("house_number", sa.Text(), nullable=True),
        sa.Column("postcode", sa.Text(), nullable=True),
        sa.Column("city", sa.Text(), nullable=True),
        sa.Column("stadsdeel_code", sa.Text(), nullable=True),
        sa.Column("wijk_code", sa.Text(), nullable=True),
        sa.Column("buurt_code", sa.Text(), nullable=True),
        sa.Column(
            "geom",
            geoalchemy2.types.Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column("opening_hours", sa.Text(), nullable=True),
        sa.Column("step_free", sa.Boolean(), nullable=True),
        sa.Column("accessible_toilet", sa.Boolean(), nullable=True),
        sa.Column("scootmobiel_parking", sa.Boolean(), nullable=True),
        sa.Column("accessibility_note", sa.Text(), nullable=True),
        sa.Column("kitchen_available", sa.Boolean(), nullable=True),
        sa.Column("room_available", sa.Boolean(), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("alternate_name", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("website", sa.Text(), nullable=True),
        sa.Column("phone", sa.Text(), nullable=True),
        sa.Column("languages", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("last_verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("verified_by", sa.Text(), nullable=True),
        sa.Column("verification_method", sa.Text(), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("source_id", sa.Text(), nullable=True),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("field_provenance", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("cost_free", sa.Boolean(), nullable=True),
        sa.Column("cost_amount_eur", sa.Numeric(precision=8, scale=2), nullable=True),
        sa.Column("cost_note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["category"], ["taxonomy_term.code"], name=op.f("fk_location_category_taxonomy_term")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_location_organization_id_organization"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_location")),
    )
    op.create_index("ix_location_category", "location", ["category"], unique=False)
    op.create_index("ix_location_geom", "location", ["geom"], unique=False, postgresql_using="gist")
    op.create_index(op.f("ix_location_organization_id"), "location", ["organization_id"], unique=False)
    op.create_table(
        "service",
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("category", sa.Text(), nullable=True),
        sa.Column("support_functions", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("target_groups", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("communities", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("opening_hours", sa.Text(), nullable=True),
        sa.Column("meetings", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("walk_in", sa.Boolean(), nullable=True),
        sa.Column("referral_required", sa.Boolean(), nullable=True),
        sa.Column("waiting_time_days", sa.Integer(), nullable=True),
        sa.Column("response_time_days", sa.Integer(), nullable=True),
        sa.Column("how_to_join", sa.Text(), nullable=True),
        sa.Column("contact_role", sa.Text(), nullable=True),
        sa.Column("contact_name", sa.Text(), nullable=True),
        sa.Column(
            "service_area",
            geoalchemy2.types.Geometry(
                geometry_type="MULTIPOLYGON",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("alternate_name", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("website", sa.Text(), nullable=True),
        sa.Column("phone", sa.Text(), nullable=True),
        sa.Column("languages", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("last_verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("verified_by", sa.Text(), nullable=True),
        sa.Column("verification_method", sa.Text(), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("source_id", sa.Text(), nullable=True),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("field_provenance", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("cost_free", sa.Boolean(), nullable=True),
        sa.Column("cost_amount_eur", sa.Numeric(precision=8, scale=2), nullable=True),
        sa.Column("cost_note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["category"], ["taxonomy_term.code"], name=op.f("fk_service_category_taxonomy_term")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_service_organization_id_organization"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service")),
    )
    op.create_index(op.f("ix_service_organization_id"), "service", ["organization_id"], unique=False)
    op.create_index(
        "ix_service_service_area",
        "service",
        ["service_area"],
        unique=False,
        postgresql_using="gist",
    )
    op.create_index(
        "ix_service_support_functions",
        "service",
        ["support_functions"],
        unique=False,
        postgresql_using="gin",
    )
    op.create_index(
        "ix_service_target_groups",
        "service",
        ["target_groups"],
        unique=False,
        postgresql_using="gin",
    )
    op.create_table(
        "service_at_location",
        sa.Column("service_id", sa.UUID(), nullable=False),
        sa.Column("location_id", sa.UUID(), nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["location.id"],
            name=op.f("fk_service_at_location_location_id_location"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["service.id"],
            name=op.f("fk_service_at_location_service_id_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("service_id", "location_id", name=op.f("pk_service_at_location")),
    )
    op.create_index(
        op.f("ix_service_at_location_location_id"),
        "service_at_location",
        ["location_id"],
        unique=False,
    )
    _seed_taxonomy()


def downgrade() -> None:
    op.drop_index(op.f("ix_service_at_location_location_id"), table_name="service_at_location")
    op.drop_table("service_at_location")
    op.drop_index("ix_service_target_groups", table_name="service", postgresql_using="gin")
    op.drop_index("ix_service_support_functions", table_name="service", postgresql_using="gin")
    op.drop_index("ix_service_service_area", table_name="service", postgresql_using="gist")
    op.drop_index(op.f("ix_service_organization_id"), table_name="service")
    op.drop_table("service")
    op.drop_index(op.f("ix_location_organization_id"), table_name="location")
    op.drop_index("ix_location_geom", table_name="location", postgresql_using="gist")
    op.drop_index("ix_location_category", table_name="location")
    op.drop_table("location")
    op.drop_table("organization")
    op.drop_index(op.f("ix_taxonomy_term_vocabulary"), table_name="taxonomy_term")
    op.drop_table("taxonomy_term")
    op.drop_index(
        "ix_search_outbox_pending",
        table_name="search_outbox",
        postgresql_where="processed_at IS NULL",
    )
    op.drop_table("search_outbox")
    op.drop_index("uq_revision_entity_version", table_name="revision")
    op.drop_table("revision")


# Seed vocabularies. Later migrations add or relabel terms; never edit this list
# in place, so that every database passes through the same states.
# (code, label_nl, label_en, parent_code)
CATEGORIES = [
    ("community_centre", "Buurthuis / buurtcentrum", "Community centre", None),
    (
        "neighbourhood_room",
        "Buurtkamer / huiskamer van de wijk",
        "Neighbourhood living room",
        "community_centre",
    ),
    ("community_restaurant", "Buurtrestaurant", "Community restaurant", None),
    ("shared_meal", "Eettafel / samen eten", "Shared meal", None),
    ("stamtafel", "Stamtafel", "Stamtafel (monthly dinner group)", "shared_meal"),
    ("soup_kitchen", "Gratis maaltijd / inloopmaaltijd", "Free meal / soup kitchen", None),
    ("food_bank", "Voedselbank", "Food bank", None),
    ("cafe", "Café / koffiehuis", "Café", None),
    ("restaurant", "Restaurant", "Restaurant", None),
    ("library", "Bibliotheek", "Library", None),
    ("museum", "Museum", "Museum", None),
    ("arts_centre", "Cultuurcentrum", "Arts centre", None),
    ("place_of_worship", "Kerk, moskee, tempel of andere gebedsplaats", "Place of worship", None),
    ("religious_community", "Geloofsgemeenschap", "Religious community", None),
    ("sports_club", "Sportclub / sportaanbieder", "Sports club or provider", None),
    ("walking_group", "Wandelgroep", "Walking group", "sports_club"),
    ("hobby_club", "Hobbyclub", "Hobby club", None),
    ("reading_club", "Leesclub", "Reading club", "hobby_club"),
    ("repair_cafe", "Repair café", "Repair café", None),
    ("volunteer_organisation", "Vrijwilligersorganisatie", "Volunteer organisation", None),
    ("buddy_project", "Maatjesproject", "Buddy project", "volunteer_organisation"),
    (
        "language_buddy",
        "Taalmaatje / taalcafé",
        "Language buddy / language café",
        "volunteer_organisation",
    ),
    (
        "peer_group",
        "Lotgenotengroep / ervaringsdeskundigen",
        "Peer or lived-experience group",
        None,
    ),
    ("neighbour_network", "Burennetwerk (Buren!-groep, KeyRing)", "Neighbour network", None),
    ("drop_in_centre", "Inloophuis", "Drop-in centre", None),
    ("social_facility", "Maatschappelijke voorziening", "Social facility", None),
    ("youth_centre", "Jongerencentrum", "Youth centre", None),
    ("elderly_centre", "Ouderencentrum / dienstencentrum", "Centre for older people", None),
    ("social_centre", "Sociaal centrum", "Social centre", None),
    ("park", "Park / buitenplek", "Park / outdoor place", None),
    ("other", "Overig", "Other", None),
]

SUPPORT_FUNCTIONS = [
    ("practical", "Praktische hulp", "Practical help"),
    ("company", "Gezelschap en steun", "Company and emotional support"),
    ("information", "Informatie en advies", "Information and advice"),
    ("peers", "Herkenning door lotgenoten", "Recognition by peers"),
    ("language", "Taal", "Language"),
    ("money", "Geld en budget", "Money and budget"),
    ("activity", "Meedoen en activiteiten", "Activity and participation"),
]

TARGET_GROUPS = [
    ("everyone", "Iedereen", "Everyone"),
    (
        "mild_intellectual_disability",
        "Mensen met een licht verstandelijke beperking",
        "People with a mild intellectual disability",
    ),
    ("psychiatric", "Mensen met psychische problemen", "People with mental health problems"),
    ("older_people", "Ouderen", "Older people"),
    ("youth", "Jongeren", "Young people"),
    ("families", "Gezinnen", "Families"),
    ("newcomers", "Nieuwkomers", "Newcomers"),
    ("lonely", "Mensen die zich eenzaam voelen", "People who feel lonely"),
    ("caregivers", "Mantelzorgers", "Informal caregivers"),
    ("low_income", "Mensen met weinig geld", "People on a low income"),
    ("women", "Vrouwen", "Women"),
    ("men", "Mannen", "Men"),
    ("lgbtqi", "LHBTIQ+", "LGBTQI+"),
    (
        "physical_disability",
        "Mensen met een lichamelijke beperking",
        "People with a physical disability",
    ),
]


def _seed_taxonomy() -> None:
    table = sa.table(
        "taxonomy_term",
        sa.column("code", sa.Text),
        sa.column("vocabulary", sa.String),
        sa.column("label_nl", sa.Text),
        sa.column("label_en", sa.Text),
        sa.column("parent_code", sa.Text),
        sa.column("sort_order", sa.Integer),
    )
    rows = [
        {
            "code": c,
            "vocabulary": "category",
            "label_nl": nl,
            "label_en": en,
            "parent_code": parent,
            "sort_order": i,
        }
        for i, (c, nl, en, parent) in enumerate(CATEGORIES)
    ]
    for vocabulary, terms in (
        ("support_function", SUPPORT_FUNCTIONS),
        ("target_group", TARGET_GROUPS),
    ):
        rows += [
            {
                "code": c,
                "vocabulary": vocabulary,
                "label_nl": nl,
                "label_en": en,
                "parent_code": None,
                "sort_order": i,
            }
            for i, (c, nl, en) in enumerate(terms)
        ]
    op.bulk_insert(table, rows)
