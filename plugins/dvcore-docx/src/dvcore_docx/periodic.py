"""The periodic report in Word: seed 000's outline, seed 001's wording, the Party format.

The context's blocks already hold Part 1 (sections I–VI) and Part 2, each figure worded as
seed 001 words it and its breakdowns as footnotes; this module lays them out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from docx.document import Document as DocumentObject

from dvcore_docx._layout import Layout

__all__ = ["build"]


def build(context: Mapping[str, Any]) -> DocumentObject:
    """The periodic report as a python-docx document."""
    return Layout(context).build()
