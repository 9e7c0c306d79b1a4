"""Saved APBN scenarios of the simulator.

Revision ID: 0005_simulations
Revises: 0004_data_requests
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_simulations"
down_revision = "0004_data_requests"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``simulations``."""
    op.create_table(
        "simulations",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("nama", sa.String(120), nullable=False),
        sa.Column("jenis", sa.String(16), nullable=False),
        sa.Column("tahun_dasar", sa.Integer(), nullable=False),
        sa.Column("draws", sa.Integer(), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("scenario", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_simulations_jenis", "simulations", ["jenis"])


def downgrade() -> None:
    """Drop the table."""
    op.drop_index("ix_simulations_jenis", "simulations")
    op.drop_table("simulations")
