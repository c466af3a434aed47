"""Projections: the state folded from the log, and the facts figures are added up from.

Two kinds, both caches that a full replay of the log must reproduce exactly:

* :class:`StoreState`, in memory: the unit tree and establishments, declared indicators,
  tasks, target sets. Small (it folds only those event types) and caught up from the log
  before every read.
* the facts table (``dv_facts``): one row per number an event contributes, kept up to
  date in the same transaction as the append. Events whose indicator counts each of them
  once (:class:`~dvcore.indicators.CountEach`: dialogues, models, inspections — most of a
  log) get no row: their facts are read from the log itself (:class:`LogCount`), and
  only a retraction or correction of one writes its retired facts as rows. A fact is
  *bitemporal*: ``position`` is the event whose recording made it count and
  ``until_position`` the retraction or correction that made it stop counting, so one
  table answers both "now" and "as known at" any earlier position.

:class:`SqlFacts` answers from the table; :class:`MemoryFacts` answers the same questions
from a list of facts built by :func:`replay` — the reference the projection is tested
against.
"""

from __future__ import annotations

import datetime as dt
import typing
import uuid
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any, Protocol

import attrs
import sqlalchemy as sa
from sqlalchemy import Connection, and_, exists, func, or_, select

from dvcore.errors import InputError
from dvcore.events import (
    EventCorrected,
    EventData,
    EventRetracted,
    IndicatorDefined,
    SubmissionReceived,
    SubmissionReviewed,
    TargetSetAdopted,
    TaskAssigned,
    TaskReported,
)
from dvcore.indicators import SCALE, CountEach, Extractor, Fact, counted_facts, make_facts
from dvcore.serialization import EventTypes, structure_data
from dvcore.store.schema import events as events_table
from dvcore.store.schema import facts as facts_table
from dvcore.store.schema import retired as retired_table
from dvcore.store.schema import rollups as rollups_table
from dvcore.units import ESTABLISHMENT_EVENT_TYPES, UNIT_EVENT_TYPES, Member, UnitTree

__all__ = [
    "STATE_EVENT_TYPES",
    "FactSource",
    "LogCount",
    "MemoryFacts",
    "Replayed",
    "SqlFacts",
    "StoreState",
    "TargetSetRecord",
    "TaskRecord",
    "add_log_rollups",
    "add_rollup",
    "apply_rollups",
    "log_counts",
    "log_rollups",
    "replay",
    "rollup_starts",
    "split_span",
]

#: The event types :class:`StoreState` folds (corrections are folded when they name one).
STATE_EVENT_TYPES = frozenset(
    UNIT_EVENT_TYPES
    | ESTABLISHMENT_EVENT_TYPES
    | {
        IndicatorDefined.type_name,
        TaskAssigned.type_name,
        TaskReported.type_name,
        TargetSetAdopted.type_name,
        EventCorrected.type_name,
        EventRetracted.type_name,
        SubmissionReceived.type_name,
        SubmissionReviewed.type_name,
    }
)

#: Types whose events may not be retracted or corrected: they shape the tree itself.
#: A unit is renamed, moved or closed with its own events instead.
STRUCTURAL_TYPES = frozenset(
    UNIT_EVENT_TYPES
    | ESTABLISHMENT_EVENT_TYPES
    | {"IndicatorDefined", SubmissionReceived.type_name, SubmissionReviewed.type_name}
)


@attrs.frozen(kw_only=True)
class TaskRecord:
    """A task as assigned, with its reports: ``(day, position, status)``."""

    position: int
    assigned_on: dt.date
    data: TaskAssigned
    reports: tuple[tuple[dt.date, int, str], ...] = ()

    def status_on(self, day: dt.date) -> str:
        """``open``, ``in_progress`` or ``done`` as of ``day``."""
        status = "open"
        for on, _pos, reported in sorted(self.reports):
            if on <= day:
                status = reported
        return status


@attrs.frozen(kw_only=True)
class TargetSetRecord:
    """A ``TargetSetAdopted`` event: who adopted which targets on which day."""

    position: int
    event_id: uuid.UUID
    unit: str
    adopted_on: dt.date
    data: TargetSetAdopted


