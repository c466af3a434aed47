"""The ``docx`` input channel (issue 13, item 3): a unit's own Word report becomes its
narrative for the period, section by section, and a re-sent report replaces it.

Stores on SQLite and, when ``DVCORE_PG_URL`` is set, PostgreSQL.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result
from docx.document import Document as DocumentObject
from dvcore_docx.narrative import DocxNarrativeChannel, read_docx_sections

from dvcore import open_store
from dvcore.cli import main
from dvcore.errors import InputError, ValidationError
from dvcore.importing import import_files
from dvcore.narrative import read_narrative

CITY, Q1 = "HP", "HP.Q1"
PG_URL = os.environ.get("DVCORE_PG_URL")


def _units() -> list[dict[str, Any]]:
    return [
        {
            "type": "UnitRegistered",
            "occurred_on": "2020-01-01",
            "unit": parent or code,
            "data": {"code": code, "name": f"Quận {code}", "kind": kind, "parent": parent},
            "source_ref": f"tree:{code}",
        }
        for code, parent, kind in ((CITY, None, "city"), (Q1, CITY, "district"))
    ]


@pytest.fixture(params=["sqlite", "postgresql"] if PG_URL else ["sqlite"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    assert PG_URL is not None
    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(PG_URL)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        engine.dispose()


def _report(path: Path, *, version: int = 1) -> Path:
    """A district's 9-month report as a clerk types it in Word."""
    document: DocumentObject = docx.Document()
    header = document.add_table(rows=1, cols=2)
    header.cell(0, 0).text = "QUẬN ỦY NGÔ QUYỀN\nBAN DÂN VẬN"
    header.cell(0, 1).text = "ĐẢNG CỘNG SẢN VIỆT NAM"
    document.add_paragraph("BÁO CÁO")
    document.add_paragraph("Kết quả công tác dân vận 9 tháng năm 2023")
    document.add_heading("Phần thứ nhất", level=1)
    document.add_paragraph("KẾT QUẢ CÔNG TÁC DÂN VẬN 9 THÁNG NĂM 2023")
    document.add_paragraph("I. ĐẶC ĐIỂM TÌNH HÌNH")
    document.add_paragraph("Quận có 13 phường, 28.500 hộ dân; 91% hộ đạt gia đình văn hóa.")
    document.add_heading("II- KẾT QUẢ CÔNG TÁC DÂN VẬN CỦA HỆ THỐNG CHÍNH TRỊ", level=1)
    document.add_heading("1. Công tác lãnh đạo, chỉ đạo của cấp ủy, tổ chức đảng", level=2)
    if version == 1:
        document.add_paragraph(
            "Ban Thường vụ Quận ủy ban hành 06 văn bản lãnh đạo công tác dân vận."
        )
        document.add_paragraph("- Tổ chức 12 cuộc đối thoại với 1.200 lượt người tham dự.")
        document.add_paragraph("Giải quyết dứt điểm 03 vụ việc", style="List Bullet")
    else:
        document.add_paragraph(
            "Ban Thường vụ Quận ủy ban hành 07 văn bản lãnh đạo công tác dân vận."
        )
    document.add_paragraph("1. Tiếp tục quán triệt Nghị quyết 08-NQ/TU tới 100% chi bộ.")
    paragraph = document.add_paragraph()
    paragraph.add_run("2. Kết quả thực hiện Quy chế dân chủ").bold = True
    document.add_paragraph("[Nội dung do đơn vị bổ sung]")
    figures = document.add_table(rows=2, cols=2)
    figures.cell(0, 0).text = "Chỉ tiêu"
    figures.cell(0, 1).text = "Kết quả"
    figures.cell(1, 0).text = "Đối thoại"
    figures.cell(1, 1).text = "12 cuộc"
    if version == 1:
        document.add_paragraph("V. ĐÁNH GIÁ CHUNG")
        document.add_paragraph("2. Hạn chế và nguyên nhân")
        document.add_paragraph("Việc giải quyết đơn thư còn chậm.")
    document.add_paragraph("PHẦN THỨ HAI")
    document.add_paragraph("PHƯƠNG HƯỚNG, NHIỆM VỤ QUÝ IV NĂM 2023")
    document.add_paragraph("1. Nhiệm vụ chung")
    document.add_paragraph("Tập trung thực hiện 03 chỉ tiêu của Nghị quyết.")
    signature = document.add_table(rows=1, cols=2)
    signature.cell(0, 0).text = "Nơi nhận:\n- Ban Dân vận Thành ủy,\n- Lưu."
    signature.cell(0, 1).text = "T/M BAN DÂN VẬN\nTRƯỞNG BAN\nNguyễn Văn A"
    document.add_paragraph("Trang cuối")
    document.save(str(path))
    return path


