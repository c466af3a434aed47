"""Tests of the Excel exporter: the workbook reopens with every figure a number, no formula.

The workbook is written from the demo data set's context and reopened with openpyxl
(formulas are kept as formulas there, so one would show). A store whose unit names and
event texts start with ``=``, ``+``, ``-`` and ``@`` checks that data never becomes a formula.

Everything a reader sees is Vietnamese (no code such as ``city``, ``host``, ``periodic`` or
``dialogue.count``), an instant is a date and time in Vietnam's time, and the year before is
compared only where it holds data: the demo has none for 2022 (no column at all), a small
store has some (a column, "—" for the indicators without).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from dvcore_xlsx import plugin as xlsx_plugin
from dvcore_xlsx.exporter import NO_DATA, VN_INTEGER, XlsxExporter

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
    # no "Cùng kỳ" column: the demo holds no data for 2022
    assert header[:3] == ["Chỉ số", "Đơn vị tính", "Thành phố Hải Phòng"]
    assert len(header) == 2 + len(context["units_table"])
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    assert set(rows) == {f["title"] for f in context["figures"]}
    for fig in context["figures"]:
        row = rows[fig["title"]]
        for cell in row[2:]:
            if cell.value is None:  # a stock with no value: an empty cell, not a text
                continue
            assert isinstance(cell.value, int | float), (fig["code"], cell.coordinate)
        if fig["value"] is not None:
            assert row[2].value == fig["value"]

    def value(code: str) -> Any:
        return rows[context["figure"][code]["title"]][2]

    assert value("dialogue.count").value == 470
    assert value("model.registered").value == 2035
    assert value("model.registered").number_format == VN_INTEGER
    assert value("veterans.patrol_teams").value == 1468


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
    title = context["figure"]["dialogue.count"]["title"]
    dialogue = [r for r in events.iter_rows(min_row=2) if title in r[9].value.split("; ")]
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
    assert [c.value for c in figures[1]][2:] == ['=HYPERLINK("http://x","y")', "+1+2", "-3-4"]
    title = context["figure"]["dialogue.count"]["title"]
    dialogue = next(r for r in figures.iter_rows(min_row=2) if r[0].value == title)
    assert [c.value for c in dialogue[2:]] == [1, 1, 0]


# Codes a reader must never see: levels, unit kinds, dimensions and their keys, report kinds.
_CODES = re.compile(
    r"\b(city|district|commune|communes|other|host|field|kind|level|group|activity|periodic"
    r"|departments_districts|party_secretary|chairman|ntm_model|units_with)\b"
)
_ISO_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def _texts(book: Any) -> list[str]:
    return [
        cell.value
        for ws in book
        for row in ws.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    ]


def test_a_reader_sees_no_code(context: dict[str, Any], workbook: Any) -> None:
    # a source reference is the sender's own identifier, shown as given
    sources = {e["source_ref"] for e in context["events"]}
    texts = [t for t in _texts(workbook) if t not in sources]
    codes = set(context["figure"])
    for text in texts:
        assert not _CODES.search(text), text
        assert text not in codes, text
        assert not any(code in text for code in codes), text
    info = {row[0].value: row[1].value for row in workbook["Thông tin"].iter_rows()}
    assert info["Báo cáo"] == "báo cáo định kỳ"
    levels = {row[3].value for row in workbook["Đơn vị"].iter_rows(min_row=2)}
    assert levels == {"cấp thành phố", "cấp quận, huyện", "cấp xã, phường", "khác"}
    details = workbook["Chi tiết"]
    assert {row[1].value for row in details.iter_rows(min_row=2)} >= {
        "Cấp",
        "Người chủ trì",
        "Lĩnh vực",
        "Nhóm đơn vị",
    }
    groups = {r[2].value for r in details.iter_rows(min_row=2) if r[1].value == "Nhóm đơn vị"}
    assert groups == {"Sở, ban, ngành, quận, huyện", "Xã, phường, thị trấn"}
    events = workbook["Sự kiện"]
    kinds = {row[2].value for row in events.iter_rows(min_row=2)}
    assert "Đối thoại trực tiếp với Nhân dân" in kinds
    assert "DialogueHeld" not in kinds
    data = next(
        r[10].value
        for r in events.iter_rows(min_row=2)
        if r[2].value == "Đối thoại trực tiếp với Nhân dân"
    )
    assert "Người chủ trì: " in data


def test_times_are_vietnam_time(context: dict[str, Any], workbook: Any) -> None:
    assert not any(_ISO_INSTANT.search(t) or "+00:00" in t for t in _texts(workbook))
    info = {row[0].value: row[1] for row in workbook["Thông tin"].iter_rows()}
    known = info["Số liệu như đã biết lúc"]
    # REPORTED_AT is 20/9/2023 10:00 in Vietnam (03:00 UTC): shown at Vietnam's clock
    assert known.value == dt.datetime(2023, 9, 20, 10, 0)
    assert known.number_format == "d/m/yyyy hh:mm"
    events = workbook["Sự kiện"]
    assert [c.value for c in events[1]][6] == "Ghi nhận lúc"
    recorded = [r[6] for r in events.iter_rows(min_row=2)]
    assert recorded
    assert all(isinstance(c.value, dt.datetime) for c in recorded)
    assert all(c.number_format == "d/m/yyyy hh:mm" for c in recorded)
    first = context["events"][0]["recorded_at"].astimezone(dt.timezone(dt.timedelta(hours=7)))
    assert recorded[0].value == first.replace(tzinfo=None)


def _units(*codes: tuple[str, str, str | None]) -> list[dict[str, Any]]:
    return [
        {
            "type": "UnitRegistered",
            "occurred_on": "2022-01-01",
            "unit": "X",
            "data": {"code": code, "name": name, "kind": kind, "parent": parent},
        }
        for code, name, parent in codes
        for kind in [{0: "city", 1: "district", 2: "commune"}[code.count(".")]]
    ]


def _dialogue(unit: str, day: str) -> dict[str, Any]:
    return {
        "type": "DialogueHeld",
        "occurred_on": day,
        "unit": unit,
        "data": {"host": "chairman", "title": "Đối thoại", "audience": "Nhân dân"},
    }


@pytest.fixture(scope="module")
def prior_context(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A city with dialogues in 2022 and 2023, and models registered in 2023 only."""
    path = tmp_path_factory.mktemp("prior") / "x.db"
    store = open_store(f"sqlite:///{path}", clock=Clock(demo.REPORTED_AT))
    try:
        store.append(
            [
                *_units(
                    ("X", "Thành phố X", None),
                    ("X.1", "Quận Một", "X"),
                    ("X.1.a", "Phường A", "X.1"),
                ),
                _dialogue("X.1", "2022-03-01"),
                _dialogue("X.1.a", "2022-04-01"),
                _dialogue("X.1.a", "2023-03-01"),
                {
                    "type": "ModelRegistered",
                    "occurred_on": "2023-05-01",
                    "unit": "X.1.a",
                    "data": {"model_id": "M1", "name": "Mô hình", "field": "digital"},
                },
            ],
            actor="X",
        )
        return build_context(store, unit="X", period="2023", include_events=True)
    finally:
        store.close()


def test_no_zero_for_a_year_without_data(prior_context: dict[str, Any], tmp_path: Path) -> None:
    book = openpyxl.load_workbook(XlsxExporter().export(prior_context, tmp_path / "x.xlsx"))
    sheet = book["Chỉ số"]
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["Chỉ số", "Đơn vị tính", "Thành phố X", "Cùng kỳ năm 2022"]
    rows = {r[0].value: [c.value for c in r] for r in sheet.iter_rows(min_row=2)}
    figure = prior_context["figure"]
    assert rows[figure["dialogue.count"]["title"]][2:4] == [1, 2]
    # models were first registered in 2023: the year before has no figure, not 0
    assert rows[figure["model.registered"]["title"]][2:4] == [1, NO_DATA]
    assert NO_DATA == "—"
    assert all(row[3] != 0 for row in rows.values())
    for text in _texts(book):
        assert not _CODES.search(text), text


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
