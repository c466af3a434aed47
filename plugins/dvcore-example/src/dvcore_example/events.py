"""The plugin's event type: hours of volunteer work over a window."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar, Literal

import attrs

from dvcore.events import EventData, Window

__all__ = ["Activity", "VolunteerHoursReported"]

Activity = Literal["environment", "traffic", "social", "other"]

#: The Vietnamese labels of the activities: the CSV and Excel channels accept them, the
#: workbook template's drop-down list offers them.
ACTIVITY_LABELS = {
    "environment": "Bảo vệ môi trường",
    "traffic": "An toàn giao thông",
    "social": "An sinh xã hội",
    "other": "Khác",
}


def _not_negative(_inst: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if isinstance(value, bool) or value < 0:
        raise ValueError(f"'{attribute.name}' must not be negative, got {value!r}")


@attrs.frozen(kw_only=True)
class VolunteerHoursReported(EventData):
    """Hours of volunteer work (giờ tình nguyện) a unit's members gave over a window.

    ``hours`` is a :class:`~decimal.Decimal` (half hours are common); ``volunteers`` counts
    the people. The ``label`` metadata are the Vietnamese column headers of the CSV and
    Excel tables.
    """

    type_name: ClassVar[str] = "VolunteerHoursReported"
    schema_version: ClassVar[int] = 1
    label: ClassVar[str] = "Giờ tình nguyện"

    window: Window = attrs.field(metadata={"label": "Kỳ báo cáo"})
    activity: Activity = attrs.field(
        validator=attrs.validators.in_(frozenset(ACTIVITY_LABELS)),
        metadata={"label": "Lĩnh vực", "value_labels": ACTIVITY_LABELS},
    )
    volunteers: int = attrs.field(validator=_not_negative, metadata={"label": "Số người"})
    hours: Decimal = attrs.field(validator=_not_negative, metadata={"label": "Số giờ"})
