"""Monthly and yearly rollups of the facts projection.

Revision ID: dv0004
Revises: dv0003
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "dv0004"
down_revision = "dv0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dv_rollups",
        sa.Column("indicator", sa.String(100), nullable=False),
        sa.Column("unit", sa.String(64), nullable=False),
        sa.Column("dims", sa.String(400), nullable=False),
        sa.Column("grain", sa.String(1), nullable=False),
        sa.Column("start", sa.Date, nullable=False),
        sa.Column("value", sa.BigInteger, nullable=False),
        sa.Column("facts", sa.BigInteger, nullable=False),
        # indicator, grain and start first: a snapshot asks for a few months or years
        # of every unit in a subtree
        sa.PrimaryKeyConstraint(
            "indicator", "grain", "start", "unit", "dims", name="pk_dv_rollups"
        ),
    )
    # The rules that derive the projection changed: the next read rebuilds it.
    op.execute("DELETE FROM dv_projection")


def downgrade() -> None:
    op.drop_table("dv_rollups")
