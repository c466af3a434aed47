"""What a workbook would cost to read, found before python-calamine reads it.

python-calamine holds each sheet as a dense range from its first cell to its last: a
2 KB workbook with one cell in A1 and one in XFD1048576 asks for 17 billion cells, and the
process dies in the allocator — no exception to catch. A small file can also unpack to
gigabytes of XML (a zip bomb). An OpenDocument sheet does the same with
``table:number-rows-repeated``. So a zip-based workbook (``.xlsx``, ``.xlsm``, ``.ods``) is
measured first, from its zip directory (the declared unpacked size) and by streaming each
sheet's XML (the rows and columns its cells reach), and refused past the channel's limits.
Binary workbooks (``.xls``, ``.xlsb``) are not measured.

A sheet is measured the way calamine reads it (quick-xml underneath, namespace prefixes
ignored, a cell without ``r`` placed after the one before it). Two ways give the same
figure:

- the fast way, for sheets as Excel and the libraries write them — every cell tag
  ``<c r="B12" …>`` with its reference first and no other ``r``, every row tag
  ``<row r="12" …>``: the largest column and row are found by a few regular-expression passes
  that only stop at a tag whose reference is unusual or beyond the largest seen so far;
- the exact way, for any other sheet: its markup is cut into tags as quick-xml cuts it
  (comments, CDATA, processing instructions and quoted ``>`` included) and calamine's
  placing of cells is followed tag by tag. Where the markup is not the plain
  row-cell-value nesting, it falls back to bounds that hold however calamine reads it.

Tags inside comments or CDATA count on the fast way (a little more than calamine reads,
never less). Only the cell references are looked at here; entities, formulas and text are
calamine's business (it refuses a DOCTYPE's entities, and reads a formula's cached value).
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = ["workbook_problem"]

_CHUNK = 1 << 20


@lru_cache(maxsize=4096)
def _column(letters: bytes) -> int:
    number = 0
    for ch in letters.upper()[:8]:  # past 8 letters the number is absurd anyway
        number = number * 26 + ch - 64
    return number


def _letters(column: int) -> bytes:
    """The column's letters (1 → A, 27 → AA): the inverse of :func:`_column`."""
    out = bytearray()
    while column:
        column, rest = divmod(column - 1, 26)
        out.insert(0, 65 + rest)
    return bytes(out)


# --- the fast way ----------------------------------------------------------------------------

# After a cell's reference, the rest of its tag: no "r" outside double-quoted values (so no
# second r="…", which calamine would take instead), no single quotes, up to the tag's end.
_TAIL = rb"""[^>r"']*+(?:"[^"]*+"[^>r"']*+)*+>"""
# A namespace prefix as the libraries write it (<x:c …>); any other prefix takes the exact way.
_PREFIX = re.compile(rb"[A-Za-z_][A-Za-z0-9_.-]{0,31}")
_OVERLAP = 128  # bytes of one piece read again with the next: more than any prefix check needs
_SKIP = 48  # where the prefix check starts in a piece after the first (already checked)
_DEFER = 4096  # a tag flagged this close to a piece's end is judged with the next piece


def _not_above(top: bytes, first: bytes, rest: bytes) -> bytes:
    """A regex for the strings not above ``top`` in the order of column letters or numbers:
    shorter ones, then the same length in alphabetical order. Their first character is in
    the range ``first`` (``1-9``), the others in ``rest`` (``0-9``)."""
    if not top:
        return rb"(?!)"
    size = len(top)
    alternatives = []
    if size > 1:
        alternatives.append(b"[%s][%s]{0,%d}+" % (first, rest, size - 2))
    for i, ch in enumerate(top):
        low = (first if i == 0 else rest)[0]
        if ch > low:
            tail = b"[%s]{%d}" % (rest, size - i - 1) if i < size - 1 else b""
            alternatives.append(top[:i] + b"[%c-%c]" % (low, ch - 1) + tail)
    alternatives.append(top)
    return b"(?:" + b"|".join(alternatives) + b")"


