"""The workbook's bounds, measured before python-calamine reads it (``_bounds``).

Three ways of seeing a sheet are compared on generated and hostile XML: calamine itself (the
range it holds, on sheets small enough to read), the exact way (tag by tag, as calamine
places cells) and the fast way (a few regex passes, for sheets in the usual form). The
exact way must never find less than calamine; the fast way gives up (``None``) or finds
what the exact way finds, never less.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import python_calamine
import xlsxwriter
from dvcore_xlsx import _bounds
from dvcore_xlsx._bounds import (
    _letters,
    _not_above,
    _sheet_area_exact,
    _sheet_area_fast,
    workbook_problem,
)
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

LIMIT_BYTES = 512 * 1024 * 1024
LIMIT_CELLS = 10_000_000
REFUSED = "span more than 10000000 cells"
# ``pieces`` sets the same constants for every example of a test: safe to share.
SUPPRESS = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture]

_CT = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.'
    'openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
    '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.'
    'openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
    'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
    'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_BOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.'
    'org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/'
    '2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'
)


def _book_rels(target: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
        'schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="'
        f'{target}"/></Relationships>'
    )


def sheet_xml(rows: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats'
        f'.org/spreadsheetml/2006/main"><sheetData>{rows}</sheetData></worksheet>'
    ).encode()


def workbook_bytes(sheet: bytes, target: str = "worksheets/sheet1.xml") -> bytes:
    """A one-sheet workbook (sheet ``S``) whose worksheet part is ``sheet``, at ``target``."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", _CT)
        book.writestr("_rels/.rels", _RELS)
        book.writestr("xl/workbook.xml", _BOOK)
        book.writestr("xl/_rels/workbook.xml.rels", _book_rels(target))
        book.writestr("xl/" + target, sheet)
    return out.getvalue()


def areas(data: bytes) -> tuple[int | None, int]:
    """The fast and the exact way's figures for the workbook's (only) sheet."""
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        (info,) = [i for i in book.infolist() if i.filename.startswith("xl/worksheets/")]
        unlimited = 10**30
        return _sheet_area_fast(book, info, unlimited), _sheet_area_exact(book, info, unlimited)


def calamine_area(data: bytes) -> int | None:
    """The cells from A1 to the last cell calamine reads in sheet ``S`` (the range it holds
    starts at the first cell, so holds no more); ``None`` if it fails."""
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = book.get_sheet_by_name("S")
    except Exception:
        return None
    if sheet.end is None:
        return 0
    return (sheet.end[0] + 1) * (sheet.end[1] + 1)


def check(data: bytes, hidden: bool = False) -> tuple[int | None, int]:
    """The properties every sheet must have; ``hidden``: it hides tags in comments, CDATA,
    a processing instruction or an attribute value (the fast way then may count them)."""
    fast, exact = areas(data)
    read = calamine_area(data)
    assert read is None or exact >= read, (read, exact)
    if fast is not None:
        assert fast >= exact
        if not hidden:
            assert fast == exact
    return fast, exact


