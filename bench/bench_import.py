"""Import speed: dvcore's JSON Lines import against plain sqlite3, measured in one run.

The floor (issue 6): parse each line with ``json.loads`` and insert ``(type, occurred_on,
unit, payload, source_ref UNIQUE)`` with ``executemany`` in one transaction. dvcore does
what an import must: validate every event against the catalogue and the unit tree, check
idempotency keys, number and hash-chain the rows, and keep the fact projection in the same
transaction. Both run on the same file, in the same process, one after the other.

    python bench/bench_import.py [N]      # N events (default 1,000,000)
"""

from __future__ import annotations

import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
os.environ.setdefault("DVCORE_DISABLE_PLUGIN_AUTOLOAD", "1")

from workload import write_workload

import dvcore
from dvcore._builtin.jsonl import JsonLinesChannel


def floor_import(path: Path, db: Path) -> float:
    """Plain sqlite3: json.loads + executemany in one transaction."""
    start = time.perf_counter()
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(
        "CREATE TABLE events (id INTEGER PRIMARY KEY, type TEXT, occurred_on TEXT, unit TEXT,"
        " payload TEXT, source_ref TEXT UNIQUE)"
    )

    def rows():
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                ev = json.loads(line)
                yield (
                    ev["type"],
                    ev["occurred_on"],
                    ev["unit"],
                    json.dumps(ev["data"]),
                    ev.get("source_ref"),
                )

    with conn:
        conn.executemany(
            "INSERT INTO events (type, occurred_on, unit, payload, source_ref)"
            " VALUES (?, ?, ?, ?, ?)",
            rows(),
        )
    conn.close()
    return time.perf_counter() - start


def floor_read(db: Path) -> float:
    """Plain sqlite3: read every row back and json.loads the payload."""
    start = time.perf_counter()
    conn = sqlite3.connect(db)
    for (payload,) in conn.execute("SELECT payload FROM events ORDER BY id"):
        json.loads(payload)
    conn.close()
    return time.perf_counter() - start


def dvcore_import(path: Path, db: Path) -> tuple[float, int]:
    """dvcore: the JSON Lines channel into a fresh SQLite store; returns time and count."""
    start = time.perf_counter()
    store = dvcore.open_store(f"sqlite:///{db}")
    channel = JsonLinesChannel()
    result = store.import_rows((str(path), row, item) for row, item in channel.read(path))
    elapsed = time.perf_counter() - start
    store.close()
    return elapsed, result.appended


def _in_child(what: str, *args: str) -> tuple[float, int, float]:
    """Run one measurement in a fresh process: (seconds, count, peak RSS in MiB)."""
    out = subprocess.run(
        [sys.executable, __file__, "--child", what, *args],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return float(out[0]), int(out[1]), float(out[2])


def dvcore_read(db: Path) -> float:
    """dvcore: read and decode every event (upcast, structure into attrs classes)."""
    start = time.perf_counter()
    store = dvcore.open_store(f"sqlite:///{db}")
    count = sum(1 for _ in store.read())
    store.close()
    assert count > 0
    return time.perf_counter() - start


def dvcore_rebuild(db: Path) -> float:
    """dvcore: drop and rebuild every projection from the log."""
    store = dvcore.open_store(f"sqlite:///{db}")
    start = time.perf_counter()
    store.rebuild_projections()
    elapsed = time.perf_counter() - start
    store.close()
    return elapsed


def main(n: int) -> None:
    """Run the comparison and print a table of times and ratios."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events.jsonl"
        lines = write_workload(path, n)
        floor_db, dv_db = Path(tmp) / "floor.db", Path(tmp) / "dvcore.db"
        t_floor = floor_import(path, floor_db)
        t_dv, appended, peak = _in_child("import", str(path), str(dv_db))
        t_floor_read = floor_read(floor_db)
        t_dv_read = dvcore_read(dv_db)
        t_rebuild = dvcore_rebuild(dv_db)
    print(f"events: {lines:,} lines, {appended:,} appended")
    print(f"{'measure':<34}{'seconds':>10}{'events/s':>12}{'× floor':>9}")
    for name, t, base in (
        ("floor import (sqlite3)", t_floor, t_floor),
        ("dvcore import", t_dv, t_floor),
        ("floor read + json.loads", t_floor_read, t_floor_read),
        ("dvcore read + decode", t_dv_read, t_floor_read),
        ("dvcore rebuild_projections", t_rebuild, t_floor_read),
    ):
        print(f"{name:<34}{t:>10.2f}{lines / t:>12,.0f}{t / base:>9.2f}")
    print(f"dvcore import peak memory (max RSS of its process): {peak:,.0f} MiB")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        seconds, count = dvcore_import(Path(sys.argv[3]), Path(sys.argv[4]))
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(seconds, count, rss)
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
