"""Submissions: one row per file an import recorded.

Revision ID: dv0002
Revises: dv0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dvcore.store.schema import UTCDateTime

revision = "dv0002"
down_revision = "dv0001"
branch_labels = None
depends_on = None

_BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "dv_submissions",
        sa.Column("id", _BigId, primary_key=True, autoincrement=True),
        sa.Column("unit", sa.String(64), nullable=True),
        sa.Column("period", sa.String(64), nullable=True),
        sa.Column("period_start", sa.Date, nullable=True),
        sa.Column("period_end", sa.Date, nullable=True),
        sa.Column("channel", sa.String(100), nullable=False),
        sa.Column("file_name", sa.String(500), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("actor", sa.String(64), nullable=True),
        sa.Column("received_at", UTCDateTime, nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("appended", sa.Integer, nullable=False),
        sa.Column("duplicates", sa.Integer, nullable=False),
        sa.Column("first_position", sa.BigInteger, nullable=True),
        sa.Column("last_position", sa.BigInteger, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_dv_submissions"),
    )
    op.create_index("ix_dv_submissions_unit_period_end", "dv_submissions", ["unit", "period_end"])


def downgrade() -> None:
    op.drop_index("ix_dv_submissions_unit_period_end", table_name="dv_submissions")
    op.drop_table("dv_submissions")
