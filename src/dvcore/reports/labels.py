"""The words exporters show for the context's codes: levels, dimensions, report kinds.

The context words its prose itself (:mod:`dvcore.reports.wording`); tables and charts
show codes (a breakdown's keys, a level) and name them with these.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dvcore.tables import value_label

# A level as a table or a chart names it (the context words levels for prose).
_LEVELS: Mapping[str, str] = {
    "city": "cấp thành phố",
    "district": "cấp quận, huyện",
    "commune": "cấp xã, phường",
    "other": "khác",
}
_PROVINCE_LEVELS: Mapping[str, str] = {**_LEVELS, "city": "cấp tỉnh", "district": "cấp huyện"}

#: A breakdown's dimension as a heading names it ("Cuộc đối thoại … theo cấp").
DIMENSION_LABELS: Mapping[str, str] = {
    "level": "cấp",
    "host": "người chủ trì",
    "field": "lĩnh vực",
    "kind": "loại",
    "activity": "hoạt động",
    "group": "nhóm đơn vị",
}

#: A report kind (the context's ``report``) as a reader names it.
REPORT_KIND_LABELS: Mapping[str, str] = {
    "periodic": "báo cáo định kỳ",
    "term-commune": "báo cáo nhiệm kỳ cấp xã",
    "follow-up": "báo cáo theo dõi thực hiện kết luận",
}


def level_label(level: str, context: Mapping[str, Any]) -> str:
    """A level code (``city``…) in Vietnamese, a province's levels named as a province's."""
    words = _PROVINCE_LEVELS if context.get("unit_kind") == "province" else _LEVELS
    return words.get(level, level)


def item_label(dimension: str, item: Mapping[str, Any], context: Mapping[str, Any]) -> str:
    """A breakdown key's Vietnamese label: the context's, else the tables' value label
    (:func:`dvcore.tables.value_label`), so no code reaches the reader."""
    label = str(item["label"])
    if label != item["key"]:
        return label
    return level_label(label, context) if dimension == "level" else value_label(label)


def has_data(figure: Mapping[str, Any] | None) -> bool:
    """Whether a figure of the year before rests on any recorded fact.

    A count nothing was recorded for is 0 in a snapshot and a stock is null: neither is a
    figure of that year, and neither may be drawn or shown as one.
    """
    if figure is None or figure.get("value") is None:
        return False
    return bool(figure["value"]) or any(figure.get("by", {}).values())
