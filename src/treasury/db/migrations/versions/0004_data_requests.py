"""Data requests, their comments, and uploads with their reports.

Revision ID: 0004_data_requests
Revises: 0003_access
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_data_requests"
down_revision = "0003_access"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``data_requests`` and ``data_request_comments``."""
    op.create_table(
        "data_requests",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("period", sa.String(100), nullable=True),
        sa.Column("region", sa.String(100), nullable=True),
        sa.Column("format", sa.String(16), nullable=False),
        sa.Column("needed_by", sa.Date(), nullable=True),
        sa.Column("requester", sa.String(100), nullable=False),
        sa.Column("requester_org", sa.String(100), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("dataset", sa.String(100), nullable=True),
        sa.Column("extract_url", sa.String(500), nullable=True),
        sa.Column("handled_by", sa.String(100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_data_requests_requester", "data_requests", ["requester"])
    op.create_index("ix_data_requests_status", "data_requests", ["status"])
    op.create_table(
        "data_request_comments",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("request_id", sa.Integer(), sa.ForeignKey("data_requests.id"), nullable=False),
        sa.Column("author", sa.String(100), nullable=False),
        sa.Column("role", sa.String(32), nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_data_request_comments_request_id", "data_request_comments", ["request_id"])
    op.create_table(
        "data_uploads",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("slug", sa.String(100), nullable=False),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("file_bytes", sa.BigInteger(), nullable=False),
        sa.Column("uploaded_by", sa.String(100), nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("rows_valid", sa.BigInteger(), nullable=False),
        sa.Column("rows_invalid", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_data_uploads_slug", "data_uploads", ["slug"])


def downgrade() -> None:
    """Drop the tables."""
    op.drop_index("ix_data_uploads_slug", "data_uploads")
    op.drop_table("data_uploads")
    op.drop_index("ix_data_request_comments_request_id", "data_request_comments")
    op.drop_table("data_request_comments")
    op.drop_index("ix_data_requests_status", "data_requests")
    op.drop_index("ix_data_requests_requester", "data_requests")
    op.drop_table("data_requests")
