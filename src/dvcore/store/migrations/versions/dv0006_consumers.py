"""Consumers: the position each named subscription acknowledged.

Revision ID: dv0006
Revises: dv0005
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dvcore.store.schema import UTCDateTime

revision = "dv0006"
down_revision = "dv0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dv_consumers",
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("position", sa.BigInteger, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_dv_consumers"),
    )


def downgrade() -> None:
    op.drop_table("dv_consumers")