class StoreState:
    """The state folded from the log's structural events, up to :attr:`position`."""

    def __init__(self, types: EventTypes | None = None) -> None:
        self.types = types or EventTypes.core()
        self.tree = UnitTree()
        self.defined: dict[str, IndicatorDefined] = {}
        self.position = 0
        # (conclusion, task id) → position of its TaskAssigned; task id → those positions
        self._tasks: dict[tuple[str, str], int] = {}
        self._task_ids: dict[str, list[int]] = {}
        self._base: dict[int, tuple[str, dt.date, str, EventData]] = {}  # position → event
        self._ids: dict[uuid.UUID, int] = {}
        self._overrides: dict[int, EventData | None] = {}
        self._task_reports: dict[int, int] = {}  # TaskReported position → task position
        #: (unit, period) → its versions and reviews, in log order: ``(position, data)``
        self.submissions: dict[tuple[str, str], list[tuple[int, EventData]]] = {}

    def copy(self) -> StoreState:
        """An independent copy (a batch validates against a copy, kept only on commit)."""
        other = StoreState(self.types)
        other.tree = self.tree.copy()
        other.defined = dict(self.defined)
        other.position = self.position
        other._tasks = dict(self._tasks)
        other._task_ids = {k: list(v) for k, v in self._task_ids.items()}
        other._base = dict(self._base)
        other._ids = dict(self._ids)
        other._overrides = dict(self._overrides)
        other._task_reports = dict(self._task_reports)
        other.submissions = {k: list(v) for k, v in self.submissions.items()}
        return other

    def apply(
        self,
        *,
        position: int,
        event_id: uuid.UUID,
        type_name: str,
        unit: str,
        occurred_on: dt.date,
        data: EventData,
    ) -> None:
        """Fold one event (in position order); events of other types only move the position."""
        self.position = max(self.position, position)
        if type_name in UNIT_EVENT_TYPES or type_name in ESTABLISHMENT_EVENT_TYPES:
            self.tree.apply(data, occurred_on, unit, position)
            return
        if isinstance(data, IndicatorDefined):
            self.defined[data.code] = data
            return
        if isinstance(data, SubmissionReceived):
            self.submissions.setdefault((unit, data.period), []).append((position, data))
            return
        if isinstance(data, SubmissionReviewed):
            self.submissions.setdefault((data.unit, data.period), []).append((position, data))
            return
        if isinstance(data, EventRetracted | EventCorrected):
            target = self._ids.get(data.event_id)
            if target is not None:
                if isinstance(data, EventRetracted):
                    self._overrides[target] = None
                else:
                    target_type = self._base[target][0]
                    self._overrides[target] = _structure_as(self.types, target_type, data.data)
            return
        if isinstance(data, TaskAssigned | TaskReported | TargetSetAdopted):
            self._base[position] = (type_name, occurred_on, unit, data)
            self._ids[event_id] = position
            if isinstance(data, TaskAssigned):
                if (data.conclusion, data.task_id) not in self._tasks:
                    self._tasks[data.conclusion, data.task_id] = position
                    self._task_ids.setdefault(data.task_id, []).append(position)
            elif isinstance(data, TaskReported):
                self._task_reports[position] = self.find_task(data.task_id, data.conclusion)

    def apply_recorded(self, ev: Any) -> None:
        """Fold one recorded event (a :class:`~dvcore.events.RecordedEvent`)."""
        self.apply(
            position=ev.position,
            event_id=ev.id,
            type_name=ev.type,
            unit=ev.unit,
            occurred_on=ev.occurred_on,
            data=ev.data,
        )

    def _effective(self, position: int) -> EventData | None:
        if position in self._overrides:
            return self._overrides[position]
        return self._base[position][3]

    def has_task(self, task_id: str, conclusion: str | None = None) -> bool:
        """Whether a task with this id was assigned (in ``conclusion``, when given)."""
        if conclusion is not None:
            return (conclusion, task_id) in self._tasks
        return task_id in self._task_ids

    def find_task(self, task_id: str, conclusion: str | None = None) -> int:
        """The position of the task a report names: by its conclusion and id, or by its id
        alone when one conclusion assigned it; ``-1`` when none or several match."""
        if conclusion is not None:
            return self._tasks.get((conclusion, task_id), -1)
        found = self._task_ids.get(task_id, ())
        return found[0] if len(found) == 1 else -1

    def tasks(self) -> list[TaskRecord]:
        """Every task still standing (not retracted), with its standing reports."""
        reports: dict[int, list[tuple[dt.date, int, str]]] = defaultdict(list)
        for pos, task_pos in self._task_reports.items():
            data = self._effective(pos)
            if isinstance(data, TaskReported):
                named = self._effective(task_pos) if task_pos >= 0 else None
                if not (isinstance(named, TaskAssigned) and named.task_id == data.task_id):
                    task_pos = self.find_task(data.task_id, data.conclusion)  # corrected
                reports[task_pos].append((self._base[pos][1], pos, data.status))
        out = []
        for pos in sorted(self._tasks.values()):  # in the order they were assigned
            data = self._effective(pos)
            if isinstance(data, TaskAssigned):
                out.append(
                    TaskRecord(
                        position=pos,
                        assigned_on=self._base[pos][1],
                        data=data,
                        reports=tuple(sorted(reports.get(pos, []))),
                    )
                )
        return out

    def submission_versions(self, unit: str, period: str) -> list[tuple[int, SubmissionReceived]]:
        """The versions ``unit`` sent for the period ``period`` (its spec), oldest first."""
        return [
            (pos, data)
            for pos, data in self.submissions.get((unit, period), ())
            if isinstance(data, SubmissionReceived)
        ]

    def submission_review(self, unit: str, period: str) -> str | None:
        """``received``, ``accepted`` or ``returned`` (``None``: nothing was sent).

        The latest of the versions and reviews decides: a re-send after a return is
        ``received`` again.
        """
        history = self.submissions.get((unit, period))
        if not history:
            return None
        last = history[-1][1]
        return last.decision if isinstance(last, SubmissionReviewed) else "received"

    def target_sets(self) -> list[TargetSetRecord]:
        """Every target set still standing, oldest first."""
        out = []
        ids = {pos: eid for eid, pos in self._ids.items()}
        for pos, (type_name, on, unit, _data) in sorted(self._base.items()):
            if type_name != TargetSetAdopted.type_name:
                continue
            data = self._effective(pos)
            if isinstance(data, TargetSetAdopted):
                out.append(
                    TargetSetRecord(
                        position=pos, event_id=ids[pos], unit=unit, adopted_on=on, data=data
                    )
                )
        return out


def _structure_as(
    types: EventTypes, type_name: str, payload: Mapping[str, Any]
) -> EventData | None:
    event_type = types.get(type_name)
    if event_type is None:
        return None
    data, _errors = structure_data(event_type, payload)
    return data


