"""Signed checkpoints of the hash chain.

Revision ID: dv0003
Revises: dv0002
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dvcore.store.schema import UTCDateTime

revision = "dv0003"
down_revision = "dv0002"
branch_labels = None
depends_on = None

_BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "dv_checkpoints",
        sa.Column("position", _BigId, primary_key=True, autoincrement=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("key_id", sa.String(16), nullable=False),
        sa.Column("mac", sa.String(64), nullable=False),
        sa.Column("recorded_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("position", name="pk_dv_checkpoints"),
    )


def downgrade() -> None:
    op.drop_table("dv_checkpoints")
