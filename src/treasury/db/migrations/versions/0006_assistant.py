"""The assistant's conversation log with helpful / not helpful feedback.

Revision ID: 0006_assistant
Revises: 0005_simulations
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_assistant"
down_revision = "0005_simulations"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``assistant_turns``."""
    op.create_table(
        "assistant_turns",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("user", sa.String(100), nullable=True),
        sa.Column("lang", sa.String(2), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("faq_id", sa.String(16), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.Column("helpful", sa.Boolean(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("feedback_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("token", sa.String(32), nullable=False),
    )
    op.create_index("ix_assistant_turns_at", "assistant_turns", ["at"])
    op.create_index("ix_assistant_turns_kind", "assistant_turns", ["kind"])
    op.create_index("ix_assistant_turns_user", "assistant_turns", ["user"])
    op.create_index("ix_assistant_turns_helpful", "assistant_turns", ["helpful"])


def downgrade() -> None:
    """Drop ``assistant_turns``."""
    op.drop_table("assistant_turns")