# --- fact sources --------------------------------------------------------------------------


class FactSource(Protocol):
    """The questions a snapshot asks of the facts (as known at one position)."""

    def sums(
        self, indicators: Collection[str], members: Sequence[Member]
    ) -> list[tuple[str, str, str, int]]:
        """``(indicator, unit, dims, total)`` of the facts that count for the members: a
        fact without a window when its day lies in its unit's date range, windowed facts
        as :func:`dvcore.indicators.counted_facts` selects them (one group per
        indicator, unit and dims that has at least one counted fact)."""
        ...

    def rows(
        self,
        indicators: Collection[str],
        units: Collection[str] | None,
        start: dt.date | None,
        end: dt.date | None,
    ) -> list[Fact]:
        """The facts themselves (for stocks, extremes, the land pipeline and explain)."""
        ...

    def present(self, indicator: str, members: Sequence[Member]) -> set[str]:
        """The units that have at least one fact of ``indicator`` in their date range."""
        ...


def _groups(members: Sequence[Member]) -> dict[tuple[dt.date, dt.date], list[str]]:
    groups: dict[tuple[dt.date, dt.date], list[str]] = defaultdict(list)
    for m in members:
        groups[(m.start, m.end)].append(m.unit)
    return groups


class MemoryFacts:
    """Facts in a list, as known at ``known``: the full-replay answer the projection must equal."""

    def __init__(self, facts: Iterable[tuple[Fact, int | None]], known: int | None = None) -> None:
        self.known = known
        self._live = [
            f
            for f, until in facts
            if (known is None and until is None)
            or (known is not None and f.position <= known and (until is None or until > known))
        ]

    def sums(
        self, indicators: Collection[str], members: Sequence[Member]
    ) -> list[tuple[str, str, str, int]]:
        wanted = set(indicators)
        units = {m.unit for m in members}
        counted, _disagreements = counted_facts(
            (f for f in self._live if f.indicator in wanted and f.unit in units), members
        )
        totals: dict[tuple[str, str, str], int] = defaultdict(int)
        for f in counted:
            totals[(f.indicator, f.unit, f.dims)] += f.value
        return [(i, u, d, v) for (i, u, d), v in totals.items()]

    def rows(
        self,
        indicators: Collection[str],
        units: Collection[str] | None,
        start: dt.date | None,
        end: dt.date | None,
    ) -> list[Fact]:
        wanted = set(indicators)
        unit_set = set(units) if units is not None else None
        return [
            f
            for f in self._live
            if f.indicator in wanted
            and (unit_set is None or f.unit in unit_set)
            and (start is None or f.day >= start)
            and (end is None or f.day <= end)
        ]

    def present(self, indicator: str, members: Sequence[Member]) -> set[str]:
        return {unit for _i, unit, _d, _v in self.sums([indicator], members)}


@attrs.frozen
class LogCount:
    """An event type whose facts are read from the log: its rule and its schema version.

    Only rows stored at the type's current schema version are read this way; a row
    written at an older version (upcast on read) gets fact rows like any other event.
    """

    type_name: str
    rule: CountEach
    schema_version: int
    #: every dimension's field takes only fixed texts that JSON writes as they are (a
    #: choice of plain words): the database can then write the dimensions text itself
    plain_dims: bool = False

    def dims(self) -> list[Any]:
        """The payload fields the rule breaks down by, as SQL expressions."""
        payload = events_table.c.payload
        return [payload[field].as_string() for _dim, field in self.rule.dims]

    def stored(self) -> Any:
        """The rows of this type stored at this version (retired or not)."""
        e = events_table.c
        return and_(e.type == self.type_name, e.schema_version == self.schema_version)

    def where(self, known: int | None = None, *, scan: bool = False) -> list[Any]:
        """The rows whose facts count: this type at this version, not retired. ``scan``
        keeps the planner off the index on ``type`` (see :func:`log_rollups`)."""
        e = events_table.c
        out = [
            e.type.concat("") == self.type_name if scan else e.type == self.type_name,
            e.schema_version == self.schema_version,
            ~exists().where(retired_table.c.position == e.position),
        ]
        if known is not None:
            out.append(e.position <= known)
        return out


def log_counts(extractors: Mapping[str, Extractor], types: EventTypes) -> dict[str, LogCount]:
    """The event types whose one extractor is a :class:`CountEach` (type name → rule)."""
    out: dict[str, LogCount] = {}
    for name, extractor in extractors.items():
        event_type = types.get(name)
        if isinstance(extractor, CountEach) and event_type is not None:
            out[name] = LogCount(
                name, extractor, event_type.schema_version, _plain_dims(event_type, extractor)
            )
    return out


def _plain_dims(event_type: type[EventData], rule: CountEach) -> bool:
    """Whether every dimension field of ``rule`` is a required choice of plain texts."""
    try:
        hints = typing.get_type_hints(event_type)
    except Exception:  # an annotation that does not resolve: the Python path
        return False
    for dim, field in rule.dims:
        hint = hints.get(field)
        if not dim.isidentifier():
            return False
        if typing.get_origin(hint) is not typing.Literal:
            return False
        for choice in typing.get_args(hint):
            if not isinstance(choice, str) or any(c in '"\\' or c < " " for c in choice):
                return False
    return True


