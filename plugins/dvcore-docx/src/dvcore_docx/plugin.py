"""dvcore-docx's hook implementations (entry point ``dvcore`` → ``dvcore_docx.plugin``)."""

from __future__ import annotations

from typing import Any

from dvcore import hookimpl

__all__ = ["dvcore_register_exporters"]


@hookimpl
def dvcore_register_exporters() -> list[Any]:
    """The Word exporter."""
    from dvcore_docx.exporter import DocxExporter

    return [DocxExporter()]
