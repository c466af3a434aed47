"""The Party format (36-HD/VPTW) checked on every Word document the demo writes.

The periodic report, the commune's term report and the follow-up of a conclusion are built
as ``dvcore demo`` builds them, written by the Word exporter and read back: A4 and margins
20/20/30/15 mm, Times New Roman, the header blocks ("ĐẢNG CỘNG SẢN VIỆT NAM" at 15 pt bold,
Appendix 3), the italic place-and-date line at the document's own date, "Nơi nhận:" and its
items, the signature with the signer's name or a highlighted blank, the body's end kept
with the closing block, and page numbers from page 2. LibreOffice then shows that the last
page of the periodic report never holds the closing block alone.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
import pytest
from click.testing import CliRunner
from docx.document import Document as DocumentObject
from docx.enum.text import WD_COLOR_INDEX
from docx.oxml.ns import qn
from docx.shared import Mm
from docx.table import Table
from docx.text.paragraph import Paragraph
from dvcore_docx import DocxExporter
from dvcore_docx._layout import SIGNER_PLACEHOLDER

from dvcore.cli import main
from dvcore.reports import build_context
from dvcore.testing import demo

_VN = dt.timezone(dt.timedelta(hours=7))
_PLACE_DATE = re.compile(r"^[^,]+, ngày (\d{2}) tháng (\d{1,2}) năm (\d{4})$")

#: the three Word documents of ``dvcore demo``: (file stem, build_context arguments, date)
DEMO_DOCUMENTS: dict[str, tuple[dict[str, Any], dt.date]] = {
    "periodic": (
        {
            "unit": "HP",
            "period": "2023-9M",
            "as_of": dt.date(2023, 9, 15),
            "as_known_at": demo.REPORTED_AT,
            "number": "215-BC/BDVTU",
            "signature": "K/T TRƯỞNG BAN / PHÓ TRƯỞNG BAN",
            "recipients": [
                "Ban Dân vận Trung ương (để b/c),",
                "Thường trực Thành ủy (để b/c),",
                "Lưu.",
            ],
            "children": False,
            "compare": False,
        },
        dt.date(2023, 9, 20),
    ),
    "term-commune": (
        {
            "unit": "HP.TN.26",
            "period": "2020-2025",
            "report": "term-commune",
            "as_known_at": dt.datetime(2025, 6, 25, 17, 0, tzinfo=_VN),
            "number": "18-BC/ĐU",
        },
        dt.date(2025, 6, 25),
    ),
    "follow-up": (
        {
            "unit": "HP",
            "period": "2023-9M",
            "report": "follow-up",
            "as_of": dt.date(2023, 9, 30),
            "as_known_at": dt.datetime(2023, 10, 5, 9, 0, tzinfo=_VN),
            "number": "221-BC/BDVTU",
        },
        dt.date(2023, 10, 5),
    ),
}


@pytest.fixture(scope="module")
def store_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('fmt') / 'demo.db'}"
    store, _counts = demo.open_demo_store(url)
    store.close()
    return url


@pytest.fixture(scope="module")
def demo_store(store_url: str) -> Iterator[Any]:
    from dvcore import open_store

    store = open_store(store_url)
    yield store
    store.close()


@pytest.fixture(scope="module")
def written(demo_store: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("docs")
    return {
        kind: DocxExporter().export(build_context(demo_store, **arguments), out / f"{kind}.docx")
        for kind, (arguments, _day) in DEMO_DOCUMENTS.items()
    }


def _open(path: Path) -> DocumentObject:
    return docx.Document(str(path))


def _texts(paragraphs: list[Paragraph]) -> list[Paragraph]:
    return [p for p in paragraphs if p.text.strip()]


def _closing(document: DocumentObject) -> Table:
    """The closing table: the body's last element."""
    body = document.element.body
    last = [c for c in body if c.tag in (qn("w:p"), qn("w:tbl"))][-1]
    assert last.tag == qn("w:tbl"), "the document must end with the closing block"
    return Table(last, document._body)


def _signature(document: DocumentObject) -> list[Paragraph]:
    return _texts(_closing(document).rows[0].cells[1].paragraphs)


def _sizes(paragraph: Paragraph) -> set[float]:
    return {r.font.size.pt for r in paragraph.runs if r.text and r.font.size is not None}


