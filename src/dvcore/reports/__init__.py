"""Report contexts: every figure and every word of one report, computed once, for exporters.

:func:`build_context` asks a store for the figures of a unit and a period and words them
as a Party report words them; every exporter (:class:`dvcore.Exporter`) renders the
dictionary it returns and computes nothing itself. :class:`ReportContext` names the
context's top-level keys and their types; ``docs/reports.md`` describes each one, and the
nested dictionaries (``blocks``, ``figures``, ``target_rows``…) in detail::

    from dvcore.reports import ReportContext, build_context

    context: ReportContext = build_context(store, unit="HP", period="2023-9M")
    context["figure"]["dialogue.count"]["value"]

The package, one module per job:

- :mod:`dvcore.reports.context`: :func:`build_context` and :class:`ReportContext`;
- :mod:`dvcore.reports.periodic`, :mod:`dvcore.reports.term`,
  :mod:`dvcore.reports.follow_up`: one module per report kind;
- :mod:`dvcore.reports.wording`: how every report words counts, dates, periods, units
  and documents;
- :mod:`dvcore.reports.sections`: the writer's sections file;
- :mod:`dvcore.reports.document`: header blocks, number, date, recipients, signature;
- :mod:`dvcore.reports.labels`: the words tables and charts show for codes.
"""

from __future__ import annotations

from dvcore.reports.context import REPORTS, ReportContext, ReportKind, build_context
from dvcore.reports.labels import (
    DIMENSION_LABELS,
    REPORT_KIND_LABELS,
    has_data,
    item_label,
    level_label,
)
from dvcore.reports.sections import Sections, read_sections
from dvcore.reports.wording import (
    MISSING,
    PLACEHOLDER,
    committee_name,
    count_text,
    document_word,
    kind_name,
    period_text,
)

__all__ = [
    "DIMENSION_LABELS",
    "MISSING",
    "PLACEHOLDER",
    "REPORTS",
    "REPORT_KINDS",
    "REPORT_KIND_LABELS",
    "ReportContext",
    "ReportKind",
    "Sections",
    "build_context",
    "committee_name",
    "count_text",
    "document_word",
    "has_data",
    "item_label",
    "kind_name",
    "level_label",
    "period_text",
    "read_sections",
]

#: The reports :func:`build_context` computes (its ``report`` argument); kept under the
#: name exporters used before :data:`REPORTS`.
REPORT_KINDS: tuple[str, ...] = REPORTS
