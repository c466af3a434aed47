"""dvcore-html's hook implementations (entry point ``dvcore`` → ``dvcore_html.plugin``)."""

from __future__ import annotations

from dvcore import Exporter, hookimpl

__all__ = ["dvcore_register_exporters"]


@hookimpl
def dvcore_register_exporters() -> list[Exporter]:
    """The HTML exporter."""
    from dvcore_html.exporter import HtmlExporter

    return [HtmlExporter()]
