"""The commune's whole-term report in Word: seed 003's template with every blank filled.

A blank the store had nothing for reads "(chưa có số liệu)", in italics so that the commune
sees at a glance what is left to supply.
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
