"""Limits that keep figures exact and messages readable."""

from __future__ import annotations

from typing import Any

import pytest

from dvcore.errors import MESSAGE_LIMIT, InputError, Problem, ValidationError


def _setup(store: Any) -> None:
    store.append(
        [
            {
                "type": "UnitRegistered",
                "occurred_on": "2020-01-01",
                "unit": "HP",
                "data": {"code": "HP", "name": "HP", "kind": "city"},
            },
            {
                "type": "IndicatorDefined",
                "occurred_on": "2020-01-01",
                "unit": "HP",
                "data": {"code": "budget", "title": "Kinh phí", "aggregation": "sum"},
            },
        ]
    )


def _figure(value: int, i: int) -> dict[str, Any]:
    return {
        "type": "FigureReported",
        "occurred_on": f"2023-{i % 12 + 1:02d}-28",
        "unit": "HP",
        "source_ref": f"f{i}",
        # one month's report each: reports over the same window would stand for each other
        "data": {
            "indicator": "budget",
            "value": value,
            "window": [f"2023-{i % 12 + 1:02d}-01", f"2023-{i % 12 + 1:02d}-28"],
        },
    }


def test_totals_past_exact_range_are_refused_not_overflowed(store: Any) -> None:
    _setup(store)
    head = store.head()
    with pytest.raises(InputError, match="add up past"):
        store.append([_figure(999_999_999_999, i) for i in range(10)])
    assert store.head() == head
    assert store.verify().ok


def test_large_but_exact_totals_add_up(store: Any) -> None:
    _setup(store)
    store.append([_figure(999_999_999_999, i) for i in range(3)])
    assert store.snapshot("HP", "2023").value("budget") == 2_999_999_999_997


def test_a_long_message_is_cut_and_says_how_long_it_was() -> None:
    problem = Problem(source="f.jsonl", row=3, field="data", message="x" * 5000)
    assert len(problem.message) < MESSAGE_LIMIT + 30
    assert "5,000 characters" in problem.message
    assert "x" * 100 in str(ValidationError([problem]))