def _counted_rows(log: LogCount, after: int, scan: bool, *, retired: bool = True) -> str:
    """The raw-SQL ``WHERE`` condition over ``dv_events e`` for the rows of ``log``'s type
    after ``after`` whose facts count (what :meth:`LogCount.where` says, as text for
    statements written by hand). Named parameters ``:type``, ``:version`` and ``:after``
    (see :func:`_counted_params`), which both SQLAlchemy's ``text()`` and ``sqlite3``
    take. ``retired=False`` leaves out the look-up in ``dv_retired`` (for a caller that
    knows no row after ``after`` is retired)."""
    where = "e.type || '' = :type" if scan else "e.type = :type"
    where += " AND e.schema_version = :version"
    if after > 0:
        where += " AND e.position > :after"
    if retired:
        where += " AND NOT EXISTS (SELECT 1 FROM dv_retired r WHERE r.position = e.position)"
    return where


def _counted_params(log: LogCount, after: int) -> dict[str, Any]:
    """The parameters of :func:`_counted_rows`."""
    return {"type": log.type_name, "version": log.schema_version, "after": after}


def _json_field(name: str) -> str:
    """SQLite's expression for one payload field of ``dv_events e``."""
    return f"json_extract(e.payload, '$.\"{name}\"')"


#: SQLite's expression for the half month of ``e.occurred_on``: its first day (the 1st or
#: the 15th) as text. Half months add up to both calendar and cut-off months.
_SQLITE_HALF = (
    "substr(e.occurred_on, 1, 8) || "
    "CASE WHEN substr(e.occurred_on, 9, 2) >= '15' THEN '15' ELSE '01' END"
)


def _sql_log_rollups(conn: Connection, log: LogCount, after: int, scan: bool) -> None:
    """Add one log-counted type's events after ``after`` to the rollups in the database:
    half months into a scratch table, then months, cut-off months, quarters and years
    into ``dv_rollups``. The same
    figures as :func:`log_rollups` (tests hold the two to one replay), without a row per
    group through Python: for plain dimensions (:attr:`LogCount.plain_dims`) only."""
    sqlite = conn.dialect.name == "sqlite"

    def field(name: str) -> str:
        return _json_field(name) if sqlite else f"(e.payload->>'{name}')"

    pieces: list[str] = []
    text = "{"
    for i, (dim, name) in enumerate(sorted(log.rule.dims)):
        text += ("," if i else "") + f'"{dim}":"'
        pieces += [f"'{text}'", field(name)]
        text = '"'
    dims = " || ".join([*pieces, f"'{text}}}'"]) if pieces else "''"
    year = (
        "substr(start, 1, 4) || '-01-01'" if sqlite else "CAST(date_trunc('year', start) AS DATE)"
    )
    month = "substr(start, 1, 8) || '01'" if sqlite else "CAST(date_trunc('month', start) AS DATE)"
    quarter = (
        "printf('%s-%02d-01', substr(start, 1, 4), (CAST(substr(start, 6, 2) AS INTEGER) - 1)"
        " / 3 * 3 + 1)"
        if sqlite
        else "CAST(date_trunc('quarter', start) AS DATE)"
    )
    cut = (
        "CASE WHEN substr(start, 9, 2) = '15' THEN start "
        "ELSE date(start, '-1 month', '+14 days') END"
        if sqlite
        else "CASE WHEN extract(day FROM start) = 15 THEN start "
        "ELSE CAST(start - INTERVAL '1 month' AS DATE) + 14 END"
    )
    conn.exec_driver_sql(
        "CREATE TEMPORARY TABLE IF NOT EXISTS dv_log_months "
        "(unit VARCHAR(64), dims VARCHAR(400), start DATE, n BIGINT)"
    )
    conn.exec_driver_sql("DELETE FROM dv_log_months")
    if sqlite:  # half months counted by a Counter (see _sqlite_groups), written in one go
        months = [
            (unit, text, half, n)
            for (unit, half, text), n in _sqlite_groups(conn, log, after, scan, f", {dims}")
        ]
        if not months:
            return
        conn.exec_driver_sql(
            "INSERT INTO dv_log_months (unit, dims, start, n) VALUES (?, ?, ?, ?)", months
        )
    else:
        half = (
            "CAST(date_trunc('month', e.occurred_on) AS DATE) + "
            "CASE WHEN extract(day FROM e.occurred_on) >= 15 THEN 14 ELSE 0 END"
        )
        conn.execute(
            sa.text(
                f"INSERT INTO dv_log_months (unit, dims, start, n) "
                f"SELECT e.unit, {dims}, {half}, count(*) FROM dv_events e "
                f"WHERE {_counted_rows(log, after, scan)} "
                f"GROUP BY e.unit, {half}" + (f", {dims}" if pieces else "")
            ),
            _counted_params(log, after),
        )
    columns = "(indicator, unit, dims, grain, start, value, facts)"
    for grain, start in (("M", month), ("C", cut), ("Q", quarter), ("Y", year)):
        conn.execute(
            sa.text(
                f"INSERT INTO dv_rollups {columns} SELECT :indicator, unit, dims, '{grain}', "
                f"{start}, sum(n) * {SCALE}, sum(n) FROM dv_log_months WHERE true "
                f"GROUP BY unit, dims, {start} {_ADD_TO_ROLLUPS}"
            ),
            {"indicator": log.rule.indicator},
        )
    conn.exec_driver_sql("DELETE FROM dv_log_months")


#: How a rollup row that exists already takes more: its value and its count of facts add.
_ADD_TO_ROLLUPS = (
    "ON CONFLICT (indicator, unit, dims, grain, start) "
    "DO UPDATE SET value = dv_rollups.value + excluded.value, "
    "facts = dv_rollups.facts + excluded.facts"
)

