"""The ``markdown`` input channel: a subordinate unit's own report, in the sections file's
Markdown, becomes its :class:`~dvcore.events.NarrativeSubmitted` events for the period.

``dvcore import bao-cao.md --unit Q1 --period 2023-9M``; the front matter may say the unit
and the period instead (``unit: Q1``, ``period: 2023-9M``). See :mod:`dvcore.narrative`.
"""

from __future__ import annotations

import attrs

from dvcore.narrative import NarrativeChannel

__all__ = ["MarkdownChannel"]


@attrs.frozen(kw_only=True)
class MarkdownChannel(NarrativeChannel):
    """Reads ``.md`` files with :func:`dvcore.narrative.read_sections`."""

    name: str = "markdown"
    suffixes: tuple[str, ...] = (".md", ".markdown")
