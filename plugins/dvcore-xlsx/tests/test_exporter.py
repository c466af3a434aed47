"""Tests of the Excel exporter: the workbook reopens with every figure a number, no formula.

The workbook is written from the demo data set's context and reopened with openpyxl
(formulas are kept as formulas there, so one would show). A store whose unit names and
event texts start with ``=``, ``+``, ``-`` and ``@`` checks that data never becomes a formula.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from dvcore_xlsx import plugin as xlsx_plugin
from dvcore_xlsx.exporter import VN_INTEGER, XlsxExporter

from dvcore import open_store
from dvcore.registry import get_plugin_manager, plugin_exporters
from dvcore.reports import build_context
from dvcore.testing import Clock, demo
from dvcore.testing.contracts import ExporterContract


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    store, _counts = demo.open_demo_store(
        f"sqlite:///{tmp_path_factory.mktemp('xlsx') / 'demo.db'}"
    )
    yield store
    store.close()


@pytest.fixture(scope="module")
def context(demo_store: Any) -> dict[str, Any]:
    return demo.demo_context(demo_store, number=None, include_events=True)


@pytest.fixture(scope="module")
def workbook(context: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Any:
    path = XlsxExporter().export(context, tmp_path_factory.mktemp("wb") / "bao-cao.xlsx")
    return openpyxl.load_workbook(path)


def _no_formulas(book: Any) -> list[str]:
    return [
        f"{ws.title}!{cell.coordinate}"
        for ws in book
        for row in ws.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]


def test_registered_through_the_entry_point() -> None:
    exporters = plugin_exporters(get_plugin_manager(autoload=True))
    assert isinstance(exporters["xlsx"], XlsxExporter)
    assert exporters["xlsx"].needs_events


def test_sheets(workbook: Any) -> None:
    assert workbook.sheetnames == [
        "Thông tin",
        "Chỉ số",
        "Chi tiết",
        "Chỉ tiêu",
        "Tiến độ theo đơn vị",
        "Đơn vị",
        "Sự kiện",
        "Nhiệm vụ",
    ]


def test_every_figure_is_a_number(context: dict[str, Any], workbook: Any) -> None:
    sheet = workbook["Chỉ số"]
    header = [c.value for c in sheet[1]]
    assert header[:5] == [
        "Mã chỉ số",
        "Chỉ số",
        "Đơn vị tính",
        "Thành phố Hải Phòng",
        "Cùng kỳ 9 tháng năm 2022",
    ]
    assert len(header) == 3 + 1 + 1 + len(context["units_table"]) - 1
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    assert set(rows) == {f["code"] for f in context["figures"]}
    for fig in context["figures"]:
        row = rows[fig["code"]]
        for cell in row[3:]:
            if cell.value is None:  # a stock with no value: an empty cell, not a text
                continue
            assert isinstance(cell.value, int | float), (fig["code"], cell.coordinate)
        if fig["value"] is not None:
            assert row[3].value == fig["value"]
    assert rows["dialogue.count"][3].value == 470
    assert rows["model.registered"][3].value == 2035
    assert rows["model.registered"][3].number_format == VN_INTEGER
    assert rows["veterans.patrol_teams"][3].value == 1468


def test_vietnamese_number_format_is_locale_independent() -> None:
    # literal dots between digit groups: 2.035 and 1.234.567 under any locale
    assert VN_INTEGER == r"[>=1000000]#\.###\.##0;[>=1000]#\.##0;0"


def test_targets_units_and_events(context: dict[str, Any], workbook: Any) -> None:
    targets = {r[0].value: r for r in workbook["Chỉ tiêu"].iter_rows(min_row=2)}
    row = targets["08-NQ/TU.3b"]
    assert [c.value for c in row[2:4]] == [12, 222]
    assert row[6].value == 22
    assert abs(row[7].value - 0.545) < 1e-9
    assert row[7].number_format == "0.0%"
    assert workbook["Đơn vị"].max_row == 1 + len(context["units"])
    events = workbook["Sự kiện"]
    assert events.max_row == 1 + len(context["events"])
    positions = [r[0].value for r in events.iter_rows(min_row=2)]
    assert all(isinstance(p, int) for p in positions)
    assert positions == sorted(positions)
    dialogue = [r for r in events.iter_rows(min_row=2) if "dialogue.count" in r[9].value]
    assert len(dialogue) == 470
    assert _no_formulas(workbook) == []


def test_data_never_becomes_a_formula(tmp_path: Path) -> None:
    clock = Clock(demo.REPORTED_AT)
    store = open_store(f"sqlite:///{tmp_path / 'x.db'}", clock=clock)
    try:
        store.append(
            [
                {
                    "type": "UnitRegistered",
                    "occurred_on": "2023-01-01",
                    "unit": "X",
                    "data": {
                        "code": "X",
                        "name": '=HYPERLINK("http://x","y")',
                        "kind": "city",
                        "parent": None,
                    },
                },
                {
                    "type": "UnitRegistered",
                    "occurred_on": "2023-01-01",
                    "unit": "X",
                    "data": {"code": "X.1", "name": "+1+2", "kind": "district", "parent": "X"},
                },
                {
                    "type": "UnitRegistered",
                    "occurred_on": "2023-01-01",
                    "unit": "X",
                    "data": {"code": "X.2", "name": "-3-4", "kind": "district", "parent": "X"},
                },
                {
                    "type": "DialogueHeld",
                    "occurred_on": "2023-03-01",
                    "unit": "X.1",
                    "data": {"host": "chairman", "title": "@SUM(1,2)", "audience": "=1+1"},
                    "source_ref": "=cmd|' /C calc'!A0",
                },
            ],
            actor="X",
        )
        context = build_context(store, unit="X", period="2023", include_events=True)
    finally:
        store.close()
    book = openpyxl.load_workbook(XlsxExporter().export(context, tmp_path / "x.xlsx"))
    assert _no_formulas(book) == []
    texts = {
        cell.value
        for ws in book
        for row in ws.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    }
    assert '=HYPERLINK("http://x","y")' in texts
    assert {"+1+2", "-3-4", "=cmd|' /C calc'!A0"} <= texts
    assert any("@SUM(1,2)" in t for t in texts)
    figures = book["Chỉ số"]
    # no "Cùng kỳ" column: the units did not exist a year earlier
    assert [c.value for c in figures[1]][3:] == ['=HYPERLINK("http://x","y")', "+1+2", "-3-4"]
    dialogue = next(r for r in figures.iter_rows(min_row=2) if r[0].value == "dialogue.count")
    assert [c.value for c in dialogue[3:]] == [1, 1, 0]


class TestXlsxContract(ExporterContract):
    """The cases every exporter passes (dvcore.testing.contracts), for the Excel exporter."""

    plugin = xlsx_plugin

    @pytest.fixture
    def exporter(self) -> XlsxExporter:
        return XlsxExporter()

    def read_text(self, path: Path) -> str | None:
        book = openpyxl.load_workbook(path)
        return "\n".join(
            str(c.value)
            for ws in book
            for row in ws.iter_rows()
            for c in row
            if c.value is not None
        )
