"""The sections file: the writer's own text under each heading of a report.

The file is read by :mod:`dvcore.narrative` (markdown-it-py for the Markdown, PyYAML for the
front matter), the same reader that reads a subordinate unit's own report; this module
turns a paragraph's ``**bold**`` and ``*italic*`` into the segments the blocks carry.
"""

from __future__ import annotations

import re
from typing import Any

from dvcore.narrative import Sections, parse_sections, read_sections

__all__ = ["Sections", "inline_segments", "parse_sections", "read_sections"]


INLINE = re.compile(r"\*\*(.+?)\*\*|\*(.+?)\*")


def inline_segments(text: str) -> list[dict[str, Any]]:
    """``**bold**`` and ``*italic*`` into segments."""
    out: list[dict[str, Any]] = []
    pos = 0
    for match in INLINE.finditer(text):
        if match.start() > pos:
            out.append({"text": text[pos : match.start()]})
        if match.group(1) is not None:
            out.append({"text": match.group(1), "bold": True})
        else:
            out.append({"text": match.group(2), "italic": True})
        pos = match.end()
    if pos < len(text):
        out.append({"text": text[pos:]})
    return out
