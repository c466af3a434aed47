"""The ``xlsx`` channel: the input channel contract, a clerk's workbook, problems by sheet.

Workbooks are written here with XlsxWriter — Excel dates with a date format (what a clerk
types into a date cell), or text — and read back through the channel.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

import attrs
import pytest
import xlsxwriter
from click.testing import CliRunner
from dvcore_xlsx import XlsxChannel, plugin
from dvcore_xlsx.channel import sheet_type
from dvcore_xlsx.template import write_events_workbook

from dvcore import open_store
from dvcore.errors import Problem, ValidationError
from dvcore.events import EventData
from dvcore.importing import import_files
from dvcore.serialization import EventTypes
from dvcore.tables import DateStyle
from dvcore.testing import demo
from dvcore.testing.contracts import InputChannelContract
from dvcore.testing.demo import hai_phong_events

TYPES = EventTypes.core()
CLOCK = dt.datetime(2023, 9, 20, 3, tzinfo=dt.UTC)


class TestXlsxContract(InputChannelContract):
    """Excel dates, numbers as numbers, headers by field name."""

    plugin = plugin
    labels: ClassVar[bool] = False
    dates: ClassVar[DateStyle] = "native"

    @pytest.fixture
    def channel(self) -> XlsxChannel:
        return XlsxChannel()

    def write_events(self, directory: Path, events: Sequence[Mapping[str, Any]]) -> list[Path]:
        directory.mkdir(parents=True, exist_ok=True)
        # Sheets in reverse catalogue order: the channel must read units first anyway.
        path = directory / "so-lieu.xlsx"
        write_events_workbook(path, events, list(TYPES)[::-1], labels=self.labels, dates=self.dates)
        return [path]


class TestXlsxVietnameseContract(TestXlsxContract):
    """Vietnamese headers, dates typed as text (30/3/2023)."""

    labels = True
    dates = "vietnamese"


def read_sheets(path: Path) -> list[tuple[str | None, int, Any]]:
    """Every ``(sheet, row, item)`` of a workbook."""
    return list(XlsxChannel().read_sheets(path, TYPES))


def workbook(
    path: Path, sheets: Mapping[str, Sequence[Sequence[Any]]], hidden: Sequence[str] = ()
) -> Path:
    """Write a workbook; a ``datetime.date`` cell gets a date format, as Excel gives it."""
    book = xlsxwriter.Workbook(str(path))
    date = book.add_format({"num_format": "d/m/yyyy"})
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, dt.date):
                    sheet.write_datetime(r, c, value, date)
                elif value is not None:
                    sheet.write(r, c, value)
        if name in hidden:
            sheet.hide()
    book.close()
    return path


def test_a_clerks_workbook_imports(tmp_path: Path) -> None:
    units = [e for e in hai_phong_events() if e["type"] == "UnitRegistered"]
    path = workbook(
        tmp_path / "bao-cao-quan-hong-bang.xlsx",
        {
            "_Ghi chú": [["Báo cáo 9 tháng, Quận Hồng Bàng"]],
            "CitizenReceptionReported": [
                [
                    "Ngày",
                    "Mã đơn vị",
                    "Từ ngày",
                    "Đến ngày",
                    "Số lượt tiếp công dân",
                    "Vụ việc khiếu nại",
                    "Vụ việc tố cáo",
                    "Vụ việc kiến nghị, phản ánh",
                ],
                [
                    dt.date(2023, 8, 31),
                    "HP.HB",
                    "1/1/2023",
                    "31/08/2023",
                    "2.746",
                    155.0,
                    64,
                    "2.081",
                ],
            ],
            "DialogueHeld": [
                [],
                ["NGÀY", "mã đơn vị", "Người chủ trì", "Số người tham dự", "Nội dung đối thoại"],
                [
                    dt.datetime(2023, 3, 30, 8, 30),
                    "HP.HB.01",
                    "Bí thư cấp ủy",
                    120,
                    "Đối thoại về chỉnh trang đô thị",
                ],
                ["2023-04-02", "HP.HB.02", "Chủ tịch UBND", "1.200", None],
                [None, None, None, None, None],
                ["14/9/2023", "HP.HB", "chairman", None, "Ý kiến về an toàn giao thông"],
            ],
            "Nháp": [],  # an empty sheet with any name is harmless
            "DocumentIssued": [  # hidden, and holds no rows: nothing to lose
                ["occurred_on", "unit", "number", "kind", "sets_targets"],
            ],
        },
        hidden=["DocumentIssued"],
    )
    found = read_sheets(path)
    assert [i for _s, _r, i in found if isinstance(i, Problem)] == []
    assert [(s, r) for s, r, _i in found] == [
        ("DialogueHeld", 3),
        ("DialogueHeld", 4),
        ("DialogueHeld", 6),
        ("CitizenReceptionReported", 2),
    ]
    dialogue = found[0][2]
    assert dialogue["occurred_on"] == "2023-03-30"
    assert dialogue["data"] == {
        "host": "party_secretary",
        "participants": 120,
        "title": "Đối thoại về chỉnh trang đô thị",
    }
    assert found[1][2]["data"]["participants"] == 1200
    assert found[3][2]["data"] == {
        "window": ["2023-01-01", "2023-08-31"],
        "visits": 2746,
        "cases_complaint": 155,
        "cases_denunciation": 64,
        "cases_petition": 2081,
    }
    store = open_store(f"sqlite:///{tmp_path / 's.db'}", clock=lambda: CLOCK)
    try:
        store.append(units)
        import_files(store, [path], {"xlsx": XlsxChannel()}, unit="HP.HB", period="2023-9M")
        snap = store.snapshot("HP.HB", "2023-9M")
        assert snap.value("dialogue.count") == 3
        assert snap.by("dialogue.count", "level") == {"district": 1, "commune": 2}
        assert snap.value("reception.visits") == 2746
    finally:
        store.close()


def test_problems_name_the_sheet_row_and_column(tmp_path: Path) -> None:
    events = hai_phong_events()
    dialogues = [i for i, e in enumerate(events) if e["type"] == "DialogueHeld"]
    events[dialogues[29]] = {**events[dialogues[29]], "occurred_on": "31/2/2023"}
    events[dialogues[38]] = {**events[dialogues[38]], "unit": "HP.XX"}
    models = [i for i, e in enumerate(events) if e["type"] == "ModelRegistered"]
    events[models[0]]["data"]["year"] = "2.023,5"
    path = write_events_workbook(tmp_path / "book.xlsx", events, list(TYPES), labels=True)
    store = open_store(f"sqlite:///{tmp_path / 's.db'}", clock=lambda: CLOCK)
    try:
        with pytest.raises(ValidationError) as caught:
            import_files(store, [path], {"xlsx": XlsxChannel()})
        assert store.head() == 0
    finally:
        store.close()
    where = [(p.sheet, p.row, p.field) for p in caught.value.problems]
    assert where == [
        ("DialogueHeld", 31, "Ngày"),
        ("DialogueHeld", 40, "unit"),
        ("ModelRegistered", 2, "Năm"),
    ]
    text = str(caught.value)
    assert f"{path}, sheet DialogueHeld, row 31, field 'Ngày': cannot read date" in text
    assert f"{path}, sheet DialogueHeld, row 40, field 'unit': unknown unit 'HP.XX'" in text


def test_a_sheet_naming_no_event_type_is_a_problem(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "book.xlsx",
        {
            "DialogHeld": [["occurred_on", "unit", "host"], ["2023-03-30", "HP", "other"]],
        },
    )
    ((sheet, _row, problem),) = read_sheets(path)
    assert sheet == "DialogHeld"
    assert isinstance(problem, Problem)
    assert "names no event type" in problem.message
    assert "'_'" in problem.message


def test_cells_that_cannot_be_read(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "book.xlsx",
        {
            "DialogueHeld": [
                ["occurred_on", "unit", "host", "participants", "issues_raised"],
                [45015.0, "HP", "other", 12.5, True],
                [dt.date(2023, 3, 30), "HP", "other", -1, 2],
            ],
        },
    )
    problems = [(r, i.field, i.message) for _s, r, i in read_sheets(path) if isinstance(i, Problem)]
    assert [(r, f) for r, f, _m in problems] == [
        (2, "occurred_on"),
        (2, "participants"),
        (2, "issues_raised"),
    ]
    assert "is a number, not a date" in problems[0][2]
    assert "not a whole number" in problems[1][2]
    # -1 reads as a number: the event class refuses it when the store structures the row
    assert [
        i["data"]["participants"] for _s, _r, i in read_sheets(path) if isinstance(i, dict)
    ] == [-1]


def test_a_file_that_is_no_workbook_is_one_problem(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    path.write_bytes(b"not a zip file")
    ((_sheet, _row, problem),) = read_sheets(path)
    assert isinstance(problem, Problem)
    assert "python-calamine" in problem.message


def test_a_long_type_name_is_found_from_excels_cut_sheet_name() -> None:
    @attrs.frozen
    class ReceptionOfCitizensAtTheCommuneReported(EventData):
        type_name: ClassVar[str] = "ReceptionOfCitizensAtTheCommuneReported"

    types = EventTypes.core()
    types.add(ReceptionOfCitizensAtTheCommuneReported)
    cut = "ReceptionOfCitizensAtTheCommuneReported"[:31]
    assert sheet_type(cut, types) is ReceptionOfCitizensAtTheCommuneReported
    assert sheet_type("dialogueheld", types) is types.get("DialogueHeld")
    assert sheet_type("Dialogue", types) is None


def test_dvcore_import_and_plugins_find_the_installed_channel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.metadata

    try:
        importlib.metadata.distribution("dvcore-xlsx")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("dvcore-xlsx is not installed (pip install -e plugins/dvcore-xlsx)")
    from dvcore.cli import main

    monkeypatch.setenv("DVCORE_DISABLE_PLUGIN_AUTOLOAD", "0")
    url = f"sqlite:///{tmp_path / 's.db'}"
    path = write_events_workbook(tmp_path / "demo.xlsx", hai_phong_events(), list(TYPES))
    runner = CliRunner()
    result = runner.invoke(main, ["--store", url, "import", str(path)])
    assert result.exit_code == 0, result.output
    assert f"appended {len(demo.hai_phong_events())} events" in result.output
    snapshot = runner.invoke(
        main,
        ["--store", url, "snapshot", "--unit", "HP", "--period", "2023-9M", "--format", "json"],
    )
    assert json.loads(snapshot.stdout)["indicators"]["dialogue.count"]["value"] == 470
    listing = runner.invoke(main, ["plugins"])
    rows = [" ".join(line.replace("│", " ").split()) for line in listing.output.splitlines()]
    version = importlib.metadata.version("dvcore-xlsx")
    assert f"channel xlsx dvcore-xlsx {version}" in rows
    assert "channel csv dvcore" in rows
