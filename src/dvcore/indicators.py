"""Indicators: what each figure counts, and how it adds up across time and across units.

An indicator turns events into *facts* (one number on one day for one unit, with optional
dimensions and a subject) and says how facts combine:

========== ======================================= ===================================
time rule  across time                             across units
========== ======================================= ===================================
``sum``    add the facts dated in the period       add
``last``   a stock: the latest fact on or before   add the latest of each unit that
           the period's end                        exists at the period's end
``max``    the largest fact in the period          the largest
``min``    the smallest fact in the period         the smallest
``first``  subjects whose *first* fact falls in    add (each subject counts once)
           the period (the land pipeline: an
           establishment reaches a stage once)
========== ======================================= ===================================

A reported aggregate with a window (``FigureReported``, ``CitizenReceptionReported``,
``LettersReported``) is a *windowed* fact: its ``day`` is the window's last day and its
``window_start`` the window's first. For a ``sum`` indicator a windowed fact counts in a
period only when its whole window lies in the period, and windows that overlap are never
added together. For one unit and one indicator, among the windows that lie in the period
(all facts of one report share its window and its position):

* a window no other contains stands for the windows it contains — unless those, chosen by
  this same rule, tile it exactly (no gap) *and* one of them was recorded after it: then
  the parts stand instead (the figure follows the latest recorded);
* of two windows that overlap without either containing the other, the later recorded
  stands; of two reports of the very same window, the later recorded stands;
* facts without a window count by their day, as before.

A commune reports receptions for 6 months (1/1–30/6, 120 visits) and later for 9 months
(1/1–30/9, 190 visits, which include the 120). The 6-month period counts 120 (the 9-month
window does not lie in it); the 9-month period counts 190, not 310: the 9-month window
contains the 6-month one, which does not tile it. A commune that reports January,
February and March (10, 12, 15) and then the quarter (40) gets 40 for the quarter: the
months tile it but none was recorded after it; had it sent the quarter first and the
months after, the months would stand (37). Either way the months count 10, 12, 15 in
their own periods. Where a dropped window's values differ from what stands for it,
:func:`select_windows` reports a :class:`WindowDisagreement` (``dvcore explain`` lists
them). ``last``, ``max``, ``min`` and ``first`` indicators date a windowed fact by its
last day, as before.

Three more kinds are computed, not stored as facts: ``units_with`` (units that have at
least one fact of another indicator themselves), and the state indicators
``establishment.using_land``, ``task.open`` and ``task.overdue`` (as of the period's end).
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

import attrs

from dvcore.events import (
    CitizenReceptionReported,
    DialogueHeld,
    DialoguePlanIssued,
    DocumentIssued,
    EventData,
    FigureReported,
    IndicatorDefined,
    InspectionConducted,
    LandCertificateIssued,
    LandDossierFiled,
    LandDossierSubmitted,
    LandUseRightRecognized,
    LettersReported,
    ModelRecognized,
    ModelRegistered,
    SocialCritiqueHeld,
    SocialSupervisionHeld,
)
from dvcore.serialization import canonical_json
from dvcore.tasks import is_overdue, owner_units

__all__ = [
    "CORE_INDICATORS",
    "SCALE",
    "Contribution",
    "CountEach",
    "Fact",
    "Indicator",
    "IndicatorKind",
    "TimeRule",
    "WindowDisagreement",
    "counted_facts",
    "decode_dims",
    "encode_dims",
    "format_number",
    "format_percent",
    "from_micro",
    "indicator_from_definition",
    "pad_count",
    "select_windows",
    "to_micro",
]

#: Facts store values as integers in millionths: exact, and summable by the database.
SCALE = 10**6

TimeRule = Literal["sum", "last", "max", "min", "first"]
IndicatorKind = Literal["fact", "units_with", "state"]


def to_micro(value: Decimal | int) -> int:
    """A value in millionths (exact for the six decimals a value may carry)."""
    return int(Decimal(value) * SCALE)


def from_micro(value: int) -> Decimal | int:
    """A value back from millionths: an ``int`` when whole."""
    if value % SCALE == 0:
        return value // SCALE
    return (Decimal(value) / SCALE).normalize()


def format_number(value: Decimal | int | float, decimals: int | None = None) -> str:
    """A number the Vietnamese way: ``2.035``, ``1.234.567,5`` (rounded half up).

    ``decimals`` fixes the decimal places (rounding half up with ``Decimal``, never
    Python's banker's ``round``); by default a whole number has none and a fraction keeps
    its own.
    """
    number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    if decimals is not None:
        number = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    elif number == number.to_integral_value():
        number = number.quantize(Decimal(1))
    sign = "-" if number < 0 else ""
    text = f"{abs(number):f}"
    whole, _, fraction = text.partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    out = sign + ".".join(groups)
    return f"{out},{fraction}" if fraction else out


def format_percent(numerator: Decimal | int, denominator: Decimal | int, decimals: int = 1) -> str:
    """``numerator / denominator`` as a Vietnamese percentage: 12/22 → ``54,5%``.

    Rounded half up; a whole result drops its zero decimals (``100%``, not ``100,0%``).
    """
    if denominator == 0:
        raise ZeroDivisionError("a percentage of nothing")
    value = (Decimal(numerator) * 100 / Decimal(denominator)).quantize(
        Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP
    )
    if value == value.to_integral_value():
        return f"{format_number(value.to_integral_value())}%"
    return f"{format_number(value, decimals)}%"


def pad_count(value: int) -> str:
    """A count as administrative prose writes it: ``06``, ``07``, ``112``, ``2.035``."""
    return f"{value:02d}" if 0 <= value < 10 else format_number(value)


_DIMS_TEXT: dict[tuple[tuple[str, str], ...], str] = {}


def encode_dims(dims: Mapping[str, str]) -> str:
    """The stored text of a fact's dimensions (``""`` for none)."""
    if not dims:
        return ""
    key = tuple(sorted(dims.items()))
    text = _DIMS_TEXT.get(key)
    if text is None:
        text = canonical_json(dict(key))
        if len(_DIMS_TEXT) < 10_000:  # a bounded cache: dimensions repeat endlessly
            _DIMS_TEXT[key] = text
    return text


