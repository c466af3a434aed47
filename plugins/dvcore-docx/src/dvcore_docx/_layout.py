"""The Party document layout in python-docx: page, header, title, body, footnotes, closing.

Every size comes from the context's format profile (:mod:`dvcore._builtin.profiles`);
every word from the context (:func:`dvcore.reports.build_context`). python-docx has
no footnote API, so :class:`Layout` writes the footnotes part (``word/footnotes.xml``)
itself and refers to it with real ``w:footnoteReference`` runs: Word and LibreOffice show
them as footnotes at the bottom of the page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from xml.sax.saxutils import escape

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run

__all__ = ["PARTY_HEADER_PT", "SIGNER_PLACEHOLDER", "Layout"]

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_FOOTNOTES_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"

#: "ĐẢNG CỘNG SẢN VIỆT NAM" is 15 pt bold (Appendix 3 of 36-HD/VPTW), a point above the other
#: header lines; used when the profile names no ``party_header_pt`` of its own.
PARTY_HEADER_PT = 15.0

#: What stands, highlighted, where the signer's name goes when neither the sections file
#: (``signer:``) nor ``--signer`` gives it: the writer fills it, nobody's name is made up.
SIGNER_PLACEHOLDER = "[Họ và tên người ký]"


def _half_points(pt: float) -> str:
    return str(round(pt * 2))


class Layout:
    """Builds one Party document from a report context."""

    def __init__(self, context: Mapping[str, Any]) -> None:
        self.context = context
        self.profile = context["profile"]
        self.doc: DocumentObject = Document()
        self._setup()

    # --- page and styles ------------------------------------------------------------------

    def _setup(self) -> None:
        p = self.profile
        section = self.doc.sections[0]
        section.page_width = Mm(p.page_width_mm)
        section.page_height = Mm(p.page_height_mm)
        section.top_margin = Mm(p.margin_top_mm)
        section.bottom_margin = Mm(p.margin_bottom_mm)
        section.left_margin = Mm(p.margin_left_mm)
        section.right_margin = Mm(p.margin_right_mm)
        section.header_distance = Mm(min(10.0, p.margin_top_mm / 2))
        section.footer_distance = Mm(min(10.0, p.margin_bottom_mm / 2))
        normal = self.doc.styles["Normal"]
        normal.font.name = p.font
        normal.font.size = Pt(p.body_pt)
        rpr = normal.element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = OxmlElement("w:rFonts")
            rpr.insert(0, fonts)
        for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            fonts.set(qn(attr), p.font)
        normal.paragraph_format.space_after = Pt(0)
        normal.paragraph_format.space_before = Pt(0)
        lang = OxmlElement("w:lang")
        lang.set(qn("w:val"), "vi-VN")
        rpr.append(lang)
        self._footnote_styles()
        core = self.doc.core_properties
        document = self.context["document"]
        core.title = f"{document['type']} {document['summary']}".strip()
        core.author = document["issuer"]
        core.language = "vi-VN"
        # the document's own date, not the time of generating it: same report, same bytes
        day = document["date"]
        stamp = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
        core.created = core.modified = core.last_printed = stamp
        core.last_modified_by = document["issuer"]
        core.revision = 1
        self._page_numbers()

    def _footnote_styles(self) -> None:
        """ "Footnote Text" and "Footnote Reference", as Word names them (superscript mark)."""
        from docx.enum.style import WD_STYLE_TYPE

        styles = self.doc.styles
        names = {s.name for s in styles}
        if "Footnote Text" not in names:
            text = styles.add_style("Footnote Text", WD_STYLE_TYPE.PARAGRAPH)
            text.base_style = styles["Normal"]
            text.font.size = Pt(self.profile.footnote_pt)
            text.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        if "Footnote Reference" not in names:
            ref = styles.add_style("Footnote Reference", WD_STYLE_TYPE.CHARACTER)
            ref.font.superscript = True

    def _page_numbers(self) -> None:
        """Page numbers from page 2, centred at the top: a different first-page header."""
        section = self.doc.sections[0]
        section.different_first_page_header_footer = True
        section.first_page_header.is_linked_to_previous = False
        header = section.header
        header.is_linked_to_previous = False
        paragraph = header.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        self._field(paragraph, "PAGE", "2", self.profile.page_number_pt)

    def _field(self, paragraph: Paragraph, code: str, shown: str, size: float) -> None:
        def run_with(child: Any) -> None:
            run = paragraph.add_run()
            run.font.size = Pt(size)
            run._r.append(child)

        begin = OxmlElement("w:fldChar")
        begin.set(qn("w:fldCharType"), "begin")
        run_with(begin)
        instr = OxmlElement("w:instrText")
        instr.set(qn("xml:space"), "preserve")
        instr.text = f" {code} "
        run_with(instr)
        separate = OxmlElement("w:fldChar")
        separate.set(qn("w:fldCharType"), "separate")
        run_with(separate)
        value = paragraph.add_run(shown)
        value.font.size = Pt(size)
        end = OxmlElement("w:fldChar")
        end.set(qn("w:fldCharType"), "end")
        run_with(end)

    # --- small builders -------------------------------------------------------------------

    def _run(
        self,
        paragraph: Paragraph,
        text: str,
        *,
        size: float | None = None,
        bold: bool = False,
        italic: bool = False,
        underline: bool = False,
    ) -> Run:
        run = paragraph.add_run(text)
        run.font.size = Pt(size or self.profile.body_pt)
        run.bold = bold or None
        run.italic = italic or None
        run.underline = underline or None
        return run

    def _para(
        self,
        container: Any = None,
        *,
        align: Any = WD_ALIGN_PARAGRAPH.JUSTIFY,
        indent: bool = False,
        after: float = 0.0,
        before: float = 0.0,
    ) -> Paragraph:
        target = container if container is not None else self.doc
        paragraph: Paragraph = target.add_paragraph()
        paragraph.alignment = align
        fmt = paragraph.paragraph_format
        fmt.space_after = Pt(after)
        fmt.space_before = Pt(before)
        fmt.line_spacing = self.profile.line_spacing
        if indent:
            fmt.first_line_indent = Mm(self.profile.first_line_indent_mm)
        return paragraph

    @staticmethod
    def _cell_paragraph(cell: _Cell) -> Paragraph:
        """The cell's first, empty paragraph (a new cell has one)."""
        paragraph: Paragraph = cell.paragraphs[0]
        return paragraph

    @staticmethod
    def _rule_below(paragraph: Paragraph, indent_mm: float) -> None:
        """A short rule under a paragraph (the line under "ĐẢNG CỘNG SẢN VIỆT NAM")."""
        ppr = paragraph._p.get_or_add_pPr()
        borders = OxmlElement("w:pBdr")
        bottom = OxmlElement("w:bottom")
        for key, value in (
            ("w:val", "single"),
            ("w:sz", "6"),
            ("w:space", "1"),
            ("w:color", "000000"),
        ):
            bottom.set(qn(key), value)
        borders.append(bottom)
        ppr.append(borders)
        paragraph.paragraph_format.left_indent = Mm(indent_mm)
        paragraph.paragraph_format.right_indent = Mm(indent_mm)

    def _plain_table(self, rows: int, widths_mm: Sequence[float]) -> Any:
        table = self.doc.add_table(rows=rows, cols=len(widths_mm))
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        for column, width in zip(table.columns, widths_mm, strict=True):
            column.width = Mm(width)  # the grid: what LibreOffice lays out by
        for row in table.rows:
            for cell, width in zip(row.cells, widths_mm, strict=True):
                cell.width = Mm(width)
        return table

    @staticmethod
    def _keep_row_whole(row: Any) -> None:
        trpr = row._tr.get_or_add_trPr()
        trpr.append(OxmlElement("w:cantSplit"))

    @property
    def text_width_mm(self) -> float:
        """The width between the margins."""
        p = self.profile
        return float(p.page_width_mm - p.margin_left_mm - p.margin_right_mm)

    # --- the document's parts -------------------------------------------------------------

    def header(self) -> None:
        """The header table: issuing body left, the Party's name and the date line right."""
        p = self.profile
        document = self.context["document"]
        left_w = round(self.text_width_mm * 0.42, 1)
        table = self._plain_table(1, [left_w, self.text_width_mm - left_w])
        left, right = table.rows[0].cells
        first = self._cell_paragraph(left)
        first.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if document.get("superior"):
            self._run(first, document["superior"], size=p.header_pt)
            issuer = self._para(left, align=WD_ALIGN_PARAGRAPH.CENTER)
        else:
            issuer = first
        self._run(issuer, document["issuer"], size=p.header_pt, bold=True)
        star = self._para(left, align=WD_ALIGN_PARAGRAPH.CENTER)
        self._run(star, "*", size=p.header_pt)
        number = self._para(left, align=WD_ALIGN_PARAGRAPH.CENTER, before=3)
        self._run(number, document["number_text"], size=p.header_pt)
        party = self._cell_paragraph(right)
        party.alignment = WD_ALIGN_PARAGRAPH.CENTER
        party_pt = float(getattr(p, "party_header_pt", PARTY_HEADER_PT))
        self._run(party, document["party_header"], size=party_pt, bold=True)
        rule = self._para(right, align=WD_ALIGN_PARAGRAPH.CENTER)
        self._run(rule, "", size=2)
        rule.paragraph_format.line_spacing = Pt(2)
        self._rule_below(rule, (self.text_width_mm - left_w) / 2 - 28)
        place = self._para(right, align=WD_ALIGN_PARAGRAPH.CENTER, before=12)
        self._run(place, document["place_date"], size=p.header_pt, italic=True)

    def title(self) -> None:
        """ "BÁO CÁO", the summary beneath it in bold, and a short rule."""
        p = self.profile
        document = self.context["document"]
        heading = self._para(align=WD_ALIGN_PARAGRAPH.CENTER, before=18)
        self._run(heading, document["type"], size=p.title_pt, bold=True)
        for line in document["summary_lines"]:
            summary = self._para(align=WD_ALIGN_PARAGRAPH.CENTER)
            self._run(summary, line, size=p.summary_pt, bold=True)
        rule = self._para(align=WD_ALIGN_PARAGRAPH.CENTER, after=12)
        self._run(rule, "-----", size=p.summary_pt)

    def blocks(self, blocks: Iterable[Mapping[str, Any]]) -> None:
        """The body: parts, headings, paragraphs (with footnote references) and tables."""
        p = self.profile
        for block in blocks:
            kind = block["kind"]
            if kind == "part":
                first = self._para(align=WD_ALIGN_PARAGRAPH.CENTER, before=12)
                self._run(first, block["label"], bold=True)
                second = self._para(align=WD_ALIGN_PARAGRAPH.CENTER, after=p.paragraph_after_pt)
                self._run(second, block["title"], bold=True)
                # a part's label and title never end a page apart from what follows them
                first.paragraph_format.keep_with_next = True
                second.paragraph_format.keep_with_next = True
            elif kind == "heading":
                level = block["level"]
                para = self._para(indent=True, after=p.paragraph_after_pt, before=3)
                para.paragraph_format.keep_with_next = True
                self._run(para, block["text"], bold=True, italic=level >= 3)
            elif kind == "paragraph":
                para = self._para(indent=True, after=p.paragraph_after_pt)
                if block.get("style") == "bullet":
                    self._run(para, "- ")
                self.segments(
                    para, block["segments"], placeholder=block.get("source") == "placeholder"
                )
            elif kind == "table":
                self.table(
                    block["columns"],
                    block["rows"],
                    block.get("widths"),
                    groups=block.get("group_rows") or (),
                )

    def segments(
        self,
        paragraph: Paragraph,
        segments: Iterable[Mapping[str, Any]],
        *,
        placeholder: bool = False,
    ) -> None:
        """Runs for text segments, and footnote references for note segments."""
        for seg in segments:
            if "note" in seg:
                self.footnote_reference(paragraph, int(seg["note"]))
                continue
            run = self._run(
                paragraph,
                str(seg.get("text", "")),
                bold=bool(seg.get("bold")),
                italic=bool(seg.get("italic")),
            )
            if placeholder:
                run.font.highlight_color = WD_COLOR_INDEX.YELLOW

    def footnote_reference(self, paragraph: Paragraph, number: int) -> None:
        """A real footnote reference (``w:footnoteReference``), superscript."""
        run = paragraph.add_run()
        run.style = self.doc.styles["Footnote Reference"]
        rpr = run._r.get_or_add_rPr()
        align = OxmlElement("w:vertAlign")
        align.set(qn("w:val"), "superscript")
        rpr.append(align)
        ref = OxmlElement("w:footnoteReference")
        ref.set(qn("w:id"), str(number))
        run._r.append(ref)

    def table(
        self,
        columns: Sequence[str],
        rows: Sequence[Sequence[str]],
        widths: Sequence[float] | None = None,
        *,
        groups: Iterable[int] = (),
    ) -> None:
        """A bordered table; ``widths`` are relative and scaled to the text width.

        The header row repeats at the top of every page the table runs onto (``w:tblHeader``)
        and no row splits across pages. A group row (its index in ``groups``) holds a
        number, then a title spanning the other columns, in bold.
        """
        size = max(self.profile.body_pt - 2, 11)
        weights = list(widths or [1.0] * len(columns))
        total = sum(weights)
        mm = [self.text_width_mm * w / total for w in weights]
        table = self._plain_table(len(rows) + 1, mm)
        table.style = self.doc.styles["Table Grid"]
        header = table.rows[0]._tr.get_or_add_trPr()
        header.append(OxmlElement("w:tblHeader"))
        for cell, text in zip(table.rows[0].cells, columns, strict=True):
            para = self._cell_paragraph(cell)
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
            self._run(para, text, size=size, bold=True)
        group_rows = set(groups)
        for index, (row, values) in enumerate(zip(table.rows[1:], rows, strict=True)):
            self._keep_row_whole(row)
            if index in group_rows and len(values) > 2:
                number = self._cell_paragraph(row.cells[0])
                number.alignment = WD_ALIGN_PARAGRAPH.CENTER
                self._run(number, str(values[0]), size=size, bold=True)
                title_cell = row.cells[1].merge(row.cells[-1])
                title = self._cell_paragraph(title_cell)
                self._run(title, str(values[1]), size=size, bold=True)
                # a group row stays on the page of its first task
                number.paragraph_format.keep_with_next = True
                title.paragraph_format.keep_with_next = True
                continue
            for cell, text in zip(row.cells, values, strict=True):
                para = self._cell_paragraph(cell)
                para.alignment = WD_ALIGN_PARAGRAPH.LEFT
                self._run(para, str(text), size=size)
        self._para(after=self.profile.paragraph_after_pt)

    def _keep_body_end_with_closing(self) -> None:
        """Tie the body's last paragraph (or a last table's last row) to the closing block.

        The closing is one row that cannot split; without this, a page break may fall just
        before it and leave the last page holding only "Nơi nhận" and the signature. Empty
        paragraphs between the last text and the closing keep with the next as well.
        """
        for child in reversed(list(self.doc.element.body)):
            if child.tag == qn("w:p"):
                paragraph = Paragraph(child, self.doc._body)
                paragraph.paragraph_format.keep_with_next = True
                if paragraph.text.strip():
                    paragraph.paragraph_format.keep_together = True
                    return
            elif child.tag == qn("w:tbl"):
                rows = child.findall(qn("w:tr"))
                if rows:
                    last = rows[-1]
                    trpr = last.get_or_add_trPr()
                    if trpr.find(qn("w:cantSplit")) is None:
                        trpr.append(OxmlElement("w:cantSplit"))
                    for p_el in last.iter(qn("w:p")):
                        Paragraph(p_el, self.doc._body).paragraph_format.keep_with_next = True
                return

    def closing(self) -> None:
        """ "Nơi nhận:" bottom left (items "- …", the last "- Lưu …"), the signature right.

        The signer's name is the context's (``signer`` of the sections file, or
        ``--signer``); without one, :data:`SIGNER_PLACEHOLDER` stands highlighted.
        """
        p = self.profile
        document = self.context["document"]
        self._keep_body_end_with_closing()
        spacer = self._para(after=p.paragraph_after_pt)
        spacer.paragraph_format.keep_with_next = True
        left_w = round(self.text_width_mm * 0.5, 1)
        table = self._plain_table(1, [left_w, self.text_width_mm - left_w])
        self._keep_row_whole(table.rows[0])
        left, right = table.rows[0].cells
        label = self._cell_paragraph(left)
        label.alignment = WD_ALIGN_PARAGRAPH.LEFT
        self._run(
            label, p.recipients_label, size=p.recipients_pt, bold=True, italic=True, underline=True
        )
        for item in document["recipients"]:
            para = self._para(left, align=WD_ALIGN_PARAGRAPH.LEFT)
            self._run(para, f"- {item}", size=p.recipients_pt)
        signature = document["signature"]
        first = True
        for line in signature["lines"]:
            para = (
                self._cell_paragraph(right)
                if first
                else self._para(right, align=WD_ALIGN_PARAGRAPH.CENTER)
            )
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
            self._run(para, line, size=p.signature_pt, bold=True)
            first = False
        for _ in range(4):
            self._para(right, align=WD_ALIGN_PARAGRAPH.CENTER)
        name = self._para(right, align=WD_ALIGN_PARAGRAPH.CENTER)
        signer = str(signature.get("name") or "").strip()
        run = self._run(name, signer or SIGNER_PLACEHOLDER, size=p.signature_pt, bold=True)
        if not signer:
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW
        # every paragraph of the closing row keeps with the next: LibreOffice then keeps the
        # row with what precedes it, as Word does for a row that cannot split
        for cell in (left, right):
            for para in cell.paragraphs:
                para.paragraph_format.keep_with_next = True

    # --- footnotes ------------------------------------------------------------------------

    def _footnotes_xml(self, notes: Sequence[Mapping[str, Any]]) -> bytes:
        p = self.profile
        size = _half_points(p.footnote_pt)
        fonts = (
            f'<w:rFonts w:ascii="{escape(p.font)}" w:hAnsi="{escape(p.font)}" '
            f'w:eastAsia="{escape(p.font)}" w:cs="{escape(p.font)}"/>'
        )
        plain = f'<w:rPr>{fonts}<w:sz w:val="{size}"/><w:szCs w:val="{size}"/></w:rPr>'
        mark = self._style_id("Footnote Reference")
        sup = (
            f'<w:rPr><w:rStyle w:val="{mark}"/>{fonts}'
            f'<w:vertAlign w:val="superscript"/><w:sz w:val="{size}"/>'
            f'<w:szCs w:val="{size}"/></w:rPr>'
        )
        spacing = '<w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>'
        parts = [
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:footnotes '
            f'xmlns:w="{_W}">',
            f'<w:footnote w:type="separator" w:id="-1"><w:p>{spacing}<w:r><w:separator/></w:r>'
            "</w:p></w:footnote>",
            f'<w:footnote w:type="continuationSeparator" w:id="0"><w:p>{spacing}<w:r>'
            "<w:continuationSeparator/></w:r></w:p></w:footnote>",
        ]
        for note in notes:
            parts.append(
                f'<w:footnote w:id="{int(note["number"])}"><w:p><w:pPr>'
                f'<w:pStyle w:val="{self._style_id("Footnote Text")}"/><w:jc w:val="both"/>'
                f'<w:spacing w:after="0"/></w:pPr><w:r>{sup}<w:footnoteRef/></w:r>'
                f'<w:r>{plain}<w:t xml:space="preserve"> {escape(str(note["text"]))}</w:t></w:r>'
                "</w:p></w:footnote>"
            )
        parts.append("</w:footnotes>")
        return "".join(parts).encode("utf-8")

    def _style_id(self, name: str) -> str:
        return str(self.doc.styles[name].style_id)

    def footnotes(self, notes: Sequence[Mapping[str, Any]]) -> None:
        """Add ``word/footnotes.xml`` with every footnote, and tell the settings about it."""
        if not notes:
            return
        part = Part(
            PackURI("/word/footnotes.xml"),
            _FOOTNOTES_TYPE,
            self._footnotes_xml(notes),
            self.doc.part.package,
        )
        self.doc.part.relate_to(part, RT.FOOTNOTES)
        settings = self.doc.settings.element
        footnote_pr = OxmlElement("w:footnotePr")
        for ident in ("-1", "0"):
            ref = OxmlElement("w:footnote")
            ref.set(qn("w:id"), ident)
            footnote_pr.append(ref)
        # the schema orders w:footnotePr just before w:endnotePr and w:compat
        anchor = next((c for c in settings if c.tag in (qn("w:endnotePr"), qn("w:compat"))), None)
        if anchor is not None:
            anchor.addprevious(footnote_pr)
        else:
            settings.append(footnote_pr)

    def build(self) -> DocumentObject:
        """The whole document, in the order the Party format sets."""
        self.header()
        self.title()
        self.blocks(self.context["blocks"])
        self.closing()
        self.footnotes(self.context["footnotes"])
        return self.doc
