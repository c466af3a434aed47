"""dvcore-html: a report as one self-contained HTML page with SVG charts."""

from __future__ import annotations

from dvcore_html.exporter import HtmlExporter, render_html

__all__ = ["HtmlExporter", "render_html"]
