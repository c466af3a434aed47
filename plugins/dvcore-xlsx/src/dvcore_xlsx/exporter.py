"""The Excel exporter: a report context as a workbook (XlsxWriter).

Sheets:

``Thông tin``
    the unit, the period, the cut-off and the instant the figures were known at.
``Chỉ số``
    indicator × unit: the report unit, then each direct child unit, and the same period a
    year earlier beside the report unit (only when the year before holds data; "—" for an
    indicator that had none).
``Chi tiết``
    the report unit's breakdowns (by level, field, host, kind…).
``Chỉ tiêu`` and ``Tiến độ theo đơn vị``
    the targets, and their progress in each direct child unit.
``Đơn vị``
    the units of the subtree at the period's end.
``Sự kiện``
    the events behind the figures (when the context lists them), with the figures each feeds.
``Nhiệm vụ``, ``Ô trống``
    the tasks (follow-up report) and the filled blanks (term report), when there are any.

Numbers are stored as numbers. A whole number is shown the Vietnamese way (``2.035``,
``1.234.567``) under any locale: its format puts literal dots between digit groups
(:data:`VN_INTEGER`), so the display does not depend on the reader's separators; a fraction
uses Excel's own decimal format. Text is always written as text: a value starting with
``=``, ``+``, ``-`` or ``@`` stays a string and never becomes a formula (the workbook is
opened with ``strings_to_formulas`` off and every string goes through ``write_string``).

Everything a reader sees is Vietnamese: an indicator is shown by its title, a level, a
dimension, a breakdown key, a report kind and an event type by their Vietnamese labels
(the tables' own :func:`dvcore.tables.value_label` and ``TYPE_LABELS`` where they have
one), and an instant (``recorded_at``, ``as_known_at``) is a date and time cell in Vietnam's
time (UTC+7), ``20/9/2023 10:00``, never ISO text in UTC.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import xlsxwriter  # type: ignore[import-untyped]  # XlsxWriter ships no type hints
from xlsxwriter.worksheet import Worksheet  # type: ignore[import-untyped]

from dvcore.events import CORE_EVENT_TYPES
from dvcore.periods import VIETNAM, format_date_short
from dvcore.reports import (
    DIMENSION_LABELS,
    REPORT_KIND_LABELS,
    has_data,
    item_label,
    level_label,
)
from dvcore.tables import TYPE_LABELS, field_label, value_label

__all__ = ["NO_DATA", "VN_INTEGER", "XlsxExporter"]

#: What a cell shows for a figure the year before has no data for: never 0.
NO_DATA = "—"

#: 2.035 and 1.234.567 whatever the locale: literal dots, one condition per group count.
VN_INTEGER = r"[>=1000000]#\.###\.##0;[>=1000]#\.##0;0"
_VN_DECIMAL = "#,##0.0##"
_PERCENT = "0.0%"
_DATETIME = "d/m/yyyy hh:mm"
_MAX_ROWS = 1_048_575  # Excel's row limit, less the header

_CORE_TYPES = {t.type_name: t for t in CORE_EVENT_TYPES}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _dimension(name: str, otherwise: str) -> str:
    """A dimension as a column heading names it (capitalised), else ``otherwise``."""
    label = DIMENSION_LABELS.get(name)
    return otherwise if label is None else label[:1].upper() + label[1:]


def _vietnam_time(instant: dt.datetime) -> dt.datetime:
    """An instant as Vietnam's wall clock (UTC+7), naive, as a spreadsheet cell holds it."""
    if instant.tzinfo is not None:
        instant = instant.astimezone(VIETNAM)
    return instant.replace(tzinfo=None)


def _datum(value: Any) -> str:
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, str):
        if _ISO_DATE.match(value):
            return format_date_short(dt.date.fromisoformat(value))
        return value_label(value)
    if isinstance(value, Mapping):
        if set(value) == {"start", "end"}:
            return f"{_datum(value['start'])} – {_datum(value['end'])}"
        # a breakdown (``by``): dimension → key
        return "; ".join(
            f"{_dimension(str(k), value_label(str(k)))}: {_datum(v)}" for k, v in value.items()
        )
    if isinstance(value, list):
        return "; ".join(_datum(v) for v in value)
    return str(value)