#: From this many rows of one type on, :func:`log_rollups` scans the log instead of the index.
_SCAN_FROM = 20_000
#: The backends on which plain dimensions are added up and written by the database
#: (tests change it to hold every way to one replay).
_IN_SQL: frozenset[str] = frozenset({"sqlite", "postgresql"})


def _scan(conn: Connection, log: LogCount, after: int) -> bool | None:
    """Whether to read a type's rows by scanning the log (``None``: it has none)."""
    if after > 0:  # the new rows of a large import: scan from ``after`` on
        return True
    e = events_table.c
    rows = conn.execute(select(func.count()).where(e.type == log.type_name)).scalar()
    if not rows:
        return None
    return rows >= _SCAN_FROM


def add_log_rollups(conn: Connection, log: LogCount, after: int = 0) -> None:
    """Add one log-counted type's events after position ``after`` (retired ones left out)
    to the rollups: in the database when its dimensions are plain (on the backends of
    ``_IN_SQL``), else through :func:`log_rollups`."""
    if not log.plain_dims or conn.dialect.name not in _IN_SQL:
        apply_rollups(conn, log_rollups(conn, log, after))
        return
    scan = _scan(conn, log, after)
    if scan is not None:
        _sql_log_rollups(conn, log, after, scan)


def log_rollups(
    conn: Connection, log: LogCount, after: int = 0
) -> dict[tuple[str, str, str, str, dt.date], list[int]]:
    """The rollups (every grain) of one log-counted type's events after position
    ``after`` (retired ones left out).

    What a rebuild and a large import do instead of adding such events up one by one in
    Python: PostgreSQL groups the rows (a ``GROUP BY`` it hashes); on SQLite, whose
    ``GROUP BY`` sorts, a :class:`~collections.Counter` hashes the rows as the cursor
    yields them, with no Python code run per row.
    """
    # Many rows of a type are read in position order, not through the index on (type,
    # occurred_on, unit): fetching each row the index names is a random read (on SQLite
    # a scan took 1.7 s where the index took 4.3 s, for 500,000 dialogues). ``type || ''``
    # keeps the planner off the index; with after > 0 only the new rows are scanned. A
    # type with few rows (counted through the index) is read through it.
    scan = _scan(conn, log, after)
    if scan is None:
        return {}
    groups: Iterable[tuple[Any, int]]
    if conn.dialect.name == "sqlite":
        fields = "".join(f", {_json_field(name)}" for _dim, name in log.rule.dims)
        groups = _sqlite_groups(conn, log, after, scan, fields)
    else:
        e = events_table.c
        month = func.concat(
            func.to_char(e.occurred_on, "YYYY-MM-"),
            sa.case((func.extract("day", e.occurred_on) >= 15, "15"), else_="01"),
        )
        dims = log.dims()
        where = log.where(scan=scan)
        if after > 0:
            where.append(e.position > after)
        stmt = select(e.unit, month, *dims, func.count()).where(*where)
        groups = [
            (tuple(row[:-1]), row[-1]) for row in conn.execute(stmt.group_by(e.unit, month, *dims))
        ]
    indicator = log.rule.indicator
    texts: dict[tuple[Any, ...], str] = {}
    firsts: dict[str, tuple[dt.date, ...]] = {}
    deltas: dict[tuple[str, str, str, str, dt.date], list[int]] = {}
    for (unit, half, *rest), count in groups:  # half: "YYYY-MM-01" or "YYYY-MM-15"
        count = int(count)
        values = tuple(rest)
        text = texts.get(values)
        if text is None:
            text = texts[values] = log.rule.dims_text(values)
        first = firsts.get(half)
        if first is None:
            first = firsts[half] = rollup_starts(dt.date.fromisoformat(half))
        add_rollup(deltas, indicator, unit, text, first, count * SCALE, count)
    return deltas


def _sqlite_groups(
    conn: Connection, log: LogCount, after: int, scan: bool, fields: str
) -> Iterable[tuple[tuple[Any, ...], int]]:
    """``((unit, half, *fields), count)`` of a type's rows after ``after`` on SQLite
    (``half``: the first day of the half month, ``"YYYY-MM-01"`` or ``"YYYY-MM-15"``),
    retired ones left out: the rows as the cursor yields them, counted by a ``Counter``
    (it hashes, in C; SQLite's ``GROUP BY`` sorts, and took 0.70 s where this took 0.28 s
    for 200,000 events of three types). ``fields``: SQL expressions over ``e``, each
    after a comma."""
    cursor = conn.connection.cursor()  # the DB-API cursor of this transaction's connection
    try:
        # Looking each row up in dv_retired costs as much as reading it: only when some
        # row after ``after`` is retired (most stores retire few, a rebuild often none).
        cursor.execute("SELECT 1 FROM dv_retired WHERE position > ? LIMIT 1", (after,))
        retired = cursor.fetchone() is not None
        cursor.execute(
            f"SELECT e.unit, {_SQLITE_HALF}{fields} FROM dv_events e "
            f"WHERE {_counted_rows(log, after, scan, retired=retired)}",
            _counted_params(log, after),
        )
        rows = typing.cast(Iterable[tuple[Any, ...]], cursor)  # a sqlite3 cursor yields tuples
        counts: Counter[tuple[Any, ...]] = Counter(rows)
        return counts.items()
    finally:
        cursor.close()


#: The grains of the rollups, in the order :func:`rollup_starts` gives their first days.
GRAINS = "YQMC"


