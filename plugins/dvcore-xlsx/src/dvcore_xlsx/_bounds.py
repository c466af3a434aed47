"""What a workbook would cost to read, found before python-calamine reads it.

python-calamine holds each sheet as a dense range from its first cell to its last: a
2 KB workbook with one cell in A1 and one in XFD1048576 asks for 17 billion cells, and the
process dies in the allocator — no exception to catch. A small file can also unpack to
gigabytes of XML (a zip bomb). An OpenDocument sheet does the same with
``table:number-rows-repeated``. So a zip-based workbook (``.xlsx``, ``.xlsm``, ``.ods``) is
measured first, from its zip directory (the declared unpacked size) and by streaming each
sheet's XML once (the rows and columns its cells with content reach), and refused past the
channel's limits. Binary workbooks (``.xls``, ``.xlsb``) are not measured.

Only the cell references are looked at here; entities, formulas and text are calamine's
business (it refuses a DOCTYPE's entities, and reads a formula's cached value).
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

__all__ = ["workbook_problem"]

_CHUNK = 1 << 20
# A row or cell start tag, with any namespace prefix, and its attributes.
_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s/>])([^>]*)>")
_ROW_REF = re.compile(rb"""\br\s*=\s*["']\s*([0-9]+)""")
_CELL_REF = re.compile(rb"""\br\s*=\s*["']\s*\$?([A-Za-z]+)\$?([0-9]+)""")
# The fast path's pieces: references as Excel and the libraries write them (r="B12").
_LETTERS = re.compile(rb""" r="\$?([A-Za-z]+)\$?[0-9]""")
_DIGITS = re.compile(rb""" r="\$?[A-Za-z]*\$?([0-9]+)\"""")


def _column(letters: bytes) -> int:
    number = 0
    for ch in letters.upper()[:8]:  # past 8 letters the number is absurd anyway
        number = number * 26 + ch - 64
    return number


def _chunks(book: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The entry's bytes in pieces that never cut a tag in two."""
    carry = b""
    with book.open(info) as stream:
        while chunk := stream.read(_CHUNK):
            data = carry + chunk
            cut = data.rfind(b"<")
            if cut > 0 and data.find(b">", cut) < 0:
                data, carry = data[:cut], data[cut:]
            else:
                carry = b""
            yield data
    if carry:
        yield carry


def _sheet_area(book: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> int:
    """Rows × columns the sheet's cells reach (what a dense range of it holds).

    Excel and every library writing xlsx give each row and cell its reference: then the
    largest row number and column letters are all it takes. A sheet that leaves some out
    is walked tag by tag, stopping once past ``budget``.
    """
    max_row = max_col = 0
    for data in _chunks(book, info):
        if b":c" in data or b":row" in data:  # namespace prefixes: walk the tags
            return _sheet_area_walked(book, info, budget)
        cells = data.count(b"<c ") + data.count(b"<c>") + data.count(b"<c/>")
        rows = data.count(b"<row ") + data.count(b"<row>") + data.count(b"<row/>")
        letters = _LETTERS.findall(data)
        digits = _DIGITS.findall(data)
        if len(letters) != cells or len(digits) - len(letters) != rows:
            return _sheet_area_walked(book, info, budget)  # some references left out
        if letters:
            widest = max(set(letters), key=lambda w: (len(w), w.upper()))
            max_col = max(max_col, _column(widest))
        if digits:
            max_row = max(max_row, *map(int, set(digits)))
    return max_row * max_col


def _sheet_area_walked(book: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> int:
    max_row = max_col = row = col = 0
    for data in _chunks(book, info):
        for match in _TAG.finditer(data):
            attributes = match.group(2)
            if match.group(1) == b"row":
                ref = _ROW_REF.search(attributes)
                row = int(ref.group(1)) if ref else row + 1
                col = 0
            else:
                cell = _CELL_REF.search(attributes)
                if cell:
                    col, row = _column(cell.group(1)), max(row, int(cell.group(2)))
                else:
                    col += 1
                max_col = max(max_col, col)
            max_row = max(max_row, row)
            if max_row * max_col > budget:
                return max_row * max_col
    return max_row * max_col


_ODS_TAG = re.compile(
    rb"<(table:table-row|table:table-cell|table:covered-table-cell|table:table)(?=[\s/>])([^>]*)>"
)
_ROWS_REPEATED = re.compile(rb"""number-rows-repeated\s*=\s*["']\s*([0-9]+)""")
_COLUMNS_REPEATED = re.compile(rb"""number-columns-repeated\s*=\s*["']\s*([0-9]+)""")


def _ods_area(book: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> int:
    """Rows × columns each table's cells with content reach, repeats counted, summed.

    A cell has content when it has a value type or children; trailing empty repeats (which
    LibreOffice writes to the sheet's end) reach nothing. Stops once past ``budget``.
    """
    total = row = col = max_row = max_col = 0
    for data in _chunks(book, info):
        for match in _ODS_TAG.finditer(data):
            tag, attributes = match.group(1), match.group(2)
            if tag == b"table:table":
                total += max_row * max_col
                row = col = max_row = max_col = 0
            elif tag == b"table:table-row":
                repeat = _ROWS_REPEATED.search(attributes)
                row += int(repeat.group(1)) if repeat else 1
                col = 0
            else:
                repeat = _COLUMNS_REPEATED.search(attributes)
                col += int(repeat.group(1)) if repeat else 1
                if b"value-type" in attributes or not attributes.rstrip().endswith(b"/"):
                    max_row, max_col = max(max_row, row), max(max_col, col)
                    if total + max_row * max_col > budget:
                        return total + max_row * max_col
    return total + max_row * max_col


def workbook_problem(path: Path, max_unpacked_bytes: int, max_cells: int) -> str | None:
    """Why the zip-based workbook at ``path`` is refused before it is read, or ``None``.

    Files that are not zip archives (``.xls``) are left to calamine, and the binary sheets
    of an ``.xlsb`` are not measured.
    """
    if not zipfile.is_zipfile(path):
        return None
    try:
        with zipfile.ZipFile(path) as book:
            infos = book.infolist()
            unpacked = sum(i.file_size for i in infos)
            if unpacked > max_unpacked_bytes:
                return (
                    f"the workbook unpacks to {unpacked} bytes, more than the limit of "
                    f"{max_unpacked_bytes}: split it, or save it again from Excel"
                )
            cells = 0
            for info in infos:
                name = info.filename.lower()
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    cells += _sheet_area(book, info, max_cells - cells)
                elif name == "content.xml":
                    cells += _ods_area(book, info, max_cells - cells)
                if cells > max_cells:
                    return (
                        f"the workbook's sheets span more than {max_cells} cells "
                        f"(up to {info.filename}): delete the stray cells far from "
                        "the table, or split it"
                    )
    except (
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        OSError,
        RuntimeError,
        NotImplementedError,
        ValueError,
    ) as exc:
        return f"the workbook is damaged or encrypted: {exc}"
    return None
