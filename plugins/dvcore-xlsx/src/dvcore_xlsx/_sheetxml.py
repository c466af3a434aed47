"""What python-calamine does not tell: formula cells that hold no cached value.

calamine reads a formula's cached value, the one the spreadsheet program computed when it
saved the file; a workbook written by a library (openpyxl, a script) and never opened in
Excel has formulas without one, and calamine gives ``""`` for them: the figure would be
lost without a word. python-calamine 0.9 has no API for formulas, so the sheet's XML is
read from the zip (``.xlsx``, ``.xlsm``) and every ``<c>`` with an ``<f>`` and no ``<v>``
(or an empty ``<v>`` in a cell that is not of text type) is reported. Excel marks a
formula whose value is the empty text ``t="str"``; openpyxl writes ``<v></v>`` for every
formula, so an empty ``<v>`` without that mark is taken as "never computed" (a refusal the
clerk fixes by saving in Excel, rather than a figure lost). Binary workbooks (``.xls``,
``.xlsb``) and OpenDocument files are not looked at.
"""

from __future__ import annotations

import html
import posixpath
import re
import zipfile
from pathlib import Path

__all__ = ["uncached_formulas"]

_P = rb"(?:[A-Za-z_][\w.-]*:)?"  # a namespace prefix, as some writers put one
_HAS_FORMULA = re.compile(rb"<" + _P + rb"f[\s>/]")
_CELL = re.compile(rb"<" + _P + rb"c(\s[^>]*)?(?<!/)>(.*?)</" + _P + rb"c>", re.DOTALL)
_VALUE = re.compile(rb"<" + _P + rb"v>(.*?)</" + _P + rb"v>", re.DOTALL)
_REF = re.compile(rb"""\sr\s*=\s*["']\$?([A-Za-z]{1,3})\$?([0-9]{1,7})["']""")
_TYPE = re.compile(rb"""\st\s*=\s*["']([A-Za-z]+)["']""")
_SHEET = re.compile(rb"<" + _P + rb"sheet\s[^>]*>")
_ATTR = re.compile(rb"""([\w:]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_REL = re.compile(rb"<" + _P + rb"Relationship\s[^>]*>")


def _attrs(tag: bytes) -> dict[str, str]:
    out = {}
    for m in _ATTR.finditer(tag):
        name = m.group(1).decode("ascii", "replace")
        value = (m.group(2) if m.group(2) is not None else m.group(3)).decode("utf-8", "replace")
        out[name.rpartition(":")[2] if name != "xmlns" else name] = html.unescape(value)
    return out


def _column(letters: bytes) -> int:
    number = 0
    for ch in letters.upper():
        number = number * 26 + ch - 64
    return number - 1


def _sheet_parts(book: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → the zip member holding its XML."""
    try:
        workbook = book.read("xl/workbook.xml")
        rels = book.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return {}
    targets: dict[str, str] = {}
    for tag in _REL.findall(rels):
        found = _attrs(tag)
        if "Id" in found and "Target" in found:
            target = found["Target"]
            path = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
            targets[found["Id"]] = posixpath.normpath(path)
    parts: dict[str, str] = {}
    for tag in _SHEET.findall(workbook):
        found = _attrs(tag)
        if "name" in found and found.get("id") in targets:
            parts[found["name"]] = targets[found["id"]]
    return parts


def uncached_formulas(path: Path, sheets: list[str]) -> dict[str, list[tuple[int, int]]]:
    """For each sheet of ``sheets`` in the workbook at ``path``: the cells (0-based row and
    column) that hold a formula without a cached value, in the order of the sheet."""
    out: dict[str, list[tuple[int, int]]] = {}
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return out
    try:
        with zipfile.ZipFile(path) as book:
            parts = _sheet_parts(book)
            for name in sheets:
                part = parts.get(name)
                if part is None:
                    continue
                try:
                    content = book.read(part)
                except KeyError:
                    continue
                if _HAS_FORMULA.search(content) is None:
                    continue
                cells = []
                for cell in _CELL.finditer(content):
                    inner = cell.group(2)
                    if _HAS_FORMULA.search(inner) is None:
                        continue
                    value = _VALUE.search(inner)
                    tag = cell.group(1) or b""
                    kind = _TYPE.search(tag)
                    is_text = kind is not None and kind.group(1) in (b"str", b"inlineStr")
                    if value is not None and (value.group(1).strip() or is_text):
                        continue
                    ref = _REF.search(tag)
                    if ref is None:
                        continue
                    cells.append((int(ref.group(2)) - 1, _column(ref.group(1))))
                if cells:
                    out[name] = cells
    except (zipfile.BadZipFile, OSError):
        return out  # not a zip workbook: calamine says what is wrong with it
    return out
