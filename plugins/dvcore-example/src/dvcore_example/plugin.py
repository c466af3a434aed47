"""The hook implementations: what the plugin gives dvcore.

dvcore imports this module through the ``dvcore`` entry point of ``pyproject.toml`` and
calls each ``@dvcore.hookimpl`` function whose name matches one of its hooks
(:mod:`dvcore.hookspecs`); a misspelled name is an error, not a silent no-op.
"""

from __future__ import annotations

from dvcore import Exporter, hookimpl
from dvcore.events import EventData
from dvcore.indicators import Indicator
from dvcore_example.events import VolunteerHoursReported
from dvcore_example.exporter import VolunteerExporter
from dvcore_example.indicators import VOLUNTEER_HOURS


@hookimpl
def dvcore_register_event_types() -> list[type[EventData]]:
    """The plugin's event type."""
    return [VolunteerHoursReported]


@hookimpl
def dvcore_register_indicators() -> list[Indicator]:
    """The plugin's indicator."""
    return [VOLUNTEER_HOURS]


@hookimpl
def dvcore_register_exporters() -> list[Exporter]:
    """The plugin's exporter."""
    return [VolunteerExporter()]