def rollup_starts(day: dt.date) -> tuple[dt.date, dt.date, dt.date, dt.date]:
    """The first days of the rollups ``day`` adds to, one per grain of :data:`GRAINS`: its
    year (``Y``), its calendar quarter (``Q``), its calendar month (``M``) and its cut-off
    month (``C``: the 15th of its month, or of the month before when ``day`` is before the
    15th; Decree 09's months, and every 15th-to-14th window of any convention)."""
    if day.day >= 15:
        cut = day.replace(day=15)
    elif day.month == 1:
        cut = dt.date(day.year - 1, 12, 15)
    else:
        cut = dt.date(day.year, day.month - 1, 15)
    quarter = day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    return day.replace(month=1, day=1), quarter, day.replace(day=1), cut


def add_rollup(
    deltas: dict[tuple[str, str, str, str, dt.date], list[int]],
    indicator: str,
    unit: str,
    dims: str,
    starts: tuple[dt.date, ...],
    value: int,
    facts: int,
) -> None:
    """Add ``value`` (and ``facts`` facts) to the rollup deltas of a day's year, quarter,
    month and cut-off month (``starts``: what :func:`rollup_starts` gives for the day)."""
    for grain, start in zip(GRAINS, starts, strict=True):
        key = (indicator, unit, dims, grain, start)
        slot = deltas.get(key)
        if slot is None:
            deltas[key] = [value, facts]
        else:
            slot[0] += value
            slot[1] += facts


