"""Re-sending a workbook: the time of a corrected re-send as a ratio to the first import.

A commune's workbook of N ``DialogueHeld`` rows (default 10,000) is imported as its
submission for 2023-Q3 into a fresh SQLite store; then the same workbook with 1% of its
rows changed (a third changed in place, a third deleted, a third replaced by new rows) is
re-sent for the same unit and period. Both are timed in the same run (the re-send reads,
diffs and records the difference). Run twice: rows with the clerk's own ``source_ref``,
and rows without one (keys from the rows' meaning).

    python bench/bench_resend.py [--rows N] [--repeat K]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("DVCORE_DISABLE_PLUGIN_AUTOLOAD", "1")

import xlsxwriter
from dvcore_xlsx import XlsxChannel

from dvcore import open_store
from dvcore.importing import import_files

HEADER = ["occurred_on", "unit", "source_ref", "host", "participants", "title"]
HOSTS = ["party_secretary", "chairman", "standing_committee", "other"]


def rows_for(n: int, refs: bool, seed: int) -> list[list[Any]]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        day = dt.date(2023, 7, 1) + dt.timedelta(days=rng.randrange(92))
        out.append(
            [
                day.isoformat(),
                "HP.LC.01",
                str(i + 1) if refs else None,
                rng.choice(HOSTS),
                rng.randrange(10, 500),
                f"Đối thoại số {i + 1}",
            ]
        )
    return out


def changed(rows: list[list[Any]], share: float, seed: int) -> list[list[Any]]:
    rng = random.Random(seed)
    out = [list(r) for r in rows]
    picks = rng.sample(range(len(out)), max(3, int(len(out) * share)))
    third = len(picks) // 3
    for i in picks[:third]:
        out[i][4] = int(out[i][4]) + 1  # a figure corrected
    drop = set(picks[third : 2 * third])
    for j, i in enumerate(picks[2 * third :]):
        out[i] = [*out[i][:2], None if out[i][2] is None else f"new-{j}", "chairman", 7, f"Mới {j}"]
    return [r for k, r in enumerate(out) if k not in drop]


def write(path: Path, rows: list[list[Any]]) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("DialogueHeld")
    sheet.write_row(0, 0, HEADER)
    for i, row in enumerate(rows, start=1):
        sheet.write_row(i, 0, row)
    book.close()
    return path


def one_run(directory: Path, n: int, refs: bool) -> tuple[float, float, Any]:
    store = open_store(f"sqlite:///{directory / 'store.db'}")
    store.append(
        [
            {
                "type": "UnitRegistered",
                "occurred_on": "2023-01-01",
                "unit": code,
                "data": {"code": code, "name": name, "kind": kind, "parent": parent},
            }
            for code, name, kind, parent in (
                ("HP", "Hải Phòng", "city", None),
                ("HP.LC", "Quận Lê Chân", "district", "HP"),
                ("HP.LC.01", "Phường An Biên", "ward", "HP.LC"),
            )
        ]
    )
    channels = {"xlsx": XlsxChannel()}
    first_rows = rows_for(n, refs, 1)
    first = write(directory / "v1.xlsx", first_rows)
    second = write(directory / "v2.xlsx", changed(first_rows, 0.01, 2))
    started = time.perf_counter()
    import_files(store, [first], channels, unit="HP.LC.01", period="2023-Q3")
    t_first = time.perf_counter() - started
    started = time.perf_counter()
    result = import_files(store, [second], channels, unit="HP.LC.01", period="2023-Q3")
    t_second = time.perf_counter() - started
    store.close()
    return t_first, t_second, result.submission


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"re-send of a {args.rows:,}-row workbook with 1% of its rows changed (SQLite)")
    for refs in (True, False):
        best: tuple[float, float, Any] | None = None
        for _ in range(args.repeat):
            with tempfile.TemporaryDirectory() as tmp:
                run = one_run(Path(tmp), args.rows, refs)
            if best is None or run[0] + run[1] < best[0] + best[1]:
                best = run
        assert best is not None
        t_first, t_second, diff = best
        counts = diff.to_dict()
        print(
            f"  {'with source_ref' if refs else 'keys by meaning'}: first import "
            f"{t_first:.2f} s, re-send {t_second:.2f} s, ratio {t_second / t_first:.2f} "
            f"(unchanged {counts['unchanged']}, corrected {counts['corrected']}, "
            f"retracted {counts['retracted']}, added {counts['added']})"
        )


if __name__ == "__main__":
    main()
