"""No index on ``recorded_at``: the log's positions are in its order.

An append never records an instant before the store's head (under the writer lock), and
``Store.verify`` checks it, so ``as_known_at`` finds its position by a binary search over
positions (the primary key). The index cost about a tenth of a large import's inserts
(issue 15; docs/performance.md).

Revision ID: dv0007
Revises: dv0006
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op

revision = "dv0007"
down_revision = "dv0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_dv_events_recorded_at", table_name="dv_events")


def downgrade() -> None:
    op.create_index("ix_dv_events_recorded_at", "dv_events", ["recorded_at"])