@lru_cache(maxsize=16)
def _normal(start: bytes) -> tuple[re.Pattern[bytes], bytes]:
    """For tags named ``start`` (``<c``, ``<x:c``, ``<row``…), the pattern of their usual
    form, the reference captured, and how a usual one begins."""
    if start.endswith(b"c"):
        usual = re.compile(re.escape(start) + rb' r="([A-Z]{1,3}+)([1-9][0-9]{0,6}+)"' + _TAIL)
    else:
        usual = re.compile(re.escape(start) + rb' r="([1-9][0-9]{0,6}+)"')
    return usual, start + b' r="'


@lru_cache(maxsize=256)
def _flagged(start: bytes, max_col: int, max_row: int) -> re.Pattern[bytes]:
    """Tags named ``start`` that are not in the usual form within ``max_col`` × ``max_row``:
    unusual ones, and those reaching further."""
    rows = _not_above(str(max_row).encode() if max_row else b"", b"1-9", b"0-9")
    if start.endswith(b"c"):
        cols = _not_above(_letters(max_col), b"A-Z", b"A-Z")
        usual = rb' r="' + cols + rows + b'"' + _TAIL
    else:
        usual = rb' r="' + rows + b'"'
    return re.compile(re.escape(start) + rb"(?!" + usual + rb")(?=[\s/>])")


@lru_cache(maxsize=16)
def _prefixed(prefix: bytes | None) -> re.Pattern[bytes]:
    """Cell and row tags with a namespace prefix other than ``prefix`` (start or end tags)."""
    other = rb":(?:c|row)[\s/>]"
    if prefix is None:
        return re.compile(other)
    p = re.escape(prefix)
    return re.compile(
        other + rb"(?<!<%s:c.)(?<!</%s:c.)(?<!<%s:row.)(?<!</%s:row.)" % (p, p, p, p), re.S
    )


class _Unusual(Exception):
    """The sheet is not in the usual form: measure it the exact way."""


class _NewPrefix(Exception):
    def __init__(self, prefix: bytes) -> None:
        self.prefix = prefix


