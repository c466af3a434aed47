"""Report generation with a large store: the city's periodic Word report and Excel workbook.

The store holds the benchmark workload (``workload.py``: N events over the seed-001 unit
tree and five years). For the city over the year 2023 it times, in one run:

* the baseline: the city's snapshot alone (what every report needs at least);
* the report context (:func:`dvcore.reports.build_context`: the snapshot, the
  targets, the year before, the 37 direct child units, the footnotes' details);
* the periodic Word report (context + python-docx document with its footnotes);
* the Excel workbook (context with the events behind the figures + XlsxWriter).

Each is the best of ``--repeat`` runs (default 3) after one warm-up snapshot, as a running
service would be warm.

    python bench/bench_reports.py [N] [--db PATH] [--repeat K]   # N events (default 1,000,000)
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
os.environ.setdefault("DVCORE_DISABLE_PLUGIN_AUTOLOAD", "1")

from workload import write_workload

import dvcore
from dvcore._builtin.jsonl import JsonLinesChannel
from dvcore.reports import build_context

UNIT = "HP"
PERIOD = "2023"


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


def best(repeat: int, func: Callable[[], Any]) -> tuple[float, Any]:
    """The fastest of ``repeat`` runs, and the last result."""
    times = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return min(times), result


def measure(db: Path, repeat: int) -> None:
    """Time the baseline and the reports for the city over the year."""
    from dvcore_docx import DocxExporter
    from dvcore_xlsx.exporter import XlsxExporter

    store = dvcore.open_store(f"sqlite:///{db}")
    head = store.head()
    store.snapshot(UNIT, PERIOD)  # warm the state cache, as a running service would be
    rows: list[tuple[str, float, str]] = []
    t, snap = best(repeat, lambda: store.snapshot(UNIT, PERIOD))
    rows.append(("snapshot alone (baseline)", t, f"{snap.value('dialogue.count'):,} dialogues"))
    t, ctx = best(repeat, lambda: build_context(store, unit=UNIT, period=PERIOD))
    rows.append(
        (
            "report context",
            t,
            f"{len(ctx['units_table'])} unit rows, {len(ctx['footnotes'])} footnotes",
        )
    )
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)

        def word() -> int:
            context = build_context(store, unit=UNIT, period=PERIOD)
            return DocxExporter().export(context, out / "bao-cao.docx").stat().st_size

        t, size = best(repeat, word)
        rows.append(("periodic Word report (context + docx)", t, f"{size:,} bytes"))
        t_render, _ = best(repeat, lambda: DocxExporter().export(ctx, out / "r.docx"))
        rows.append(("  of which the docx rendering", t_render, ""))

        def excel() -> tuple[int, int]:
            context = build_context(store, unit=UNIT, period=PERIOD, include_events=True)
            path = XlsxExporter().export(context, out / "bao-cao.xlsx")
            return path.stat().st_size, len(context["events"])

        t, (size, events) = best(repeat, excel)
        rows.append(
            (
                "Excel workbook (context with events + xlsx)",
                t,
                f"{size:,} bytes, {events:,} events listed",
            )
        )
        t_ctx, ev_ctx = best(
            repeat, lambda: build_context(store, unit=UNIT, period=PERIOD, include_events=True)
        )
        rows.append(("  of which the context with events", t_ctx, ""))
        t_render, _ = best(repeat, lambda: XlsxExporter().export(ev_ctx, out / "r.xlsx"))
        rows.append(("  of which the xlsx writing", t_render, ""))
    store.close()
    base = rows[0][1]
    print(f"store: {head:,} events; {UNIT} over {PERIOD}; best of {repeat}")
    print(f"{'what':<46}{'seconds':>9}{'× snapshot':>12}  note")
    for what, seconds, note in rows:
        print(f"{what:<46}{seconds:>9.3f}{seconds / base:>12.1f}  {note}")


def main() -> None:
    """Build (or reuse with --db) a store and measure."""
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=1_000_000, help="events to import")
    parser.add_argument("--db", type=Path, help="a store to reuse (built when missing)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each, the best kept")
    args = parser.parse_args()
    if args.db is not None:
        if not args.db.exists():
            print(f"built {args.n:,} events in {build(args.db, args.n):.1f} s")
        measure(args.db, args.repeat)
        return
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "dvcore.db"
        print(f"built {args.n:,} events in {build(db, args.n):.1f} s")
        measure(db, args.repeat)


if __name__ == "__main__":
    main()
