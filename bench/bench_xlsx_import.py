"""Excel import speed: the xlsx channel against python-calamine alone, in one run.

Builds a workbook of N ``DialogueHeld`` rows (default 100,000) over the demo's units, plus
the ``UnitRegistered`` sheet those rows need, and times, on the same file in the same
process:

1. **calamine alone** — python-calamine opening the workbook and iterating every row of
   every sheet: the floor, what reading the cells costs;
2. **the channel** — ``XlsxChannel.read_sheets``: the same reading plus turning each row
   into an event dict (headers, typing, Vietnamese numbers and dates, source refs);
3. **the import** — what ``dvcore import book.xlsx`` does after reading: validate every
   event against the catalogue and the unit tree, check idempotency keys, number and
   hash-chain the rows and keep the projection, in one transaction of a fresh SQLite store.

The goal (issue 4): the channel takes at most twice what calamine alone needs. Each
reading is repeated (``--repeat``, default 3), the two in turns so that a busy machine slows
both alike, and the best wall-clock times are compared (CPU times are shown too).

    python bench/bench_xlsx_import.py [--rows N] [--repeat K] [--check]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("DVCORE_DISABLE_PLUGIN_AUTOLOAD", "1")

import python_calamine
import xlsxwriter
from dvcore_xlsx import XlsxChannel

from dvcore import open_store
from dvcore._builtin.demo import hai_phong_events
from dvcore.events import UnitRegistered
from dvcore.importing import import_files
from dvcore.serialization import EventTypes
from dvcore.tables import table_from_events

GOAL = 2.0
HOSTS = ["party_secretary", "chairman", "standing_committee", "other", "Bí thư cấp ủy"]
TOPICS = [
    "xây dựng nông thôn mới kiểu mẫu",
    "chỉnh trang, hiện đại hóa đô thị",
    "giải phóng mặt bằng dự án đường ven biển",
    "an toàn giao thông và trật tự đô thị",
    "chuyển đổi số trong giải quyết thủ tục hành chính",
]


def build_workbook(path: Path, rows: int, seed: int = 20230930) -> int:
    """Write the benchmark workbook; returns the number of event rows in it."""
    rng = random.Random(seed)
    units = [e for e in hai_phong_events() if e["type"] == "UnitRegistered"]
    hosts_at = [e["data"]["code"] for e in units if e["data"]["kind"] != "department"]
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    date = book.add_format({"num_format": "dd/mm/yyyy"})
    sheet = book.add_worksheet("UnitRegistered")
    header, unit_rows = table_from_events(UnitRegistered, units, dates="native")
    sheet.write_row(0, 0, header)
    for r, row in enumerate(unit_rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, dt.date):
                sheet.write_datetime(r, c, value, date)
            elif value is not None:
                sheet.write(r, c, value)
    sheet = book.add_worksheet("DialogueHeld")
    sheet.write_row(
        0,
        0,
        [
            "Ngày",
            "Mã đơn vị",
            "Người chủ trì",
            "Đối tượng đối thoại",
            "Số người tham dự",
            "Số ý kiến, kiến nghị",
            "Nội dung đối thoại",
        ],
    )
    first = dt.datetime(2023, 1, 1)
    for r in range(1, rows + 1):
        unit = rng.choice(hosts_at)
        topic = rng.choice(TOPICS)
        sheet.write_datetime(r, 0, first + dt.timedelta(days=rng.randrange(270)), date)
        sheet.write_string(r, 1, unit)
        sheet.write_string(r, 2, rng.choice(HOSTS))
        sheet.write_string(r, 3, f"Nhân dân và cán bộ {unit}")
        if r % 10:
            sheet.write_number(r, 4, rng.randrange(30, 400))
        else:
            sheet.write_string(r, 4, f"{rng.randrange(1, 3)}.{rng.randrange(100, 999)}")
        sheet.write_number(r, 5, rng.randrange(0, 12))
        sheet.write_string(r, 6, f"Đối thoại với Nhân dân về {topic}")
    book.close()
    return len(units) + rows


def calamine_alone(path: Path) -> int:
    """Open the workbook and iterate every row of every sheet: the floor."""
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    count = 0
    for name in book.sheet_names:
        for _row in book.get_sheet_by_name(name).iter_rows():
            count += 1
    book.close()
    return count


def channel_read(path: Path) -> int:
    """Read the workbook into event dicts with the xlsx channel."""
    count = 0
    for _sheet, _row, item in XlsxChannel().read_sheets(path, EventTypes.core()):
        if not isinstance(item, dict):
            raise SystemExit(f"the benchmark workbook has a problem: {item}")
        count += 1
    return count


def interleaved(repeat: int, funcs: dict[str, Callable[[], Any]]) -> dict[str, Any]:
    """Run each function ``repeat`` times, in turns (so a busy machine slows them alike);
    per function: best and median wall time, best CPU time, and the last result."""
    walls: dict[str, list[float]] = {name: [] for name in funcs}
    cpus: dict[str, list[float]] = {name: [] for name in funcs}
    results: dict[str, Any] = {}
    for _ in range(repeat):
        for name, func in funcs.items():
            wall, cpu = time.perf_counter(), time.process_time()
            results[name] = func()
            cpus[name].append(time.process_time() - cpu)
            walls[name].append(time.perf_counter() - wall)
    return {
        name: (min(walls[name]), statistics.median(walls[name]), min(cpus[name]), results[name])
        for name in funcs
    }


def _prescan() -> Callable[[Path], Any] | None:
    """The channel's check of a workbook's size before calamine reads it, when it has one."""
    try:
        from dvcore_xlsx._bounds import workbook_problem
    except ImportError:
        return None
    channel = XlsxChannel()
    unpacked = getattr(channel, "max_unpacked_bytes", 512 * 1024 * 1024)
    cells = getattr(channel, "max_cells", 10_000_000)
    return lambda path: workbook_problem(path, unpacked, cells)


def full_import(path: Path, db: Path) -> tuple[float, float, int]:
    """Open a fresh SQLite store, then import the workbook; returns (open, import, n)."""
    start = time.perf_counter()
    store = open_store(f"sqlite:///{db}")
    opened = time.perf_counter() - start
    try:
        start = time.perf_counter()
        result = import_files(
            store, [path], {"xlsx": XlsxChannel()}, actor="HP", unit="HP", period="2023-9M"
        )
        took = time.perf_counter() - start
    finally:
        store.close()
    return opened, took, result.appended


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures; with ``--check``, exit 1 if the goal is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--check", action="store_true", help="exit 1 when the goal is missed")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        book = Path(tmp) / "dialogues.xlsx"
        start = time.perf_counter()
        events = build_workbook(book, args.rows)
        built = time.perf_counter() - start
        size = book.stat().st_size
        print(
            f"workbook: {events:,} event rows ({args.rows:,} DialogueHeld), "
            f"{size / 1e6:.1f} MB, written in {built:.1f} s"
        )
        funcs: dict[str, Callable[[], Any]] = {
            "calamine": lambda: calamine_alone(book),
            "channel": lambda: channel_read(book),
        }
        prescan = _prescan()
        if prescan is not None:
            funcs["prescan"] = lambda: prescan(book)
        runs = interleaved(args.repeat, funcs)
        base, base_median, base_cpu, rows = runs["calamine"]
        read, read_median, read_cpu, items = runs["channel"]
        assert items == events, (items, events)
        opened, took, appended = full_import(book, Path(tmp) / "store.db")
        assert appended == events, (appended, events)
    ratio = read / base
    print(
        f"calamine alone     {base:7.3f} s (median {base_median:.3f} s, CPU {base_cpu:.3f} s; "
        f"{rows:,} rows)"
    )
    print(
        f"xlsx channel read  {read:7.3f} s (median {read_median:.3f} s, CPU {read_cpu:.3f} s) "
        f"= {ratio:.2f} × calamine, CPU {read_cpu / base_cpu:.2f} × (goal ≤ {GOAL:.0f} ×)"
    )
    if "prescan" in runs:
        scan, _median, scan_cpu, _result = runs["prescan"]
        print(
            f"  of which the workbook's bounds pre-scan {scan:.3f} s (CPU {scan_cpu:.3f} s); "
            f"without it {(read - scan) / base:.2f} × calamine"
        )
    print(
        f"dvcore import      {took:7.3f} s into a fresh SQLite store "
        f"= {took / base:.2f} × calamine ({events / took:,.0f} events/s; "
        f"opening the store {opened:.2f} s)"
    )
    met = ratio <= GOAL
    print("goal met" if met else "goal MISSED")
    return 0 if met or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
