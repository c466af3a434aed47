"""The plugin's indicator and the extractor that feeds it."""

from __future__ import annotations

from dvcore.events import EventData
from dvcore.indicators import Contribution, Indicator
from dvcore_example.events import VolunteerHoursReported

__all__ = ["VOLUNTEER_HOURS", "extract_hours"]


def extract_hours(data: EventData) -> list[Contribution]:
    """What one report contributes: its hours, on the window's last day, by activity."""
    assert isinstance(data, VolunteerHoursReported)
    return [
        Contribution(
            indicator="volunteer.hours",
            value=data.hours,
            dims={"activity": data.activity},
            day=data.window.end,
            window_start=data.window.start,
        )
    ]


#: Hours of volunteer work: a flow (hours add up over time and across units), broken down
#: by activity and by the level of the unit that reported.
VOLUNTEER_HOURS = Indicator(
    code="volunteer.hours",
    title="Giờ tình nguyện",
    unit_label="giờ",
    dimensions=("activity", "level"),
    source="dvcore-example",
    extractors={VolunteerHoursReported.type_name: extract_hours},
)
