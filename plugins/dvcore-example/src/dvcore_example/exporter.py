"""The plugin's exporter: a one-page Markdown summary of volunteer hours."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from dvcore.indicators import format_number
from dvcore_example.events import ACTIVITY_LABELS

__all__ = ["VolunteerExporter"]


@attrs.frozen
class VolunteerExporter:
    """Writes ``volunteer.hours`` of the report's unit and period, by activity, as Markdown.

    It reads the report context that ``dvcore export`` hands every exporter: ``unit_name``,
    ``period_text`` and the ``snapshot``. Same context, same bytes.
    """

    name: str = "volunteer-md"
    suffix: str = ".md"

    def export(self, context: Mapping[str, Any], path: Path) -> Path:
        """Write the summary to ``path`` and return it."""
        snapshot = context["snapshot"]
        unit = context.get("unit_name") or context["unit"]
        period = context.get("period_text") or snapshot.period.spec
        figures = snapshot.figures.get("volunteer.hours")
        total = (0 if figures is None else figures.value) or 0
        by_activity = {} if figures is None else figures.by.get("activity", {})
        lines = [
            f"# Giờ tình nguyện — {unit}",
            "",
            f"{period}: **{format_number(total)} giờ**.",
            "",
            "| Lĩnh vực | Số giờ |",
            "|---|---:|",
        ]
        for activity, label in ACTIVITY_LABELS.items():
            lines.append(f"| {label} | {format_number(by_activity.get(activity, 0))} |")
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path