def decode_dims(text: str) -> dict[str, str]:
    """A fact's dimensions from their stored text."""
    return dict(_decoded_dims(text)) if text else {}


@functools.lru_cache(maxsize=10_000)  # dimensions repeat endlessly: a report decodes few
def _decoded_dims(text: str) -> tuple[tuple[str, str], ...]:
    return tuple(json.loads(text).items())


@attrs.frozen(kw_only=True)
class Contribution:
    """What one event contributes to one indicator, before the store dates and places it.

    ``day`` overrides the event's ``occurred_on`` (a window's last day); ``subject`` is
    what a ``first`` indicator counts once (an establishment).
    """

    indicator: str
    value: Decimal | int = 1
    dims: Mapping[str, str] = attrs.field(factory=dict, hash=False)
    day: dt.date | None = None
    window_start: dt.date | None = None
    subject: str | None = None


Extractor = Callable[[EventData], Iterable[Contribution]]


@attrs.frozen(kw_only=True)
class Fact:
    """One number on one day for one unit: the projection's row, the replay's item."""

    indicator: str
    unit: str
    day: dt.date
    window_start: dt.date | None
    dims: str
    subject: str | None
    value: int  # millionths
    position: int
    source_position: int


@attrs.frozen(kw_only=True)
class Indicator:
    """An indicator: its code, title, rules and the dimensions its ``by`` breaks down into.

    ``dimensions`` may include ``level``, which comes from the kind of the unit a fact
    belongs to; the others come from the facts. ``base`` is the indicator a
    ``units_with`` indicator looks at.
    """

    code: str
    title: str
    unit_label: str = ""
    kind: IndicatorKind = "fact"
    time: TimeRule = "sum"
    dimensions: tuple[str, ...] = ()
    base: str | None = None
    source: str = "dvcore"
    #: how events of other types feed this indicator (for plugins): type name → extractor
    extractors: Mapping[str, Extractor] = attrs.field(factory=dict, eq=False, hash=False)

    @property
    def across(self) -> Literal["sum", "max", "min"]:
        """How values of several units combine."""
        return "max" if self.time == "max" else "min" if self.time == "min" else "sum"

    @property
    def is_stock(self) -> bool:
        """Whether the indicator is a stock (a state at the period's end)."""
        return self.time == "last" or self.kind == "state"


def _ind(code: str, title: str, label: str, *dims: str, **kw: Any) -> Indicator:
    return Indicator(code=code, title=title, unit_label=label, dimensions=dims, **kw)


