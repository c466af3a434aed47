"""The peer: the same workload through the ``eventsourcing`` library (SQLite persistence).

One aggregate per unit; every event is a method call on its unit's aggregate; pending
events are saved every 1,000 events (issue 6). Reading back selects every notification
and decodes it into a domain event.

    python bench/peer_eventsourcing.py import FILE DB
    python bench/peer_eventsourcing.py read DB
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event


class Unit(Aggregate):
    """A unit of the organisation tree, recording the facts reported for it."""

    @event("Registered")
    def __init__(self, code: str) -> None:
        self.code = code

    @event("FactRecorded")
    def record(
        self, type: str, occurred_on: str, data: dict[str, Any], source_ref: str | None
    ) -> None:
        """Record one reported fact."""


class Reports(Application):
    """The peer application."""


def _app(db: str) -> Reports:
    return Reports(env={"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": db})


def import_file(path: str, db: str) -> tuple[float, int]:
    """Record every line of ``path``; returns seconds and events."""
    start = time.perf_counter()
    app = _app(db)
    units: dict[str, Unit] = {}
    pending = 0
    count = 0
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            ev = json.loads(line)
            unit = units.get(ev["unit"])
            if unit is None:
                unit = units[ev["unit"]] = Unit(ev["unit"])
            unit.record(ev["type"], ev["occurred_on"], ev["data"], ev.get("source_ref"))
            pending += 1
            count += 1
            if pending >= 1000:
                app.save(*units.values())
                pending = 0
    app.save(*units.values())
    app.close()
    return time.perf_counter() - start, count


def read_all(db: str) -> tuple[float, int]:
    """Select every notification and decode it; returns seconds and events."""
    start = time.perf_counter()
    app = _app(db)
    recorder = app.recorder
    count = 0
    last = 0
    while True:
        batch = recorder.select_notifications(start=last + 1, limit=10_000)
        if not batch:
            break
        for notification in batch:
            app.mapper.to_domain_event(notification)
            count += 1
        last = batch[-1].id
    app.close()
    return time.perf_counter() - start, count


if __name__ == "__main__":
    os.environ.setdefault("EVENTSOURCING_DISABLE_REDEFINITION_CHECK", "y")
    if sys.argv[1] == "import":
        seconds, n = import_file(sys.argv[2], sys.argv[3])
    else:
        seconds, n = read_all(sys.argv[2])
    print(seconds, n)
