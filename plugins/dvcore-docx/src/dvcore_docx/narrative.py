"""A subordinate unit's own report in Word, read as sections (the ``docx`` input channel).

``dvcore import bao-cao-quan-1.docx --unit Q1 --period 2023-9M`` turns the report's text
into one :class:`~dvcore.events.NarrativeSubmitted` event per section of the outline.

The outline is found from the headings:

- ``Phần thứ nhất`` / ``Phần thứ hai`` (any case) start the parts ``P1`` and ``P2``;
- a paragraph starting with a Roman numeral (``I.``, ``II-``, ``V:``) starts that section;
- one starting with a number (``1.``, ``2)``) starts a sub-section of the current Roman
  one (``II.1``); under ``Phần thứ hai`` numbered headings stay sub-headings of ``P2``.

A numbered paragraph is a heading when it has a heading style (``Heading 1``–``9``), is
bold throughout, or is short (up to 160 characters) and does not end a sentence; else it
is text (``1. Tổ chức 15 cuộc đối thoại.``). Any other paragraph with a heading style is a
sub-heading. Everything before the first section (the document's header and title) is
skipped, and so is a part's title in capitals under its heading; reading stops at
``Nơi nhận``. Paragraphs are kept verbatim, figures and all;
a paragraph typed as ``- …``, ``+ …`` or ``• …``, or in a bullet list style, is a bullet; a
table row is a paragraph of its cells joined by `` | ``; a paragraph that is wholly a
``[placeholder]`` (a draft's blank nobody filled) is left out.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from pathlib import Path

import attrs
import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table
from docx.text.paragraph import Paragraph

from dvcore.narrative import NarrativeChannel, Sections, section_id, unreadable

__all__ = ["DocxNarrativeChannel", "read_docx_sections"]

_PART = re.compile(r"^PHẦN\s+THỨ\s+(NHẤT|HAI|BA)(?!\w)")
_PARTS = {"NHẤT": "P1", "HAI": "P2", "BA": "P3"}
_ROMAN = re.compile(r"^([IVX]+)\s*[.\-–—:)]\s*(?=\S)")
_NUMBER = re.compile(r"^([0-9]{1,2})\s*[.)]\s+(?=\S)")
_BULLET = re.compile(r"^[-+•–*]\s+")
_HEADING_STYLE = re.compile(r"^(?:heading|tiêu đề)\s*([1-9])$", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"^\[[^\[\]]*\]$")


def _text(raw: str) -> str:
    return " ".join(unicodedata.normalize("NFC", raw).split())


def _style_name(paragraph: Paragraph) -> str:
    try:
        style = paragraph.style
    except (KeyError, ValueError):  # a style the file names but does not define
        return ""
    return str(style.name or "") if style is not None else ""


def _heading_styled(paragraph: Paragraph) -> bool:
    name = _style_name(paragraph)
    return bool(_HEADING_STYLE.match(name)) or name.lower() == "title"


def _bold_throughout(paragraph: Paragraph) -> bool:
    runs = [r for r in paragraph.runs if r.text.strip()]
    return bool(runs) and all(r.bold for r in runs)


def _looks_like_heading(paragraph: Paragraph, text: str) -> bool:
    if _heading_styled(paragraph) or _bold_throughout(paragraph):
        return True
    return len(text) <= 160 and not text.endswith((".", ";", "!", "?"))


def _table_rows(table: Table) -> list[str]:
    rows = []
    for row in table.rows:
        cells: list[str] = []
        seen: set[int] = set()
        for cell in row.cells:  # a merged cell comes once per grid column it spans
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            text = _text(cell.text)
            if text:
                cells.append(text)
        if cells:
            rows.append(" | ".join(cells))
    return rows


def read_docx_sections(path: Path | str) -> Sections:
    """The sections of a Word report whose headings follow the outline (see the module's
    text); ``lines`` counts the body's paragraphs and tables from 1.
    :class:`~dvcore.errors.InputError` when the file is not a Word document."""
    file = Path(path)
    try:
        document = docx.Document(str(file))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise unreadable(str(file), exc) from exc
    text: dict[str, list[tuple[str, str]]] = {}
    lines: dict[str, int] = {}
    current: str | None = None
    roman: str | None = None
    part: str | None = None

    title_next = False  # a part's title in capitals may follow its heading

    def start(section: str, number: int) -> None:
        nonlocal current
        current = section
        text.setdefault(section, [])
        lines.setdefault(section, number)

    for number, block in enumerate(document.iter_inner_content(), start=1):
        if isinstance(block, Table):
            rows = _table_rows(block)
            if any(r.casefold().startswith("nơi nhận") for r in rows):
                break  # the recipients and the signature: the report's text is over
            if current is not None:
                text[current].extend(("body", r) for r in rows)
            continue
        paragraph = block
        line = _text(paragraph.text)
        if not line or _PLACEHOLDER.match(line):
            continue
        upper = line.upper()
        if upper.casefold().startswith("nơi nhận"):
            break
        found = _PART.match(upper)
        if found is not None and _looks_like_heading(paragraph, line):
            part = _PARTS[found.group(1)]
            roman = None
            start(part, number)
            title_next = found.end() == len(upper.rstrip(" .:"))
            continue
        if title_next:
            title_next = False
            if line == upper and _looks_like_heading(paragraph, line):
                continue  # the part's title: the outline has it
        numbered = _ROMAN.match(line) or _NUMBER.match(line)
        if numbered is not None and _looks_like_heading(paragraph, line):
            if part is not None and part != "P1":
                if current is not None:  # Part 2's own numbering: its sub-headings
                    text[current].append(("subheading", line))
                continue
            if numbered.re is _ROMAN and section_id(numbered.group(1)) is not None:
                roman = numbered.group(1)
                start(roman, number)
                continue
            if numbered.re is _NUMBER and roman is not None:
                sub = section_id(f"{roman}.{int(numbered.group(1))}")
                if sub is not None:
                    start(sub, number)
                    continue
        if current is None:
            continue  # the header, the title: before the outline starts
        if _heading_styled(paragraph):
            text[current].append(("subheading", line))
        elif _BULLET.match(line):
            text[current].append(("bullet", _BULLET.sub("", line, count=1)))
        elif "bullet" in _style_name(paragraph).lower():
            text[current].append(("bullet", line))
        else:
            text[current].append(("body", line))
    return Sections({}, text, source=str(file), lines=lines)


@attrs.frozen(kw_only=True)
class DocxNarrativeChannel(NarrativeChannel):
    """The ``docx`` input channel: a unit's Word report as its narrative for the period."""

    name: str = "docx"
    suffixes: tuple[str, ...] = (".docx",)

    def parse(self, path: Path) -> Sections:
        """The Word file's sections (:func:`read_docx_sections`)."""
        return read_docx_sections(path)