#: The core indicators, in the order a snapshot lists them.
CORE_INDICATORS: tuple[Indicator, ...] = (
    _ind(
        "dialogue.count", "Cuộc đối thoại của người đứng đầu với Nhân dân", "cuộc", "level", "host"
    ),
    _ind(
        "dialogue.units_with",
        "Đơn vị có người đứng đầu đối thoại với Nhân dân",
        "đơn vị",
        "level",
        kind="units_with",
        base="dialogue.count",
    ),
    _ind("dialogue.plan", "Kế hoạch đối thoại đã ban hành", "kế hoạch", "level"),
    _ind(
        "model.registered", "Mô hình \u201cDân vận khéo\u201d đăng ký", "mô hình", "field", "level"
    ),
    _ind("model.recognized", "Mô hình \u201cDân vận khéo\u201d được công nhận", "mô hình", "level"),
    _ind(
        "establishment.using_land",
        "Cơ sở tôn giáo đang sử dụng đất",
        "cơ sở",
        kind="state",
        time="last",
    ),
    _ind(
        "land.dossier_filed", "Cơ sở tôn giáo đã lập hồ sơ đăng ký đất đai", "cơ sở", time="first"
    ),
    _ind("land.dossier_submitted", "Cơ sở tôn giáo có hồ sơ trình UBND", "cơ sở", time="first"),
    _ind(
        "land.right_recognized",
        "Cơ sở tôn giáo có quyết định công nhận QSDĐ",
        "cơ sở",
        time="first",
    ),
    _ind("land.certificate_issued", "Cơ sở tôn giáo được cấp GCN QSDĐ", "cơ sở", time="first"),
    _ind("reception.visits", "Lượt tiếp công dân", "lượt"),
    _ind("reception.cases", "Vụ việc tiếp nhận qua tiếp công dân", "vụ việc", "kind"),
    _ind("reception.mass_groups", "Đoàn đông người", "đoàn"),
    _ind("reception.mass_group_cases", "Vụ việc của đoàn đông người", "vụ việc"),
    _ind("letters.received", "Đơn thư tiếp nhận", "đơn"),
    _ind("letters.eligible", "Đơn thư đủ điều kiện xử lý", "đơn"),
    _ind("letters.in_jurisdiction", "Đơn thư thuộc thẩm quyền", "đơn"),
    _ind("letters.resolved", "Đơn thư đã giải quyết", "đơn"),
    _ind("inspection.count", "Cuộc kiểm tra, giám sát công tác dân vận", "cuộc", "kind", "level"),
    _ind("supervision.count", "Cuộc giám sát xã hội", "cuộc", "level"),
    _ind("critique.count", "Cuộc phản biện xã hội", "cuộc", "level"),
    _ind("document.count", "Văn bản ban hành", "văn bản", "kind", "level"),
    _ind("document.sets_targets", "Văn bản đề ra chỉ tiêu công tác dân vận", "văn bản", "level"),
    _ind("task.open", "Nhiệm vụ chưa hoàn thành", "nhiệm vụ", kind="state", time="last"),
    _ind("task.overdue", "Nhiệm vụ quá hạn", "nhiệm vụ", kind="state", time="last"),
)


def indicator_from_definition(defined: IndicatorDefined, by_keys: Iterable[str] = ()) -> Indicator:
    """The indicator an ``IndicatorDefined`` event declares for ``FigureReported``."""
    return Indicator(
        code=defined.code,
        title=defined.title,
        unit_label=defined.unit_label or "",
        time=defined.aggregation,
        dimensions=tuple(by_keys),
        source="IndicatorDefined",
    )


# --- extraction: what each core event type contributes -----------------------------------


@functools.lru_cache(maxsize=10_000)
def _dims_text(dims: tuple[tuple[str, str], ...], values: tuple[Any, ...]) -> str:
    return encode_dims(dict(zip((d for d, _f in dims), values, strict=True)))


@attrs.frozen
class CountEach:
    """An extractor that counts each event once, broken down by fields of its data.

    ``dims`` pairs a dimension with the data field that holds it (``("host", "host")``);
    those fields hold texts. Because the rule is this simple, a store needs no fact row
    for such events: it reads their facts straight from the log (the event's unit, date
    and payload), and rebuilds their rollups with one aggregate query per event type. It
    is still an ordinary extractor: calling it gives the one contribution.
    """

    indicator: str
    dims: tuple[tuple[str, str], ...] = ()

    def __call__(self, data: EventData) -> list[Contribution]:
        return [
            Contribution(
                indicator=self.indicator,
                dims={dim: getattr(data, field) for dim, field in self.dims},
            )
        ]

    def dims_text(self, values: Iterable[Any]) -> str:
        """The stored dimensions text for the data fields' values, in ``dims`` order."""
        return _dims_text(self.dims, tuple(values))

    def dims_text_of(self, data: EventData) -> str:
        """The stored dimensions text of one event's data."""
        return _dims_text(self.dims, tuple(getattr(data, field) for _dim, field in self.dims))


