"""The follow-up of a conclusion in Word: its tasks with owner, due date and status.

The context lists the tasks overdue first; the table block holds them in that order.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from docx.document import Document as DocumentObject

from dvcore_docx._layout import Layout

__all__ = ["build"]


def build(context: Mapping[str, Any]) -> DocumentObject:
    """The follow-up report as a python-docx document."""
    return Layout(context).build()
