"""dvcore-docx: Word reports in the Party document format, and docxtpl templates.

Install it beside dvcore and ``dvcore export --exporter docx`` writes the periodic report
(seed 000's outline filled as seed 001 is), the commune term report (seed 003, every blank
filled) or the follow-up of a conclusion (seed 004); ``--template`` renders your own
docxtpl template with the same context.
"""

from __future__ import annotations

from dvcore_docx.exporter import DocxExporter, render_template

__all__ = ["DocxExporter", "render_template"]
