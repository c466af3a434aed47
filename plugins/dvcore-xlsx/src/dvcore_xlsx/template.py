"""The blank input workbook that ``dvcore template --channel xlsx`` writes, with XlsxWriter.

The first sheet, "Thông tin báo cáo", is the cover: the submitting unit (B2, a drop-down
of the store's units as ``"code — name"``) and the period (B3: ``2023-Q3``, ``2023-9M``,
``2023``), then how re-sending a corrected workbook works. Then one sheet per event type,
named after the type (the channel also reads a sheet named by the type's Vietnamese
label); row 1 holds the Vietnamese headers (the channel reads them back), each with a
note giving the field's name, what it holds and whether it is required. Enumerated
columns and yes/no columns get drop-down lists (showing the Vietnamese labels, which the
channel accepts like the values), unit columns the store's units as ``"code — name"``
(the channel keeps the code), date columns the ``dd/mm/yyyy`` format. The lists live on a
hidden sheet ``_lists``, and a ``_Hướng dẫn`` sheet explains the workbook: the channel
skips both, as it skips every sheet whose name starts with ``_``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import xlsxwriter  # type: ignore[import-untyped, unused-ignore]  # (no stubs exist)

from dvcore.events import EventData
from dvcore.tables import (
    COVER_LABELS,
    COVER_SHEET,
    ENVELOPE_LABELS,
    DateStyle,
    TemplateColumn,
    table_from_events,
    template_columns,
    type_label,
    unit_choice,
    value_label,
)

__all__ = ["COVER_NOTES", "LAST_ROW", "write_events_workbook", "write_workbook"]

#: What the cover sheet tells the clerk under the unit and the period: how re-sending works.
COVER_NOTES: tuple[str, ...] = (
    "Cách gửi báo cáo",
    "1. Chọn đơn vị gửi báo cáo (ô B2) và ghi kỳ báo cáo (ô B3): 2023-Q3 (quý 3), "
    "2023-9M (9 tháng), 2023 (cả năm).",
    "2. Mỗi sheet sau là một loại nội dung; dòng 1 là tiêu đề cột, mỗi dòng sau là một "
    "việc. Sheet chỉ có tiêu đề, không có dòng nào, nghĩa là \u201ckhông có nội dung loại "
    "này\u201d trong kỳ.",
    "Gửi lại khi cần sửa",
    "3. Sửa ngay trong tệp này rồi gửi lại cả tệp, cùng đơn vị và cùng kỳ báo cáo. Khi đó: "
    "dòng đã xóa được rút khỏi báo cáo; dòng đã sửa được đính chính; dòng mới được thêm; "
    "dòng không đổi được giữ nguyên, không tính hai lần.",
    "4. Nếu đã ghi \u201c" + ENVELOPE_LABELS["source_ref"] + "\u201d cho một dòng, giữ "
    "nguyên mã đó khi sửa dòng ấy: mã giúp nhận ra đúng dòng cần đính chính.",
    "5. Không dùng công thức chưa tính, không gộp ô ở dòng tiêu đề, không ẩn sheet có số "
    "liệu: các trường hợp này bị từ chối để không mất số liệu.",
)

Unit = str | tuple[str, str]

#: Validation and formats reach this row (Excel's last is 1,048,576).
LAST_ROW = 20_000

_KIND_HELP = {
    "text": "văn bản",
    "int": "số nguyên (2.035 hoặc 2035)",
    "decimal": "số (54,5)",
    "bool": "có / không",
    "date": "ngày (30/3/2023)",
    "enum": "chọn trong danh sách",
    "list": "danh sách, cách nhau bởi dấu ;",
    "json": "JSON",
    "scalar": "văn bản, số nguyên hoặc có/không",
}


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _note(column: TemplateColumn) -> str:
    lines = [column.name, _KIND_HELP.get(column.kind, column.kind)]
    if column.required:
        lines.append("bắt buộc")
    if column.choices:
        labels = column.choice_labels or tuple(value_label(c) for c in column.choices)
        lines.append("; ".join(f"{lb} ({c})" for lb, c in zip(labels, column.choices, strict=True)))
    return "\n".join(lines)


def write_workbook(
    path: Path,
    types: Sequence[type[EventData]],
    unit_codes: Sequence[Unit] = (),
    *,
    unit: Unit | None = None,
    period: str | None = None,
) -> Path:
    """Write the blank workbook for ``types`` to ``path``; returns ``path``.

    ``unit_codes`` are the store's units: codes, or ``(code, name)`` pairs, offered in the
    drop-down lists as ``"code — name"``. ``unit`` and ``period`` fill the cover sheet.
    """
    book = xlsxwriter.Workbook(str(path))
    try:
        _write(book, types, [_choice(u) for u in unit_codes], unit, period)
    finally:
        book.close()
    return path


def _choice(unit: Unit) -> str:
    if isinstance(unit, str):
        return unit
    code, name = unit
    return unit_choice(code, name)


def _write(
    book: Any,
    types: Sequence[type[EventData]],
    unit_codes: Sequence[str],
    unit: Unit | None,
    period: str | None,
) -> None:
    book.set_properties({"title": "dvcore — mẫu nhập liệu", "comments": "dvcore template"})
    header = book.add_format(
        {"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#DDEBF7", "border": 1}
    )
    date = book.add_format({"num_format": "dd/mm/yyyy"})
    text = book.add_format({"num_format": "@"})
    _cover(book, header, text, unit_codes, unit, period)
    guide = book.add_worksheet("_Hướng dẫn")
    lists = book.add_worksheet("_lists")
    lists.hide()
    # _lists: column A the units ("code — name"), then one column per list of choices.
    lists.write(0, 0, "unit")
    for row, code in enumerate(unit_codes, start=1):
        lists.write_string(row, 0, code)
    ranges: dict[tuple[str, ...], str] = {}
    guide.set_column(0, 0, 28)
    guide.set_column(1, 1, 60)
    guide.write(0, 0, "Sheet", header)
    guide.write(0, 1, "Nội dung", header)
    guide_row = 1
    for event_type in types:
        sheet = book.add_worksheet(event_type.type_name[:31])
        guide.write(guide_row, 0, event_type.type_name)
        guide.write(guide_row, 1, type_label(event_type))
        guide_row += 1
        sheet.freeze_panes(1, 0)
        for index, column in enumerate(template_columns(event_type)):
            sheet.write_string(0, index, column.label, header)
            sheet.write_comment(0, index, _note(column), {"x_scale": 2, "y_scale": 1.5})
            width = min(max(len(column.label) + 4, 12), 40)
            cell_format = date if column.kind == "date" else text if column.kind == "text" else None
            sheet.set_column(index, index, width, cell_format)
            validation = _validation(column, unit_codes, lists, ranges)
            if validation is not None:
                sheet.data_validation(1, index, LAST_ROW, index, validation)
    guide.write(guide_row + 1, 0, "Ghi chú")
    guide.write(
        guide_row + 1,
        1,
        "Mỗi sheet là một loại sự kiện; dòng 1 là tiêu đề cột. Ngày ghi 30/3/2023 hoặc "
        "2023-03-30; số ghi 2.035 hoặc 54,5; ô trống là không có giá trị. Sheet có tên bắt "
        "đầu bằng dấu _ không được nhập.",
    )


def _cover(
    book: Any,
    header: Any,
    text: Any,
    unit_codes: Sequence[str],
    unit: Unit | None,
    period: str | None,
) -> None:
    """The first sheet: the submitting unit (B2), the period (B3), how re-sending works."""
    sheet = book.add_worksheet(COVER_SHEET)
    sheet.activate()
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    bold = book.add_format({"bold": True})
    sheet.set_column(0, 0, 26)
    sheet.set_column(1, 1, 90)
    sheet.write_string(0, 0, "Thông tin báo cáo", bold)
    sheet.write_string(1, 0, COVER_LABELS["unit"], header)
    sheet.write_string(2, 0, COVER_LABELS["period"], header)
    sheet.write_string(1, 1, "" if unit is None else _choice(unit), text)
    sheet.write_string(2, 1, period or "", text)
    if unit_codes:
        sheet.data_validation(
            1,
            1,
            1,
            1,
            {
                "validate": "list",
                "source": f"='_lists'!$A$2:$A${len(unit_codes) + 1}",
                "error_type": "warning",
                "error_message": "Đơn vị không có trong danh sách của kho dữ liệu.",
            },
        )
    sheet.write_comment(
        2, 1, "Ví dụ: 2023-Q3 (quý 3), 2023-9M (9 tháng), 2023 (cả năm)", {"x_scale": 2}
    )
    for offset, line in enumerate(COVER_NOTES):
        heading = not line[:1].isdigit()
        sheet.write_string(4 + offset, 0 if heading else 1, line, bold if heading else wrap)


def _validation(
    column: TemplateColumn,
    unit_codes: Sequence[str],
    lists: Any,
    ranges: dict[tuple[str, ...], str],
) -> dict[str, Any] | None:
    if column.kind == "bool":
        return {"validate": "list", "source": ["có", "không"]}
    if column.unit and unit_codes:
        return {
            "validate": "list",
            "source": f"='_lists'!$A$2:$A${len(unit_codes) + 1}",
            "error_type": "warning",
            "error_message": "Đơn vị không có trong danh sách của kho dữ liệu.",
        }
    if column.kind == "enum" and column.choices:
        key = column.choice_labels or tuple(value_label(c) for c in column.choices)
        if key not in ranges:
            col = len(ranges) + 1
            letter = _column_letter(col)
            lists.write(0, col, column.name)
            for row, label in enumerate(key, start=1):
                lists.write_string(row, col, label)
            ranges[key] = f"='_lists'!${letter}$2:${letter}${len(key) + 1}"
        return {
            "validate": "list",
            "source": ranges[key],
            "error_type": "stop",
            "error_message": "Chọn một giá trị trong danh sách.",
        }
    return None


def write_events_workbook(
    path: Path,
    events: Iterable[Mapping[str, Any]],
    types: Sequence[type[EventData]],
    *,
    labels: bool = False,
    dates: DateStyle = "native",
    constant_memory: bool = False,
) -> Path:
    """Write ``events`` (JSON Lines dicts) as an input workbook: a sheet per type that has
    events, in the order of ``types``. The ``xlsx`` channel reads it back as the same events.

    ``labels`` writes Vietnamese headers; ``dates`` writes Excel dates (``native``) or text
    (``iso``, ``vietnamese``); ``constant_memory`` streams rows (big workbooks).
    """
    chosen = list(events)
    book = xlsxwriter.Workbook(str(path), {"constant_memory": constant_memory})
    try:
        date = book.add_format({"num_format": "dd/mm/yyyy"})
        for event_type in types:
            header, rows = table_from_events(event_type, chosen, labels=labels, dates=dates)
            if not rows:
                continue
            sheet = book.add_worksheet(event_type.type_name[:31])
            sheet.write_row(0, 0, header)
            for number, row in enumerate(rows, start=1):
                for index, value in enumerate(row):
                    if value is None:
                        continue
                    if isinstance(value, dt.date):
                        sheet.write_datetime(number, index, value, date)
                    elif isinstance(value, str):
                        sheet.write_string(number, index, value)
                    else:
                        sheet.write(number, index, value)
    finally:
        book.close()
    return path
