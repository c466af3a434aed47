"""The hook implementations dvcore finds through the ``dvcore`` entry point."""

from __future__ import annotations

from dvcore import Exporter, InputChannel, hookimpl
from dvcore_xlsx.channel import XlsxChannel


@hookimpl
def dvcore_register_input_channels() -> list[InputChannel]:
    """The ``xlsx`` channel: one sheet per event type."""
    return [XlsxChannel()]


@hookimpl
def dvcore_register_exporters() -> list[Exporter]:
    """The ``xlsx`` exporter: figures, targets, units and the events behind them."""
    from dvcore_xlsx.exporter import XlsxExporter

    return [XlsxExporter()]