def _one(code: str, **dims: str) -> list[Contribution]:
    return [Contribution(indicator=code, dims=dims)]


def _reception(data: EventData) -> list[Contribution]:
    assert isinstance(data, CitizenReceptionReported)
    end, start = data.window.end, data.window.start

    def part(code: str, value: int, **dims: str) -> Contribution:
        return Contribution(indicator=code, value=value, dims=dims, day=end, window_start=start)

    return [
        part("reception.visits", data.visits),
        part("reception.cases", data.cases_complaint, kind="complaint"),
        part("reception.cases", data.cases_denunciation, kind="denunciation"),
        part("reception.cases", data.cases_petition, kind="petition"),
        part("reception.mass_groups", data.mass_groups),
        part("reception.mass_group_cases", data.mass_group_cases),
    ]


def _letters(data: EventData) -> list[Contribution]:
    assert isinstance(data, LettersReported)
    return [
        Contribution(
            indicator=f"letters.{name}",
            value=getattr(data, name),
            day=data.window.end,
            window_start=data.window.start,
        )
        for name in ("received", "eligible", "in_jurisdiction", "resolved")
    ]


def _figure(data: EventData) -> list[Contribution]:
    assert isinstance(data, FigureReported)
    return [
        Contribution(
            indicator=data.indicator,
            value=data.value,
            dims=dict(data.by),
            day=data.window.end,
            window_start=data.window.start,
        )
    ]


def _land(code: str) -> Extractor:
    def extract(data: EventData) -> list[Contribution]:
        return [Contribution(indicator=code, subject=data.establishment_id)]  # type: ignore[attr-defined]

    return extract


def _document(data: EventData) -> list[Contribution]:
    assert isinstance(data, DocumentIssued)
    out = _one("document.count", kind=data.kind)
    if data.sets_targets:
        out += _one("document.sets_targets")
    return out


#: Core extractors by event type name.
CORE_EXTRACTORS: Mapping[str, Extractor] = {
    DialogueHeld.type_name: CountEach("dialogue.count", (("host", "host"),)),
    DialoguePlanIssued.type_name: CountEach("dialogue.plan"),
    ModelRegistered.type_name: CountEach("model.registered", (("field", "field"),)),
    ModelRecognized.type_name: CountEach("model.recognized"),
    LandDossierFiled.type_name: _land("land.dossier_filed"),
    LandDossierSubmitted.type_name: _land("land.dossier_submitted"),
    LandUseRightRecognized.type_name: _land("land.right_recognized"),
    LandCertificateIssued.type_name: _land("land.certificate_issued"),
    CitizenReceptionReported.type_name: _reception,
    LettersReported.type_name: _letters,
    InspectionConducted.type_name: CountEach("inspection.count", (("kind", "kind"),)),
    SocialSupervisionHeld.type_name: CountEach("supervision.count"),
    SocialCritiqueHeld.type_name: CountEach("critique.count"),
    DocumentIssued.type_name: _document,
    FigureReported.type_name: _figure,
}


def make_facts(
    extractors: Mapping[str, Extractor],
    type_name: str,
    data: EventData,
    unit: str,
    occurred_on: dt.date,
    position: int,
    source_position: int,
) -> list[Fact]:
    """The facts one event's data yields (``position`` is the event that makes them count)."""
    extract = extractors.get(type_name)
    if extract is None:
        return []
    return [
        Fact(
            indicator=c.indicator,
            unit=unit,
            day=c.day or occurred_on,
            window_start=c.window_start,
            dims=encode_dims(c.dims),
            subject=c.subject,
            value=to_micro(c.value),
            position=position,
            source_position=source_position,
        )
        for c in extract(data)
    ]


# --- windows: which reports over windows count -----------------------------------------------

Span = tuple[dt.date, dt.date]


