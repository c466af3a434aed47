"""dvcore-docx's hook implementations (entry point ``dvcore`` → ``dvcore_docx.plugin``)."""

from __future__ import annotations

from dvcore import Exporter, hookimpl

__all__ = ["dvcore_register_exporters"]


@hookimpl
def dvcore_register_exporters() -> list[Exporter]:
    """The Word exporter."""
    from dvcore_docx.exporter import DocxExporter

    return [DocxExporter()]