def _event_data(type_name: str, data: str, titles: Mapping[str, str]) -> str:
    """An event's payload as ``label: value`` pairs, in the tables' Vietnamese labels (an
    indicator by its title, a window as ``1/1/2023 – 30/6/2023``)."""
    try:
        payload = json.loads(data)
    except ValueError:
        return data
    if not isinstance(payload, dict):
        return data
    event_type = _CORE_TYPES.get(type_name)
    parts = []
    for key, value in payload.items():
        if value is None or value in ("", [], {}):
            continue
        label = field_label(event_type, key) if event_type is not None else key
        if key == "indicator" and isinstance(value, str):
            label, text = "Chỉ số", titles.get(value, value)
        elif key == "window" and isinstance(value, list) and len(value) == 2:
            text = " – ".join(_datum(v) for v in value)
        else:
            text = _datum(value)
        parts.append(f"{label}: {text}")
    return "; ".join(parts)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


class _Sheet:
    """A worksheet written row by row: numbers as numbers, everything else as text."""

    def __init__(
        self, book: Any, name: str, formats: Mapping[str, Any], widths: Sequence[float]
    ) -> None:
        self.ws: Worksheet = book.add_worksheet(name)
        self.formats = formats
        self.row = 0
        for col, width in enumerate(widths):
            self.ws.set_column(col, col, width)

    def header(self, values: Sequence[str]) -> None:
        for col, value in enumerate(values):
            self.ws.write_string(self.row, col, str(value), self.formats["header"])
        self.ws.freeze_panes(self.row + 1, 0)
        self.row += 1

    def cell(self, col: int, value: Any, fmt: str | None = None) -> None:
        ws, row = self.ws, self.row
        if value is None or value == "":
            ws.write_blank(row, col, None)
        elif _is_number(value):
            number = float(value) if isinstance(value, Decimal) else value
            chosen = fmt or ("int" if float(number).is_integer() else "dec")
            ws.write_number(row, col, number, self.formats[chosen])
        elif isinstance(value, dt.datetime):
            ws.write_datetime(row, col, _vietnam_time(value), self.formats["datetime"])
        elif isinstance(value, dt.date):
            ws.write_datetime(
                row, col, dt.datetime(value.year, value.month, value.day), self.formats["date"]
            )
        elif isinstance(value, bool):
            ws.write_string(row, col, "có" if value else "không")
        else:
            ws.write_string(row, col, str(value), self.formats["text"])

    def line(self, values: Sequence[Any], fmts: Mapping[int, str] | None = None) -> None:
        for col, value in enumerate(values):
            self.cell(col, value, (fmts or {}).get(col))
        self.row += 1


def _info(book: Any, formats: Mapping[str, Any], context: Mapping[str, Any]) -> None:
    sheet = _Sheet(book, "Thông tin", formats, [28, 70])
    document = context["document"]
    rows = [
        ("Báo cáo", REPORT_KIND_LABELS.get(context["report"], context["report"])),
        ("Đơn vị", f"{context['unit_name']} ({context['unit']})"),
        ("Kỳ báo cáo", f"{context['period_text']} ({context['period_spec']})"),
        ("Từ ngày", context["period_start"]),
        ("Đến ngày", context["period_end"]),
        ("Chỉ tiêu tính đến ngày", context["as_of"]),
        ("Số liệu như đã biết lúc", context["as_known_at"] or "hiện tại"),
        ("Văn bản", f"{document['number_text']} — {document['place_date']}"),
        ("Thể thức", context["profile_name"]),
    ]
    for label, value in rows:
        sheet.line([label, value])


