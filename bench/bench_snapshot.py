"""Snapshot latency with a large store: 36 unit/period pairs answered from projections.

Units: the city, two districts, a ward, a commune, a department. Periods: a year, a
quarter, 9 months, a term, a half, a 15th-to-14th window: 36 pairs. Each snapshot computes
every core indicator. The baseline, in the same run, is one hand-written SQL ``GROUP BY``
over the log (``dv_events``, indexed by type, date and unit) counting the workload's
three event types for the same units and dates: what the three flow figures cost without
dvcore's rollups and rules.

    python bench/bench_snapshot.py [N] [--db PATH]   # N events (default 1,000,000)
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
os.environ.setdefault("DVCORE_DISABLE_PLUGIN_AUTOLOAD", "1")

from workload import write_workload

import dvcore
from dvcore._builtin.jsonl import JsonLinesChannel

UNITS = ("HP", "HP.HB", "HP.TN", "HP.HB.02", "HP.TN.05", "HP.STNMT")
TYPES = ["DialogueHeld", "ModelRegistered", "InspectionConducted"]
PERIODS = ("2023", "2023-Q3", "2023-9M", "2021-2025", "2024-H1", "2023-08-15..2023-09-14")


def build(db: Path, n: int) -> float:
    """Import the workload into a fresh store; returns seconds."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events.jsonl"
        write_workload(path, n)
        start = time.perf_counter()
        store = dvcore.open_store(f"sqlite:///{db}")
        store.import_rows((str(path), r, i) for r, i in JsonLinesChannel().read(path))
        store.close()
    return time.perf_counter() - start


def measure(db: Path) -> None:
    """Time every pair through dvcore and through the plain-SQL baseline."""
    import sqlalchemy as sa

    store = dvcore.open_store(f"sqlite:///{db}")
    tree = store.state().tree
    t0 = time.perf_counter()
    store.snapshot("HP", "2023")  # warm the state cache, as a running service would be
    print(f"first snapshot (catches the projection up if needed): {time.perf_counter() - t0:.1f} s")
    rows = []
    for unit in UNITS:
        for spec in PERIODS:
            period = store.period(spec)
            t0 = time.perf_counter()
            store.snapshot(unit, period)
            t_dv = time.perf_counter() - t0
            units = sorted({m.unit for m in tree.members(unit, period.start, period.end)})
            t0 = time.perf_counter()
            with store.engine.connect() as conn:
                conn.execute(
                    sa.text(
                        "SELECT type, count(*) FROM dv_events WHERE type IN :types"
                        " AND unit IN :units AND occurred_on BETWEEN :a AND :b GROUP BY type"
                    ).bindparams(
                        sa.bindparam("units", expanding=True),
                        sa.bindparam("types", expanding=True),
                    ),
                    {
                        "units": units,
                        "types": TYPES,
                        "a": period.start.isoformat(),
                        "b": period.end.isoformat(),
                    },
                ).all()
            t_sql = time.perf_counter() - t0
            rows.append((unit, spec, t_dv, t_sql))
    store.close()
    print(f"{'unit':<10}{'period':<24}{'dvcore ms':>11}{'plain SQL ms':>14}{'ratio':>8}")
    for unit, spec, t_dv, t_sql in rows:
        print(f"{unit:<10}{spec:<24}{t_dv * 1000:>11.1f}{t_sql * 1000:>14.1f}{t_dv / t_sql:>8.1f}")
    dv = [r[2] for r in rows]
    sql = [r[3] for r in rows]
    print(
        f"median: dvcore {statistics.median(dv) * 1000:.1f} ms, plain SQL "
        f"{statistics.median(sql) * 1000:.1f} ms; max dvcore {max(dv) * 1000:.1f} ms "
        f"({len(rows)} pairs; goal: median ≤ 50 ms)"
    )


def main() -> None:
    """Build (or reuse with --db) a store and measure."""
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0]) if args else 1_000_000
    if "--db" in sys.argv:
        db = Path(sys.argv[sys.argv.index("--db") + 1])
        if not db.exists():
            print(f"built {n:,} events in {build(db, n):.1f} s")
        measure(db)
        return
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "dvcore.db"
        print(f"built {n:,} events in {build(db, n):.1f} s")
        measure(db)


if __name__ == "__main__":
    main()
