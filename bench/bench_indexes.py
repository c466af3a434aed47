"""What each of the log's indexes costs SQLite, apart from dvcore's Python. One run.

The workload's rows are made once, in memory, in the shape of ``dv_events`` (thirteen
columns, a fresh time-ordered id each, a 32-byte hash); then each variant of the table is
created fresh and the rows go in with one ``executemany`` in one transaction, the way an
import writes them. The variants are alternated, round after round, and the best CPU time
of each is printed (these machines are shared: CPU time is less disturbed than the wall
clock, and alternating spreads what disturbance is left):

``dv0006``
    the table as migration dv0006 left it: unique event id, ``source_ref`` and (stream,
    version); indexes on (type, occurred_on, unit) and ``recorded_at``
``now``
    without the ``recorded_at`` index (dv0007), the type index grown row by row (a small
    import into a large store)
``ids``, ``hashes``
    ``now`` with the event id stored as 16 bytes, then the hash too as 32 bytes
``deferred``
    ``now`` with the type index created after the rows (what a large import does)
``unique``
    only the three unique indexes
``pk``
    the primary key alone

    python bench/bench_indexes.py [N] [ROUNDS]    # default 300,000 events, 2 rounds
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
os.environ.setdefault("DVCORE_DISABLE_PLUGIN_AUTOLOAD", "1")

from workload import write_workload

from dvcore.events import new_event_id

_TABLE = """CREATE TABLE dv_events (
    position INTEGER PRIMARY KEY, event_id {id_type} NOT NULL, stream VARCHAR(200) NOT NULL,
    version INTEGER NOT NULL, source_ref VARCHAR(512), type VARCHAR(100) NOT NULL,
    schema_version INTEGER NOT NULL, occurred_on DATE NOT NULL, unit VARCHAR(64) NOT NULL,
    recorded_at DATETIME NOT NULL, actor VARCHAR(64), payload JSON NOT NULL,
    hash {hash_type} NOT NULL{unique})"""
_UNIQUE = ", UNIQUE (event_id), UNIQUE (source_ref), UNIQUE (stream, version)"
_TYPE_INDEX = "CREATE INDEX ix_type ON dv_events (type, occurred_on, unit)"
_RECORDED_INDEX = "CREATE INDEX ix_recorded ON dv_events (recorded_at)"

#: name → (id as bytes, hash as bytes, unique indexes, index DDL before, index DDL after)
VARIANTS: dict[str, tuple[bool, bool, bool, tuple[str, ...], tuple[str, ...]]] = {
    "dv0006": (False, False, True, (_TYPE_INDEX, _RECORDED_INDEX), ()),
    "now": (False, False, True, (_TYPE_INDEX,), ()),
    "ids": (True, False, True, (_TYPE_INDEX,), ()),
    "hashes": (True, True, True, (_TYPE_INDEX,), ()),
    "deferred": (False, False, True, (), (_TYPE_INDEX,)),
    "unique": (False, False, True, (), ()),
    "pk": (False, False, False, (), ()),
}


def make_rows(path: Path) -> list[tuple[Any, ...]]:
    """The workload as ``dv_events`` rows (id and hash as bytes; converted per variant)."""
    recorded = "2026-12-02 21:00:00.000000"
    rows = []
    with open(path, encoding="utf-8") as fh:
        for position, line in enumerate(fh, start=1):
            ev = json.loads(line)
            rows.append(
                (
                    position,
                    new_event_id().bytes,
                    ev["unit"],
                    position,
                    ev.get("source_ref"),
                    ev["type"],
                    1,
                    ev["occurred_on"],
                    ev["unit"],
                    recorded,
                    None,
                    json.dumps(ev["data"]),
                    hashlib.sha256(line.encode()).digest(),
                )
            )
    return rows


def _converter(ids: bool, hashes: bool) -> Callable[[tuple[Any, ...]], tuple[Any, ...]]:
    def convert(r: tuple[Any, ...]) -> tuple[Any, ...]:
        event_id = r[1] if ids else str(uuid.UUID(bytes=r[1]))
        digest = r[12] if hashes else r[12].hex()
        return (r[0], event_id, *r[2:12], digest)

    return convert


def insert(db: Path, name: str, rows: list[tuple[Any, ...]]) -> tuple[float, float, int]:
    """One variant into a fresh file: (CPU seconds, wall seconds, bytes on disk)."""
    ids, hashes, unique, before, after = VARIANTS[name]
    data = list(map(_converter(ids, hashes), rows))
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    conn = sqlite3.connect(db, isolation_level=None)
    for pragma in ("journal_mode = WAL", "synchronous = NORMAL", "cache_size = -131072"):
        conn.execute(f"PRAGMA {pragma}")
    conn.execute(
        _TABLE.format(
            id_type="BLOB" if ids else "VARCHAR(36)",
            hash_type="BLOB" if hashes else "VARCHAR(64)",
            unique=_UNIQUE if unique else "",
        )
    )
    for ddl in before:
        conn.execute(ddl)
    wall, cpu = time.perf_counter(), time.process_time()
    conn.execute("BEGIN")
    conn.executemany(f"INSERT INTO dv_events VALUES ({', '.join('?' * 13)})", data)
    for ddl in after:
        conn.execute(ddl)
    conn.execute("COMMIT")
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    conn.close()
    size = sum(Path(f"{db}{s}").stat().st_size for s in ("", "-wal") if Path(f"{db}{s}").exists())
    return cpu, wall, size


def main(n: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events.jsonl"
        lines = write_workload(path, n)
        rows = make_rows(path)
        best: dict[str, tuple[float, float, int]] = {}
        for _round in range(rounds):
            for name in VARIANTS:
                cpu, wall, size = insert(Path(tmp) / "v.db", name, rows)
                if name not in best or cpu < best[name][0]:
                    best[name] = (cpu, wall, size)
    print(
        f"{lines:,} rows, best of {rounds} alternated rounds, load average {os.getloadavg()[0]:.1f}"
    )
    base = best["dv0006"][0]
    print(f"{'variant':<10}{'CPU s':>9}{'wall s':>9}{'MB':>7}{'× dv0006':>10}")
    for name, (cpu, wall, size) in best.items():
        print(f"{name:<10}{cpu:>9.2f}{wall:>9.2f}{size / 1e6:>7.0f}{cpu / base:>10.2f}")


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 300_000,
        int(sys.argv[2]) if len(sys.argv) > 2 else 2,
    )
