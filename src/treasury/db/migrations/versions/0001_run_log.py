"""Pipeline run log: pipeline_run and run_stage.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pipeline_run",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("engine", sa.String(16), nullable=False),
        sa.Column("scale", sa.String(16)),
        sa.Column("message", sa.Text()),
        sa.Column("snapshot", sa.String(200)),
    )
    op.create_index("ix_pipeline_run_status", "pipeline_run", ["status"])
    op.create_table(
        "run_stage",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.String(40), sa.ForeignKey("pipeline_run.id"), nullable=False),
        sa.Column("stage", sa.String(32), nullable=False),
        sa.Column("dataset", sa.String(64)),
        sa.Column("rows_in", sa.BigInteger(), nullable=False),
        sa.Column("rows_out", sa.BigInteger(), nullable=False),
        sa.Column("rows_quarantined", sa.BigInteger(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("events", sa.JSON(), nullable=False),
    )
    op.create_index("ix_run_stage_run_id", "run_stage", ["run_id"])


def downgrade() -> None:
    op.drop_index("ix_run_stage_run_id", "run_stage")
    op.drop_table("run_stage")
    op.drop_index("ix_pipeline_run_status", "pipeline_run")
    op.drop_table("pipeline_run")