def _sheet_area_fast(book: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> int | None:
    """Rows × columns the sheet's cells reach, or ``None`` when it is not in the usual form.

    Equal to :func:`_sheet_area_exact` for a sheet in the usual form without tags hidden in
    comments or CDATA, and never less. Stops once past ``budget``.
    """
    prefix: bytes | None = None
    for _attempt in range(2):  # without a prefix; again with the one the sheet uses
        try:
            return _scan(book, info, budget, prefix)
        except _Unusual:
            return None
        except _NewPrefix as new:
            if prefix is not None:
                return None
            prefix = new.prefix
    return None


def _scan(book: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int, prefix: bytes | None) -> int:
    """The fast way over the sheet, its cell and row tags unprefixed or with ``prefix``.

    Raises :class:`_Unusual` at a tag not in the usual form, :class:`_NewPrefix` at one
    with another prefix. The sheet is read in pieces that overlap by ``_OVERLAP`` bytes
    (more where a tag near the end is left for the next piece to judge whole).
    """
    names = [b""] if prefix is None else [b"", prefix + b":"]
    starts = [b"<" + n + b"c" for n in names] + [b"<" + n + b"row" for n in names]
    prefixed = _prefixed(prefix)
    max_row = max_col = 0
    carry = b""
    first = True
    with book.open(info) as stream:
        while True:
            chunk = stream.read(_CHUNK)
            final = len(chunk) < _CHUNK
            buf = carry + chunk if carry else chunk
            size = len(buf)
            found = prefixed.search(buf, 0 if first else _SKIP)
            if found is not None:
                raise _NewPrefix(_prefix_of(buf, found.start()))
            decided = size if final else size - _DEFER  # flags before this are judged here
            keep = size if final else size - _OVERLAP
            # Start from the last usual tags of the piece: in a sheet written in order, the
            # furthest row and the widest, so that the passes below find nothing further.
            for start in starts:
                usual, opening = _normal(start)
                at = buf.rfind(opening, 0, decided)
                tag = usual.match(buf, at) if at >= 0 else None
                if tag is not None:
                    max_row, max_col = _reach(start, [tag.groups()], max_row, max_col)
            for start in starts:
                usual, _opening = _normal(start)
                at = 0
                while (flag := _flagged(start, max_col, max_row).search(buf, at)) is not None:
                    at = flag.start()
                    if at >= decided:
                        keep = min(keep, at)
                        break
                    if usual.match(buf, at) is None:
                        raise _Unusual
                    # Further than seen so far: take every usual tag up to the piece's end.
                    max_row, max_col = _reach(start, usual.findall(buf, at), max_row, max_col)
                    if max_row * max_col > budget:
                        return max_row * max_col
                    at += 1
            if final or max_row * max_col > budget:
                return max_row * max_col
            carry = buf[keep:]
            first = False


def _reach(start: bytes, refs: list[Any], row: int, col: int) -> tuple[int, int]:
    """The furthest row and column once the references ``refs`` of tags ``start`` count:
    ``(letters, digits)`` of cells, ``digits`` of rows (or a 1-tuple of them)."""
    if start.endswith(b"c"):
        letters = max({ref[0] for ref in refs}, key=lambda w: (len(w), w))
        return max(row, *{int(ref[1]) for ref in refs}), max(col, _column(letters))
    return max(row, *{int(ref[0] if isinstance(ref, tuple) else ref) for ref in refs}), col


def _prefix_of(buf: bytes, colon: int) -> bytes:
    """The prefix of the tag whose ``:c`` or ``:row`` is at ``colon``; unusual if odd."""
    lt = buf.rfind(b"<", max(colon - 40, 0), colon)
    name = buf[lt + 1 : colon].removeprefix(b"/") if lt >= 0 else b""
    if _PREFIX.fullmatch(name) is None:
        raise _Unusual
    return name


# --- the exact way ---------------------------------------------------------------------------

# One piece of markup as quick-xml (calamine's parser) cuts it: an end tag (group 1, which
# ends at the first ">"), a comment, CDATA, a processing instruction, or a start or empty tag
# (group 2, which ends at the first ">" outside quotes). A DOCTYPE is cut by hand (its "<"
# and ">" must balance); anything else after "<!" is an error to quick-xml.
_MARKUP = re.compile(
    rb"""<(?:/([^>]*+)>|!--.*?-->|!\[CDATA\[.*?\]\]>|\?.*?\?>"""
    rb"""|(?![!/?])((?:[^>"']++|"[^"]*+"|'[^']*+')*+)>)""",
    re.S,
)
# A whole cell whose value nests simply (<v>…</v>, <is><t>…</t></is>, <f>…</f>…: at most
# two levels, no comment, no c or row inside): read in one step, its start tag in group 1.
_ATTRS = rb"""(?:[^>"']++|"[^"]*+"|'[^']*+')*+"""
_INNER = rb"(?!(?:[A-Za-z_][\w.-]*+:)?(?:c|row)[ \t\r\n/>])[A-Za-z_][\w.-]*+(?::[A-Za-z_][\w.-]*+)?"
_LEAF = (
    rb"<(?P<leaf>"
    + _INNER
    + rb")(?=[ \t\r\n/>])"
    + _ATTRS
    + rb"(?:(?<=/)>|(?<!/)>[^<]*+</(?P=leaf)[ \t\r\n]*+>)"
)
_VALUE = (
    rb"<(?P<value>"
    + _INNER
    + rb")(?=[ \t\r\n/>])"
    + _ATTRS
    + rb"(?:(?<=/)>|(?<!/)>(?:[^<]++|"
    + _LEAF
    + rb")*+</(?P=value)[ \t\r\n]*+>)"
)
_CELL_TEXT = (
    rb"<(?:[A-Za-z_][\w.-]*+:)?c(?=[ \t\r\n/>])(" + _ATTRS + rb")"
    rb"(?:(?<=/)>|(?<!/)>(?:[^<]++|" + _VALUE + rb")*+</(?:[A-Za-z_][\w.-]*+:)?c[ \t\r\n]*+>)"
)
_CELL = re.compile(_CELL_TEXT)
# In such a row, where each cell starts (its attributes in group 1).
_CELL_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*+:)?c(?=[ \t\r\n/>])(" + _ATTRS + rb")>")
# A whole row of such cells: its start tag in group 1, its cells between "cells" and its end.
_ROW = re.compile(
    rb"<((?:[A-Za-z_][\w.-]*+:)?row(?=[ \t\r\n/>])" + _ATTRS + rb")(?<!/)>"
    rb"(?P<cells>(?:[^<]++|" + _CELL_TEXT + rb")*+)</(?:[A-Za-z_][\w.-]*+:)?row[ \t\r\n]*+>"
)
_SPACE = b" \t\r\n"  # quick-xml's whitespace: a tag's name ends at the first
_NAME = re.compile(rb"[^ \t\r\n]*+")
_REFERENCE = re.compile(rb"\$?([A-Za-z]*+)\$?([0-9]++)")
_MAX_MARKUP = 16 << 20  # a tag, comment or DOCTYPE longer than this: the file is refused
_START, _END, _WHOLE_CELL, _CELLS_WITHOUT_R = 0, 1, 2, 3