@pytest.mark.parametrize("kind", list(DEMO_DOCUMENTS))
def test_format_profile(kind: str, written: dict[str, Path]) -> None:
    document = _open(written[kind])
    day = DEMO_DOCUMENTS[kind][1]

    # page: A4, margins top 20, bottom 20, left 30, right 15 mm
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

    # font: Times New Roman for every script, body 13–14 pt
    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman"
    fonts = normal.element.rPr.find(qn("w:rFonts"))
    assert {fonts.get(qn(a)) for a in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs")} == {
        "Times New Roman"
    }
    assert normal.font.size is not None
    assert 13 <= normal.font.size.pt <= 14
    runs = [r for p in document.paragraphs for r in p.runs if r.text.strip()]
    assert runs
    assert all(r.font.name in (None, "Times New Roman") for r in runs)

    # header, left: superior committee (capitals, not bold) over the issuing body (bold), a star
    left, right = document.tables[0].rows[0].cells
    lines = _texts(left.paragraphs)
    star = next(i for i, p in enumerate(lines) if p.text == "*")
    assert star in (1, 2)
    issuer = lines[star - 1]
    assert issuer.text == issuer.text.upper()
    assert all(r.bold for r in issuer.runs)
    if star == 2:
        superior = lines[0]
        assert superior.text == superior.text.upper()
        assert not any(r.bold for r in superior.runs)
    assert lines[star + 1].text.startswith("Số ")
    assert ":" not in lines[star + 1].text

    # header, right: the Party's name at 15 pt bold with a rule beneath, then the date line
    party = right.paragraphs[0]
    assert party.text == "ĐẢNG CỘNG SẢN VIỆT NAM"
    assert all(r.bold for r in party.runs)
    assert _sizes(party) == {15.0}
    assert right.paragraphs[1]._p.pPr.find(qn("w:pBdr")) is not None
    place = next(p for p in right.paragraphs if "ngày" in p.text)
    assert all(r.italic for r in place.runs if r.text)
    match = _PLACE_DATE.match(place.text)
    assert match, place.text
    assert dt.date(int(match[3]), int(match[2]), int(match[1])) == day
    assert document.core_properties.created is not None
    assert document.core_properties.created.date() == day

    # title: the document type in capitals, bold, 15–16 pt
    title = next(p for p in document.paragraphs if p.text.strip())
    assert title.text == title.text.upper()
    assert all(r.bold for r in title.runs)
    assert all(15 <= s <= 16 for s in _sizes(title))

    # Nơi nhận: bottom left, 11–12 pt, items "- …", the last "- Lưu …"
    closing = _closing(document)
    recipients = _texts(closing.rows[0].cells[0].paragraphs)
    assert recipients[0].text == "Nơi nhận:"
    items = recipients[1:]
    assert items
    assert all(p.text.startswith("- ") for p in items)
    assert items[-1].text.startswith("- Lưu")
    assert all(11 <= s <= 12 for p in recipients for s in _sizes(p))

    # signature: the capacity lines in bold, then the signer's name or a highlighted blank
    signature = _signature(document)
    assert len(signature) >= 2
    assert all(r.bold for p in signature for r in p.runs if r.text)
    name = signature[-1]
    assert name.text == SIGNER_PLACEHOLDER  # the demo names no signer: nobody is invented
    assert all(r.font.highlight_color == WD_COLOR_INDEX.YELLOW for r in name.runs)

    # the closing block cannot split and the body's end keeps with it
    row = closing.rows[0]._tr
    assert row.trPr is not None
    assert row.trPr.find(qn("w:cantSplit")) is not None
    before = closing._tbl.getprevious()
    tied: list[Any] = []
    while before is not None and before.tag == qn("w:p"):
        tied.append(before)
        if Paragraph(before, document._body).text.strip():
            break
        before = before.getprevious()
    assert tied
    for element in tied:
        assert Paragraph(element, document._body).paragraph_format.keep_with_next
    last = tied[-1]
    if Paragraph(last, document._body).text.strip():
        assert Paragraph(last, document._body).paragraph_format.keep_together
    else:  # the body ends with a table: its last row keeps with the closing
        table = last.getprevious()
        assert table is not None
        assert table.tag == qn("w:tbl")
        for p in table.findall(qn("w:tr"))[-1].iter(qn("w:p")):
            assert Paragraph(p, document._body).paragraph_format.keep_with_next

    # a body table's header row repeats on every page it runs onto, and only that row
    tables = [t for t in document.element.body if t.tag == qn("w:tbl")][1:-1]  # not header, closing
    for table in tables:
        rows = table.findall(qn("w:tr"))
        repeating = [
            r.find(qn("w:trPr")) is not None
            and r.find(qn("w:trPr")).find(qn("w:tblHeader")) is not None
            for r in rows
        ]
        assert repeating[0], "a table's header row must repeat on later pages (w:tblHeader)"
        assert not any(repeating[1:])

    # page numbers from page 2, centred at the top
    assert section.different_first_page_header_footer
    header = section.header.paragraphs[0]
    assert " PAGE " in [t.text for t in header._p.iter(qn("w:instrText"))]
    assert header.alignment is not None
    assert int(header.alignment) == 1
    assert not list(section.first_page_header._element.iter(qn("w:instrText")))


