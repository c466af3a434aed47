"""The projection is a cache: a Hypothesis state machine holds it to a full replay.

Random appends, retractions, corrections, merges, moves and clock ticks run against a real
store (a SQLite file). After every step the store's snapshots must equal the snapshots
computed from a replay of the whole log, "as known at" any earlier instant must equal a
replay truncated there (and the snapshot the store gave at that instant), flows must add
up from months to quarters to the year, and merges and moves must leave the city's totals
unchanged. Rebuilding the projection must change nothing.
"""

from __future__ import annotations

import atexit
import datetime as dt
import functools
import os
import random
import shutil
import tempfile
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from dvcore import open_store
from dvcore.indicators import compute_snapshot
from dvcore.store import projections, writer
from dvcore.store.projections import MemoryFacts, replay
from dvcore.targets import evaluate_targets
from dvcore.testing.strategies import core_events, data_for, unit_trees, windows

Event = dict[str, Any]

START = dt.date(2023, 1, 1)
END = dt.date(2024, 12, 31)
ROOT = "C"
DISTRICTS = ("C.A", "C.B", "C.C")
COMMUNES = ("C.A.1", "C.A.2", "C.B.1", "C.B.2", "C.C.1", "C.C.2")
KINDS = {
    "C.A.1": "commune",
    "C.A.2": "ward",
    "C.B.1": "township",
    "C.B.2": "commune",
    "C.C.1": "ward",
    "C.C.2": "commune",
}
ESTABLISHMENTS = {"E1": "C.A.1", "E2": "C.B.1", "E3": "C.C.2", "E4": "C.A"}
PERIODS = (
    "2023",
    "2024",
    "2023-Q2",
    "2024-Q4",
    "2023-H2",
    "2024-07",
    "2023-2024",
    "2023-9M",
    "2023-12-20..2024-01-20",
)
SUM, LAST = "test.flow", "test.stock"
# A real SQLite file, on a memory-backed file system where there is one: hundreds of small
# commits per run would otherwise wait on the disk.
MEMORY_DISK = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
LAND = (
    "LandDossierFiled",
    "LandDossierSubmitted",
    "LandUseRightRecognized",
    "LandCertificateIssued",
)
APPENDABLE = (
    "DialogueHeld",
    "ModelRegistered",
    "InspectionConducted",
    "CitizenReceptionReported",
    "LettersReported",
    "DocumentIssued",
    SUM,
    LAST,
    *LAND,
    "EstablishmentChanged",
    "TaskAssigned",
    "TaskReported",
)


def ev(type_name: str, day: dt.date, unit: str, **data: Any) -> Event:
    return {"type": type_name, "occurred_on": day.isoformat(), "unit": unit, "data": data}


def initial_events() -> list[Event]:
    day = dt.date(2020, 1, 1)
    out = [
        ev(
            "UnitRegistered",
            day,
            ROOT,
            code=ROOT,
            name="Thành phố",
            kind="city",
            parent=None,
            attributes={},
        )
    ]
    out += [
        ev(
            "UnitRegistered",
            day,
            ROOT,
            code=d,
            name=f"Huyện {d}",
            kind="district",
            parent=ROOT,
            attributes={},
        )
        for d in DISTRICTS
    ]
    out += [
        ev(
            "UnitRegistered",
            day,
            c[:3],
            code=c,
            name=f"Xã {c}",
            kind=KINDS[c],
            parent=c[:3],
            attributes={},
        )
        for c in COMMUNES
    ]
    out += [
        ev(
            "EstablishmentRegistered",
            day,
            u,
            id=e,
            name=f"Chùa {e}",
            religion="Phật giáo",
            uses_land=True,
        )
        for e, u in ESTABLISHMENTS.items()
    ]
    out += [
        ev(
            "IndicatorDefined",
            day,
            ROOT,
            code=SUM,
            title="Chỉ số cộng dồn",
            aggregation="sum",
            unit_label="lượt",
        ),
        ev(
            "IndicatorDefined",
            day,
            ROOT,
            code=LAST,
            title="Chỉ số thời điểm",
            aggregation="last",
            unit_label="tổ",
        ),
    ]
    return out