@attrs.frozen(kw_only=True)
class WindowDisagreement:
    """Two accounts of one span for one unit, indicator and dims that differ: what stood
    and what was dropped for it (values in millionths, windows as ``(start, end)``).

    ``reason``: ``parts`` (parts recorded later stood instead of their container),
    ``container`` (the container stood; its parts tile it but add up differently),
    ``overlap`` (two windows overlap; the later recorded stood), ``same_window`` (two
    reports of one window; the later recorded stood).
    """

    unit: str
    indicator: str
    dims: str
    reason: Literal["parts", "container", "overlap", "same_window"]
    stood: tuple[Span, ...]
    stood_value: int
    stood_positions: tuple[int, ...]
    dropped: tuple[Span, ...]
    dropped_value: int
    dropped_positions: tuple[int, ...]

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape ``dvcore explain --format json`` lists under ``disagreements``."""

        def spans(windows: tuple[Span, ...]) -> list[list[str]]:
            return [[a.isoformat(), b.isoformat()] for a, b in windows]

        return {
            "unit": self.unit,
            "indicator": self.indicator,
            "by": decode_dims(self.dims),
            "reason": self.reason,
            "stood": {
                "windows": spans(self.stood),
                "value": _number(from_micro(self.stood_value)),
                "positions": list(self.stood_positions),
            },
            "dropped": {
                "windows": spans(self.dropped),
                "value": _number(from_micro(self.dropped_value)),
                "positions": list(self.dropped_positions),
            },
        }


@attrs.define
class _Report:
    """The facts of one (unit, indicator) over one window: one report, or several reports
    of the very same window merged (for each dims the latest recorded)."""

    window: Span
    facts: list[Fact]

    @property
    def position(self) -> int:
        return max(f.position for f in self.facts)

    def values(self) -> dict[str, int]:
        out: dict[str, int] = defaultdict(int)
        for f in self.facts:
            out[f.dims] += f.value
        return out


def _contains(outer: Span, inner: Span) -> bool:
    return outer[0] <= inner[0] and inner[1] <= outer[1]


def _overlaps(a: Span, b: Span) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


def _tiles(window: Span, parts: list[_Report]) -> bool:
    spans = sorted(p.window for p in parts)
    if not spans or spans[0][0] != window[0] or spans[-1][1] != window[1]:
        return False
    return all(b[0] == a[1] + dt.timedelta(days=1) for a, b in itertools.pairwise(spans))


class _Selection:
    """The selection of one (unit, indicator): reports in, standing reports and
    disagreements out."""

    def __init__(self, unit: str, indicator: str) -> None:
        self.unit = unit
        self.indicator = indicator

    def disagree(
        self,
        out: list[WindowDisagreement],
        reason: Literal["parts", "container", "overlap", "same_window"],
        stood: list[_Report],
        dropped: list[_Report],
    ) -> None:
        stood_values: dict[str, int] = defaultdict(int)
        dropped_values: dict[str, int] = defaultdict(int)
        for r in stood:
            for dims, v in r.values().items():
                stood_values[dims] += v
        for r in dropped:
            for dims, v in r.values().items():
                dropped_values[dims] += v
        for dims in sorted(set(stood_values) | set(dropped_values)):
            if reason == "overlap":  # a dropped partial overlap always disagrees
                if dims not in dropped_values:
                    continue
            elif stood_values.get(dims, 0) == dropped_values.get(dims, 0):
                continue
            out.append(
                WindowDisagreement(
                    unit=self.unit,
                    indicator=self.indicator,
                    dims=dims,
                    reason=reason,
                    stood=tuple(sorted(r.window for r in stood)),
                    stood_value=stood_values.get(dims, 0),
                    stood_positions=tuple(sorted({f.position for r in stood for f in r.facts})),
                    dropped=tuple(sorted(r.window for r in dropped)),
                    dropped_value=dropped_values.get(dims, 0),
                    dropped_positions=tuple(sorted({f.position for r in dropped for f in r.facts})),
                )
            )

    def merge(self, facts: list[Fact], out: list[WindowDisagreement]) -> list[_Report]:
        """One report per window: of several reports of one window, for each dims the
        latest recorded stands."""
        by_window: dict[Span, dict[int, list[Fact]]] = defaultdict(lambda: defaultdict(list))
        for f in facts:
            assert f.window_start is not None
            by_window[(f.window_start, f.day)][f.source_position].append(f)
        reports = []
        for window, events in sorted(by_window.items()):
            if len(events) == 1:
                reports.append(_Report(window, next(iter(events.values()))))
                continue
            latest: dict[str, list[Fact]] = {}
            for event_facts in sorted(events.values(), key=lambda fs: -max(f.position for f in fs)):
                dims_here: dict[str, list[Fact]] = defaultdict(list)
                for f in event_facts:
                    dims_here[f.dims].append(f)
                for dims, group in dims_here.items():
                    if dims not in latest:
                        latest[dims] = group
                        continue
                    # each dropped report on its own: two that agree with each other may
                    # both agree with the one that stands
                    stood_here, dropped_here = _Report(window, latest[dims]), _Report(window, group)
                    self.disagree(out, "same_window", [stood_here], [dropped_here])
            stood = _Report(window, [f for group in latest.values() for f in group])
            reports.append(stood)
        return reports

    def choose(self, reports: list[_Report], out: list[WindowDisagreement]) -> list[_Report]:
        """The reports that stand among ``reports`` (windows distinct): non-overlapping."""
        remaining = list(reports)
        while True:
            maximal = [
                r
                for r in remaining
                if not any(o is not r and _contains(o.window, r.window) for o in remaining)
            ]
            maximal.sort(key=lambda r: (-r.position, r.window))
            kept: list[_Report] = []
            dropped: list[tuple[_Report, list[_Report]]] = []
            for r in maximal:
                rivals = [k for k in kept if _overlaps(k.window, r.window)]
                if rivals:
                    dropped.append((r, rivals))
                else:
                    kept.append(r)
            if not dropped:
                break
            for r, rivals in dropped:
                self.disagree(out, "overlap", rivals, [r])
                remaining.remove(r)
        standing: list[_Report] = []
        for w in sorted(kept, key=lambda r: r.window):
            inner = [r for r in remaining if r is not w and _contains(w.window, r.window)]
            inner_out: list[WindowDisagreement] = []
            parts = self.choose(inner, inner_out)
            if _tiles(w.window, parts):
                if any(p.position > w.position for p in parts):
                    standing.extend(parts)
                    out.extend(inner_out)
                    self.disagree(out, "parts", parts, [w])
                    continue
                self.disagree(out, "container", [w], parts)
            standing.append(w)
        return standing


def select_windows(facts: Iterable[Fact]) -> tuple[list[Fact], list[WindowDisagreement]]:
    """The windowed facts that stand among candidates, and the disagreements found.

    ``facts`` are the windowed facts (``window_start`` set) whose windows lie in one
    period; the rule (see the module docstring) is applied to each unit and indicator
    on its own. Facts without a window are returned as they are.
    """
    groups: dict[tuple[str, str], list[Fact]] = defaultdict(list)
    plain: list[Fact] = []
    for f in facts:
        if f.window_start is None:
            plain.append(f)
        else:
            groups[(f.unit, f.indicator)].append(f)
    standing = plain
    disagreements: list[WindowDisagreement] = []
    for (unit, indicator), group in sorted(groups.items()):
        selection = _Selection(unit, indicator)
        reports = selection.choose(selection.merge(group, disagreements), disagreements)
        standing.extend(f for r in sorted(reports, key=lambda r: r.window) for f in r.facts)
    return standing, disagreements


def counted_facts(
    facts: Iterable[Fact], members: Iterable[Any]
) -> tuple[list[Fact], list[WindowDisagreement]]:
    """The facts of ``sum`` indicators that count for ``members`` (a unit's subtree over a
    period), and the disagreements among their windows.

    A fact without a window counts when its day falls in its unit's member range; a
    windowed fact is a candidate when its day does and its window starts on or after the
    period's first day (the earliest member start); candidates go through
    :func:`select_windows`.
    """
    ranges: dict[str, list[Span]] = defaultdict(list)
    first: dt.date | None = None
    for m in members:
        ranges[m.unit].append((m.start, m.end))
        first = m.start if first is None or m.start < first else first
    plain: list[Fact] = []
    windowed: list[Fact] = []
    for f in facts:
        if not any(a <= f.day <= b for a, b in ranges.get(f.unit, ())):
            continue
        if f.window_start is None:
            plain.append(f)
        elif first is not None and f.window_start >= first:
            windowed.append(f)
    standing, disagreements = select_windows(windowed)
    return plain + standing, disagreements


# --- snapshots ------------------------------------------------------------------------------


def _number(value: Decimal | int | None) -> int | float | None:
    if value is None or isinstance(value, int):
        return value
    return int(value) if value == value.to_integral_value() else float(value)


@attrs.frozen(kw_only=True)
class Figure:
    """One indicator's value in a snapshot and its breakdowns (``by[dimension][key]``)."""

    value: Decimal | int | None
    by: Mapping[str, Mapping[str, Decimal | int]] = attrs.field(factory=dict, hash=False)

    def to_dict(self) -> dict[str, Any]:
        """``{"value": number, "by": {dimension: {key: number}}}``."""
        return {
            "value": _number(self.value),
            "by": {
                dim: {key: _number(v) for key, v in sorted(keys.items())}
                for dim, keys in sorted(self.by.items())
            },
        }