def test_signer_from_the_sections_file(demo_store: Any, tmp_path: Path) -> None:
    sections = tmp_path / "noi-dung.md"
    sections.write_text("---\nsigner: Nguyễn Thị Hoa\n---\n", encoding="utf-8")
    arguments = DEMO_DOCUMENTS["periodic"][0]
    context = build_context(demo_store, **arguments, sections=sections)
    document = _open(DocxExporter().export(context, tmp_path / "a.docx"))
    name = _signature(document)[-1]
    assert name.text == "Nguyễn Thị Hoa"
    assert all(r.bold for r in name.runs)
    assert all(r.font.highlight_color is None for r in name.runs)
    assert SIGNER_PLACEHOLDER not in [p.text for p in _signature(document)]


def _export(store_url: str, out: Path, *options: str) -> DocumentObject:
    # the root conftest turns autoloading off; the CLI finds the Word exporter through it
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DVCORE_DISABLE_PLUGIN_AUTOLOAD", "0")
        result = _invoke(store_url, out, *options)
    assert result.exit_code == 0, result.output
    return _open(out)


def _invoke(store_url: str, out: Path, *options: str) -> Any:
    return CliRunner().invoke(
        main,
        [
            "--store",
            store_url,
            "export",
            "--exporter",
            "docx",
            "--unit",
            "HP",
            "--period",
            "2023-9M",
            "-o",
            str(out),
            *options,
        ],
        catch_exceptions=False,
    )


def _date_line(document: DocumentObject) -> str:
    right = document.tables[0].rows[0].cells[1]
    return next(p.text for p in right.paragraphs if "ngày" in p.text)


def test_cli_signer_over_the_sections_file(store_url: str, tmp_path: Path) -> None:
    sections = tmp_path / "noi-dung.md"
    sections.write_text("---\nsigner: Nguyễn Thị Hoa\n---\n", encoding="utf-8")
    document = _export(
        store_url,
        tmp_path / "a.docx",
        "--as-known-at",
        "2023-09-20T10:00+07:00",
        "--sections",
        str(sections),
        "--signer",
        "Trần Văn Bình",
    )
    assert _signature(document)[-1].text == "Trần Văn Bình"


def test_cli_date_without_as_known_at(store_url: str, tmp_path: Path) -> None:
    # no --as-of, no --as-known-at: the period's last day, not the day the command runs
    document = _export(store_url, tmp_path / "a.docx")
    assert _date_line(document) == "Hải Phòng, ngày 30 tháng 9 năm 2023"
    # --as-of: its day
    document = _export(store_url, tmp_path / "b.docx", "--as-of", "15/9/2023")
    assert _date_line(document) == "Hải Phòng, ngày 15 tháng 9 năm 2023"
    # --as-known-at: the day the figures are known at
    document = _export(
        store_url,
        tmp_path / "c.docx",
        "--as-of",
        "15/9/2023",
        "--as-known-at",
        "2023-09-20T10:00+07:00",
    )
    assert _date_line(document) == "Hải Phòng, ngày 20 tháng 9 năm 2023"
    # the sections file's date comes first
    sections = tmp_path / "noi-dung.md"
    sections.write_text("---\ndate: 2023-09-25\n---\n", encoding="utf-8")
    document = _export(store_url, tmp_path / "d.docx", "--sections", str(sections))
    assert _date_line(document) == "Hải Phòng, ngày 25 tháng 9 năm 2023"


def test_last_page_is_not_the_closing_alone(written: dict[str, Path], tmp_path: Path) -> None:
    """LibreOffice lays the periodic report out: its last page carries body text too."""
    office = shutil.which("libreoffice") or shutil.which("soffice")
    if office is None or shutil.which("pdftotext") is None:
        pytest.skip("LibreOffice and poppler-utils are not installed")
    subprocess.run(
        [
            office,
            f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(written["periodic"]),
            str(written["follow-up"]),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    for kind in ("periodic", "follow-up"):
        pdf = tmp_path / f"{kind}.pdf"
        info = subprocess.run(
            ["pdfinfo", str(pdf)], check=True, capture_output=True, text=True
        ).stdout
        pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]
        text = subprocess.run(
            ["pdftotext", "-f", str(pages), "-l", str(pages), str(pdf), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        head = text[: text.index("Nơi nhận")]
        lines = [line for line in head.splitlines() if line.strip() and not line.strip().isdigit()]
        assert lines, f"{kind}: the last page holds only the closing block"
