"""Report contexts: every figure and every word of one report, computed once, for exporters.

:func:`build_context` asks a store for the figures of a unit and a period and words them
as a Party report words them; every exporter (:class:`dvcore.Exporter`) renders the
dictionary it returns and computes nothing itself. :class:`ReportContext` names the
context's top-level keys and their types; ``docs/reports.md`` describes each one, and the
nested dictionaries (``blocks``, ``figures``, ``target_rows``…) in detail.

This module is the public face of the reports; the code behind it lives in a private
module and may move. Import from here::

    from dvcore.reports import ReportContext, build_context

    context: ReportContext = build_context(store, unit="HP", period="2023-9M")
    context["figure"]["dialogue.count"]["value"]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any, Literal, ParamSpec, TypedDict, cast

from dvcore._builtin import report as _report
from dvcore.indicators import Snapshot
from dvcore.periods import Period
from dvcore.tables import value_label

__all__ = [
    "DIMENSION_LABELS",
    "REPORT_KINDS",
    "REPORT_KIND_LABELS",
    "ReportContext",
    "build_context",
    "has_data",
    "item_label",
    "level_label",
]

_P = ParamSpec("_P")

#: The reports :func:`build_context` computes (its ``report`` argument).
REPORT_KINDS: tuple[str, ...] = tuple(_report.REPORTS)


class _TermKeys(TypedDict, total=False):
    # (a base class, not NotRequired: Python 3.11 cannot see NotRequired in the string
    # annotations `from __future__ import annotations` makes)
    blanks: dict[str, dict[str, Any]]
    term_text: str


class ReportContext(_TermKeys):
    """The top-level keys of a report context, as :func:`build_context` returns it.

    Values are plain data (texts, numbers, dates, lists and dictionaries) except
    ``period`` (a :class:`dvcore.Period`), ``snapshot`` (a :class:`dvcore.Snapshot`),
    ``targets`` (:class:`dvcore.TargetResult` values) and ``profile`` (the Word format
    profile). ``blanks`` and ``term_text`` are there for the ``term-commune`` report only.
    """

    report: Literal["periodic", "term-commune", "follow-up"]
    unit: str
    unit_name: str
    unit_kind: str
    unit_kind_name: str
    unit_level: str
    committee: str
    period: Period
    period_spec: str
    period_start: dt.date
    period_end: dt.date
    period_text: str
    as_of: dt.date
    as_of_text: str
    as_known_at: dt.datetime | None
    as_known_at_text: str
    accepted_only: bool
    snapshot: Snapshot
    figures: list[dict[str, Any]]
    figure: dict[str, dict[str, Any]]
    profile: Any
    profile_name: str
    placeholder: str
    missing_text: str
    sections_file: str
    targets: list[Any]
    target_rows: list[dict[str, Any]]
    tasks: list[dict[str, Any]]
    document: dict[str, Any]
    blocks: list[dict[str, Any]]
    footnotes: list[dict[str, Any]]
    units: list[dict[str, Any]]
    units_table: list[dict[str, Any]]
    previous: dict[str, Any] | None
    events: list[dict[str, Any]]
    events_truncated: bool


def _typed(function: Callable[_P, dict[str, Any]]) -> Callable[_P, ReportContext]:
    """``function`` itself, its result typed as a :class:`ReportContext` (its arguments
    keep their types; nothing is wrapped, so its signature and docstring are its own)."""
    return cast("Callable[_P, ReportContext]", function)


build_context = _typed(_report.build_context)


# --- the words exporters show for the context's codes ------------------------------------

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