def _figures(book: Any, formats: Mapping[str, Any], context: Mapping[str, Any]) -> None:
    units = context.get("units_table") or [
        {
            "code": context["unit"],
            "name": context["unit_name"],
            "values": {f["code"]: f["value"] for f in context["figures"]},
        }
    ]
    previous = context.get("previous")
    before = {f["code"]: f for f in previous["figures"]} if previous else {}
    # a year with no data at all has no column; an indicator it has no data for shows "—"
    compare = any(has_data(f) for f in before.values())
    columns = ["Chỉ số", "Đơn vị tính"]
    columns += [u["name"] for u in units[:1]]
    if previous is not None and compare:
        columns.append(f"Cùng kỳ {previous['period_text']}")
    columns += [u["name"] for u in units[1:]]
    sheet = _Sheet(book, "Chỉ số", formats, [56, 12] + [16] * (len(columns) - 2))
    sheet.header(columns)
    for fig in context["figures"]:
        code = fig["code"]
        row: list[Any] = [fig["title"], fig["unit_label"], units[0]["values"].get(code)]
        if compare:
            old = before.get(code)
            row.append(old["value"] if old is not None and has_data(old) else NO_DATA)
        row += [u["values"].get(code) for u in units[1:]]
        sheet.line(row)


def _details(book: Any, formats: Mapping[str, Any], context: Mapping[str, Any]) -> None:
    sheet = _Sheet(book, "Chi tiết", formats, [56, 16, 36, 14])
    sheet.header(["Chỉ số", "Phân theo", "Nhóm", "Giá trị"])
    for fig in context["figures"]:
        for dimension, items in fig["by"].items():
            for item in items:
                sheet.line(
                    [
                        fig["title"],
                        _dimension(dimension, dimension),
                        item_label(dimension, item, context),
                        item["value"],
                    ]
                )


def _targets(book: Any, formats: Mapping[str, Any], context: Mapping[str, Any]) -> None:
    rows = context.get("target_rows") or []
    sheet = _Sheet(book, "Chỉ tiêu", formats, [16, 60, 12, 12, 12, 12, 12, 14, 12, 12, 12])
    sheet.header(
        [
            "Mã",
            "Chỉ tiêu",
            "Tử số",
            "Mẫu số",
            "Tỷ lệ",
            "Ngưỡng",
            "Kế hoạch",
            "Đạt % kế hoạch",
            "Kết quả",
            "Còn thiếu",
            "Tính đến",
        ]
    )
    pct = {4: "pct", 5: "pct", 7: "pct"}
    for t in rows:
        sheet.line(
            [
                t["code"],
                t["title"],
                t["numerator"],
                t["denominator"],
                t["ratio"],
                t["threshold"],
                t["plan"],
                t["plan_completion"],
                t["met_text"],
                t["missing_count"],
                t["as_of"],
            ],
            pct,
        )
    progress = _Sheet(book, "Tiến độ theo đơn vị", formats, [16, 40, 12, 12, 12])
    progress.header(["Mã chỉ tiêu", "Đơn vị", "Đã đạt", "Tổng số", "Tỷ lệ"])
    for t in rows:
        for unit in t["by_unit"]:
            progress.line(
                [t["code"], unit["name"], unit["counted"], unit["population"], unit["ratio"]],
                {4: "pct"},
            )


def _units(book: Any, formats: Mapping[str, Any], context: Mapping[str, Any]) -> None:
    sheet = _Sheet(book, "Đơn vị", formats, [16, 40, 22, 16, 16])
    sheet.header(["Mã", "Tên", "Loại", "Cấp", "Trực thuộc"])
    for unit in context.get("units") or []:
        sheet.line(
            [
                unit["code"],
                unit["name"],
                unit["kind_name"],
                level_label(unit["level"], context),
                unit["parent"],
            ]
        )


