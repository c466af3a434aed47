"""Targets: a resolution's measurable goals, evaluated against the events (DESIGN.md §5).

For a target adopted by a unit and a cut-off date:

* the window is the target's period, up to the cut-off;
* the **denominator** is the population in the unit's subtree as of the cut-off (a live
  denominator: 222 establishments using land, not the 239 the resolution counted);
* the **numerator** is, for ``count``, the indicator over the window — restricted to the
  population when the indicator counts establishments — and for ``units_with``, the
  population units that have at least one fact of the indicator themselves;
* ``plan`` is threshold × denominator, rounded by the target's rule (10% of 222 = 22.2 →
  22); ``plan_completion`` is numerator / plan (12/22 = 0.545); ``met`` is
  numerator ≥ plan; ``missing`` lists the population members not yet counted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any

import attrs

from dvcore.errors import InputError, UnknownUnitError
from dvcore.events import PopulationFilter, TargetDefinition
from dvcore.indicators import SCALE, Indicator, _in_members, counted_facts, first_facts
from dvcore.periods import Cutoff, Period, parse_period
from dvcore.units import Member, UnitTree

__all__ = ["TargetResult", "evaluate_targets", "plan_for", "population_units"]

_ROUNDING = {"half_up": ROUND_HALF_UP, "ceil": ROUND_CEILING, "floor": ROUND_FLOOR}
_RATIO = Decimal("0.001")


def plan_for(threshold: Decimal, denominator: int, rounding: str) -> int:
    """threshold × denominator, rounded to a whole number by ``rounding``."""
    return int((threshold * denominator).quantize(Decimal(1), rounding=_ROUNDING[rounding]))


def _fraction(numerator: int, denominator: int) -> Decimal | None:
    if denominator == 0:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(_RATIO, rounding=ROUND_HALF_UP)


@attrs.frozen(kw_only=True)
class TargetResult:
    """One target evaluated as of a cut-off date."""

    code: str
    title: str
    resolution: str
    adopted_by: str
    indicator: str
    measure: str
    period: Period
    as_of: dt.date
    numerator: int
    denominator: int
    threshold: Decimal
    plan: int
    met: bool
    missing: tuple[str, ...]
    counted: tuple[str, ...] = ()

    @property
    def ratio(self) -> Decimal | None:
        """numerator / denominator, to three decimals (half up)."""
        return _fraction(self.numerator, self.denominator)

    @property
    def plan_completion(self) -> Decimal | None:
        """numerator / plan, to three decimals (half up); ``None`` when the plan is 0."""
        return _fraction(self.numerator, self.plan)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of one target in ``dvcore targets --format json``."""

        def num(value: Decimal | None) -> float | None:
            return None if value is None else float(value)

        return {
            "code": self.code,
            "title": self.title,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "ratio": num(self.ratio),
            "threshold": float(self.threshold),
            "plan": self.plan,
            "plan_completion": num(self.plan_completion),
            "met": self.met,
            "missing": list(self.missing),
        }


def _matches(tree: UnitTree, code: str, day: dt.date, filters: Sequence[PopulationFilter]) -> bool:
    if not filters:
        return True
    state = tree.state(code, day)
    for alternative in filters:
        if alternative.kinds and state.kind not in alternative.kinds:
            continue
        if all(state.attributes.get(k) == v for k, v in alternative.attributes.items()):
            return True
    return False


def population_units(
    tree: UnitTree, unit: str, day: dt.date, filters: Sequence[PopulationFilter]
) -> list[str]:
    """The units of ``unit``'s subtree on ``day`` that match the population filter."""
    return sorted(u for u in tree.subtree(unit, day) if _matches(tree, u, day, filters))


def evaluate_targets(
    state: Any,
    source: Any,
    indicators: Mapping[str, Indicator],
    unit: str,
    as_of: dt.date,
    cutoff: Cutoff,
    *,
    resolution: str | None = None,
) -> list[TargetResult]:
    """Evaluate every target ``unit`` adopted on or before ``as_of`` (optionally one
    resolution's), in adoption order."""
    tree: UnitTree = state.tree
    if unit not in tree:
        raise UnknownUnitError(unit)
    if not tree.exists(unit, as_of):
        raise UnknownUnitError(unit, f"unit '{unit}' does not exist on {as_of.isoformat()}")
    out: list[TargetResult] = []
    sets = [s for s in state.target_sets() if s.unit == unit and s.adopted_on <= as_of]
    if resolution is not None:
        sets = [s for s in sets if s.data.resolution == resolution]
        if not sets:
            raise InputError(
                f"unit '{unit}' adopted no resolution '{resolution}' by {as_of.isoformat()}",
                resolution=resolution,
            )
    for record in sets:
        for target in record.data.targets:
            out.append(
                _evaluate(
                    tree, source, indicators, record.data.resolution, unit, target, as_of, cutoff
                )
            )
    return out


def _evaluate(
    tree: UnitTree,
    source: Any,
    indicators: Mapping[str, Indicator],
    resolution: str,
    unit: str,
    target: TargetDefinition,
    as_of: dt.date,
    cutoff: Cutoff,
) -> TargetResult:
    period = parse_period(target.period, cutoff)
    end = min(period.end, as_of)
    window = (
        Period(
            spec=f"{period.start.isoformat()}..{end.isoformat()}",
            start=period.start,
            end=end,
            cutoff=cutoff,
        )
        if end >= period.start
        else None
    )
    members: tuple[Member, ...] = ()
    if window is not None:
        members = tree.members(unit, window.start, window.end, "as-of")
    ind = indicators.get(target.indicator)
    if target.population == "establishments_using_land":
        at_cutoff = [m for m in members if m.end == end] or [
            Member(unit=u, start=as_of, end=as_of) for u in tree.subtree(unit, as_of)
        ]
        population = tree.establishments_using_land(at_cutoff, as_of)
    else:
        population = population_units(tree, unit, as_of, target.population_filter)
    counted: list[str] = []
    numerator = 0
    if window is not None and ind is not None:
        if target.measure == "units_with":
            base = ind.base if ind.kind == "units_with" and ind.base else ind.code
            present = source.present(base, members)
            counted = [u for u in population if u in present]
            numerator = len(counted)
        elif ind.time == "first":
            facts = first_facts(source, [ind.code], members, window)
            subjects = {f.subject for f in facts}
            if target.population == "establishments_using_land":
                counted = [e for e in population if e in subjects]
            else:
                counted = sorted(s for s in subjects if s is not None)
            numerator = len(counted)
        else:
            rows = source.rows([ind.code], {m.unit for m in members}, window.start, window.end)
            # a flow counts as a snapshot counts it: reports over windows never twice
            facts = (
                counted_facts(rows, members)[0] if ind.time == "sum" else _in_members(rows, members)
            )
            numerator = sum(f.value for f in facts) // SCALE
    denominator = len(population)
    plan = plan_for(target.threshold, denominator, target.rounding)
    counted_set = set(counted)
    by_member = target.measure == "units_with" or (ind is not None and ind.time == "first")
    return TargetResult(
        code=target.code,
        title=target.title,
        resolution=resolution,
        adopted_by=unit,
        indicator=target.indicator,
        measure=target.measure,
        period=period,
        as_of=as_of,
        numerator=numerator,
        denominator=denominator,
        threshold=target.threshold,
        plan=plan,
        met=numerator >= plan,
        # who is not yet counted is only known when the numerator counts members
        missing=tuple(p for p in population if p not in counted_set) if by_member else (),
        counted=tuple(counted),
    )