class SqlFacts:
    """Facts answered by the projection table, as known at ``known`` (``None``: now).

    ``log`` names the event types whose facts are read from the log (see
    :class:`LogCount`); they are added to what the fact rows hold.
    """

    def __init__(
        self,
        conn: Connection,
        known: int | None = None,
        log: Mapping[str, LogCount] | None = None,
    ) -> None:
        self.conn = conn
        self.known = known
        self.log = dict(log or {})
        # the last sums() asked: its members, indicators and answer (see present())
        self._last: tuple[Sequence[Member], frozenset[str], list[Any]] | None = None

    def _logged(self, indicators: Collection[str]) -> list[LogCount]:
        return [lc for lc in self.log.values() if lc.rule.indicator in indicators]

    def _alive(self) -> Any:
        t = facts_table.c
        if self.known is None:
            return t.until_position.is_(None)
        return and_(
            t.position <= self.known,
            or_(t.until_position.is_(None), t.until_position > self.known),
        )

    def sums(
        self, indicators: Collection[str], members: Sequence[Member]
    ) -> list[tuple[str, str, str, int]]:
        # Each group's total and how many facts it adds: a group counts when some fact does.
        # Windowed facts are added by day first (the rollups hold them so), then taken
        # away again and the ones that stand added (see _windowed).
        totals: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0])
        codes = list(indicators)
        for (start, end), units in _groups(members).items():
            if self.known is None:
                # Now: whole years and months (calendar or cut-off) from the rollups, only
                # the edges from facts.
                grains, spans = split_span(start, end)
            else:
                grains, spans = {}, [(start, end)]
            for chunk in _chunks(units, 900):
                r = rollups_table.c
                # One query per grain: an OR of them would not use the index.
                for grain, starts in grains.items():
                    if not starts:
                        continue
                    stmt = (
                        select(r.indicator, r.unit, r.dims, func.sum(r.value), func.sum(r.facts))
                        .where(
                            r.indicator.in_(codes),
                            r.grain == grain,
                            r.start.in_(starts),
                            r.unit.in_(chunk),
                            r.facts > 0,
                        )
                        .group_by(r.indicator, r.unit, r.dims)
                    )
                    for i, u, d, v, n in self.conn.execute(stmt):
                        _add(totals[(i, u, d)], int(v), int(n))
                for a, b in spans:
                    t = facts_table.c
                    stmt = (
                        select(t.indicator, t.unit, t.dims, func.sum(t.value), func.count())
                        .where(
                            t.indicator.in_(codes),
                            t.unit.in_(chunk),
                            t.day >= a,
                            t.day <= b,
                            self._alive(),
                        )
                        .group_by(t.indicator, t.unit, t.dims)
                    )
                    for i, u, d, v, n in self.conn.execute(stmt):
                        _add(totals[(i, u, d)], int(v), int(n))
                    for lc in self._logged(codes):
                        e = events_table.c
                        dims = lc.dims()
                        log_stmt = (
                            select(e.unit, *dims, func.count())
                            .where(
                                *lc.where(self.known),
                                e.occurred_on >= a,
                                e.occurred_on <= b,
                                e.unit.in_(chunk),
                            )
                            .group_by(e.unit, *dims)
                        )
                        indicator = lc.rule.indicator
                        for unit, *rest in self.conn.execute(log_stmt):
                            count = int(rest.pop())
                            slot = totals[(indicator, unit, lc.rule.dims_text(rest))]
                            _add(slot, count * SCALE, count)
        self._windowed(codes, members, totals)
        out = [(i, u, d, v) for (i, u, d), (v, n) in totals.items() if n > 0]
        self._last = (members, frozenset(codes), out)
        return out

    def _windowed(
        self,
        codes: list[str],
        members: Sequence[Member],
        totals: dict[tuple[str, str, str], list[int]],
    ) -> None:
        """Put the windowed facts right in ``totals``: take away every one the rollups and
        edges added by its day, and add the ones that stand (few: one per report)."""
        if not members:
            return
        start = min(m.start for m in members)
        end = max(m.end for m in members)
        windowed = self.windowed_rows(codes, {m.unit for m in members}, start, end)
        if not windowed:
            return
        ranges: dict[str, list[tuple[dt.date, dt.date]]] = defaultdict(list)
        for m in members:
            ranges[m.unit].append((m.start, m.end))
        for f in windowed:
            if any(a <= f.day <= b for a, b in ranges[f.unit]):
                _add(totals[(f.indicator, f.unit, f.dims)], -f.value, -1)
        counted, _disagreements = counted_facts(windowed, members)
        for f in counted:
            _add(totals[(f.indicator, f.unit, f.dims)], f.value, 1)

    def windowed_rows(
        self, indicators: Collection[str], units: Collection[str], start: dt.date, end: dt.date
    ) -> list[Fact]:
        """The facts with a window among :meth:`rows` (no log-counted fact has one)."""
        return self._fact_rows(indicators, units, start, end, windowed=True)

    def rows(
        self,
        indicators: Collection[str],
        units: Collection[str] | None,
        start: dt.date | None,
        end: dt.date | None,
    ) -> list[Fact]:
        out = self._fact_rows(indicators, units, start, end)
        unit_chunks: list[list[str] | None] = (
            [None] if units is None else list(_chunks(list(units), 900))
        )
        for chunk in unit_chunks:
            for lc in self._logged(indicators):
                out.extend(self._log_rows(lc, chunk, start, end))
        return out

    def _fact_rows(
        self,
        indicators: Collection[str],
        units: Collection[str] | None,
        start: dt.date | None,
        end: dt.date | None,
        *,
        windowed: bool = False,
    ) -> list[Fact]:
        t = facts_table.c
        conditions = [t.indicator.in_(list(indicators)), self._alive()]
        if windowed:
            conditions.append(t.window_start.is_not(None))
        if start is not None:
            conditions.append(t.day >= start)
        if end is not None:
            conditions.append(t.day <= end)
        unit_chunks: list[list[str] | None] = (
            [None] if units is None else list(_chunks(list(units), 900))
        )
        out: list[Fact] = []
        for chunk in unit_chunks:
            where = list(conditions)
            if chunk is not None:
                where.append(t.unit.in_(chunk))
            stmt = select(
                t.indicator,
                t.unit,
                t.day,
                t.window_start,
                t.dims,
                t.subject,
                t.value,
                t.position,
                t.source_position,
            ).where(*where)
            out.extend(
                Fact(
                    indicator=r.indicator,
                    unit=r.unit,
                    day=r.day,
                    window_start=r.window_start,
                    dims=r.dims,
                    subject=r.subject,
                    value=int(r.value),
                    position=int(r.position),
                    source_position=int(r.source_position),
                )
                for r in self.conn.execute(stmt)
            )
        return out

    def _log_rows(
        self,
        lc: LogCount,
        units: list[str] | None,
        start: dt.date | None,
        end: dt.date | None,
    ) -> list[Fact]:
        e = events_table.c
        where = lc.where(self.known)
        if units is not None:
            where.append(e.unit.in_(units))
        if start is not None:
            where.append(e.occurred_on >= start)
        if end is not None:
            where.append(e.occurred_on <= end)
        stmt = select(e.unit, e.occurred_on, e.position, *lc.dims()).where(*where)
        indicator = lc.rule.indicator
        return [
            Fact(
                indicator=indicator,
                unit=unit,
                day=day,
                window_start=None,
                dims=lc.rule.dims_text(rest),
                subject=None,
                value=SCALE,
                position=int(position),
                source_position=int(position),
            )
            for unit, day, position, *rest in self.conn.execute(stmt)
        ]

    def present(self, indicator: str, members: Sequence[Member]) -> set[str]:
        # A unit is present when some group of its facts is: the same rollups and edges.
        # A snapshot asks for the flows' sums first, then for the units some of them are
        # present in, over the same members: answered from those sums, not read again.
        last = self._last
        if last is not None and last[0] is members and indicator in last[1]:
            return {unit for i, unit, _d, _v in last[2] if i == indicator}
        return {unit for _i, unit, _d, _v in self.sums([indicator], members)}


def _add(slot: list[int], value: int, facts: int) -> None:
    slot[0] += value
    slot[1] += facts


def split_span(
    start: dt.date, end: dt.date
) -> tuple[dict[str, list[dt.date]], list[tuple[dt.date, dt.date]]]:
    """Cut ``[start, end]`` into whole rollups and the days left over.

    Returns the first days of the rollups by grain (``Y`` calendar years, ``Q`` calendar
    quarters, ``M`` calendar months, ``C`` cut-off months: the 15th to the 14th) and the
    leftover day ranges: of the cut into calendar years, quarters and months alone and
    the one that also takes cut-off months (from a 15th on), whichever leaves fewer days
    to read from the facts.
    """
    best: tuple[dict[str, list[dt.date]], list[tuple[dt.date, dt.date]]] | None = None
    left = 0
    for cut in (False, True):
        grains: dict[str, list[dt.date]] = {}
        spans: list[tuple[dt.date, dt.date]] = []
        day = start
        while day <= end:
            year_end = dt.date(day.year, 12, 31)
            month_end = _month_end(day)
            cut_end = month_end + dt.timedelta(days=14)
            quarter_end = _month_end(dt.date(day.year, min(day.month + 2, 12), 1))
            if day.month == 1 and day.day == 1 and year_end <= end:
                grains.setdefault("Y", []).append(day)
                day = year_end + dt.timedelta(days=1)
            elif day.month % 3 == 1 and day.day == 1 and quarter_end <= end:
                grains.setdefault("Q", []).append(day)
                day = quarter_end + dt.timedelta(days=1)
            elif day.day == 1 and month_end <= end:
                grains.setdefault("M", []).append(day)
                day = month_end + dt.timedelta(days=1)
            elif cut and day.day == 15 and cut_end <= end:
                grains.setdefault("C", []).append(day)
                day = cut_end + dt.timedelta(days=1)
            else:
                # up to the next day a rollup may start on (the 1st, or the 15th)
                stop = day.replace(day=14) if cut and day.day < 15 else month_end
                last = min(end, stop)
                if spans and spans[-1][1] + dt.timedelta(days=1) == day:
                    spans[-1] = (spans[-1][0], last)
                else:
                    spans.append((day, last))
                day = last + dt.timedelta(days=1)
        days = sum((b - a).days + 1 for a, b in spans)
        if best is None or days < left:
            best, left = (grains, spans), days
    assert best is not None
    return best


