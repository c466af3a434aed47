"""``dvcore demo``: record the Hai Phong demo data set and write its reports.

The data is recorded in three sittings with the store's clock set to when each would have
happened — the 9-month data on 20/9/2023, late entries on 5/10/2023, the 2025 merge on
2/7/2025 — so the demo shows "as known at" as well as the published figures.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from dvcore._builtin import demo
from dvcore.indicators import format_number, format_percent, pad_count
from dvcore.periods import Cutoff, format_date
from dvcore.store import Store, open_store

__all__ = ["REPORTED_AT", "run_demo", "write_reports"]

_VN = dt.timezone(dt.timedelta(hours=7))
#: When the 9-month report was generated: the instant the demo's first sitting records at.
REPORTED_AT = dt.datetime(2023, 9, 20, 10, 0, tzinfo=_VN)
_LATE_AT = dt.datetime(2023, 10, 5, 9, 0, tzinfo=_VN)
_MERGE_AT = dt.datetime(2025, 7, 2, 9, 0, tzinfo=_VN)
_AS_OF = dt.date(2023, 9, 15)


class _Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


def record_demo(store: Store, clock: _Clock) -> dict[str, int]:
    """Append the three sittings; returns how many events each appended."""
    counts = {}
    for name, at, events in (
        ("9 tháng 2023", REPORTED_AT, demo.hai_phong_events()),
        ("nhập muộn", _LATE_AT, demo.late_entries()),
        ("sáp nhập 2025", _MERGE_AT, demo.merge_2025_events()),
    ):
        clock.now = at
        counts[name] = store.append(events, actor=demo.CITY, source=f"demo:{name}").appended
    return counts


def write_reports(store: Store, out_dir: Path, *, unit: str = demo.CITY,
                  period: str = "2023-9M", as_of: dt.date = _AS_OF,
                  as_known_at: dt.datetime | None = REPORTED_AT) -> list[Path]:
    """Write the report of ``unit`` for ``period`` with every installed exporter."""
    from dvcore.registry import get_plugin_manager, plugin_exporters

    snapshot = store.snapshot(unit, period, as_known_at=as_known_at)
    targets = store.targets(unit, as_of, as_known_at=as_known_at)
    context: dict[str, Any] = {
        "store": store,
        "unit": unit,
        "period": snapshot.period,
        "as_of": as_of,
        "as_known_at": as_known_at,
        "snapshot": snapshot,
        "targets": targets,
    }
    written = []
    for name, exporter in sorted(plugin_exporters(get_plugin_manager()).items()):
        path = out_dir / f"bao-cao-{period}{exporter.suffix}"
        if name != "json" and exporter.suffix == ".json":
            path = out_dir / f"bao-cao-{period}.{name}{exporter.suffix}"
        written.append(exporter.export(context, path))
    return written


def run_demo(url: str | None, out_dir: Path, *, cutoff: str = "calendar") -> list[str]:
    """Record the demo into the store at ``url`` and write its reports; returns a summary."""
    clock = _Clock(REPORTED_AT)
    store = open_store(url, clock=clock, cutoff=cutoff)  # type: ignore[arg-type]
    try:
        counts = record_demo(store, clock)
        written = write_reports(store, out_dir)
        then = store.snapshot(demo.CITY, "2023-9M", as_known_at=REPORTED_AT)
        now = store.snapshot(demo.CITY, "2023-9M")
        target = next(t for t in store.targets(demo.CITY, _AS_OF, as_known_at=REPORTED_AT)
                      if t.code == "08-NQ/TU.3b")
        level = then.by("dialogue.count", "level")
        field = then.by("model.registered", "field")
        lines = [
            "đã ghi: " + "; ".join(f"{k} {format_number(v)} sự kiện" for k, v in counts.items()),
            f"kho: {store.engine.url.render_as_string(hide_password=True)} "
            f"({format_number(store.head())} sự kiện)",
            f"Hải Phòng, 9 tháng 2023, như đã biết {format_date(REPORTED_AT.date())}:",
            f"  {format_number(then.value('dialogue.count') or 0)} cuộc đối thoại "
            f"({pad_count(int(level.get('city', 0)))} cuộc cấp thành phố; "
            f"{pad_count(int(level.get('district', 0)))} cuộc cấp quận, huyện; "
            f"{pad_count(int(level.get('commune', 0)))} cuộc cấp xã, phường)",
            f"  {format_number(then.value('model.registered') or 0)} mô hình "
            f"\u201cDân vận khéo\u201d ({format_number(field.get('ntm_model', 0))} "
            f"nông thôn mới kiểu mẫu, {format_number(field.get('urban', 0))} chỉnh trang đô thị)",
            f"  hồ sơ của {target.numerator}/{target.denominator} cơ sở tôn giáo "
            f"(đạt {format_percent(target.numerator, target.plan)} kế hoạch năm)",
            f"  nay (sau khi nhập muộn): {format_number(now.value('dialogue.count') or 0)} "
            "cuộc đối thoại",
            "báo cáo: " + ", ".join(str(p) for p in written),
        ]
        return lines
    finally:
        store.close()
