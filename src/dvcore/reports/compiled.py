"""The narrative a report compiles: the unit's own text and its subordinates', by section.

A unit sends its own report's text as :class:`~dvcore.events.NarrativeSubmitted` events
(:mod:`dvcore.narrative`). A report of a unit places, under each section of its outline,
the writer's own text (the sections file, else the unit's own narrative in the store), the
figures, then the text each direct subordinate unit sent for the period, named and in the
tree's order. A section id the outline does not have (``II.1.2``, ``II.6``) goes under the
nearest section it belongs to, so nothing a unit wrote is left out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dvcore.events import NarrativeReport
from dvcore.narrative import Paragraph, read_narratives, section_order
from dvcore.reports.blocks import Blocks
from dvcore.reports.reader import Reader


class Narrative:
    """The narrative of one report: its unit's own and each direct subordinate's."""

    def __init__(
        self,
        reader: Reader,
        outline: Sequence[str],
        *,
        report: NarrativeReport = "periodic",
        subordinates: bool = True,
    ) -> None:
        self.outline = list(outline)
        per = reader.period
        children = (
            reader.children(reader.unit, per.end)
            if subordinates and reader.tree.exists(reader.unit, per.end)
            else []
        )
        texts = read_narratives(
            reader.store,
            [reader.unit, *children],
            per,
            as_known_at=reader.as_known_at,
            report=report,
        )
        self.own = self._placed(texts.get(reader.unit, {}))
        #: (unit code, unit name, section → paragraphs), in the tree's order
        self.subordinates: list[tuple[str, str, dict[str, list[Paragraph]]]] = [
            (child, reader.name(child, per.end), self._placed(texts[child]))
            for child in children
            if texts.get(child)
        ]

    def home(self, section: str) -> str:
        """The outline's section that holds ``section``'s text."""
        if section in self.outline:
            return section
        parts = section.split(".")
        while len(parts) > 1:
            parts.pop()
            if ".".join(parts) in self.outline:
                return ".".join(parts)
        key = section_order(section)
        before = [s for s in self.outline if section_order(s) <= key]
        return before[-1] if before else self.outline[0]

    def _placed(self, texts: Mapping[str, list[Paragraph]]) -> dict[str, list[Paragraph]]:
        placed: dict[str, list[Paragraph]] = {}
        for section, paragraphs in texts.items():
            placed.setdefault(self.home(section), []).extend(paragraphs)
        return placed

    def wrote(self, section: str) -> bool:
        """Whether anybody (the unit or a subordinate) wrote under ``section``."""
        return bool(self.own.get(section)) or any(
            texts.get(section) for _c, _n, texts in self.subordinates
        )

    def write_own(
        self,
        doc: Blocks,
        section: str,
        written: Mapping[str, list[Paragraph]],
        *,
        placeholder: bool = True,
    ) -> None:
        """The writer's text under ``section``: ``written`` (the sections file), else the
        unit's own narrative; else, with ``placeholder``, the placeholder where nobody (nor
        a subordinate) wrote."""
        own = written.get(section) or self.own.get(section)
        if own:
            doc.user_text(section, own)
        elif placeholder and not self.wrote(section):
            doc.placeholder(section)

    def write_subordinates(self, doc: Blocks, section: str) -> None:
        """What each direct subordinate wrote under ``section``, named, in the tree's order."""
        for code, name, texts in self.subordinates:
            doc.narrative(section, code, name, texts.get(section, []))

    def rows(self) -> list[dict[str, Any]]:
        """The compiled narrative as plain rows, for exporters: one per unit and section."""
        out: list[dict[str, Any]] = []
        for section in self.outline:
            for code, name, texts in self.subordinates:
                if texts.get(section):
                    out.append(
                        {
                            "section": section,
                            "unit": code,
                            "unit_name": name,
                            "paragraphs": [list(p) for p in texts[section]],
                        }
                    )
        return out
