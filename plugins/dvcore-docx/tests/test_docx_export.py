"""Tests of dvcore-docx: the Party format read back with python-docx, and LibreOffice.

The demo data set is recorded as ``dvcore demo`` records it; the Word documents are written
from its contexts, then read back: page, margins, font, header, title, recipients block,
signature, page numbers from page 2, real footnotes, and every figure of DESIGN.md §2 in
seed 001's wording. One test converts the periodic report to PDF with LibreOffice and
renders its first page with pdftoppm (both installed with apt-get when missing).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.document import Document as DocumentObject
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from dvcore_docx import DocxExporter
from dvcore_docx import plugin as docx_plugin
from dvcore_docx._layout import SIGNER_PLACEHOLDER

from dvcore.errors import InputError
from dvcore.registry import get_plugin_manager, plugin_exporters
from dvcore.reports import build_context
from dvcore.testing import demo
from dvcore.testing.contracts import ExporterContract

GOLDEN_PHRASES = (
    "Tổ chức 470 cuộc đối thoại giữa người đứng đầu cấp ủy, chính quyền các cấp với Nhân dân "
    "(06 cuộc cấp thành phố; 112 cuộc cấp quận, huyện; 352 cuộc cấp xã, phường)",
    "2.035 mô hình “Dân vận khéo” được đăng ký xây dựng trên các lĩnh vực của đời sống xã "
    "hội. Trong đó có 367 mô hình trong xây dựng nông thôn mới kiểu mẫu, 296 mô hình trong "
    "chỉnh trang, hiện đại hóa đô thị",
    "hồ sơ của 12/222 cơ sở tôn giáo (đạt 54,5% kế hoạch năm)",
    "07 cơ sở tôn giáo đã được Ủy ban nhân dân thành phố ban hành quyết định công nhận quyền "
    "sử dụng đất",
    "Trong 8 tháng năm 2023, toàn thành phố đã tiếp 2.746 lượt công dân với 2.300 vụ việc "
    "(khiếu nại 155 vụ việc, tố cáo 64 vụ việc, kiến nghị 2.081 vụ việc). Trong đó, số đoàn "
    "đông người 158 đoàn với 152 vụ việc; tiếp nhận và xử lý 7.337 đơn thư các loại; đơn đủ "
    "điều kiện xử lý 5.765 đơn; đơn khiếu nại, tố cáo thuộc thẩm quyền giải quyết 466 đơn",
    "15/15 Quận ủy, Huyện ủy đã xác định các chỉ tiêu cụ thể về công tác dân vận",
    "14/15 quận, huyện đã ban hành Kế hoạch đối thoại trực tiếp",
    "76 cuộc kiểm tra, giám sát về công tác dân vận",
    "Hệ thống Một cửa điện tử và Dịch vụ công trực tuyến đã được triển khai, thống nhất cho "
    "35/35 sở, ban, ngành, quận, huyện, 217/217 xã, phường, thị trấn",
    "1.468 tổ, đội tuần tra với 4.782 hội viên",
    "35 sở, ban, ngành, quận, huyện",
    "217 xã, phường, thị trấn",
    "03 chỉ tiêu về công tác dân vận trong Nghị quyết số 08-NQ/TU, ngày 06/12/2022",
    "(tổng số 239 cơ sở)",
)


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    store, _counts = demo.open_demo_store(
        f"sqlite:///{tmp_path_factory.mktemp('docx') / 'demo.db'}"
    )
    yield store
    store.close()


@pytest.fixture(scope="module")
def periodic(demo_store: Any) -> dict[str, Any]:
    return build_context(
        demo_store,
        unit="HP",
        period="2023-9M",
        as_of=dt.date(2023, 9, 15),
        as_known_at=demo.REPORTED_AT,
        number="215-BC/BDVTU",
        signature="K/T TRƯỞNG BAN / PHÓ TRƯỞNG BAN",
        recipients=["Ban Dân vận Trung ương (để b/c),", "Thường trực Thành ủy (để b/c),", "Lưu."],
        children=False,
        compare=False,
    )


@pytest.fixture(scope="module")
def periodic_docx(periodic: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("out") / "bao-cao.docx"
    return DocxExporter().export(periodic, path)


def _open(path: Path) -> DocumentObject:
    return docx.Document(str(path))


def _all_text(document: DocumentObject) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                parts += [p.text for p in cell.paragraphs]
    footnotes = _footnotes_part(document)
    if footnotes is not None:
        parts.append("".join(footnotes.blob.decode("utf-8").split("<w:t")[1:]))
    return "\n".join(parts)


def _footnotes_part(document: DocumentObject) -> Any:
    for rel in document.part.rels.values():
        if rel.reltype.endswith("/footnotes"):
            return rel.target_part
    return None


def test_registered_through_the_entry_point() -> None:
    exporters = plugin_exporters(get_plugin_manager(autoload=True))
    assert isinstance(exporters["docx"], DocxExporter)


def test_page_margins_and_font(periodic_docx: Path) -> None:
    document = _open(periodic_docx)
    section = document.sections[0]
    for actual, mm in (
        (section.page_width, 210),
        (section.page_height, 297),
        (section.top_margin, 20),
        (section.bottom_margin, 20),
        (section.left_margin, 30),
        (section.right_margin, 15),
    ):
        assert actual is not None
        assert abs(actual - Mm(mm)) < Mm(0.2)
    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman"
    assert normal.font.size == Pt(14)
    fonts = normal.element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "Times New Roman"


def test_profile_margins(periodic: dict[str, Any], demo_store: Any, tmp_path: Path) -> None:
    context = build_context(
        demo_store,
        unit="HP",
        period="2023-9M",
        children=False,
        compare=False,
        profile="tinh-25-25-35-15",
    )
    section = _open(DocxExporter().export(context, tmp_path / "a.docx")).sections[0]
    assert [
        round((m or 0) / Mm(1))
        for m in (
            section.top_margin,
            section.bottom_margin,
            section.left_margin,
            section.right_margin,
        )
    ] == [25, 25, 35, 15]


def test_header_number_place_date_and_title(periodic_docx: Path) -> None:
    document = _open(periodic_docx)
    left, right = document.tables[0].rows[0].cells
    assert [p.text for p in left.paragraphs] == [
        "THÀNH ỦY HẢI PHÒNG",
        "BAN DÂN VẬN",
        "*",
        "Số 215-BC/BDVTU",
    ]
    assert not left.paragraphs[0].runs[0].bold
    assert left.paragraphs[1].runs[0].bold
    assert ":" not in left.paragraphs[3].text  # Party numbers have no colon
    party = right.paragraphs[0]
    assert party.text == "ĐẢNG CỘNG SẢN VIỆT NAM"
    assert party.runs[0].bold
    assert party.runs[0].font.size == Pt(15)  # Appendix 3 of 36-HD/VPTW
    rule = right.paragraphs[1]._p.pPr.find(qn("w:pBdr"))
    assert rule is not None
    assert rule.find(qn("w:bottom")) is not None
    place = next(p for p in right.paragraphs if "ngày" in p.text)
    assert place.text == "Hải Phòng, ngày 20 tháng 9 năm 2023"
    assert all(r.italic for r in place.runs)
    title = next(p for p in document.paragraphs if p.text == "BÁO CÁO")
    assert title.runs[0].bold
    assert title.runs[0].font.size == Pt(16)
    summary = [p.text for p in document.paragraphs[1:3]]
    assert summary == [
        "sơ kết công tác dân vận 9 tháng;",
        "phương hướng, nhiệm vụ trọng tâm 3 tháng cuối năm 2023",
    ]


def test_leading_zeros_in_the_date_line(demo_store: Any, tmp_path: Path) -> None:
    context = build_context(
        demo_store, unit="HP", period="2023", date="2024-02-05", children=False, compare=False
    )
    document = _open(DocxExporter().export(context, tmp_path / "b.docx"))
    right = document.tables[0].rows[0].cells[1]
    assert "Hải Phòng, ngày 05 tháng 02 năm 2024" in [p.text for p in right.paragraphs]


def test_recipients_and_signature(periodic_docx: Path) -> None:
    document = _open(periodic_docx)
    left, right = document.tables[-1].rows[0].cells
    lines = [p for p in left.paragraphs if p.text]
    assert lines[0].text == "Nơi nhận:"
    items = lines[1:]
    assert [p.text for p in items] == [
        "- Ban Dân vận Trung ương (để b/c),",
        "- Thường trực Thành ủy (để b/c),",
        "- Lưu.",
    ]
    assert all(r.font.size == Pt(11) for p in lines for r in p.runs)
    assert items[-1].text.startswith("- Lưu")
    signature = [p for p in right.paragraphs if p.text]
    # no signer given: a highlighted blank for the writer, never an invented name
    assert [p.text for p in signature] == ["K/T TRƯỞNG BAN", "PHÓ TRƯỞNG BAN", SIGNER_PLACEHOLDER]
    assert all(r.bold for p in signature for r in p.runs)
    row = document.tables[-1].rows[0]._tr
    assert row.trPr is not None
    assert row.trPr.find(qn("w:cantSplit")) is not None


def test_page_numbers_from_page_two_centred_at_the_top(periodic_docx: Path) -> None:
    section = _open(periodic_docx).sections[0]
    assert section.different_first_page_header_footer
    header = section.header.paragraphs[0]
    assert " PAGE " in [t.text for t in header._p.iter(qn("w:instrText"))]
    assert header.alignment is not None
    assert int(header.alignment) == 1  # centred
    first = section.first_page_header._element
    assert not list(first.iter(qn("w:instrText")))


def test_real_footnotes(periodic: dict[str, Any], periodic_docx: Path) -> None:
    document = _open(periodic_docx)
    part = _footnotes_part(document)
    assert part is not None
    xml = part.blob.decode("utf-8")
    ids = [int(i) for i in re.findall(r'<w:footnote w:id="(\d+)">', xml)]
    assert ids == [n["number"] for n in periodic["footnotes"]]
    refs = [int(r.get(qn("w:id"))) for r in document.element.body.iter(qn("w:footnoteReference"))]
    assert refs == ids
    assert "Theo người chủ trì: Bí thư cấp ủy" in xml


def test_every_golden_figure_in_the_seed_wording(periodic_docx: Path) -> None:
    text = _all_text(_open(periodic_docx))
    assert [p for p in GOLDEN_PHRASES if p not in text] == []


def test_placeholders_stand_under_headings(periodic_docx: Path) -> None:
    texts = [p.text for p in _open(periodic_docx).paragraphs]
    # a section nobody wrote holds the placeholder; one a district wrote, the district's text
    i = next(
        n for n, text in enumerate(texts) if text.startswith("3. Kết quả công tác dân vận của Mặt")
    )
    assert texts[i + 1] == "[Nội dung do đơn vị bổ sung]"
    i = texts.index("1. Ưu điểm")
    assert texts[i + 1 : i + 3] == [
        "Huyện Thủy Nguyên:",
        "Cấp ủy, chính quyền các xã quan tâm hơn đến việc tiếp xúc, đối thoại với Nhân dân.",
    ]


def test_term_report_and_follow_up(demo_store: Any, tmp_path: Path) -> None:
    term = build_context(
        demo_store, unit="HP.TN.26", period="2020-2025", report="term-commune", number="18-BC/ĐU"
    )
    document = _open(DocxExporter().export(term, tmp_path / "t.docx"))
    text = _all_text(document)
    assert "…" not in text
    assert "...." not in text
    left = document.tables[0].rows[0].cells[0]
    assert [p.text for p in left.paragraphs] == [
        "ĐẢNG BỘ HUYỆN THỦY NGUYÊN",
        "ĐẢNG ỦY XÃ NGŨ LÃO",
        "*",
        "Số 18-BC/ĐU",
    ]
    assert "Tổng kết công tác dân vận nhiệm kỳ 2020 - 2025" in text
    follow = build_context(
        demo_store, unit="HP", period="2023-9M", report="follow-up", as_of="2023-09-30"
    )
    document = _open(DocxExporter().export(follow, tmp_path / "f.docx"))
    table = document.tables[1]
    assert [c.text for c in table.rows[0].cells][:5] == [
        "TT",
        "Nhiệm vụ",
        "Đơn vị chủ trì",
        "Thời hạn",
        "Tình trạng",
    ]
    # the conclusion's groups and numbers: "1 | Nhiệm vụ chung", then 1.1, 1.2…
    assert [c.text for c in table.rows[1].cells][:2] == ["1", "Nhiệm vụ chung"]
    assert [r.cells[0].text for r in table.rows[2:4]] == ["1.1", "1.2"]
    assert "quá hạn" in table.rows[2].cells[4].text
    assert "Đã hoàn thành" in table.rows[3].cells[4].text


def test_user_template(periodic: dict[str, Any], tmp_path: Path) -> None:
    template = docx.Document()
    template.add_paragraph("{{ document.number_text }} — {{ unit_name }}")
    template.add_paragraph(
        "Đối thoại: {{ figure['dialogue.count'].value_text }} cuộc; "
        "{{ footnotes|length }} chú thích"
    )
    template.add_paragraph("{{ target_rows[3].code }}: {{ target_rows[3].completion_text }}")
    path = tmp_path / "mau.docx"
    template.save(str(path))
    out = DocxExporter().export({**periodic, "template": path}, tmp_path / "ra.docx")
    texts = [p.text for p in _open(out).paragraphs]
    assert texts[:3] == [
        "Số 215-BC/BDVTU — Thành phố Hải Phòng",
        f"Đối thoại: 470 cuộc; {len(periodic['footnotes'])} chú thích",
        "08-NQ/TU.3b: 54,5%",
    ]
    broken = docx.Document()
    broken.add_paragraph("{{ unit_name ")
    bad = tmp_path / "hong.docx"
    broken.save(str(bad))
    with pytest.raises(InputError, match=r"hong\.docx"):
        DocxExporter().export({**periodic, "template": bad}, tmp_path / "x.docx")


# --- LibreOffice -----------------------------------------------------------------------------


def _ensure(tool: str, packages: list[str]) -> str:
    found = shutil.which(tool)
    if found:
        return found
    if os.name != "posix" or os.geteuid() != 0 or shutil.which("apt-get") is None:
        pytest.skip(f"{tool} is missing and cannot be installed here (apt-get as root)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-q"], check=True, env=env, capture_output=True)
    subprocess.run(
        ["apt-get", "install", "-y", "-q", *packages], check=True, env=env, capture_output=True
    )
    found = shutil.which(tool)
    assert found, f"apt-get installed {packages} but {tool} is still missing"
    return found


def test_opens_in_libreoffice(periodic_docx: Path, tmp_path: Path) -> None:
    office = _ensure("libreoffice", ["libreoffice-writer-nogui", "fonts-liberation"])
    pdftoppm = _ensure("pdftoppm", ["poppler-utils"])
    profile = tmp_path / "lo-profile"
    subprocess.run(
        [
            office,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(periodic_docx),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = tmp_path / "bao-cao.pdf"
    assert pdf.is_file()
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info)
    assert int(re.search(r"Pages:\s+(\d+)", info).group(1)) >= 2  # type: ignore[union-attr]
    text = " ".join(
        subprocess.run(
            ["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True
        ).stdout.split()
    )
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in text
    assert "hồ sơ của 12/222 cơ sở tôn giáo (đạt 54,5% kế hoạch năm)" in text
    subprocess.run(
        [pdftoppm, "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
        check=True,
        capture_output=True,
    )
    png = next(tmp_path.glob("page*.png"))
    from PIL import Image

    with Image.open(png) as image:
        assert image.size[0] < image.size[1]  # portrait
        gray = image.convert("L")
        dark = sum(gray.histogram()[:128])
        assert dark > 0.01 * gray.size[0] * gray.size[1]  # text on the page, not blank


# --- dvcore's exporter contract ---------------------------------------------------------------


class TestDocxContract(ExporterContract):
    """The cases every exporter passes (dvcore.testing.contracts), for the Word exporter."""

    plugin = docx_plugin
    report_kinds = ("periodic", "follow-up")

    @pytest.fixture
    def exporter(self) -> DocxExporter:
        return DocxExporter()

    def read_text(self, path: Path) -> str | None:
        return _all_text(_open(path))
