"""dvcore's built-ins, registered through the same hooks as any outside plugin."""

from __future__ import annotations

from typing import Any

from dvcore.events import CORE_EVENT_TYPES, EventData
from dvcore.hookspecs import hookimpl
from dvcore.indicators import CORE_INDICATORS, Indicator


@hookimpl
def dvcore_register_event_types() -> list[type[EventData]]:
    """The core event catalogue."""
    return list(CORE_EVENT_TYPES)


@hookimpl
def dvcore_register_indicators() -> list[Indicator]:
    """The core indicators."""
    return list(CORE_INDICATORS)


@hookimpl
def dvcore_register_input_channels() -> list[Any]:
    """The JSON Lines, CSV and Markdown narrative channels."""
    from dvcore._builtin.csv_channel import CsvChannel
    from dvcore._builtin.jsonl import JsonLinesChannel
    from dvcore._builtin.narrative_channel import MarkdownChannel

    return [JsonLinesChannel(), CsvChannel(), MarkdownChannel()]


@hookimpl
def dvcore_register_exporters() -> list[Any]:
    """The JSON and Markdown exporters."""
    from dvcore._builtin.json_export import JsonExporter
    from dvcore._builtin.markdown_export import MarkdownExporter

    return [JsonExporter(), MarkdownExporter()]
