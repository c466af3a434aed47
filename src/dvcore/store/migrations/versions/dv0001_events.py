"""The event log and the facts projection.

Revision ID: dv0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from dvcore.store.schema import UTCDateTime

revision = "dv0001"
down_revision = None
branch_labels = ("dvcore",)
depends_on = None

_BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "dv_events",
        sa.Column("position", _BigId, primary_key=True, autoincrement=False),
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("stream", sa.String(200), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("source_ref", sa.String(512), nullable=True),
        sa.Column("type", sa.String(100), nullable=False),
        sa.Column("schema_version", sa.Integer, nullable=False),
        sa.Column("occurred_on", sa.Date, nullable=False),
        sa.Column("unit", sa.String(64), nullable=False),
        sa.Column("recorded_at", UTCDateTime, nullable=False),
        sa.Column("actor", sa.String(64), nullable=True),
        sa.Column("payload", sa.JSON().with_variant(JSONB(), "postgresql"), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("position", name="pk_dv_events"),
        sa.UniqueConstraint("event_id", name="uq_dv_events_event_id"),
        sa.UniqueConstraint("source_ref", name="uq_dv_events_source_ref"),
        sa.UniqueConstraint("stream", "version", name="uq_dv_events_stream_version"),
    )
    op.create_index("ix_dv_events_type_position", "dv_events", ["type", "position"])
    op.create_index("ix_dv_events_recorded_at", "dv_events", ["recorded_at"])
    op.create_table(
        "dv_facts",
        sa.Column("id", _BigId, primary_key=True, autoincrement=True),
        sa.Column("position", sa.BigInteger, nullable=False),
        sa.Column("source_position", sa.BigInteger, nullable=False),
        sa.Column("until_position", sa.BigInteger, nullable=True),
        sa.Column("indicator", sa.String(100), nullable=False),
        sa.Column("unit", sa.String(64), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("window_start", sa.Date, nullable=True),
        sa.Column("dims", sa.String(400), nullable=False),
        sa.Column("subject", sa.String(200), nullable=True),
        sa.Column("value", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_dv_facts"),
    )
    op.create_index("ix_dv_facts_indicator_unit_day", "dv_facts", ["indicator", "unit", "day"])
    op.create_index("ix_dv_facts_source_position", "dv_facts", ["source_position"])
    op.create_table(
        "dv_projection",
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("position", sa.BigInteger, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_dv_projection"),
    )


def downgrade() -> None:
    op.drop_table("dv_projection")
    op.drop_table("dv_facts")
    op.drop_table("dv_events")
