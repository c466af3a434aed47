"""dvcore-html's hook implementations (entry point ``dvcore`` → ``dvcore_html.plugin``)."""

from __future__ import annotations

from typing import Any

from dvcore import hookimpl

__all__ = ["dvcore_register_exporters"]


@hookimpl
def dvcore_register_exporters() -> list[Any]:
    """The HTML exporter."""
    from dvcore_html.exporter import HtmlExporter

    return [HtmlExporter()]