def test_a_word_report_reads_as_sections(tmp_path: Path) -> None:
    sections = read_docx_sections(_report(tmp_path / "bao-cao.docx"))
    assert sections.text == {
        "P1": [],  # its title in capitals is the outline's
        "I": [("body", "Quận có 13 phường, 28.500 hộ dân; 91% hộ đạt gia đình văn hóa.")],
        "II": [],
        "II.1": [
            ("body", "Ban Thường vụ Quận ủy ban hành 06 văn bản lãnh đạo công tác dân vận."),
            ("bullet", "Tổ chức 12 cuộc đối thoại với 1.200 lượt người tham dự."),
            ("bullet", "Giải quyết dứt điểm 03 vụ việc"),
            # a numbered sentence is text, not a heading
            ("body", "1. Tiếp tục quán triệt Nghị quyết 08-NQ/TU tới 100% chi bộ."),
        ],
        "II.2": [("body", "Chỉ tiêu | Kết quả"), ("body", "Đối thoại | 12 cuộc")],
        "V": [],
        "V.2": [("body", "Việc giải quyết đơn thư còn chậm.")],
        "P2": [
            ("subheading", "1. Nhiệm vụ chung"),
            ("body", "Tập trung thực hiện 03 chỉ tiêu của Nghị quyết."),
        ],
    }
    assert sections.lines["I"] < sections.lines["II"] < sections.lines["P2"]


def test_not_a_word_file(tmp_path: Path) -> None:
    path = tmp_path / "bao-cao.docx"
    path.write_bytes(b"not a zip")
    with pytest.raises(InputError, match=r"bao-cao\.docx: cannot read the file"):
        read_docx_sections(path)


def test_the_channel_is_registered() -> None:
    from dvcore.registry import get_plugin_manager, plugin_input_channels

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DVCORE_DISABLE_PLUGIN_AUTOLOAD", "0")
        channels = plugin_input_channels(get_plugin_manager())
    assert isinstance(channels["docx"], DocxNarrativeChannel)
    assert channels["docx"].suffixes == (".docx",)
    assert ".md" in channels["markdown"].suffixes


def test_import_and_resend(store_url: str, tmp_path: Path) -> None:
    channels = {"docx": DocxNarrativeChannel()}
    with open_store(store_url) as store:
        store.append(_units())
        path = _report(tmp_path / "bao-cao.docx")
        with pytest.raises(ValidationError, match="a narrative is a unit's text"):
            import_files(store, [path], channels)
        first = import_files(store, [path], channels, unit=Q1, period="2023-9M")
        assert first.submission is not None
        assert len(first.submission.added) == 5  # the sections with text
        got = read_narrative(store, Q1, "2023-9M")
        assert list(got) == ["I", "II.1", "II.2", "V.2", "P2"]
        second_path = _report(tmp_path / "bao-cao-2.docx", version=2)
        second = import_files(store, [second_path], channels, unit=Q1, period="2023-9M")
        diff = second.submission
        assert diff is not None
        assert (len(diff.unchanged), len(diff.corrected), len(diff.retracted)) == (3, 1, 1)
        got = read_narrative(store, Q1, "2023-9M")
        assert "V.2" not in got
        assert got["II.1"] == [
            ("body", "Ban Thường vụ Quận ủy ban hành 07 văn bản lãnh đạo công tác dân vận."),
            ("body", "1. Tiếp tục quán triệt Nghị quyết 08-NQ/TU tới 100% chi bộ."),
        ]


def _run(store_url: str, *args: str) -> Result:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DVCORE_DISABLE_PLUGIN_AUTOLOAD", "0")
        patch.setenv("DVCORE_LANG", "en")
        return CliRunner().invoke(main, ["--store", store_url, "--lang", "en", *args])


def test_import_and_resend_through_the_cli(store_url: str, tmp_path: Path) -> None:
    units = tmp_path / "units.jsonl"
    units.write_text("\n".join(json.dumps(u) for u in _units()) + "\n", encoding="utf-8")
    assert _run(store_url, "init").exit_code == 0
    assert _run(store_url, "import", str(units)).exit_code == 0
    path = _report(tmp_path / "bao-cao.docx")
    bare = _run(store_url, "import", str(path))
    assert bare.exit_code == 2, bare.output
    assert "a narrative is a unit's text for a period" in bare.output
    first = _run(store_url, "import", str(path), "--unit", Q1, "--period", "2023-9M")
    assert first.exit_code == 0, first.output
    assert "0 unchanged, 0 corrected, 0 retracted, 5 added" in first.output
    _report(path, version=2)
    second = _run(store_url, "import", str(path), "--unit", Q1, "--period", "2023-9M")
    assert second.exit_code == 0, second.output
    assert "3 unchanged, 1 corrected, 1 retracted, 0 added" in second.output
    with open_store(store_url, create=False) as store:
        assert "V.2" not in read_narrative(store, Q1, "2023-9M")
