"""The report context: every figure of a report computed once, for exporters to render."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal, TypedDict, cast

from dvcore._builtin.profiles import FormatProfile, get_profile, profile_for
from dvcore.errors import InputError, UnknownUnitError
from dvcore.indicators import Snapshot
from dvcore.periods import VIETNAM, Period, parse_date, parse_instant
from dvcore.reports.blocks import Blocks
from dvcore.reports.document import document_details
from dvcore.reports.figures import event_rows, figure_rows, unit_row, units_table
from dvcore.reports.follow_up import follow_up_blocks
from dvcore.reports.periodic import periodic_blocks
from dvcore.reports.reader import AcceptedOnly, Reader
from dvcore.reports.sections import Sections, read_sections
from dvcore.reports.term import term_blocks
from dvcore.reports.wording import (
    MISSING,
    PLACEHOLDER,
    committee_name,
    kind_name,
    level_words_for,
    period_text,
    short_date,
)
from dvcore.units import level_of

ReportKind = Literal["periodic", "term-commune", "follow-up"]
#: The reports :func:`build_context` computes (its ``report`` argument).
REPORTS: tuple[ReportKind, ...] = ("periodic", "term-commune", "follow-up")


class _OptionalKeys(TypedDict, total=False):
    # (a base class, not NotRequired: Python 3.11 cannot see NotRequired in the string
    # annotations `from __future__ import annotations` makes)
    blanks: dict[str, dict[str, Any]]
    term_text: str
    # the user's Word template (``dvcore export --template``), set by the command line
    template: Path | None


class ReportContext(_OptionalKeys):
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
    narrative: list[dict[str, Any]]
    units: list[dict[str, Any]]
    units_table: list[dict[str, Any]]
    previous: dict[str, Any] | None
    events: list[dict[str, Any]]
    events_truncated: bool


def as_date(value: dt.date | str | None) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return parse_date(value)


def as_instant(value: dt.datetime | str | None) -> dt.datetime | None:
    # None is "now"; anything else follows the library's one rule (dvcore.periods.parse_instant)
    return None if value is None else parse_instant(value)


# --- the public function --------------------------------------------------------------------


def _report_date(
    date: dt.date | str | None, sections: Sections, when: dt.datetime | None, per: Period
) -> tuple[dt.date, str]:
    """The report's own date and where it comes from: the ``date`` asked for, the sections
    file's, the day the figures are known at, else the period's last day — today only while
    the period still runs, and then ``date_source`` says so."""
    if date is not None:
        return as_date(date) or per.end, "argument"
    meta = as_date(sections.meta.get("date"))
    if meta is not None:
        return meta, "sections"
    if when is not None:
        return when.astimezone(VIETNAM).date(), "as_known_at"
    today = dt.datetime.now(VIETNAM).date()
    if per.end <= today:
        return per.end, "period_end"
    return today, "today"


def build_context(
    store: Any,
    *,
    unit: str,
    period: str | Period,
    as_of: dt.date | str | None = None,
    as_known_at: dt.datetime | str | None = None,
    report: ReportKind | str = "periodic",
    sections: Sections | Path | str | None = None,
    profile: str | FormatProfile | None = None,
    number: str | None = None,
    superior: str | None = None,
    issuer: str | None = None,
    place: str | None = None,
    date: dt.date | str | None = None,
    signature: str | Sequence[str] | None = None,
    signer: str | None = None,
    recipients: Sequence[str] | None = None,
    conclusion: str | None = None,
    children: bool = True,
    compare: bool = True,
    include_events: bool = False,
    max_events: int = 1_000_000,
    accepted_only: bool = False,
) -> ReportContext:
    """Compute every figure of one report once, and return the context exporters render.

    :param unit: the unit reported on (its subtree).
    :param period: a period spec (``2023-9M``, ``2020-2025``…) or a :class:`Period`.
    :param as_of: the targets' cut-off date (default: the period's last day).
    :param as_known_at: the figures as the store knew them at this instant.
    :param report: ``periodic``, ``term-commune`` or ``follow-up``.
    :param sections: the user's sections file (:func:`read_sections`), or a path to one.
    :param profile: a format profile's name (default: the one in force on the document's date).
    :param number: the document number, e.g. ``215-BC/BDVTU`` (default: a blank to fill).
    :param date: the document's date (default: the sections file's, else the day of
        ``as_known_at`` in Vietnam, else the period's last day, or today while it runs;
        ``document["date_source"]`` says which).
    :param signature: e.g. ``"K/T TRƯỞNG BAN / PHÓ TRƯỞNG BAN"`` or ``"T/M BAN THƯỜNG VỤ /
        PHÓ BÍ THƯ"``; a committee never signs K/T (:class:`InputError`).
    :param conclusion: for ``follow-up``, only this conclusion's tasks.
    :param children: also compute the figures of each direct child unit (Excel, HTML).
    :param compare: also compute the same period a year earlier (periodic).
    :param include_events: also list the events behind the figures (Excel), at most
        ``max_events``.
    :param accepted_only: count only the rows of accepted submissions (and rows sent
        outside any submission), as ``Store.snapshot`` does; slower.
    :returns: the context, documented field by field in ``docs/reports.md``.
    """
    if report not in REPORTS:
        raise InputError(f"unknown report '{report}'; known: {', '.join(REPORTS)}", report=report)
    when = as_instant(as_known_at)
    per: Period = store.period(period)
    if accepted_only:
        store = AcceptedOnly(store)
    if isinstance(sections, Path | str):
        sections = read_sections(sections)
    sections = sections or Sections()
    reader = Reader(store, unit, per, when)
    tree = reader.tree
    if unit not in tree:
        raise UnknownUnitError(unit)
    doc_day, date_source = _report_date(date, sections, when, per)
    # No date after the report's own: "as of" is the cut-off asked for, else the report's
    # date (the as-known-at day), else the period's end when the report comes later.
    report_day = min(per.end, doc_day)
    cut = as_date(as_of) or report_day
    if cut > doc_day:
        raise InputError(
            f"the cut-off {cut.isoformat()} is after the report's date {doc_day.isoformat()}",
            as_of=cut.isoformat(),
        )
    if isinstance(profile, FormatProfile):
        chosen = profile
    elif profile:
        chosen = get_profile(profile)
    else:
        chosen = profile_for(doc_day)
    snapshot = store.snapshot(unit, per, as_known_at=when)
    end_state = tree.state(unit, per.end)
    level_words = level_words_for(end_state.kind)
    doc = Blocks()
    options = {
        "number": number,
        "superior": superior,
        "issuer": issuer,
        "place": place,
        "signature": signature,
        "signer": signer,
        "recipients": list(recipients) if recipients is not None else None,
    }
    context: dict[str, Any] = {
        "report": report,
        "unit": unit,
        "unit_name": end_state.name,
        "unit_kind": end_state.kind,
        "unit_kind_name": kind_name(end_state.kind),
        "unit_level": level_of(end_state.kind),
        "committee": committee_name(end_state.name, end_state.kind),
        "period": per,
        "period_spec": per.spec,
        "period_start": per.start,
        "period_end": per.end,
        "period_text": period_text(per),
        "as_of": cut,
        "as_of_text": short_date(cut),
        "as_known_at": when,
        "as_known_at_text": when.isoformat() if when else "",
        "accepted_only": accepted_only,
        "snapshot": snapshot,
        "figures": figure_rows(snapshot, level_words),
        "profile": chosen,
        "profile_name": chosen.name,
        "placeholder": PLACEHOLDER,
        "missing_text": MISSING,
        "sections_file": sections.source,
    }
    context["figure"] = {f["code"]: f for f in context["figures"]}
    if report == "periodic":
        summary, targets, rows, tasks = periodic_blocks(
            reader, snapshot, sections, doc, cut=cut, day=report_day
        )
        context["targets"] = targets
        context["target_rows"] = rows
        context["tasks"] = tasks
    elif report == "term-commune":
        summary, blanks, term = term_blocks(reader, sections, doc, day=doc_day)
        context["blanks"] = blanks
        context["term_text"] = term
        context["targets"] = []
        context["target_rows"] = []
        context["tasks"] = []
    else:
        summary, tasks = follow_up_blocks(reader, sections, doc, cut=cut, conclusion=conclusion)
        context["targets"] = []
        context["target_rows"] = []
        context["tasks"] = tasks
    context["document"] = document_details(report, reader, sections, options, summary, doc_day)
    context["document"]["date_source"] = date_source
    context["blocks"] = doc.blocks
    context["footnotes"] = doc.footnotes
    context["narrative"] = doc.narrative_rows
    context["units"] = (
        [unit_row(reader, code, per.end) for code in tree.subtree(unit, per.end)]
        if tree.exists(unit, per.end)
        else []
    )
    context["units_table"] = (
        units_table(store, reader, snapshot, unit, per, when)
        if children and report == "periodic"
        else []
    )
    previous = None
    if compare and report == "periodic":
        try:
            before = per.previous_year()
            prev = store.snapshot(unit, before, as_known_at=when)
            previous = {
                "period_spec": before.spec,
                "period_text": period_text(before),
                "period_start": before.start,
                "period_end": before.end,
                "snapshot": prev,
                "figures": figure_rows(prev, level_words),
            }
            previous["figure"] = {f["code"]: f for f in previous["figures"]}
        except InputError:
            previous = None
    context["previous"] = previous
    context["events"], context["events_truncated"] = (
        event_rows(store, reader, snapshot, max_events) if include_events else ([], False)
    )
    return cast("ReportContext", context)
