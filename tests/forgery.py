"""What a forger with write access to the database does, shared by the tamper tests.

Not a test module: ``test_tamper.py`` and ``test_checkpoints.py`` import it.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from dvcore.store import schema
from dvcore.store.chain import _row_hash


def dialogue_events(start: int, n: int) -> list[dict[str, Any]]:
    """``n`` dialogues at HP (numbered from ``start``), after HP's registration when 0."""
    out: list[dict[str, Any]] = []
    if start == 0:
        out.append(
            {
                "type": "UnitRegistered",
                "occurred_on": "2020-01-01",
                "unit": "HP",
                "data": {"code": "HP", "name": "Hải Phòng", "kind": "city"},
            }
        )
    out += [
        {
            "type": "DialogueHeld",
            "occurred_on": "2023-03-01",
            "unit": "HP",
            "data": {"host": "chairman", "participants": i},
            "source_ref": f"d{i}",
        }
        for i in range(start, start + n)
    ]
    return out


def rewrite_chain(store: Any, position: int) -> None:
    """Edit the payload at ``position`` and recompute every hash from there on."""
    events = schema.events
    with store.engine.begin() as conn:
        rows = conn.execute(sa.select(events).order_by(events.c.position)).all()
        prev = "0" * 64
        for row in rows:
            mapping = dict(row._mapping)
            if row.position == position:
                mapping["payload"] = {**mapping["payload"], "participants": 999}
            new_hash = _row_hash(prev, mapping)
            if row.position >= position:
                conn.execute(
                    events.update()
                    .where(events.c.position == row.position)
                    .values(payload=mapping["payload"], hash=new_hash)
                )
            prev = new_hash