@attrs.frozen(kw_only=True)
class Snapshot:
    """The figures of one unit's subtree over one period, as known at one instant.

    A pure function of the events: the same unit, period, instant, tree mode and cut-off
    always give the same snapshot, whether answered from projections or by a full replay.
    """

    unit: str
    period: Any  # dvcore.periods.Period
    as_known_at: dt.datetime | None
    tree: str
    figures: Mapping[str, Figure] = attrs.field(hash=False)
    indicators: Mapping[str, Indicator] = attrs.field(hash=False, eq=False, repr=False)

    def value(self, indicator: str) -> Decimal | int | None:
        """The value of one indicator (``KeyError`` for an unknown code)."""
        return self.figures[indicator].value

    def by(self, indicator: str, dimension: str) -> dict[str, Decimal | int]:
        """One indicator broken down by one dimension: ``{key: value}``."""
        return dict(self.figures[indicator].by.get(dimension, {}))

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``dvcore snapshot --format json`` (DESIGN.md §6)."""
        return {
            "unit": self.unit,
            "period": self.period.to_dict(),
            "as_known_at": self.as_known_at.isoformat() if self.as_known_at else None,
            "indicators": {code: fig.to_dict() for code, fig in self.figures.items()},
        }


class _Acc:
    """Accumulates one indicator's total and breakdowns."""

    def __init__(self, ind: Indicator) -> None:
        self.ind = ind
        self.total: int | None = None
        self.by: dict[str, dict[str, int]] = {d: {} for d in ind.dimensions}

    def add(self, value: int, keys: Mapping[str, str]) -> None:
        combine = _COMBINE[self.ind.across]
        self.total = value if self.total is None else combine(self.total, value)
        for dim, key in keys.items():
            slot = self.by.setdefault(dim, {})
            slot[key] = value if key not in slot else combine(slot[key], value)

    def figure(self, empty: int | None) -> Figure:
        total = self.total if self.total is not None else empty
        return Figure(
            value=None if total is None else from_micro(total),
            by={d: {k: from_micro(v) for k, v in keys.items()} for d, keys in self.by.items()},
        )


