"""dvcore-example: the plugin that ``docs/plugins.md`` walks through.

dvcore finds it through the ``dvcore`` entry point (``dvcore_example.plugin``).
"""

from __future__ import annotations

from dvcore_example.events import VolunteerHoursReported
from dvcore_example.exporter import VolunteerExporter
from dvcore_example.indicators import VOLUNTEER_HOURS

__version__ = "0.1.0"

__all__ = ["VOLUNTEER_HOURS", "VolunteerExporter", "VolunteerHoursReported", "__version__"]
