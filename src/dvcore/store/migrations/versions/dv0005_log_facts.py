"""Facts read from the log: an index to find events by type and date, retired positions.

Events whose indicator counts each of them once (:class:`dvcore.indicators.CountEach`)
no longer get a fact row: their facts are read from ``dv_events`` through the new
``(type, occurred_on, unit)`` index, which replaces ``(type, position)``. A retraction or
correction of such an event writes the retired facts as rows and the source position
into ``dv_retired``.

Revision ID: dv0005
Revises: dv0004
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "dv0005"
down_revision = "dv0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_dv_events_type_occurred_on_unit", "dv_events", ["type", "occurred_on", "unit"]
    )
    op.drop_index("ix_dv_events_type_position", table_name="dv_events")
    op.create_table(
        "dv_retired",
        sa.Column("position", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("until_position", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("position", name="pk_dv_retired"),
    )
    # The rules that derive the projection changed: the next read rebuilds it.
    op.execute("DELETE FROM dv_projection")


def downgrade() -> None:
    op.drop_table("dv_retired")
    op.create_index("ix_dv_events_type_position", "dv_events", ["type", "position"])
    op.drop_index("ix_dv_events_type_occurred_on_unit", table_name="dv_events")