_COMBINE: Mapping[str, Callable[[int, int], int]] = {
    "sum": lambda a, b: a + b,
    "max": max,
    "min": min,
}


def compute_snapshot(
    state: Any,
    source: Any,
    indicators: Iterable[Indicator],
    unit: str,
    period: Any,
    tree_mode: str = "as-of",
    as_known_at: dt.datetime | None = None,
) -> Snapshot:
    """Compute every figure of ``unit``'s subtree over ``period`` from a fact source.

    ``state`` is a :class:`dvcore.store.projections.StoreState` and ``source`` a
    :class:`dvcore.store.projections.FactSource`, both as known at the same position.
    """
    from dvcore.errors import UnknownUnitError

    tree = state.tree
    if unit not in tree:
        raise UnknownUnitError(unit)
    members = tree.members(unit, period.start, period.end, tree_mode)
    if not members:
        raise UnknownUnitError(
            unit,
            f"unit '{unit}' did not exist between {period.start.isoformat()} and "
            f"{period.end.isoformat()}",
        )
    inds = {i.code: i for i in indicators}
    accs = {code: _Acc(ind) for code, ind in inds.items()}
    at_end = [m for m in members if m.end == period.end and tree.exists(m.unit, period.end)]
    at_end_units = {m.unit for m in at_end}

    def keys_of(ind: Indicator, unit_code: str, dims: str) -> dict[str, str]:
        keys = decode_dims(dims)
        if "level" in ind.dimensions:
            keys["level"] = tree.level(unit_code)
        return keys

    flows = [c for c, i in inds.items() if i.kind == "fact" and i.time == "sum"]
    if flows:
        for code, unit_code, dims, value in source.sums(flows, members):
            accs[code].add(value, keys_of(inds[code], unit_code, dims))

    stocks = [c for c, i in inds.items() if i.kind == "fact" and i.time == "last"]
    if stocks and at_end_units:
        for f in latest_stocks(tree, source, stocks, at_end_units, period.end):
            accs[f.indicator].add(f.value, keys_of(inds[f.indicator], f.unit, f.dims))

    extremes = [c for c, i in inds.items() if i.kind == "fact" and i.time in ("max", "min")]
    if extremes:
        for f in _in_members(
            source.rows(extremes, {m.unit for m in members}, period.start, period.end), members
        ):
            accs[f.indicator].add(f.value, keys_of(inds[f.indicator], f.unit, f.dims))

    firsts = [c for c, i in inds.items() if i.kind == "fact" and i.time == "first"]
    if firsts:
        for f in first_facts(source, firsts, members, period):
            accs[f.indicator].add(f.value and SCALE, keys_of(inds[f.indicator], f.unit, f.dims))

    for code, ind in inds.items():
        if ind.kind == "units_with" and ind.base:
            for unit_code in source.present(ind.base, members):
                accs[code].add(SCALE, keys_of(ind, unit_code, ""))

    if "establishment.using_land" in inds:
        count = len(tree.establishments_using_land(at_end, period.end))
        accs["establishment.using_land"].total = count * SCALE
    open_tasks, overdue = tasks_at(state, at_end_units, period.end)
    for code, tasks in (("task.open", open_tasks), ("task.overdue", overdue)):
        if code in inds:
            acc = accs[code]
            acc.total = len(tasks) * SCALE

    # Nothing counted is 0 for counts; a stock or an extreme with no value is null.
    no_value = {c for c, i in inds.items() if i.kind == "fact" and i.time in {"last", "max", "min"}}
    figures = {
        code: acc.figure(empty=None if code in no_value else 0) for code, acc in accs.items()
    }
    return Snapshot(
        unit=unit,
        period=period,
        as_known_at=as_known_at,
        tree=tree_mode,
        figures=figures,
        indicators=inds,
    )


