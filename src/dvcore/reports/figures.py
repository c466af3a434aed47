"""Figures as plain rows: a snapshot's figures, targets by unit, units' figures, events."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from dvcore.errors import UnknownUnitError
from dvcore.indicators import Snapshot, format_percent
from dvcore.periods import Period
from dvcore.reports.reader import Reader
from dvcore.reports.wording import dimension_label, kind_name, num_text
from dvcore.units import level_of


def figure_rows(snapshot: Snapshot, level_words: Mapping[str, str]) -> list[dict[str, Any]]:
    out = []
    for code, fig in snapshot.figures.items():
        ind = snapshot.indicators.get(code)
        by = {
            dim: [
                {
                    "key": key,
                    "label": dimension_label(dim, key, level_words),
                    "value": value,
                    "value_text": num_text(value),
                }
                for key, value in sorted(keys.items(), key=lambda kv: (-kv[1], kv[0]))
            ]
            for dim, keys in sorted(fig.by.items())
        }
        out.append(
            {
                "code": code,
                "title": ind.title if ind is not None else code,
                "unit_label": ind.unit_label if ind is not None else "",
                "stock": bool(ind is not None and ind.is_stock),
                "value": fig.value,
                "value_text": num_text(fig.value),
                "by": by,
            }
        )
    return out


def target_table(reader: Reader, targets: Sequence[Any], root: str) -> list[dict[str, Any]]:
    """Targets as plain rows, with their progress in each direct child unit."""
    rows = []
    tree = reader.tree
    for t in targets:
        day = t.as_of
        groups: dict[str, list[int]] = {}

        def place(
            member: str, counted: bool, day: dt.date = day, groups: dict[str, list[int]] = groups
        ) -> None:
            where = member
            if tree.has_establishment(member):
                where = tree.establishment(member, day).unit
            child = reader.child_of(root, where, day) or root
            slot = groups.setdefault(child, [0, 0])
            slot[1] += 1
            if counted:
                slot[0] += 1

        if t.counted or t.missing:
            for member in t.counted:
                place(member, True)
            for member in t.missing:
                place(member, False)
        order = {code: i for i, code in enumerate(reader.children(root, day))}
        by_unit = [
            {
                "code": code,
                "name": reader.name(code, day),
                "counted": c,
                "population": p,
                "ratio": (Decimal(c) / p) if p else None,
                "ratio_text": format_percent(c, p) if p else "—",
            }
            for code, (c, p) in sorted(groups.items(), key=lambda kv: order.get(kv[0], len(order)))
        ]
        completion = t.plan_completion
        rows.append(
            {
                "code": t.code,
                "title": t.title,
                "resolution": t.resolution,
                "indicator": t.indicator,
                "measure": t.measure,
                "period_spec": t.period.spec,
                "as_of": t.as_of,
                "numerator": t.numerator,
                "denominator": t.denominator,
                "threshold": t.threshold,
                "threshold_text": format_percent(t.threshold * 100, 100),
                "plan": t.plan,
                "ratio": t.ratio,
                "ratio_text": format_percent(t.numerator, t.denominator) if t.denominator else "—",
                "plan_completion": completion,
                "completion_text": format_percent(t.numerator, t.plan) if t.plan else "—",
                "met": t.met,
                "met_text": "đạt" if t.met else "chưa đạt",
                "missing": list(t.missing),
                "missing_count": len(t.missing),
                "by_unit": by_unit,
            }
        )
    return rows


def unit_row(reader: Reader, code: str, day: dt.date) -> dict[str, Any]:
    state = reader.tree.state(code, day)
    return {
        "code": code,
        "name": state.name,
        "kind": state.kind,
        "kind_name": kind_name(state.kind),
        "level": level_of(state.kind),
        "parent": state.parent or "",
        "attributes": dict(state.attributes),
    }


def units_table(
    store: Any,
    reader: Reader,
    snapshot: Snapshot,
    unit: str,
    per: Period,
    when: dt.datetime | None,
) -> list[dict[str, Any]]:
    """The report unit and each direct child unit (at the period's end) with its figures."""
    out = []

    def row(code: str, snap: Snapshot) -> dict[str, Any]:
        state = reader.tree.state(code, per.end)
        return {
            "code": code,
            "name": state.name,
            "kind": state.kind,
            "kind_name": kind_name(state.kind),
            "level": level_of(state.kind),
            "values": {c: f.value for c, f in snap.figures.items()},
        }

    out.append(row(unit, snapshot))
    for child in reader.children(unit, per.end):
        try:
            snap = store.snapshot(child, per, as_known_at=when)
        except UnknownUnitError:
            continue
        out.append(row(child, snap))
    return out


def event_rows(
    store: Any, reader: Reader, snapshot: Snapshot, limit: int
) -> tuple[list[dict[str, Any]], bool]:
    """The events behind every non-empty figure, each once, with the figures it feeds."""
    import json

    from dvcore.serialization import unstructure_data

    seen: dict[int, dict[str, Any]] = {}
    truncated = False
    for code, fig in snapshot.figures.items():
        ind = snapshot.indicators.get(code)
        if not fig.value or (
            ind is not None and ind.kind == "units_with" and ind.base in snapshot.figures
        ):
            continue
        for e in reader.explain(code).events:
            entry = seen.get(e.position)
            if entry is None:
                if len(seen) >= limit:
                    truncated = True
                    continue
                entry = {
                    "position": e.position,
                    "id": str(e.id),
                    "type": e.type,
                    "unit": e.unit,
                    "unit_name": reader.name(e.unit, e.occurred_on),
                    "occurred_on": e.occurred_on,
                    "recorded_at": e.recorded_at,
                    "actor": e.actor or "",
                    "source_ref": e.source_ref or "",
                    "indicators": [],
                    "data": json.dumps(
                        unstructure_data(e.data), ensure_ascii=False, sort_keys=True, default=str
                    ),
                }
                seen[e.position] = entry
            entry["indicators"].append(code)
    return [seen[p] for p in sorted(seen)], truncated
