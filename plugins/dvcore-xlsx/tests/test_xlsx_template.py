"""The blank workbook ``dvcore template --channel xlsx`` writes: sheets, labels, drop-downs.

The workbook is read back with python-calamine (values) and its sheets' XML (data
validation, which calamine does not expose).
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest
import python_calamine
from click.testing import CliRunner
from dvcore_xlsx import XlsxChannel, write_workbook

from dvcore.events import CORE_EVENT_TYPES
from dvcore.serialization import EventTypes
from dvcore.tables import template_columns, unit_code
from dvcore.testing.demo import hai_phong_events

TYPES = EventTypes.core()


def sheet_xml(path: Path, index: int) -> str:
    """The XML of the ``index``-th sheet (1-based, in workbook order)."""
    with zipfile.ZipFile(path) as book:
        return book.read(f"xl/worksheets/sheet{index}.xml").decode("utf-8")


def test_one_sheet_per_type_with_vietnamese_headers(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "mau.xlsx", list(CORE_EVENT_TYPES), ["HP", "HP.HB"])
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    names = book.sheet_names
    assert names[:3] == ["Thông tin báo cáo", "_Hướng dẫn", "_lists"]
    assert names[3:] == [t.type_name for t in CORE_EVENT_TYPES]
    for event_type in CORE_EVENT_TYPES:
        (header,) = book.get_sheet_by_name(event_type.type_name).to_python()
        assert header == [c.label for c in template_columns(event_type)]
    guide = book.get_sheet_by_name("_Hướng dẫn").to_python()
    assert ["DialogueHeld", "Đối thoại trực tiếp với Nhân dân"] in guide
    # A blank template reads as nothing, and no problem.
    assert list(XlsxChannel().read_sheets(path, TYPES)) == []


def test_drop_downs_for_enums_booleans_and_unit_codes(tmp_path: Path) -> None:
    codes = ["HP", "HP.HB", "HP.HB.01"]
    chosen = [t for t in CORE_EVENT_TYPES if t.type_name in ("DialogueHeld", "DocumentIssued")]
    path = write_workbook(tmp_path / "mau.xlsx", chosen, codes)
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    lists = book.get_sheet_by_name("_lists").to_python()
    assert [row[0] for row in lists if row[0] != ""] == ["unit", *codes]
    columns = list(zip(*lists, strict=True))
    assert ("host", "Bí thư cấp ủy", "Chủ tịch UBND", "Thường trực cấp ủy", "Khác") in [
        tuple(v for v in column if v != "") for column in columns
    ]
    dialogue = sheet_xml(path, 4)
    validations = re.findall(
        r'<dataValidation [^>]*sqref="([A-Z]+)2:[A-Z]+\d+"[^>]*>'
        r"<formula1>([^<]*)</formula1>",
        dialogue,
    )
    by_column = dict(validations)
    assert by_column["B"] == "'_lists'!$A$2:$A$4"  # unit codes
    assert by_column["D"].startswith("'_lists'!$B$2:$B$5")  # the host
    document = sheet_xml(path, 5)
    assert '"có,không"' in document  # sets_targets, a yes/no column
    assert 'errorStyle="warning"' in dialogue  # a unit code not (yet) listed is allowed


def test_without_unit_codes_the_unit_column_is_free(tmp_path: Path) -> None:
    chosen = [t for t in CORE_EVENT_TYPES if t.type_name == "DialogueHeld"]
    path = write_workbook(tmp_path / "mau.xlsx", chosen)
    assert "'_lists'!$A$2" not in sheet_xml(path, 4)


def test_the_template_command_takes_unit_codes_from_the_store(
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
    units = tmp_path / "units.jsonl"
    units.write_text(
        "".join(
            json.dumps(e, ensure_ascii=False) + "\n"
            for e in hai_phong_events()
            if e["type"] == "UnitRegistered"
        ),
        encoding="utf-8",
    )
    runner = CliRunner()
    assert runner.invoke(main, ["--store", url, "import", str(units)]).exit_code == 0
    out = tmp_path / "mau.xlsx"
    result = runner.invoke(
        main,
        [
            "--store",
            url,
            "template",
            "--channel",
            "xlsx",
            "-o",
            str(out),
            "--type",
            "DialogueHeld",
            "--type",
            "LettersReported",
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.output == f"wrote {out}\n"
    book = python_calamine.CalamineWorkbook.from_path(str(out))
    assert book.sheet_names == [
        "Thông tin báo cáo",
        "_Hướng dẫn",
        "_lists",
        "DialogueHeld",
        "LettersReported",
    ]
    codes = [row[0] for row in book.get_sheet_by_name("_lists").to_python() if row[0]][1:]
    assert len(codes) == 255
    assert "HP.HB.01" in [unit_code(c) for c in codes]
    assert all(" — " in c for c in codes)  # "code — name": the clerk sees the name too
    directory = tmp_path / "mau"
    directory.mkdir()
    result = runner.invoke(
        main, ["--store", url, "template", "--channel", "xlsx", "-o", str(directory)]
    )
    assert result.output == f"wrote {directory / 'dvcore-mau-nhap-lieu.xlsx'}\n"