def _in_members(facts: Iterable[Fact], members: Iterable[Any]) -> list[Fact]:
    ranges: dict[str, list[tuple[dt.date, dt.date]]] = {}
    for m in members:
        ranges.setdefault(m.unit, []).append((m.start, m.end))
    return [f for f in facts if any(a <= f.day <= b for a, b in ranges.get(f.unit, ()))]


def latest_stocks(
    tree: Any, source: Any, indicators: Iterable[str], standing: Iterable[str], end: dt.date
) -> list[Fact]:
    """For ``last`` indicators: the latest fact on or before ``end`` of each unit standing at
    ``end``, and of each unit merged away into one of them (through successors) unless a
    successor has reported anew since the merge: a merge adds the stocks, never drops one."""
    units = set(standing)
    chains: dict[str, list[str]] = {}  # merged-away unit → its successors up to a standing one
    for code in tree.codes():
        if code in units or tree.registered_on(code) > end:
            continue
        chain: list[str] = []
        current = code
        while True:
            ended = tree.ended_on(current)
            nxt = tree.successor(current)
            if ended is None or ended > end or nxt is None or nxt in chain or nxt == code:
                break
            chain.append(nxt)
            if nxt in units:
                chains[code] = chain
                break
            current = nxt
    latest: dict[tuple[str, str, str], Fact] = {}
    for f in source.rows(list(indicators), units | set(chains), None, end):
        key = (f.indicator, f.unit, f.dims)
        seen = latest.get(key)
        if seen is None or (f.day, f.position) > (seen.day, seen.position):
            latest[key] = f
    out = []
    for (code, unit, dims), f in latest.items():
        if unit in chains:
            ended = tree.ended_on(unit)
            if any(
                (later := latest.get((code, c, dims))) is not None and later.day >= ended
                for c in chains[unit]
            ):
                continue
        out.append(f)
    return out


def first_facts(
    source: Any, indicators: Iterable[str], members: Iterable[Any], period: Any
) -> list[Fact]:
    """For ``first`` indicators: each subject's earliest fact, when it falls in the members'
    ranges and the period (an establishment reaches a stage once, on its first record)."""
    earliest: dict[tuple[str, str | None], Fact] = {}
    for f in source.rows(list(indicators), None, None, period.end):
        key = (f.indicator, f.subject)
        seen = earliest.get(key)
        if seen is None or (f.day, f.position) < (seen.day, seen.position):
            earliest[key] = f
    return _in_members(
        (f for f in earliest.values() if period.start <= f.day <= period.end), members
    )


def tasks_at(state: Any, units: Iterable[str], day: dt.date) -> tuple[list[Any], list[Any]]:
    """The tasks owned in ``units`` that are open on ``day``, and those of them overdue
    (:func:`dvcore.tasks.is_overdue`). A task with several owners counts once, when one
    of its owners' units (a body counts at its unit) is among ``units``."""
    tree = state.tree
    unit_set = set(units)
    open_tasks = []
    for task in state.tasks():
        if task.assigned_on > day or task.status_on(day) == "done":
            continue
        if any(
            owner in tree and tree.carrier_on(owner, day) in unit_set
            for owner in owner_units(task.data)
        ):
            open_tasks.append(task)
    overdue = [t for t in open_tasks if is_overdue(t, day)]
    return open_tasks, overdue