@pytest.fixture(params=["default", "small"])
def pieces(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The sheet read in the usual 1 MiB pieces, or in pieces of 512 bytes (tags cut)."""
    if request.param == "small":
        monkeypatch.setattr(_bounds, "_CHUNK", 512)
        monkeypatch.setattr(_bounds, "_DEFER", 160)
        monkeypatch.setattr(_bounds, "_OVERLAP", 96)
    return str(request.param)


# --- the fast way's patterns -----------------------------------------------------------------


@given(st.integers(1, 9_999_999), st.integers(1, 9_999_999))
def test_not_above_numbers(top: int, value: int) -> None:
    pattern = re.compile(_not_above(str(top).encode(), b"1-9", b"0-9"))
    assert (pattern.fullmatch(str(value).encode()) is not None) == (value <= top)


@given(st.integers(1, 18_278), st.integers(1, 18_278))
def test_not_above_columns(top: int, value: int) -> None:
    pattern = re.compile(_not_above(_letters(top), b"A-Z", b"A-Z"))
    assert (pattern.fullmatch(_letters(value)) is not None) == (value <= top)


@given(st.integers(1, 18_278))
def test_letters_are_the_inverse_of_column(column: int) -> None:
    assert _bounds._column(_letters(column)) == column


# --- workbooks as writers write them ---------------------------------------------------------


def _xlsxwriter(path: Path, constant_memory: bool) -> None:
    book = xlsxwriter.Workbook(str(path), {"constant_memory": constant_memory})
    sheet = book.add_worksheet("S")
    date = book.add_format({"num_format": "dd/mm/yyyy"})
    for r in range(3000):
        sheet.write_string(r, 0, f"đơn vị {r}")
        sheet.write_number(r, 1, r * 1.5, date)
        if r % 7:
            sheet.write_formula(r, 2, f"=B{r + 1}*2", None, r * 3)
        sheet.write_boolean(r, 27, r % 2 == 0)  # column AB
    book.close()


@pytest.mark.parametrize("writer", ["xlsxwriter", "xlsxwriter-constant-memory", "openpyxl"])
def test_workbooks_as_libraries_write_them_take_the_fast_way(
    tmp_path: Path, pieces: str, writer: str
) -> None:
    path = tmp_path / "book.xlsx"
    if writer == "openpyxl":
        openpyxl = pytest.importorskip("openpyxl")
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = "S"
        for r in range(1, 3001):
            sheet.cell(r, 1, f"đơn vị {r}")
            sheet.cell(r, 28, r % 2 == 0)
        book.save(path)
    else:
        _xlsxwriter(path, constant_memory=writer.endswith("memory"))
    data = path.read_bytes()
    fast, exact = check(data)
    assert fast == exact == 3000 * 28
    assert calamine_area(data) == 3000 * 28
    assert workbook_problem(path, LIMIT_BYTES, LIMIT_CELLS) is None
    assert workbook_problem(path, LIMIT_BYTES, 3000 * 28 - 1) is not None


def test_libreoffice_rows_and_namespace_prefixes_take_the_fast_way(pieces: str) -> None:
    # LibreOffice's row attributes; the .NET Open XML SDK's x: prefix on every element.
    rows = "".join(
        f'<row r="{r}" customFormat="false" ht="12.8" hidden="false" customHeight="false" '
        f'outlineLevel="0" collapsed="false"><c r="A{r}" s="0" t="s"><v>{r}</v></c>'
        f'<c r="C{r}" s="0" t="n"><v>{r}</v></c></row>'
        for r in range(1, 400)
    )
    assert check(workbook_bytes(sheet_xml(rows))) == (399 * 3, 399 * 3)
    prefixed = (
        '<?xml version="1.0" encoding="utf-8"?><x:worksheet xmlns:x="http://schemas.'
        'openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>'
        + "".join(
            f'<x:row r="{r}"><x:c r="A{r}" t="str"><x:v>a</x:v></x:c><x:c r="D{r}"><x:v>1'
            "</x:v></x:c></x:row>"
            for r in range(1, 400)
        )
        + "</x:sheetData></x:worksheet>"
    ).encode()
    assert check(workbook_bytes(prefixed)) == (399 * 4, 399 * 4)


# --- hostile sheets --------------------------------------------------------------------------

V = "<v>1</v>"
A1 = f'<row r="1"><c r="A1">{V}</c></row>'


def _hostile() -> dict[str, Callable[[int, str, int], str]]:
    """Sheets whose cells reach row ``r`` and ``n`` columns (the last ``x``) as calamine
    reads them, each hiding it from a simpler count."""
    c = f"<c>{V}</c>"
    return {
        "cells without r, in a row whose tag is never closed": lambda r, x, n: (
            A1 + f'<row r="{r}"><c>{V}</c>' * n + "</row>"
        ),
        "a row's r with letters": lambda r, x, n: A1 + f'<row r="A{r}">' + c * n + "</row>",
        "a quoted > before r": lambda r, x, n: (
            A1 + f'<row r="{r}"><c a=">" r="{x}{r}">{V}</c></row>'
        ),
        "a quoted > before a row's r": lambda r, x, n: (
            A1 + f'<row a=">" r="{r}">' + c * n + "</row>"
        ),
        "a quoted < before r": lambda r, x, n: (
            A1 + f'<row r="{r}"><c a="<" r="{x}{r}">{V}</c></row>'
        ),
        "a prefix of any bytes": lambda r, x, n: (
            A1 + f'<row r="{r}"><é:c r="{x}{r}">{V}</é:c></row>'
        ),
        "a quote in the element's name": lambda r, x, n: (
            A1 + f'<row r="{r}"><x">":c r="{x}{r}">{V}</x">":c></row>'
        ),
        "a newline after <c": lambda r, x, n: (
            A1 + f'<row r="{r}">' + f"<c\n>{V}</c>" * n + "</row>"
        ),
        "a tab after <c": lambda r, x, n: (
            A1 + f'<row r="{r}">' + f'<c\tt="n">{V}</c>' * n + "</row>"
        ),
        "cell tags balanced by r= in text": lambda r, x, n: (
            A1
            + f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>'
            + ' r="A1"' * n
            + "</t></is></c>"
            + c * (n - 1)
            + "</row>"
        ),
        "a second r, which calamine takes": lambda r, x, n: (
            A1 + f'<row r="{r}"><c r="A{r}" r="{x}{r}">{V}</c></row>'
        ),
        "a row end tag with more in it": lambda r, x, n: (
            A1
            + f'<row r="{r}">'
            + c * (n // 2)
            + f'</row x><row r="{r}">'
            + c * (n - n // 2)
            + "</row>"
        ),
        "empty rows moving the row": lambda r, x, n: (
            A1 + "<row/>" * (r - 2) + "<row>" + c * n + "</row>"
        ),
        "lower-case letters": lambda r, x, n: (
            A1 + f'<row r="{r}"><c r="{x.lower()}{r}">{V}</c></row>'
        ),
        "single quotes": lambda r, x, n: A1 + f"<row r='{r}'><c r='{x}{r}'>{V}</c></row>",
        "spaces around =": lambda r, x, n: A1 + f'<row r = "{r}"><c r = "{x}{r}">{V}</c></row>',
        "r after other attributes": lambda r, x, n: (
            A1 + f'<row spans="1:2" r="{r}"><c s="0" r="{x}{r}">{V}</c></row>'
        ),
        # calamine stops reading a tag's attributes at some it cannot parse, without failing
        "r after duplicated attributes": lambda r, x, n: (
            A1 + f'<row r="{r}">' + f'<c s="1" s="1" s="1" r="A1">{V}</c>' * n + "</row>"
        ),
        "r after a key without value": lambda r, x, n: (
            A1 + f'<row r="{r}">' + f'<c s r="A1">{V}</c>' * n + "</row>"
        ),
        # a comment ends at "-->", not at a ">" before it (or the quote would swallow the row)
        "a comment with > and a quote": lambda r, x, n: (
            A1 + '<!-- > <x a=" -->' + f'<row r="{r}"><c r="{x}{r}">{V}</c></row>'
        ),
        "a DOCTYPE in the rows": lambda r, x, n: (
            A1 + f'<row r="{r}"><!DOCTYPE x [<!ENTITY a "b">]><c r="{x}{r}">{V}</c></row>'
        ),
    }


HOSTILE = _hostile()


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_sheet_is_measured_as_calamine_reads_it(pieces: str, name: str) -> None:
    data = workbook_bytes(sheet_xml(HOSTILE[name](100, "AX", 50)))
    assert calamine_area(data) == 100 * 50
    _fast, exact = check(data)
    assert exact == 100 * 50


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_sheet_reaching_far_is_refused(tmp_path: Path, name: str) -> None:
    # Read as a dense range each would be 17 billion cells: calamine would die.
    path = tmp_path / "far.xlsx"
    path.write_bytes(workbook_bytes(sheet_xml(HOSTILE[name](1_048_576, "XFD", 16_384))))
    assert REFUSED in (workbook_problem(path, LIMIT_BYTES, LIMIT_CELLS) or "")


def test_a_sheet_part_with_any_name_is_measured(tmp_path: Path) -> None:
    # calamine reads whatever the relationships point at under xl/worksheets/.
    rows = A1 + f'<row r="1048576"><c r="XFD1048576">{V}</c></row>'
    path = tmp_path / "renamed.xlsx"
    path.write_bytes(workbook_bytes(sheet_xml(rows), target="worksheets/sheet1.bin"))
    assert REFUSED in (workbook_problem(path, LIMIT_BYTES, LIMIT_CELLS) or "")
    # ...but the binary sheets of an .xlsb are not XML to measure.
    xlsb = tmp_path / "renamed.xlsb"
    xlsb.write_bytes(path.read_bytes())
    assert workbook_problem(xlsb, LIMIT_BYTES, LIMIT_CELLS) is None


def test_rows_and_cells_out_of_order(pieces: str) -> None:
    # The widest row first, the furthest row (an empty one) in the middle: the fast way
    # starts from the last row and must still find both.
    wide = '<row r="1">' + "".join(f'<c r="{_letters(c).decode()}1">{V}</c>' for c in range(1, 41))
    rows = (
        wide
        + "</row>"
        + "".join(f'<row r="{r}"><c r="B{r}">{V}</c></row>' for r in range(2, 300))
        + '<row r="900" ht="30" customHeight="1"/>'
        + "".join(f'<row r="{r}"><c r="C{r}">{V}</c></row>' for r in range(300, 310))
    )
    assert check(workbook_bytes(sheet_xml(rows))) == (900 * 40, 900 * 40)


def test_tags_hidden_from_calamine_count_on_the_fast_way_only() -> None:
    far = f'<c r="AX100">{V}</c>'
    for hidden in (f"<!-- {far} -->", f"<![CDATA[{far}]]>", f"<?x {far} ?>"):
        data = workbook_bytes(sheet_xml(A1 + f'<row r="2"><c r="B2">{V}</c>{hidden}</row>'))
        assert check(data, hidden=True) == (100 * 50, 2 * 2)
        assert calamine_area(data) == 2 * 2


def test_measuring_stops_past_the_budget(tmp_path: Path) -> None:
    rows = "".join(f'<row r="{r}"><c r="A{r}">{V}</c><c>{V}</c></row>' for r in range(1, 2000))
    data = workbook_bytes(sheet_xml(rows))
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        info = book.getinfo("xl/worksheets/sheet1.xml")
        assert _sheet_area_fast(book, info, 10**9) is None  # a cell without r
        assert _sheet_area_exact(book, info, 10**9) == 1999 * 2
        assert 100 < _sheet_area_exact(book, info, 100) < 1999 * 2
    path = tmp_path / "b.xlsx"
    path.write_bytes(data)
    assert workbook_problem(path, LIMIT_BYTES, 1999 * 2) is None
    assert workbook_problem(path, LIMIT_BYTES, 1999 * 2 - 1) is not None


def test_an_endless_tag_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_bounds, "_CHUNK", 1024)
    monkeypatch.setattr(_bounds, "_MAX_MARKUP", 4096)
    rows = A1 + f'<row r="2"><c>{V}</c></row><row a="' + "x" * 10_000 + '">'
    path = tmp_path / "endless.xlsx"
    path.write_bytes(workbook_bytes(sheet_xml(rows)))
    problem = workbook_problem(path, LIMIT_BYTES, LIMIT_CELLS) or ""
    assert "damaged" in problem
    assert "markup longer than 4096 bytes" in problem


# --- generated sheets ------------------------------------------------------------------------


ODDITIES = [
    "lower",  # r="ax3"
    "dollar",  # r="$A$3" (calamine refuses it)
    "zeros",  # r="A003"
    "row letters",  # <row r="A3">
    "single quotes",
    "spaces",  # around =, or other than one space before an attribute
    "r later",  # r after other attributes
    "second r",
    "quoted >",  # a=">" first
    "no r",  # cells without r
    "row no r",
    "prefix",  # x: on every tag
    "stray end",  # </row> where none is open
    "row in row",  # <row> before the row before is closed
    "row open",  # </row> left out
    "empty rows",  # <row/>
    "value odd",  # <v>1</c></v>
    "hidden",  # tags in comments, processing instructions, attribute values
]


@st.composite
def sheets(draw: st.DrawFn) -> tuple[str, bool]:
    """Sheet data rows, usual or with a few oddities, and whether tags are hidden from
    calamine (in comments, processing instructions, attribute values)."""
    odd = set(draw(st.lists(st.sampled_from(ODDITIES), max_size=3)))

    def now(oddity: str, one_in: int = 4) -> bool:
        return oddity in odd and draw(st.integers(0, one_in - 1)) == 0

    def attributes(ref: str | None, others: list[str]) -> str:
        parts = list(others)
        if ref is not None:
            quote = "'" if now("single quotes", 2) else '"'
            equals = draw(st.sampled_from([" = ", "\t=\n"])) if now("spaces", 2) else "="
            parts.insert(len(parts) if now("r later", 2) else 0, f"r{equals}{quote}{ref}{quote}")
            if now("second r", 2):
                parts.append(f'r="{draw(st.sampled_from(["B3", "Z1", "A200", "BB40"]))}"')
        if now("quoted >", 2):
            parts.insert(0, 'a=">"')
        space = draw(st.sampled_from(["\n", "\t", "  "])) if now("spaces", 2) else " "
        return "".join(space + p for p in parts)

    def reference(row: int) -> str:
        letters = _letters(draw(st.integers(1, 60))).decode()
        cell_row = row if draw(st.integers(0, 3)) else draw(st.integers(1, 200))
        if now("lower"):
            letters = letters.lower()
        if now("dollar", 20):
            return f"${letters}${cell_row}"
        return f"{letters}{'00' if now('zeros') else ''}{cell_row}"

    prefix = "x:" if "prefix" in odd else ""
    out: list[str] = []
    hidden = False
    row = 0
    for _ in range(draw(st.integers(0, 12))):
        row = draw(st.sampled_from([row + 1, row + 1, row + draw(st.integers(2, 30))]))
        ref = None if now("row no r", 2) else (f"A{row}" if now("row letters", 2) else str(row))
        others = draw(st.lists(st.sampled_from(['spans="1:9"', 'customFormat="1"', 'ht="9"'])))
        tag = f"<{prefix}row{attributes(ref, others)}"
        if now("empty rows", 2):
            out.append(tag + "/>")
            continue
        out.append(tag + ">")
        for _ in range(draw(st.integers(0, 8))):
            others = draw(st.lists(st.sampled_from(['s="1"', 't="n"', 't="inlineStr"'])))
            cell = f"<{prefix}c{attributes(None if now('no r', 2) else reference(row), others)}"
            value = draw(st.sampled_from([V, V, "<is><t>x</t></is>", "", "<f>A1</f><v>2</v>"]))
            if now("value odd", 8):
                value = "<v>1</c></v>"
            out.append(cell + ("/>" if not value else f">{value}</{prefix}c>"))
            if now("stray end", 8):
                out.append("</row>")
            if now("row in row", 8):
                out.append(f"<{prefix}row>")
            if now("hidden", 3):
                hidden = True
                out.append(
                    draw(
                        st.sampled_from(
                            [
                                f"<!-- <c r='{reference(row)}'>{V}</c> -->",
                                '<?pi <c r="BZ9"> ?>',
                                "<x a=\"<c r='CA7'>\"/>",
                            ]
                        )
                    )
                )
        if not now("row open", 2):
            out.append(f"</{prefix}row>")
    return "".join(out), hidden


@settings(deadline=None, max_examples=300, suppress_health_check=SUPPRESS)
@given(sheets())
@example(("", False))
@example((A1 + f'<row r="3"><c r="C3">{V}</c></row>', False))
def test_generated_sheets(pieces: str, sheet: tuple[str, bool]) -> None:
    rows, hidden = sheet
    check(workbook_bytes(sheet_xml(rows)), hidden)


def _usual_rows(draw: st.DrawFn) -> Iterator[str]:
    row = 0
    for _ in range(draw(st.integers(0, 40))):
        row += draw(st.integers(1, 3))
        cols = draw(st.lists(st.integers(1, 800), max_size=6, unique=True))
        cells = "".join(
            f'<c r="{_letters(c).decode()}{row}" s="1" t="inlineStr"><is><t>v r="Z9" > x</t>'
            "</is></c>"
            for c in sorted(cols)
        )
        yield f'<row r="{row}" spans="1:9">{cells}</row>'


@settings(deadline=None, max_examples=100, suppress_health_check=SUPPRESS)
@given(st.data())
def test_generated_usual_sheets_take_the_fast_way(pieces: str, data: st.DataObject) -> None:
    rows = "".join(_usual_rows(data.draw))
    fast, _exact = check(workbook_bytes(sheet_xml(rows)))
    if pieces == "default":
        assert fast is not None
