"""What a re-sent workbook needs from the channel: its form, its cover, and nothing lost.

The form (the event types a workbook holds as sheets, rows or not) and the cover sheet
("Thông tin báo cáo": the submitting unit and the period) let the import replace an earlier
version of a submission; the problems below are the ways a figure could otherwise vanish
without a word (a formula never computed, a hidden sheet, a merged header).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from dvcore_xlsx import XlsxChannel, write_workbook

from dvcore.errors import Problem
from dvcore.protocols import CoverChannel, TableChannel
from dvcore.serialization import EventTypes
from dvcore.tables import COVER_SHEET, Cover

TYPES = EventTypes.core()
DIALOGUE = ["Ngày", "Mã đơn vị", "Người chủ trì", "Số người tham dự", "Nội dung đối thoại"]


def read(path: Path) -> list[tuple[str | None, int, Any]]:
    return list(XlsxChannel().read_sheets(path, TYPES))


def problems(found: list[tuple[str | None, int, Any]]) -> list[Problem]:
    return [i for _s, _r, i in found if isinstance(i, Problem)]


def events(found: list[tuple[str | None, int, Any]]) -> list[dict[str, Any]]:
    return [i for _s, _r, i in found if isinstance(i, dict)]


def test_the_channel_is_a_table_channel_with_a_cover() -> None:
    assert isinstance(XlsxChannel(), TableChannel)
    assert isinstance(XlsxChannel(), CoverChannel)


def test_the_template_opens_on_its_cover_and_reads_back(tmp_path: Path) -> None:
    chosen = [TYPES.get("DialogueHeld"), TYPES.get("TaskAssigned")]
    path = write_workbook(
        tmp_path / "mau.xlsx",
        [t for t in chosen if t is not None],
        [("HP", "Thành phố Hải Phòng"), ("HP.LC", "Xã Lê Chân"), "HP.X"],
    )
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[0] == COVER_SHEET
    cover = book[COVER_SHEET]
    assert (cover["A2"].value, cover["A3"].value) == ("Đơn vị gửi báo cáo", "Kỳ báo cáo")
    notes = " ".join(str(c.value) for row in cover.iter_rows() for c in row if c.value)
    for words in ("gửi lại cả tệp", "rút khỏi báo cáo", "đính chính", "Mã nguồn", "tiêu đề"):
        assert words in notes
    units = [row[0].value for row in book["_lists"].iter_rows(min_row=2) if row[0].value]
    assert units == ["HP — Thành phố Hải Phòng", "HP.LC — Xã Lê Chân", "HP.X"]
    channel = XlsxChannel()
    assert read(path) == []  # the cover is no event sheet
    assert channel.form(path, TYPES) == ["DialogueHeld", "TaskAssigned"]
    assert channel.cover(path) == Cover(
        unit=None, period=None, source=str(path), sheet=COVER_SHEET, unit_row=2, period_row=3
    )
    # The clerk picks the unit from the drop-down, types the period, fills a row.
    cover["B2"] = "HP.LC — Xã Lê Chân"
    cover["B3"] = "2023-Q3"
    book["DialogueHeld"].append(
        ["30/3/2023", "HP.LC — Xã Lê Chân", None, "Chủ tịch UBND", None, 120]
    )
    book.save(path)
    found = channel.cover(path)
    assert found is not None
    assert (found.unit, found.period, found.unit_row, found.period_row) == (
        "HP.LC",
        "2023-Q3",
        2,
        3,
    )
    (event,) = events(read(path))
    assert event["unit"] == "HP.LC"
    assert "source_ref" not in event  # the import derives the key from the row's meaning
    assert channel.form(path, TYPES) == ["DialogueHeld", "TaskAssigned"]


def test_a_cover_found_whatever_its_case_or_tones(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    cover = book.active
    cover.title = "THONG TIN BAO CAO"  # no tones: not the cover, and names no type
    cover.append(["x"])
    sheet = book.create_sheet("thông tin BÁO CÁO")
    sheet.append([])
    sheet.append(["Đơn vị gửi báo cáo:", None, "HP.AD – Huyện An Dương"])
    sheet.append(["kỳ báo cáo", 2023])
    path = tmp_path / "b.xlsx"
    book.save(path)
    found = XlsxChannel().cover(path)
    assert found == Cover(
        unit="HP.AD",
        period="2023",
        source=str(path),
        sheet="thông tin BÁO CÁO",
        unit_row=2,
        period_row=3,
    )
    (problem,) = problems(read(path))
    assert problem.sheet == "THONG TIN BAO CAO"


def test_a_workbook_without_a_cover_has_none(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.title = "DialogueHeld"
    book.active.append(DIALOGUE)
    path = tmp_path / "b.xlsx"
    book.save(path)
    assert XlsxChannel().cover(path) is None
    assert XlsxChannel().form(path, TYPES) == ["DialogueHeld"]
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a zip")
    assert XlsxChannel().cover(bad) is None
    assert XlsxChannel().form(bad, TYPES) == []


# The whole label of DialogueHeld has 32 characters: a file may hold it as a sheet name
# (LibreOffice writes such names; Excel reads them but cuts what it types at 31), and the
# channel must know it. openpyxl warns on saving one, as these tests mean to.
_LONG_TITLE = pytest.mark.filterwarnings("ignore:Title is more than 31 characters:UserWarning")


@_LONG_TITLE
def test_sheets_named_by_their_vietnamese_label_whole_or_cut(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    first = book.active
    first.title = "đối thoại trực tiếp với nhân dân"  # the label, any case
    first.append(DIALOGUE)
    first.append(["30/3/2023", "HP", "Khác", 5])
    cut = book.create_sheet("Mô hình “Dân vận khéo” được côn")  # Excel's 31 characters
    cut.append(["Ngày", "Mã đơn vị", "model_id", "level"])
    empty = book.create_sheet("Tiếp công dân")  # header only: "none of this type"
    empty.append(["Ngày", "Mã đơn vị", "Từ ngày", "Đến ngày"])
    path = tmp_path / "b.xlsx"
    book.save(path)
    assert problems(read(path)) == []
    assert [e["type"] for e in events(read(path))] == ["DialogueHeld"]
    assert XlsxChannel().form(path, TYPES) == [
        "DialogueHeld",
        "ModelRecognized",
        "CitizenReceptionReported",
    ]


def test_a_formula_without_a_cached_value_is_refused(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "DialogueHeld"
    sheet.append(DIALOGUE)
    sheet.append(["30/3/2023", "HP", "Khác", 120, "Đối thoại"])
    sheet.append(["31/3/2023", "HP", "Khác", "=100+20", "Đối thoại"])  # openpyxl: no value
    sheet.append(["1/4/2023", "HP", "Khác", None, None, "=D2*2"])  # only a formula, no header
    notes = book.create_sheet("_notes")
    notes.append(["=1+1"])  # a "_" sheet is never read
    path = tmp_path / "b.xlsx"
    book.save(path)
    found = read(path)
    first, second = problems(found)
    assert (first.sheet, first.row, first.field) == ("DialogueHeld", 3, "Số người tham dự")
    assert "D3" in first.message
    assert "formula" in first.message
    assert (second.row, second.field) == (4, "F")
    assert [e["occurred_on"] for e in events(found)] == ["2023-03-30"]


def test_a_formula_with_its_cached_value_is_read(tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "b.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("DialogueHeld")
    sheet.write_row(0, 0, DIALOGUE)
    sheet.write_row(1, 0, ["2023-03-30", "HP", "other"])
    sheet.write_formula(1, 3, "=100+20", None, 120)
    book.close()
    found = read(path)
    assert problems(found) == []
    assert events(found)[0]["data"] == {"host": "other", "participants": 120}


@_LONG_TITLE
def test_a_hidden_sheet_with_rows_is_refused(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    shown = book.active
    shown.title = "DialogueHeld"
    shown.append(DIALOGUE)
    hidden = book.create_sheet("LettersReported")
    hidden.append(["Ngày", "Mã đơn vị", "Từ ngày", "Đến ngày", "received"])
    hidden.append([])
    hidden.append(["30/9/2023", "HP", "1/1/2023", "30/9/2023", 12])
    hidden.sheet_state = "hidden"
    very = book.create_sheet("Đối thoại trực tiếp với Nhân dân")
    very.append(DIALOGUE)  # header only: nothing hidden
    very.sheet_state = "veryHidden"
    lists = book.create_sheet("_lists")
    lists.append(["unit"])
    lists.append(["HP"])
    lists.sheet_state = "hidden"  # "_" sheets stay allowed
    other = book.create_sheet("helper")
    other.append(["anything"])
    other.sheet_state = "hidden"  # names no type: not ours
    path = tmp_path / "b.xlsx"
    book.save(path)
    (problem,) = problems(read(path))
    assert (problem.sheet, problem.row) == ("LettersReported", 3)
    assert "hidden" in problem.message
    assert "LettersReported" in problem.message
    assert XlsxChannel().form(path, TYPES) == ["DialogueHeld"]


def test_a_merged_header_cell_names_its_columns(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "DialogueHeld"
    sheet.append(["Ngày", "Mã đơn vị", "Người chủ trì", "Số người tham dự"])
    sheet.merge_cells("D1:E1")
    sheet.append(["30/3/2023", "HP", "Khác", 10, 20])
    path = tmp_path / "b.xlsx"
    book.save(path)
    found = problems(read(path))
    merged = found[0]
    assert (merged.row, merged.field) == (1, "D (Số người tham dự)")
    assert "D1:E1" in merged.message
    assert "column(s) E" in merged.message
    stray = found[1]  # the value under E: named by its letter and the header beside it
    assert (stray.row, stray.field) == (2, "E")
    assert "column E" in stray.message
    assert "'Số người tham dự'" in stray.message