def _month_end(day: dt.date) -> dt.date:
    nxt = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


#: The largest total (in millionths) a rollup row may reach: a margin under 2⁶³.
_ROLLUP_LIMIT = 2**62


def apply_rollups(
    conn: Connection, deltas: Mapping[tuple[str, str, str, str, dt.date], list[int]]
) -> None:
    """Add ``deltas`` to the rollups (insert or add to the existing row)."""
    sqlite = conn.dialect.name == "sqlite"
    rows = [
        (i, u, d, g, s.isoformat() if sqlite else s, v, n)
        for (i, u, d, g, s), (v, n) in deltas.items()
        if n or v
    ]
    if not rows:
        return
    too_big = next((r for r in rows if abs(r[5]) > _ROLLUP_LIMIT), None)
    if too_big is not None:
        # Facts hold millionths in 64-bit integers: sums this large would overflow.
        raise InputError(
            f"the figures of '{too_big[0]}' for unit '{too_big[1]}' add up past what dvcore "
            f"keeps exactly ({_ROLLUP_LIMIT // 10**6:,} in one month); nothing was written",
            indicator=too_big[0],
            unit=too_big[1],
        )
    upsert = _ADD_TO_ROLLUPS
    if sqlite:
        conn.exec_driver_sql(
            "INSERT INTO dv_rollups (indicator, unit, dims, grain, start, value, facts) "
            f"VALUES (?, ?, ?, ?, ?, ?, ?) {upsert}",
            rows,
        )
        return
    # PostgreSQL: COPY into a scratch table, then one INSERT ... SELECT (an executemany
    # upsert of 90,000 rows took 2.5 s; each row was a statement of its own).
    from dvcore.store.copy import copy_rows

    conn.exec_driver_sql(
        "CREATE TEMPORARY TABLE IF NOT EXISTS dv_rollups_in (LIKE dv_rollups) ON COMMIT DELETE ROWS"
    )
    columns = ("indicator", "unit", "dims", "grain", "start", "value", "facts")
    copy_rows(conn, "dv_rollups_in", columns, rows)
    conn.exec_driver_sql(
        f"INSERT INTO dv_rollups ({', '.join(columns)}) "
        f"SELECT {', '.join(columns)} FROM dv_rollups_in {upsert}"
    )
    conn.exec_driver_sql("DELETE FROM dv_rollups_in")


def _chunks(items: Sequence[str], size: int) -> Iterable[list[str]]:
    for i in range(0, len(items), size):
        yield list(items[i : i + size])


# --- replay ---------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Replayed:
    """The result of a full replay: the state and every fact with its ``until_position``."""

    state: StoreState
    facts: tuple[tuple[Fact, int | None], ...]


def replay(
    events: Iterable[Any],
    extractors: Mapping[str, Extractor],
    types: EventTypes | None = None,
    upto: int | None = None,
) -> Replayed:
    """Fold recorded events (position order) into state and facts, from nothing.

    This is the definition the incremental projection is held to: for every position,
    the projection's facts alive at that position are exactly the replay's.
    """
    state = StoreState(types)
    facts: list[list[Any]] = []  # [fact, until]
    by_source: dict[int, list[int]] = defaultdict(list)  # source position → indexes in facts
    origin: dict[uuid.UUID, tuple[int, str, str, dt.date]] = {}
    for ev in events:
        if upto is not None and ev.position > upto:
            break
        state.apply_recorded(ev)
        origin[ev.id] = (ev.position, ev.type, ev.unit, ev.occurred_on)
        data = ev.data
        if isinstance(data, EventRetracted | EventCorrected):
            target = origin.get(data.event_id)
            if target is None:
                continue
            src_pos, src_type, src_unit, src_day = target
            for idx in by_source[src_pos]:
                if facts[idx][1] is None:
                    facts[idx][1] = ev.position
            if isinstance(data, EventCorrected):
                corrected = _structure_as(state.types, src_type, data.data)
                if corrected is not None:
                    for f in make_facts(
                        extractors, src_type, corrected, src_unit, src_day, ev.position, src_pos
                    ):
                        by_source[src_pos].append(len(facts))
                        facts.append([f, None])
            continue
        for f in make_facts(
            extractors, ev.type, data, ev.unit, ev.occurred_on, ev.position, ev.position
        ):
            by_source[ev.position].append(len(facts))
            facts.append([f, None])
    return Replayed(state=state, facts=tuple((f, u) for f, u in facts))