@functools.cache
def empty_store() -> str:
    """A freshly created, empty store file that each example copies."""
    folder = tempfile.mkdtemp(prefix="dvcore-template-", dir=MEMORY_DISK)
    atexit.register(shutil.rmtree, folder, True)
    open_store(f"sqlite:///{folder}/empty.db").close()
    return f"{folder}/empty.db"


def outcome(make: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """A snapshot's JSON, or the error it raises (both sides must agree on either)."""
    try:
        return make(*args, **kwargs).to_dict()
    except Exception as exc:  # compared, never swallowed: the other side must raise it too
        return (type(exc).__name__, str(exc))


class ProjectionMachine(RuleBasedStateMachine):
    """Random histories against the store, checked against a full replay after every step."""

    def __init__(self) -> None:
        super().__init__()
        self.dir = tempfile.mkdtemp(prefix="dvcore-projections-", dir=MEMORY_DISK)
        self.now = dt.datetime(2024, 1, 10, 2, 0, tzinfo=dt.UTC)
        shutil.copy(empty_store(), f"{self.dir}/store.db")  # faster than creating one
        self.store = open_store(f"sqlite:///{self.dir}/store.db", clock=lambda: self.now)
        self.until = {code: END for code in (ROOT, *DISTRICTS, *COMMUNES)}
        self.last_day = {code: START for code in self.until}
        self.moved: set[str] = set()
        self.live: dict[str, Event] = {}  # events a retraction or correction may name
        self.tasks: dict[str, tuple[str, dt.date]] = {}
        self.history: dict[dt.datetime, Any] = {}  # instant → the root's figures then
        self.steps = 0
        self.counter = 0
        self.store.append(initial_events())
        self.remember()

    def teardown(self) -> None:
        self.store.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    # --- helpers ----------------------------------------------------------------------------

    def living(self, codes: tuple[str, ...]) -> list[str]:
        return [c for c in codes if self.until[c] >= START]

    def standing(self, codes: tuple[str, ...]) -> list[str]:
        return [c for c in codes if self.until[c] == END]

    def day_for(self, data: st.DataObject, code: str, after: dt.date = START) -> dt.date | None:
        if after > self.until[code]:
            return None
        return data.draw(st.dates(after, self.until[code]), label="day")

    def append(self, events: list[Event]) -> None:
        for e in events:
            # Ids depend on nothing but the draws (never uuid4): Hypothesis replays examples.
            self.counter += 1
            e["id"] = str(uuid.UUID(int=self.counter))
            day = dt.date.fromisoformat(e["occurred_on"])
            self.last_day[e["unit"]] = max(self.last_day[e["unit"]], day)
        self.store.append(events)
        self.remember()

    def remember(self) -> None:
        """What the store answers now is what "as known at" now must answer forever."""
        self.history[self.now] = self.store.snapshot(ROOT, "2023-2024").to_dict()["indicators"]

    def figures(self, code: str, spec: str, tree: str) -> Any:
        return outcome(self.store.snapshot, code, spec, tree=tree)

    def totals(self) -> list[Any]:
        return [
            self.figures(ROOT, spec, tree)
            for spec in ("2023", "2024")
            for tree in ("as-of", "current")
        ]

    def make(self, data: st.DataObject, kind: str) -> Event | None:
        if kind in LAND or kind == "EstablishmentChanged":
            est = data.draw(st.sampled_from(sorted(ESTABLISHMENTS)), label="establishment")
            code = ESTABLISHMENTS[est]
            day = self.day_for(data, code)
            if day is None:
                return None
            if kind == "EstablishmentChanged":
                return ev(kind, day, code, id=est, uses_land=data.draw(st.booleans()))
            return ev(kind, day, code, establishment_id=est)
        if kind == "TaskReported":
            if not self.tasks:
                return None
            task_id = data.draw(st.sampled_from(sorted(self.tasks)), label="task")
            owner, assigned = self.tasks[task_id]
            day = self.day_for(data, owner, assigned)
            if day is None:
                return None
            return ev(
                kind,
                day,
                owner,
                task_id=task_id,
                status=data.draw(st.sampled_from(["in_progress", "done"])),
            )
        code = data.draw(st.sampled_from(self.living((ROOT, *DISTRICTS, *COMMUNES))), label="unit")
        day = self.day_for(data, code)
        assert day is not None
        if kind == "TaskAssigned":
            task_id = f"t{len(self.tasks) + 1}"
            self.tasks[task_id] = (code, day)
            due = data.draw(st.none() | st.dates(day, END), label="due")
            return ev(
                kind,
                day,
                ROOT,
                task_id=task_id,
                conclusion="01-KL/TU",
                owner=code,
                due=None if due is None else due.isoformat(),
                text="Thực hiện",
            )
        if kind in (SUM, LAST):
            window = data.draw(windows(START, day), label="window")
            return ev(
                "FigureReported",
                dt.date.fromisoformat(window[1]),
                code,
                indicator=kind,
                value=data.draw(st.integers(0, 500), label="value"),
                window=window,
                by=data.draw(st.sampled_from([{}, {"kind": "a"}, {"kind": "b"}])),
            )
        if kind == "ModelRegistered":
            return ev(
                kind,
                day,
                code,
                model_id=f"M{self.counter}-{len(self.live)}",
                name="Mô hình",
                field=data.draw(st.sampled_from(["ntm_model", "urban", "digital"])),
            )
        payload = data.draw(data_for(kind, START, day), label="data")
        if "window" in payload:
            day = dt.date.fromisoformat(payload["window"][1])
        return ev(kind, day, code, **payload)

    # --- rules ------------------------------------------------------------------------------

    @rule(data=st.data(), kinds=st.lists(st.sampled_from(APPENDABLE), min_size=1, max_size=4))
    def append_events(self, data: st.DataObject, kinds: list[str]) -> None:
        events = [e for e in (self.make(data, k) for k in kinds) if e is not None]
        if events:
            self.append(events)
            for e in events:
                if e["type"] not in ("EstablishmentChanged",):
                    self.live[e["id"]] = e

    @precondition(lambda self: bool(self.live))
    @rule(data=st.data())
    def retract(self, data: st.DataObject) -> None:
        target = self.live.pop(data.draw(st.sampled_from(sorted(self.live)), label="target"))
        self.append(
            [
                ev(
                    "EventRetracted",
                    dt.date.fromisoformat(target["occurred_on"]),
                    target["unit"],
                    event_id=target["id"],
                    reason="Báo cáo trùng",
                )
            ]
        )

    @precondition(lambda self: bool(self.live))
    @rule(data=st.data())
    def correct(self, data: st.DataObject) -> None:
        target = self.live[data.draw(st.sampled_from(sorted(self.live)), label="target")]
        corrected = dict(target["data"])
        kind = target["type"]
        if kind == "DialogueHeld":
            hosts = ["party_secretary", "chairman", "standing_committee", "other"]
            corrected["host"] = data.draw(
                st.sampled_from([h for h in hosts if h != corrected["host"]])
            )
        elif kind == "FigureReported":
            corrected["value"] = corrected["value"] + data.draw(st.integers(1, 50))
            corrected["by"] = data.draw(st.sampled_from([{}, {"kind": "a"}, {"kind": "c"}]))
        elif kind == "CitizenReceptionReported":
            corrected["visits"] += 1
            corrected["cases_petition"] = data.draw(st.integers(0, 9))
        elif kind == "LettersReported":
            corrected["received"] += 3
        elif kind in LAND:
            corrected["establishment_id"] = data.draw(st.sampled_from(sorted(ESTABLISHMENTS)))
        elif kind == "ModelRegistered":
            corrected["field"] = "security"
        elif kind == "InspectionConducted":
            corrected["kind"] = "supervision" if corrected["kind"] == "inspection" else "inspection"
        elif kind == "DocumentIssued":
            corrected["sets_targets"] = not corrected["sets_targets"]
        elif kind == "TaskAssigned":
            corrected["due"] = None
        elif kind == "TaskReported":
            corrected["status"] = (
                "done" if corrected["status"] == "in_progress" else ("in_progress")
            )
        target["data"] = corrected
        self.append(
            [
                ev(
                    "EventCorrected",
                    dt.date.fromisoformat(target["occurred_on"]),
                    target["unit"],
                    event_id=target["id"],
                    data=corrected,
                    reason="Số liệu sai",
                )
            ]
        )

    @rule(data=st.data())
    def merge(self, data: st.DataObject) -> None:
        pool = self.standing(COMMUNES)
        if len(pool) < 3:
            return
        chosen = data.draw(
            st.lists(st.sampled_from(pool), min_size=3, max_size=3, unique=True), label="units"
        )
        sources, into = chosen[:2], chosen[2]
        first = max([START, *(self.last_day[s] for s in sources)]) + dt.timedelta(days=1)
        last = END
        if first > last:
            return
        day = data.draw(st.dates(first, last), label="merge day")
        before = self.totals()
        districts = {self.store.state().tree.state(c).parent for c in chosen}
        same = len(districts) == 1 and not self.moved & set(chosen)
        district_before = (
            [self.figures(c[:3], "2023-2024", t) for c in chosen[:1] for t in ("as-of", "current")]
            if same
            else []
        )
        self.append([ev("UnitsMerged", day, ROOT, sources=sources, into=into)])
        for s in sources:
            self.until[s] = day - dt.timedelta(days=1)
        self.last_day[into] = max(self.last_day[into], *(self.last_day[s] for s in sources))
        assert self.totals() == before, "a merge changed the city's totals"
        if same:
            assert [
                self.figures(c[:3], "2023-2024", t)
                for c in chosen[:1]
                for t in ("as-of", "current")
            ] == district_before

    @rule(data=st.data())
    def move(self, data: st.DataObject) -> None:
        code = data.draw(st.sampled_from(self.living(COMMUNES)), label="commune")
        parent = self.store.state().tree.state(code).parent
        district = data.draw(st.sampled_from([d for d in DISTRICTS if d != parent]))
        day = self.day_for(data, code)
        assert day is not None
        before = self.totals()
        self.append([ev("UnitChanged", day, ROOT, code=code, parent=district)])
        self.moved.add(code)
        assert self.totals() == before, "a move changed the city's totals"

    @rule(hours=st.integers(1, 24 * 40))
    def advance_clock(self, hours: int) -> None:
        self.now += dt.timedelta(hours=hours)

    @rule(data=st.data())
    def rebuild(self, data: st.DataObject) -> None:
        spec = data.draw(st.sampled_from(PERIODS), label="period")
        codes = (ROOT, data.draw(st.sampled_from((*DISTRICTS, *COMMUNES)), label="unit"))
        before = [self.figures(c, spec, t) for c in codes for t in ("as-of", "current")]
        self.store.rebuild_projections()
        assert [self.figures(c, spec, t) for c in codes for t in ("as-of", "current")] == before

    # --- invariants -----------------------------------------------------------------------

    def rng(self) -> random.Random:
        # Which units and periods to compare: varied, yet a function of the history only.
        self.steps += 1
        return random.Random(f"{self.store.head()}:{self.steps}")

    @invariant()
    def agrees_with_a_full_replay(self) -> None:
        rng = self.rng()
        replayed = replay(self.store.read(), self.store.extractors, self.store.types)
        source = MemoryFacts(replayed.facts)
        indicators = list(self.store.indicators(replayed.state).values())

        def from_replay(code: str, spec: str, tree: str, cutoff: str = "calendar") -> Any:
            period = self.store.period(spec, cutoff)  # type: ignore[arg-type]
            return compute_snapshot(replayed.state, source, indicators, code, period, tree, None)

        codes = (ROOT, *DISTRICTS, *COMMUNES)
        combos = [(ROOT, "2023-2024", rng.choice(["as-of", "current"]), "calendar")]
        combos += [
            (
                rng.choice(codes),
                rng.choice(PERIODS),
                rng.choice(["as-of", "current"]),
                rng.choice(["calendar", "decree09"]),
            )
        ]
        for code, spec, tree, cutoff in combos:
            projected = outcome(self.store.snapshot, code, spec, tree=tree, cutoff=cutoff)
            expected = outcome(from_replay, code, spec, tree, cutoff)
            assert projected == expected, (code, spec, tree, cutoff)
        self.check_sums(rng, from_replay)

    def check_sums(self, rng: random.Random, snapshot: Callable[..., Any]) -> None:
        """Flows add up: the 4 quarters to the year, the 3 months to each quarter."""
        year = rng.choice([2023, 2024])
        cutoff = rng.choice(["calendar", "decree09"])
        tree = rng.choice(["as-of", "current"])
        code = rng.choice([ROOT, *DISTRICTS])
        whole = snapshot(code, str(year), tree, cutoff)
        flows = [
            c
            for c, i in whole.indicators.items()
            if i.kind == "fact" and i.time in ("sum", "first")
        ]
        assert {"dialogue.count", "reception.visits", SUM, "land.dossier_filed"} <= set(flows)
        quarters = [snapshot(code, f"{year}-Q{q}", tree, cutoff) for q in range(1, 5)]
        q = rng.randint(1, 4)
        months = [
            snapshot(code, f"{year}-{m:02d}", tree, cutoff) for m in range(3 * q - 2, 3 * q + 1)
        ]
        wholes = [(whole, quarters), (quarters[q - 1], months)]
        # Reports over windows do not add up so: a window counts only in the periods it lies
        # in whole (one that straddles two quarters counts in the year, in neither quarter),
        # and nested windows are never added together. tests/test_windows.py holds them
        # to their own property.
        windowed = (SUM, "reception.", "letters.")
        for total, pieces in wholes:
            for ind in flows:
                if ind.startswith(windowed):
                    continue
                assert sum(p.value(ind) for p in pieces) == total.value(ind), ind
                for dim in total.indicators[ind].dimensions:
                    added: dict[str, Any] = {}
                    for p in pieces:
                        for key, v in p.by(ind, dim).items():
                            added[key] = added.get(key, 0) + v
                    assert {k: v for k, v in added.items() if v} == {
                        k: v for k, v in total.by(ind, dim).items() if v
                    }, (ind, dim)

    @invariant()
    def as_known_at_is_a_truncated_replay(self) -> None:
        rng = self.rng()
        instant = rng.choice(sorted(self.history))
        when = instant + dt.timedelta(minutes=rng.choice([0, 30]))
        position = self.store.position_at(when)
        replayed = replay(self.store.read(), self.store.extractors, self.store.types, upto=position)
        source = MemoryFacts(replayed.facts, known=position)
        indicators = list(self.store.indicators(replayed.state).values())
        code = rng.choice((ROOT, *DISTRICTS, *COMMUNES))
        spec = rng.choice(PERIODS)
        tree = rng.choice(["as-of", "current"])
        projected = outcome(self.store.snapshot, code, spec, tree=tree, as_known_at=when)
        expected = outcome(
            lambda: compute_snapshot(
                replayed.state, source, indicators, code, self.store.period(spec), tree, when
            )
        )
        assert projected == expected, (code, spec, tree, when)
        # and it is exactly what the store answered at that instant
        then = self.store.snapshot(ROOT, "2023-2024", as_known_at=instant)
        assert then.to_dict()["indicators"] == self.history[instant]


ProjectionMachine.TestCase.settings = settings(
    ProjectionMachine.TestCase.settings,
    max_examples=25,
    stateful_step_count=20,
    deadline=None,
)
TestProjections = pytest.mark.slow(ProjectionMachine.TestCase)


class SqlCountingMachine(ProjectionMachine):
    """The same histories, with every append adding up its log-counted events (dialogues,
    models, inspections) over the log, as a large import does (a GROUP BY on PostgreSQL,
    a Counter over the rows on SQLite), and every rebuild scanning the log for them, as
    it does for a type with many rows."""

    def __init__(self) -> None:
        self.saved = writer._COUNT_IN_SQL, projections._SCAN_FROM
        writer._COUNT_IN_SQL = projections._SCAN_FROM = 0
        super().__init__()

    def teardown(self) -> None:
        super().teardown()
        writer._COUNT_IN_SQL, projections._SCAN_FROM = self.saved


SqlCountingMachine.TestCase.settings = settings(
    SqlCountingMachine.TestCase.settings,
    max_examples=15,
    stateful_step_count=20,
    deadline=None,
)
TestProjectionsCountingInSql = pytest.mark.slow(SqlCountingMachine.TestCase)


@pytest.mark.parametrize("counting", ["python", "sql", "sql-groups"])
@settings(max_examples=20, deadline=None)
@given(data=st.data())
def test_any_valid_history_reads_like_its_replay(data: st.DataObject, counting: str) -> None:
    """Events of every core type (dvcore.testing.strategies.core_events): the store's
    snapshots and targets equal those of a replay, before and after a rebuild, whether an
    append adds up its log-counted events in Python (``python``), in the database
    (``sql``), or groups them (on SQLite: reads them into a ``Counter``) and adds the
    groups up in Python (``sql-groups``, SQLite's way, and PostgreSQL's for dimensions
    that are not plain)."""
    saved = writer._COUNT_IN_SQL, projections._SCAN_FROM, projections._IN_SQL
    if counting != "python":
        writer._COUNT_IN_SQL = projections._SCAN_FROM = 0
        projections._IN_SQL = frozenset({"sqlite", "postgresql"} if counting == "sql" else ())
    try:
        _history_reads_like_its_replay(data)
    finally:
        writer._COUNT_IN_SQL, projections._SCAN_FROM, projections._IN_SQL = saved


def _history_reads_like_its_replay(data: st.DataObject) -> None:
    tree = data.draw(unit_trees(max_districts=2, max_communes=3), label="tree")
    events = data.draw(core_events(tree, every_type=data.draw(st.booleans())), label="events")
    folder = tempfile.mkdtemp(prefix="dvcore-history-", dir=MEMORY_DISK)
    shutil.copy(empty_store(), f"{folder}/store.db")
    try:
        with open_store(f"sqlite:///{folder}/store.db") as store:
            store.append(list(tree.events))
            store.append(events)
            replayed = replay(store.read(), store.extractors, store.types)
            source = MemoryFacts(replayed.facts)
            indicators = store.indicators(replayed.state)
            asks = [
                (code, spec, tree_mode, cutoff)
                for code in (tree.root, *tree.districts)
                for spec in ("2023", "2023-Q3")
                for tree_mode in ("as-of", "current")
                for cutoff in ("calendar", "decree09")
            ]

            def answers() -> list[Any]:
                return [outcome(store.snapshot, c, s, tree=t, cutoff=k) for c, s, t, k in asks]

            expected = [
                outcome(
                    compute_snapshot,
                    replayed.state,
                    source,
                    indicators.values(),
                    c,
                    store.period(s, k),
                    t,
                    None,
                )
                for c, s, t, k in asks
            ]
            assert answers() == expected
            as_of = dt.date(2023, 12, 31)
            targets = [r.to_dict() for r in store.targets(tree.root, as_of)]
            assert targets == [
                r.to_dict()
                for r in evaluate_targets(
                    replayed.state, source, indicators, tree.root, as_of, "calendar"
                )
            ]
            store.rebuild_projections()
            assert answers() == expected
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@st.composite
def _date_ranges(draw: st.DrawFn) -> tuple[dt.date, dt.date]:
    """A date range around 2023: one 15th-to-14th window, a run of them, or any range."""
    kind = draw(st.sampled_from(["cut-off month", "cut-off months", "any"]))
    if kind == "any":
        start = draw(st.dates(dt.date(2022, 12, 1), dt.date(2023, 12, 31)))
        return start, draw(st.dates(start, dt.date(2024, 1, 31)))
    first = 2022 * 12 + 11 + draw(st.integers(0, 12))  # 2022-12 to 2023-12, as months
    last = first + (1 if kind == "cut-off month" else draw(st.integers(2, 13)))
    return (
        dt.date(first // 12, first % 12 + 1, 15),
        dt.date(last // 12, last % 12 + 1, 14),
    )


@given(span=_date_ranges())
def test_a_span_is_cut_into_rollups_and_leftover_days_exactly(
    span: tuple[dt.date, dt.date],
) -> None:
    """split_span tiles the range: every day in exactly one rollup or leftover range,
    never more leftover days than years and calendar months alone leave, and none for a
    run of 15th-to-14th windows."""
    start, end = span
    grains, spans = projections.split_span(start, end)
    days: list[dt.date] = []
    for grain, starts in grains.items():
        for first in starts:
            last = projections._month_end(first)  # M
            if grain == "Y":
                last = first.replace(month=12, day=31)
            elif grain == "Q":
                last = projections._month_end(first.replace(month=first.month + 2))
            elif grain == "C":
                last += dt.timedelta(days=14)
            assert first == projections.rollup_starts(first)[projections.GRAINS.index(grain)]
            days += [first + dt.timedelta(n) for n in range((last - first).days + 1)]
    for a, b in spans:
        days += [a + dt.timedelta(n) for n in range((b - a).days + 1)]
    assert sorted(days) == [start + dt.timedelta(n) for n in range((end - start).days + 1)]
    if start.day == 15 and end.day == 14:
        assert spans == []


@pytest.mark.parametrize("counting", ["python", "sql", "sql-groups"])
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_windows_read_like_their_replay(data: st.DataObject, counting: str) -> None:
    """Snapshots over date ranges (15th-to-14th windows answered by the cut-off month
    rollups, runs of them, any range) equal those of a full replay, however the append
    adds up its log-counted events, and again after a rebuild."""
    saved = writer._COUNT_IN_SQL, projections._SCAN_FROM, projections._IN_SQL
    if counting != "python":
        writer._COUNT_IN_SQL = projections._SCAN_FROM = 0
        projections._IN_SQL = frozenset({"sqlite", "postgresql"} if counting == "sql" else ())
    tree = data.draw(unit_trees(max_districts=2, max_communes=3), label="tree")
    events = data.draw(core_events(tree, every_type=data.draw(st.booleans())), label="events")
    spans = data.draw(st.lists(_date_ranges(), min_size=1, max_size=3), label="spans")
    folder = tempfile.mkdtemp(prefix="dvcore-windows-", dir=MEMORY_DISK)
    shutil.copy(empty_store(), f"{folder}/store.db")
    try:
        with open_store(f"sqlite:///{folder}/store.db") as store:
            store.append(list(tree.events))
            store.append(events)
            replayed = replay(store.read(), store.extractors, store.types)
            source = MemoryFacts(replayed.facts)
            indicators = store.indicators(replayed.state)
            asks = [
                (code, f"{a.isoformat()}..{b.isoformat()}", tree_mode)
                for code in (tree.root, *tree.districts)
                for a, b in spans
                for tree_mode in ("as-of", "current")
            ]

            def answers() -> list[Any]:
                return [outcome(store.snapshot, c, s, tree=t) for c, s, t in asks]

            expected = [
                outcome(
                    compute_snapshot,
                    replayed.state,
                    source,
                    indicators.values(),
                    c,
                    store.period(s),
                    t,
                    None,
                )
                for c, s, t in asks
            ]
            assert answers() == expected
            store.rebuild_projections()
            assert answers() == expected
    finally:
        writer._COUNT_IN_SQL, projections._SCAN_FROM, projections._IN_SQL = saved
        shutil.rmtree(folder, ignore_errors=True)