def _events(book: Any, formats: Mapping[str, Any], context: Mapping[str, Any]) -> None:
    events = context.get("events") or []
    titles = {code: fig["title"] for code, fig in (context.get("figure") or {}).items()}
    sheet = _Sheet(book, "Sự kiện", formats, [10, 38, 30, 16, 30, 12, 16, 10, 30, 50, 80])
    sheet.header(
        [
            "Vị trí",
            "Mã sự kiện",
            "Loại",
            "Đơn vị",
            "Tên đơn vị",
            "Ngày",
            "Ghi nhận lúc",
            "Người ghi",
            "Nguồn",
            "Chỉ số",
            "Dữ liệu",
        ]
    )
    for event in events[: _MAX_ROWS - 1]:
        sheet.line(
            [
                event["position"],
                event["id"],
                TYPE_LABELS.get(event["type"], event["type"]),
                event["unit"],
                event["unit_name"],
                event["occurred_on"],
                event["recorded_at"],
                event["actor"],
                event["source_ref"],
                "; ".join(titles.get(c, c) for c in event["indicators"]),
                _event_data(event["type"], event["data"], titles),
            ]
        )
    if context.get("events_truncated") or len(events) >= _MAX_ROWS:
        sheet.line(["", "(danh sách đã cắt bớt: còn sự kiện không ghi ra)"])


def _tasks(book: Any, formats: Mapping[str, Any], context: Mapping[str, Any]) -> None:
    tasks = context.get("tasks") or []
    if not tasks:
        return
    sheet = _Sheet(book, "Nhiệm vụ", formats, [14, 20, 8, 60, 40, 16, 14, 30, 10, 40])
    sheet.header(
        [
            "Số kết luận",
            "Nhóm",
            "Mã",
            "Nhiệm vụ",
            "Đơn vị chủ trì",
            "Thời hạn",
            "Hạn tới",
            "Tình trạng",
            "Quá hạn",
            "Ghi chú",
        ]
    )
    for t in tasks:
        group = t.get("group")
        title = t.get("group_title") or ""
        sheet.line(
            [
                t["conclusion"],
                f"{group}. {title}" if group and title else (group or ""),
                t["task_id"],
                t["text"],
                t["owner_name"],
                t["due"] if t["due"] is not None else t["due_text"],
                t.get("deadline"),
                t["status_text"],
                t["days_overdue"] or None,
                t["note"],
            ]
        )


def _blanks(book: Any, formats: Mapping[str, Any], context: Mapping[str, Any]) -> None:
    blanks = context.get("blanks") or {}
    if not blanks:
        return
    sheet = _Sheet(book, "Ô trống", formats, [28, 40, 10, 60])
    sheet.header(["Ô", "Giá trị", "Có số liệu", "Nguồn"])
    for name, blank in blanks.items():
        sheet.line([name, blank["value"], "có" if blank["filled"] else "không", blank["source"]])


@attrs.frozen
class XlsxExporter:
    """Writes a report as an Excel workbook (``.xlsx``), numbers as numbers."""

    name: str = "xlsx"
    suffix: str = ".xlsx"
    #: the context should list the events behind the figures (``build_context``)
    needs_events: bool = True

    def export(self, context: Mapping[str, Any], path: Path) -> Path:
        """Write the workbook to ``path``; returns the path written."""
        book = xlsxwriter.Workbook(
            str(path),
            {
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
                "constant_memory": True,  # rows go out as written: 200,000 events, little memory
                "default_date_format": "dd/mm/yyyy",
            },
        )
        try:
            formats = {
                "header": book.add_format(
                    {
                        "bold": True,
                        "text_wrap": True,
                        "valign": "top",
                        "bg_color": "#DDE5F0",
                        "border": 1,
                    }
                ),
                "int": book.add_format({"num_format": VN_INTEGER}),
                "dec": book.add_format({"num_format": _VN_DECIMAL}),
                "pct": book.add_format({"num_format": _PERCENT}),
                "date": book.add_format({"num_format": "dd/mm/yyyy"}),
                "datetime": book.add_format({"num_format": _DATETIME}),
                "text": book.add_format({"text_wrap": False}),
            }
            day = context["document"]["date"]
            # the document's date, not the time of writing: the same report, the same bytes
            book.set_properties(
                {
                    "title": context["document"]["summary"],
                    "author": context["document"]["issuer"],
                    "comments": "dvcore",
                    "created": dt.datetime(day.year, day.month, day.day),
                }
            )
            _info(book, formats, context)
            _figures(book, formats, context)
            _details(book, formats, context)
            _targets(book, formats, context)
            _units(book, formats, context)
            _events(book, formats, context)
            _tasks(book, formats, context)
            _blanks(book, formats, context)
        finally:
            book.close()
        return path
