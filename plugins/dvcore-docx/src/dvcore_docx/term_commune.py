"""The commune's whole-term report in Word, in seed 003's outline.

A sentence is printed only when the events give its figures; where the commune's own text
goes, the placeholder stands highlighted until the writer supplies it
(:mod:`dvcore.reports.term`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from docx.document import Document as DocumentObject

from dvcore_docx._layout import Layout

__all__ = ["build"]


def build(context: Mapping[str, Any]) -> DocumentObject:
    """The term report of one commune as a python-docx document."""
    return Layout(context).build()
