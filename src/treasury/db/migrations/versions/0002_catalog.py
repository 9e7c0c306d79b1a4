"""Catalog: catalog_status, catalog_status_events, catalog_versions, catalog_entries.

Revision ID: 0002_catalog
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_catalog"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "catalog_status",
        sa.Column("slug", sa.String(100), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_by", sa.String(100), nullable=False),
    )
    op.create_table(
        "catalog_status_events",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("slug", sa.String(100), nullable=False),
        sa.Column("from_status", sa.String(16)),
        sa.Column("to_status", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("role", sa.String(32)),
        sa.Column("comment", sa.Text()),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_catalog_status_events_slug", "catalog_status_events", ["slug"])
    op.create_table(
        "catalog_versions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("slug", sa.String(100), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(100), nullable=False),
        sa.Column("rows", sa.BigInteger()),
        sa.Column("note", sa.Text()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(100)),
        sa.Column("restored_from", sa.Integer()),
        sa.UniqueConstraint("slug", "number", name="uq_catalog_versions_slug_number"),
    )
    op.create_index("ix_catalog_versions_slug", "catalog_versions", ["slug"])
    op.create_table(
        "catalog_entries",
        sa.Column("slug", sa.String(100), primary_key=True),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("catalog_entries")
    op.drop_index("ix_catalog_versions_slug", "catalog_versions")
    op.drop_table("catalog_versions")
    op.drop_index("ix_catalog_status_events_slug", "catalog_status_events")
    op.drop_table("catalog_status_events")
    op.drop_table("catalog_status")
