"""The document being built: headings, paragraphs, tables and footnotes in order."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dvcore.reports.sections import inline_segments
from dvcore.reports.wording import PLACEHOLDER, superscript


class Blocks:
    """Collects blocks and footnotes in document order."""

    def __init__(self) -> None:
        self.blocks: list[dict[str, Any]] = []
        self.footnotes: list[dict[str, Any]] = []
        #: the subordinates' narrative placed in the blocks (:mod:`dvcore.reports.compiled`)
        self.narrative_rows: list[dict[str, Any]] = []

    def note(self, text: str) -> dict[str, Any]:
        """A footnote; returns the segment that refers to it."""
        number = len(self.footnotes) + 1
        self.footnotes.append({"number": number, "text": text})
        return {"note": number}

    def heading(self, section: str, level: int, number: str, title: str) -> None:
        text = f"{number} {title}".strip()
        self.blocks.append(
            {
                "kind": "heading",
                "section": section,
                "level": level,
                "number": number,
                "title": title,
                "text": text,
            }
        )

    def part(self, section: str, label: str, title: str) -> None:
        self.blocks.append(
            {
                "kind": "part",
                "section": section,
                "label": label,
                "title": title,
                "text": f"{label}: {title}",
            }
        )

    def paragraph(
        self,
        section: str,
        segments: Sequence[dict[str, Any] | str],
        *,
        source: str = "figure",
        style: str = "body",
    ) -> None:
        segs = [{"text": s} if isinstance(s, str) else s for s in segments]
        plain = "".join(s.get("text", "") for s in segs)
        refs = "".join(str(s["text"]) if "text" in s else superscript(int(s["note"])) for s in segs)
        self.blocks.append(
            {
                "kind": "paragraph",
                "section": section,
                "source": source,
                "style": style,
                "segments": segs,
                "text": plain,
                "text_with_refs": refs,
            }
        )

    def table(
        self,
        section: str,
        columns: list[str],
        rows: list[list[str]],
        widths: list[float],
        *,
        groups: Sequence[int] = (),
    ) -> None:
        """A table; ``groups`` are the indexes of group rows (a number, then a title that
        spans the other columns)."""
        self.blocks.append(
            {
                "kind": "table",
                "section": section,
                "columns": columns,
                "rows": rows,
                "widths": widths,
                "group_rows": list(groups),
            }
        )

    def user_text(self, section: str, paragraphs: Sequence[tuple[str, str]]) -> None:
        for style, text in paragraphs:
            if style == "subheading":
                self.heading(section, 3, "", text)
            else:
                self.paragraph(section, inline_segments(text), source="user", style=style)

    def narrative(
        self, section: str, unit: str, unit_name: str, paragraphs: Sequence[tuple[str, str]]
    ) -> None:
        """A subordinate unit's own text for ``section``, after a line naming the unit.

        Its blocks carry ``source`` ``narrative`` and the ``unit`` that wrote them, so the
        writer of the compiled draft sees whose words each paragraph is.
        """
        if not paragraphs:
            return
        self.paragraph(
            section, [{"text": f"{unit_name}:", "bold": True, "italic": True}], source="narrative"
        )
        self.blocks[-1]["unit"] = unit
        for style, text in paragraphs:
            if style == "subheading":
                self.heading(section, 3, "", text)
                self.blocks[-1]["source"] = "narrative"
            else:
                self.paragraph(section, inline_segments(text), source="narrative", style=style)
            self.blocks[-1]["unit"] = unit

    def placeholder(self, section: str) -> None:
        self.paragraph(section, [{"text": PLACEHOLDER, "italic": True}], source="placeholder")
