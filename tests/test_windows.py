"""Reports over windows (issue 12, item 4): a window counts in a period only when it lies in
it whole, and windows that overlap are never added together — the latest recorded stands
(the module docstring of dvcore.indicators)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dvcore.indicators import Fact, compute_snapshot, select_windows
from dvcore.store.projections import MemoryFacts, replay

Event = dict[str, Any]

# One store serves every example of a property: each example reports for a commune of its own.
shared_store = settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


def ev(type_name: str, day: str, unit: str, **data: Any) -> Event:
    return {"type": type_name, "occurred_on": day, "unit": unit, "data": data}


def unit(code: str, kind: str, parent: str | None) -> Event:
    return ev(
        "UnitRegistered",
        "2020-01-01",
        parent or code,
        code=code,
        name=f"Đơn vị {code}",
        kind=kind,
        parent=parent,
        attributes={},
    )


TREE = [unit("D", "district", None), unit("D.1", "commune", "D"), unit("D.2", "commune", "D")]


def reception(unit_code: str, window: tuple[str, str], visits: int, petitions: int = 0) -> Event:
    return ev(
        "CitizenReceptionReported",
        window[1],
        unit_code,
        window=list(window),
        visits=visits,
        cases_complaint=0,
        cases_denunciation=0,
        cases_petition=petitions,
        mass_groups=0,
        mass_group_cases=0,
    )


def figure(unit_code: str, window: tuple[str, str], value: int) -> Event:
    return ev(
        "FigureReported",
        window[1],
        unit_code,
        indicator="x.flow",
        value=value,
        window=list(window),
        by={},
    )


DEFINED = ev(
    "IndicatorDefined",
    "2023-01-01",
    "D",
    code="x.flow",
    title="Chỉ số x",
    aggregation="sum",
    unit_label="tổ",
)

H1 = ("2023-01-01", "2023-06-30")
M9 = ("2023-01-01", "2023-09-30")
Q1 = ("2023-01-01", "2023-03-31")
Q4 = ("2023-10-01", "2023-12-31")
JAN, FEB, MAR = (
    ("2023-01-01", "2023-01-31"),
    ("2023-02-01", "2023-02-28"),
    ("2023-03-01", "2023-03-31"),
)


def visits(store: Any, period: str, unit_code: str = "D.1", **kw: Any) -> Any:
    return store.snapshot(unit_code, period, **kw).value("reception.visits")


def replayed(store: Any, unit_code: str, period: str, **kw: Any) -> Any:
    """The snapshot by a full replay (the definition the store is held to)."""
    rep = replay(store.read(), store.extractors, store.types)
    indicators = list(store.indicators(rep.state).values())
    return compute_snapshot(
        rep.state, MemoryFacts(rep.facts), indicators, unit_code, store.period(period, **kw)
    )


# --- the selection ------------------------------------------------------------------------


def test_a_nine_month_report_stands_for_the_six_month_one_it_includes(store: Any) -> None:
    store.append([*TREE, reception("D.1", H1, 120), reception("D.1", M9, 190)])
    assert visits(store, "2023-6M") == 120
    assert visits(store, "2023-9M") == 190  # not 310
    assert visits(store, "2023") == 190
    assert visits(store, "2023-Q3") == 0  # neither window lies in the quarter
    assert replayed(store, "D.1", "2023-9M").value("reception.visits") == 190
    # the 6-month report does not tile the 9 months: no disagreement to report
    assert store.explain("D.1", "2023-9M", "reception.visits").disagreements == ()


def test_a_quarter_recorded_after_its_months_stands_for_them(store: Any) -> None:
    store.append(
        [
            *TREE,
            reception("D.1", JAN, 10, 1),
            reception("D.1", FEB, 12, 2),
            reception("D.1", MAR, 15, 3),
            reception("D.1", Q1, 40, 6),
        ]
    )
    assert visits(store, "2023-Q1") == 40
    assert store.snapshot("D.1", "2023-Q1").by("reception.cases", "kind")["petition"] == 6
    assert [visits(store, f"2023-0{m}") for m in (1, 2, 3)] == [10, 12, 15]
    explained = store.explain("D.1", "2023-Q1", "reception.visits")
    assert [e.data.window.start.isoformat() for e in explained.events] == ["2023-01-01"]
    assert len(explained.events) == 1
    (disagreement,) = explained.disagreements
    assert disagreement.reason == "container"
    assert (disagreement.stood_value, disagreement.dropped_value) == (40 * 10**6, 37 * 10**6)
    # the petitions agree (1 + 2 + 3 = 6): nothing to say about them
    cases = store.explain("D.1", "2023-Q1", "reception.cases")
    assert cases.disagreements == ()


def test_months_recorded_after_their_quarter_stand_even_when_they_disagree(store: Any) -> None:
    store.append(
        [
            *TREE,
            reception("D.1", Q1, 40),
            reception("D.1", JAN, 10),
            reception("D.1", FEB, 12),
            reception("D.1", MAR, 15),
        ]
    )
    assert visits(store, "2023-Q1") == 37
    assert visits(store, "2023-H1") == 37
    explained = store.explain("D.1", "2023-Q1", "reception.visits")
    assert sorted(e.data.window.start.month for e in explained.events) == [1, 2, 3]
    (disagreement,) = explained.disagreements
    assert disagreement.reason == "parts"
    assert disagreement.stood == (JAN_SPAN, FEB_SPAN, MAR_SPAN)
    assert disagreement.dropped == (Q1_SPAN,)
    out = explained.to_dict()
    assert out["disagreements"] == [
        {
            "unit": "D.1",
            "indicator": "reception.visits",
            "by": {},
            "reason": "parts",
            "stood": {
                "windows": [list(JAN), list(FEB), list(MAR)],
                "value": 37,
                "positions": [p for p in disagreement.stood_positions],
            },
            "dropped": {
                "windows": [list(Q1)],
                "value": 40,
                "positions": list(disagreement.dropped_positions),
            },
        }
    ]
    assert {"unit", "period", "indicator", "value", "events"} <= set(out)


def test_months_that_leave_a_gap_do_not_replace_their_quarter(store: Any) -> None:
    store.append([*TREE, reception("D.1", Q1, 40), reception("D.1", JAN, 10)])
    store.append([reception("D.1", MAR, 15)])
    assert visits(store, "2023-Q1") == 40
    assert visits(store, "2023-01") == 10


def test_of_two_overlapping_windows_the_later_recorded_stands(store: Any) -> None:
    store.append(
        [
            *TREE,
            reception("D.1", ("2023-01-01", "2023-04-30"), 10),
            reception("D.1", ("2023-03-01", "2023-06-30"), 20),
        ]
    )
    assert visits(store, "2023-H1") == 20
    (disagreement,) = store.explain("D.1", "2023-H1", "reception.visits").disagreements
    assert disagreement.reason == "overlap"
    assert disagreement.dropped == ((dt.date(2023, 1, 1), dt.date(2023, 4, 30)),)
    assert replayed(store, "D.1", "2023-H1").value("reception.visits") == 20


def test_of_two_reports_of_one_window_the_later_stands(store: Any) -> None:
    store.append([*TREE, DEFINED, figure("D.1", Q1, 5), figure("D.1", Q1, 7)])
    assert store.snapshot("D.1", "2023-Q1").value("x.flow") == 7
    (disagreement,) = store.explain("D.1", "2023-Q1", "x.flow").disagreements
    assert disagreement.reason == "same_window"


def test_the_year_is_nine_months_and_the_fourth_quarter(store: Any) -> None:
    store.append(
        [
            *TREE,
            reception("D.1", H1, 120),
            reception("D.1", M9, 190),
            reception("D.1", Q4, 70),
            reception("D.2", M9, 5),
        ]
    )
    assert visits(store, "2023") == 260
    assert visits(store, "2023-Q4") == 70
    assert visits(store, "2023", "D") == 265
    assert visits(store, "2023-9M", "D") == 195
    assert replayed(store, "D", "2023").value("reception.visits") == 265


def test_decree_style_windows_lie_in_decree_periods(store: Any) -> None:
    store.append(
        [
            *TREE,
            reception("D.1", ("2022-12-15", "2023-03-14"), 30),
            reception("D.1", ("2022-12-15", "2023-06-14"), 70),
        ]
    )
    assert visits(store, "2023-Q1", cutoff="decree09") == 30
    assert visits(store, "2023-6M", cutoff="decree09") == 70
    assert visits(store, "2023-Q1") == 0  # starts in 2022: not in the calendar quarter
    assert visits(store, "2022-2023") == 70


def test_as_known_at_selects_among_the_reports_known_then(store: Any, clock: Any) -> None:
    store.append([*TREE, reception("D.1", JAN, 10), reception("D.1", FEB, 12)])
    store.append([reception("D.1", MAR, 15)])
    then = clock.now
    clock.advance(days=10)
    store.append([reception("D.1", Q1, 40)])
    assert visits(store, "2023-Q1") == 40
    assert visits(store, "2023-Q1", as_known_at=then) == 37
    explained = store.explain("D.1", "2023-Q1", "reception.visits", as_known_at=then)
    assert len(explained.events) == 3
    assert explained.disagreements == ()


def test_a_correction_is_recorded_when_it_is_made(store: Any, clock: Any) -> None:
    store.append([*TREE, reception("D.1", Q1, 40)])
    quarter = next(iter(store.read(types=["CitizenReceptionReported"])))
    store.append([reception("D.1", JAN, 10), reception("D.1", FEB, 12), reception("D.1", MAR, 15)])
    assert visits(store, "2023-Q1") == 37
    store.append(
        [
            ev(
                "EventCorrected",
                Q1[1],
                "D.1",
                event_id=str(quarter.id),
                reason="số liệu sai",
                data={"window": list(Q1), "visits": 38},
            )
        ]
    )
    # the corrected quarter is now the latest recorded: it stands for its months
    assert visits(store, "2023-Q1") == 38
    assert replayed(store, "D.1", "2023-Q1").value("reception.visits") == 38
    explained = store.explain("D.1", "2023-Q1", "reception.visits")
    assert {e.type for e in explained.events} == {"EventCorrected"}
    assert [chain[0].id for chain in explained.chains] == [quarter.id]


def test_a_rebuild_keeps_the_figures(store: Any) -> None:
    store.append([*TREE, reception("D.1", Q1, 40), reception("D.1", JAN, 10)])
    store.append([reception("D.1", FEB, 12), reception("D.1", MAR, 15), reception("D.1", M9, 90)])
    before = [visits(store, p) for p in ("2023-Q1", "2023-9M", "2023", "2023-01")]
    store.rebuild_projections()
    assert [visits(store, p) for p in ("2023-Q1", "2023-9M", "2023", "2023-01")] == before
    assert before == [37, 90, 90, 10]


JAN_SPAN = (dt.date(2023, 1, 1), dt.date(2023, 1, 31))
FEB_SPAN = (dt.date(2023, 2, 1), dt.date(2023, 2, 28))
MAR_SPAN = (dt.date(2023, 3, 1), dt.date(2023, 3, 31))
Q1_SPAN = (dt.date(2023, 1, 1), dt.date(2023, 3, 31))


def _fact(window: tuple[dt.date, dt.date], value: int, position: int, dims: str = "") -> Fact:
    return Fact(
        indicator="x",
        unit="U",
        day=window[1],
        window_start=window[0],
        dims=dims,
        subject=None,
        value=value,
        position=position,
        source_position=position,
    )


def test_select_windows_works_on_facts_alone() -> None:
    facts = [_fact(Q1_SPAN, 40, 1), _fact(JAN_SPAN, 10, 2), _fact(FEB_SPAN, 12, 3)]
    standing, disagreements = select_windows(facts)
    assert [f.value for f in standing] == [40]  # January and February leave March open
    assert disagreements == []
    standing, disagreements = select_windows([*facts, _fact(MAR_SPAN, 15, 4)])
    assert [f.value for f in standing] == [10, 12, 15]
    assert [d.reason for d in disagreements] == ["parts"]
    # reports of one window by different dims are not rivals
    standing, _ = select_windows([_fact(Q1_SPAN, 1, 1, "a"), _fact(Q1_SPAN, 2, 2, "b")])
    assert sorted(f.value for f in standing) == [1, 2]


# --- nothing is counted twice: a property ---------------------------------------------------


def _month(m: int) -> tuple[dt.date, dt.date]:
    start = dt.date(2023, m, 1)
    end = dt.date(2023 + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1)
    return start, end


#: The windows a commune reports on: months, quarters and the nine months (as month numbers).
WINDOWS: list[tuple[int, int]] = (
    [(m, m) for m in range(1, 13)] + [(3 * q - 2, 3 * q) for q in range(1, 5)] + [(1, 9)]
)
#: The periods checked: each month, each quarter, the nine months and the year.
PERIODS: list[tuple[str, tuple[int, int]]] = (
    [(f"2023-{m:02d}", (m, m)) for m in range(1, 13)]
    + [(f"2023-Q{q}", (3 * q - 2, 3 * q)) for q in range(1, 5)]
    + [("2023-9M", (1, 9)), ("2023", (1, 12))]
)
_commune = itertools.count(1)


@pytest.mark.slow
@shared_store
@given(
    truth=st.lists(st.integers(0, 500), min_size=12, max_size=12),
    petitions=st.lists(st.integers(0, 50), min_size=12, max_size=12),
    reports=st.lists(st.sampled_from(WINDOWS), min_size=1, max_size=12),
    batches=st.integers(1, 3),
)
def test_consistent_reports_are_never_counted_twice(
    store: Any,
    truth: list[int],
    petitions: list[int],
    reports: list[tuple[int, int]],
    batches: int,
) -> None:
    if store.head() == 0:
        store.append([unit("R", "district", None)])
    code = f"R.{next(_commune)}"
    events = [unit(code, "commune", "R")]
    for a, b in reports:
        window = (_month(a)[0].isoformat(), _month(b)[1].isoformat())
        events.append(reception(code, window, sum(truth[a - 1 : b]), sum(petitions[a - 1 : b])))
    size = -(-len(events) // batches)
    before = store.head()
    for i in range(0, len(events), size):
        store.append(events[i : i + size])
    # the replay of this commune's events (and the district's): the rest are other examples'
    mine = [*store.read(upto=1), *store.read(after=before)]
    rep = replay(mine, store.extractors, store.types)
    indicators = list(store.indicators(rep.state).values())
    source = MemoryFacts(rep.facts)
    for spec, (first, last) in PERIODS:
        covered = {m for a, b in reports if first <= a and b <= last for m in range(a, b + 1)}
        snap = store.snapshot(code, spec)
        assert snap.value("reception.visits") == sum(truth[m - 1] for m in covered), spec
        expected_petitions = sum(petitions[m - 1] for m in covered)
        assert snap.by("reception.cases", "kind").get("petition", 0) == expected_petitions
        period = store.period(spec)
        assert compute_snapshot(rep.state, source, indicators, code, period) == snap
        if spec in ("2023", "2023-9M", "2023-Q1"):  # consistent reports never disagree
            assert store.explain(code, spec, "reception.visits").disagreements == ()