def _markup(book: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[tuple[int, bytes, int]]:
    """The sheet's tags as quick-xml reads them: ``(_START, content, 0)`` for a start or
    empty tag, ``(_END, name, 0)`` for an end tag, ``(_WHOLE_CELL, attributes, 1)`` for a
    cell and its simple value, ``(_CELLS_WITHOUT_R, b"", n)`` for ``n`` of them in a row
    without ``r``. Stops where quick-xml fails (calamine then reads nothing); raises
    :class:`ValueError` for a tag, comment… longer than ``_MAX_MARKUP``."""
    carry = b""
    with book.open(info) as stream:
        while True:
            chunk = stream.read(max(_CHUNK, len(carry)))  # a long tag: read as much again
            final = not chunk
            buf = carry + chunk if carry else chunk
            at = 0
            while (lt := buf.find(b"<", at)) >= 0:
                match = _ROW.match(buf, lt)
                if match is not None:  # a row of simple cells: most of a sheet
                    yield _START, match.group(1), 0
                    cells = _CELL_START.findall(buf, *match.span("cells"))
                    if _NO_R.fullmatch(b"".join(cells)) is not None:
                        yield _CELLS_WITHOUT_R, b"", len(cells)
                    else:
                        for cell in cells:
                            yield _WHOLE_CELL, cell.removesuffix(b"/"), 1
                    yield _END, b"row", 0
                    at = match.end()
                    continue
                match = _CELL.match(buf, lt)
                if match is not None:
                    yield _WHOLE_CELL, match.group(1).removesuffix(b"/"), 1
                    at = match.end()
                    continue
                match = _MARKUP.match(buf, lt)
                if match is not None:
                    end, start = match.group(1, 2)
                    if end is not None:
                        yield _END, end.rstrip(_SPACE), 0
                    elif start is not None:
                        yield _START, start, 0
                    at = match.end()
                    continue
                if buf[lt + 1 : lt + 2] == b"!":
                    bang = buf[lt + 2 : lt + 3]
                    if bang in (b"D", b"d"):
                        close = _doctype_end(buf, lt)
                        if close is not None:
                            at = close
                            continue
                    elif bang == b"-" or bang == b"[":
                        opening = b"<!--" if bang == b"-" else b"<![CDATA["
                        if not opening.startswith(buf[lt : lt + len(opening)]):
                            return  # quick-xml fails on it
                    elif bang:
                        return  # quick-xml fails on it
                if final:
                    return  # unfinished at the end: quick-xml fails
                if len(buf) - lt > _MAX_MARKUP:
                    raise ValueError(f"{info.filename} has markup longer than {_MAX_MARKUP} bytes")
                break
            else:
                lt = len(buf)
            if final:
                return
            carry = buf[lt:]


def _doctype_end(buf: bytes, lt: int) -> int | None:
    """Where the DOCTYPE starting at ``lt`` ends (after its ">"), or ``None`` if not in ``buf``."""
    depth = 0
    at = lt + 2
    while True:
        gt = buf.find(b">", at)
        if gt < 0:
            return None
        depth += buf.count(b"<", at, gt)
        if depth == 0:
            return gt + 1
        depth -= 1
        at = gt + 1


def _sheet_area_exact(book: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> int:
    """Rows × columns the sheet's cells reach as calamine places them, tag by tag.

    calamine keeps a current row and column: a row tag's ``r`` sets the row, a row's end
    tag moves it down one and the column back to the first; a cell with ``r`` is where it
    says (its column becomes the current one), a cell without is at the current row and
    column; either way the column then moves right one. While the markup nests as rows of
    cells of values, that is followed exactly. Once it does not (a row inside a row, a cell
    outside one, a value left open…), calamine may skip some of the tags, so from there the
    row and column only ever grow: a bound whatever it skips. The rows' own numbers count
    too, as they always have here. Stops once past ``budget``.
    """
    max_row = max_col = 0
    row = col = 1  # where a cell without r goes (calamine's row and column, from 1)
    tidy = True  # the markup has nested as rows of cells of values so far
    level = 0  # 0 outside a row, 1 in a row, 2 in a cell
    inner: list[bytes] = []  # the elements open in the cell
    for kind, content, count in _markup(book, info):
        if kind == _CELLS_WITHOUT_R:  # each at the current row, one column further
            tidy = tidy and level == 1
            if count:
                max_row, max_col = max(max_row, row), max(max_col, col + count - 1)
                col += count
            continue
        if kind == _WHOLE_CELL:  # a cell and its value, in one
            name, local, empty = b"", b"c", True  # content: the attributes alone
        elif kind == _END:
            local = content.partition(b":")[2] if b":" in content else content
            if local == b"row":
                tidy = tidy and level == 1
                row, col, level = row + 1, 1 if tidy else col, 0
            elif level == 2 and not inner and local == b"c":
                level = 1
            elif level == 2 and inner and inner[-1] == content and local not in _CELL_ROW:
                inner.pop()
            elif level == 2 or local in _CELL_ROW:
                tidy = False
            continue
        else:
            empty = content.endswith(b"/")
            content = content.removesuffix(b"/")
            name = _NAME.match(content).group()  # type: ignore[union-attr]
            local = name.partition(b":")[2] if b":" in name else name
        if local == b"c":
            tidy = tidy and level == 1
            first, refs = _references(content, len(name))
            if len(refs) == 1 and first is not None and first[1]:  # most cells
                cell_row, cell_col = first
            elif not (refs := [ref for ref in refs if ref[1]]):  # calamine fails without letters
                cell_row, cell_col = row, col
            else:  # where r says; or, if calamine may skip it, where a cell without r goes
                cell_row = max(ref[0] for ref in refs)
                cell_col = max(ref[1] for ref in refs)
                if first is None:
                    cell_row, cell_col = max(cell_row, row), max(cell_col, col)
            if cell_row > max_row:
                max_row = cell_row
            if cell_col > max_col:
                max_col = cell_col
            col = (cell_col if tidy or cell_col > col else col) + 1
            if not empty:
                level, inner = 2, []
        elif local == b"row":
            tidy = tidy and level == 0
            first, refs = _references(content, len(name))
            if first is not None and tidy:  # calamine reads a row's first r
                row = number = first[0]
            elif refs:  # calamine may skip it: where it says, or where the row was
                number = first[0] if first is not None else max(ref[0] for ref in refs)
                row = max(row, *(ref[0] for ref in refs))
            else:
                number = row
            if number > max_row:  # the row's own number counts
                max_row = number
            if empty:
                row, col = row + 1, 1 if tidy else col
            else:
                level = 1
        elif level == 2 and not empty:
            inner.append(name)
        if max_row * max_col > budget:
            break
    return max_row * max_col


_CELL_ROW = (b"c", b"row")


# A tag's attributes with no "r" outside double-quoted values (nor single quotes): no r=;
# and with r="…" first and no other.
_NO_R = re.compile(rb"""[^r"']*+(?:"[^"]*+"[^r"']*+)*+""")
_ONE_R = re.compile(rb'[ \t\r\n]++r="([^"]*+)"' + _NO_R.pattern)
_ONE_USUAL_R = re.compile(rb'[ \t\r\n]++r="([A-Za-z]*+)([0-9]++)"' + _NO_R.pattern)
# Where an r="…" may start, even inside another value (so none is missed), and r="…" first.
_ANY_R = re.compile(rb"""(?=r[ \t\r\n]*+=[ \t\r\n]*+(?:"([^"]*+)"|'([^']*+)'))""")
_FIRST_R = re.compile(rb"""[ \t\r\n]++r[ \t\r\n]*+=[ \t\r\n]*+(?:"([^"]*+)"|'([^']*+)')""")


def _references(content: bytes, at: int) -> tuple[tuple[int, int] | None, list[tuple[int, int]]]:
    """A tag's ``r`` references as (row, column): the first attribute's, which calamine
    surely reads, and every one it might read.

    calamine reads a tag's attributes in turn and may give up at one it cannot parse (a
    duplicate, a key without a value…) without failing: an ``r`` first is read, one
    further on perhaps not. Every ``r="…"`` that might be one counts, even inside another
    value (the largest bounds the one calamine takes); the column is 0 without letters.
    """
    one = _ONE_USUAL_R.fullmatch(content, at)
    if one is not None:  # most tags
        letters, digits = one.groups()
        position = int(digits), _column(letters) if letters else 0
        return position, [position]
    one = _ONE_R.fullmatch(content, at)
    if one is not None:
        ref = _REFERENCE.fullmatch(one.group(1).strip(_SPACE))
        return (None, []) if ref is None else (_position(ref), [_position(ref)])
    if _NO_R.fullmatch(content, at) is not None:
        return None, []
    refs = []
    for double, single in _ANY_R.findall(content, at):
        ref = _REFERENCE.fullmatch((double or single).strip(_SPACE))
        if ref is not None:
            refs.append(_position(ref))
    first = _FIRST_R.match(content, at)
    if first is not None:
        ref = _REFERENCE.fullmatch((first.group(1) or first.group(2)).strip(_SPACE))
        if ref is not None:
            return _position(ref), refs
    return None, refs


def _position(ref: re.Match[bytes]) -> tuple[int, int]:
    return int(ref.group(2)), _column(ref.group(1)) if ref.group(1) else 0


def _sheet_area(book: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> int:
    """Rows × columns the sheet's cells reach (what a dense range of it holds), or more.

    Stops once past ``budget``: the figure returned is then only known to be past it.
    """
    fast = _sheet_area_fast(book, info, budget)
    return fast if fast is not None else _sheet_area_exact(book, info, budget)


# --- OpenDocument ----------------------------------------------------------------------------


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


def _is_sheet(name: str, binary: bool) -> bool:
    """Whether calamine may read the zip entry ``name`` as a worksheet's XML.

    calamine takes a worksheet from wherever the workbook's relationships point under
    ``xl/worksheets/``, whatever the file's name (not only ``sheetN.xml``); an ``.xlsb``
    keeps its sheets there as binary ``.bin`` parts, which are not measured.
    """
    name = name.lower()
    return name.startswith("xl/worksheets/") and not (binary and name.endswith(".bin"))


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
            binary = path.suffix.lower() == ".xlsb"
            cells = 0
            for info in infos:
                name = info.filename.lower()
                if _is_sheet(name, binary):
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
