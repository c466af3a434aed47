"""dvcore-docx's hook implementations (entry point ``dvcore`` → ``dvcore_docx.plugin``)."""

from __future__ import annotations

from dvcore import Exporter, InputChannel, hookimpl

__all__ = ["dvcore_register_exporters", "dvcore_register_input_channels"]


@hookimpl
def dvcore_register_exporters() -> list[Exporter]:
    """The Word exporter."""
    from dvcore_docx.exporter import DocxExporter

    return [DocxExporter()]


@hookimpl
def dvcore_register_input_channels() -> list[InputChannel]:
    """The ``docx`` channel: a unit's own Word report as its narrative for the period."""
    from dvcore_docx.narrative import DocxNarrativeChannel

    return [DocxNarrativeChannel()]
