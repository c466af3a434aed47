"""Instants follow one rule with one parser (issue 14, item 4): ``parse_instant``.

A naive instant is Vietnam's time (UTC+7); a bare date is the end of that day in Vietnam;
``as_known_at=None`` is "now"; an empty append's ``recorded_at`` is ``None`` and its
``head`` (a log position) is what asks about the store as that append left it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from dvcore.errors import InputError
from dvcore.periods import VIETNAM, parse_instant

UTC = dt.UTC


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("2023-09-20T17:00:00+07:00", dt.datetime(2023, 9, 20, 10, tzinfo=UTC)),
        ("2023-09-20T10:00:00Z", dt.datetime(2023, 9, 20, 10, tzinfo=UTC)),
        ("2023-09-20T17:00", dt.datetime(2023, 9, 20, 10, tzinfo=UTC)),
        (" 2023-09-20T17:00:00 ", dt.datetime(2023, 9, 20, 10, tzinfo=UTC)),
        (dt.datetime(2023, 9, 20, 17), dt.datetime(2023, 9, 20, 10, tzinfo=UTC)),
        (dt.datetime(2023, 9, 20, 10, tzinfo=UTC), dt.datetime(2023, 9, 20, 10, tzinfo=UTC)),
        ("2023-09-20", dt.datetime(2023, 9, 20, 16, 59, 59, 999999, tzinfo=UTC)),
        (dt.date(2023, 9, 20), dt.datetime(2023, 9, 20, 16, 59, 59, 999999, tzinfo=UTC)),
    ],
)
def test_one_rule(given: Any, expected: dt.datetime) -> None:
    got = parse_instant(given)
    assert got == expected
    assert got.utcoffset() == dt.timedelta(0)


def test_a_date_is_the_end_of_its_day_in_vietnam() -> None:
    end = parse_instant("2023-09-20").astimezone(VIETNAM)
    assert (end.date(), end.time()) == (dt.date(2023, 9, 20), dt.time.max)


@pytest.mark.parametrize("bad", ["20/9/2023", "yesterday", "", "2023-13-01", 5, None])
def test_anything_else_is_refused(bad: Any) -> None:
    with pytest.raises(InputError):
        parse_instant(bad)


def test_the_store_reads_a_naive_instant_as_vietnam_time(store: Any, clock: Any) -> None:
    # recorded 20/9/2023 10:00 in Hanoi (03:00 UTC)
    store.append([_unit("A")], actor="A")
    assert store.position_at("2023-09-20T09:59") == 0
    assert store.position_at("2023-09-20T10:00") == 1
    assert store.position_at("2023-09-20T03:00Z") == 1
    assert store.position_at("2023-09-19") == 0
    assert store.position_at("2023-09-20") == 1


def test_an_empty_append_has_no_instant_but_a_head(store: Any, clock: Any) -> None:
    first = store.append([_unit("A")], actor="A")
    clock.advance(hours=1)
    again = store.append([_unit("A")], actor="A")  # stored already: appends nothing
    assert again.appended == 0
    assert again.recorded_at is None  # it recorded nothing; None as as_known_at is "now"
    assert again.head == first.head
    clock.advance(hours=1)
    store.append([_unit("B")], actor="A")
    # the head is the store as that append left it (B not yet there); None is the store now
    assert store.position_at(first.recorded_at) == again.head
    store.snapshot("A", "2023", as_known_at=again.head)
    with pytest.raises(InputError):
        store.snapshot("B", "2023", as_known_at=again.head)
    store.snapshot("B", "2023", as_known_at=None)


def _unit(code: str) -> dict[str, Any]:
    return {
        "type": "UnitRegistered",
        "occurred_on": "2023-01-01",
        "unit": code,
        "data": {"code": code, "name": code, "kind": "commune", "parent": None},
        "source_ref": f"unit-{code}",
    }
