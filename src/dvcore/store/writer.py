"""The facts appended events yield: fact rows, retirements by corrections, rollups, and
the projection's bookkeeping (how far it is derived and by which rules)."""

from __future__ import annotations

import datetime as dt
import uuid
import zlib
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy import Connection, select

from dvcore.events import (
    EventCorrected,
    EventData,
    EventRetracted,
)
from dvcore.indicators import (
    SCALE,
    CountEach,
    Extractor,
    Fact,
    make_facts,
)
from dvcore.serialization import (
    structure_data,
)
from dvcore.store import schema
from dvcore.store.dialect import _FACT_COLUMNS, _bulk_insert
from dvcore.store.projections import (
    LogCount,
    add_log_rollups,
    add_rollup,
    apply_rollups,
    rollup_starts,
)

if TYPE_CHECKING:
    from dvcore.store.sql import Store


#: Bumped whenever the rules that derive facts change: the projection is then rebuilt.
PROJECTION_VERSION = 5  # 4: cut-off month rollups (grain C); 5: quarter rollups (Q)
#: Past this many log-counted events in one append, their rollups are added up by one
#: GROUP BY in the database instead of one by one (tests set it to 0 to take that path).
_COUNT_IN_SQL = 5000


#: a large import on SQLite leaves the log's (type, occurred_on, unit) index to its end
#: once it has appended this many events and more than the store held before it
_DEFER_INDEX_AT = 50_000


class _DeferredIndex:
    """The log's (type, occurred_on, unit) index, built once at the end of a large import
    instead of grown one row at a time (SQLite).

    The index is ordered by type and date, not by position, so each appended event lands
    somewhere inside it: for a million events that took 26.4 s of SQLite's time with the
    index and 21.2 s with the index built after the rows (sorted once), in one run
    (docs/performance.md). Once an import has appended more events than the store held,
    :meth:`check` drops the index, in the import's transaction, and :meth:`restore`
    creates it again before the import's projections read it. A rollback (bad rows, a dry
    run) or a killed process brings the index back with the rest: SQLite's DDL is
    transactional, and readers keep the schema of their snapshot. PostgreSQL is left alone:
    there ``DROP INDEX`` would hold every reader of the log until the import commits.
    """

    def __init__(self, conn: Connection, head: int) -> None:
        self.conn = conn
        self.at = max(_DEFER_INDEX_AT, head + 1) if conn.dialect.name == "sqlite" else None
        self.index = next(
            i
            for i in schema.events.indexes
            if [c.name for c in i.columns] == ["type", "occurred_on", "unit"]
        )
        self.dropped = False

    def check(self, appended: int) -> None:
        """Drop the index once ``appended`` events make building it anew the cheaper way."""
        if self.at is not None and not self.dropped and appended >= self.at:
            self.index.drop(self.conn)
            self.dropped = True

    def restore(self) -> None:
        """Build the index again (before anything reads through it)."""
        if self.dropped:
            self.index.create(self.conn)
            self.dropped = False


def _event_origin(conn: Connection, event_id: uuid.UUID) -> tuple[int, str, str, dt.date] | None:
    """Position, type, unit and day of a stored event, or ``None``."""
    row = conn.execute(
        select(
            schema.events.c.position,
            schema.events.c.type,
            schema.events.c.unit,
            schema.events.c.occurred_on,
        ).where(schema.events.c.event_id == str(event_id))
    ).first()
    return None if row is None else (int(row[0]), row[1], row[2], row[3])


def _set_projection(conn: Connection, position: int, rules: int) -> None:
    """Mark the projection as derived up to ``position`` by ``rules`` (see Store.rules)."""
    t = schema.projection_state
    for name, value in (("facts", position), ("rules", rules)):
        updated = conn.execute(
            t.update().where(t.c.name == name).values(position=value, version=PROJECTION_VERSION)
        )
        if updated.rowcount == 0:
            conn.execute(t.insert().values(name=name, position=value, version=PROJECTION_VERSION))


def _rules_fingerprint(
    extractors: Mapping[str, Sequence[Extractor]], log: Mapping[str, Any]
) -> int:
    """A number that changes when the rules that derive facts change: which extractors
    each event type has (by name) and which types are counted from the log."""
    lines = []
    for type_name in sorted(extractors):
        names = [
            repr(f)
            if isinstance(f, CountEach)
            else f"{getattr(f, '__module__', '')}."
            f"{getattr(f, '__qualname__', type(f).__qualname__)}"
            for f in extractors[type_name]
        ]
        lines.append(f"{type_name}:{'log' if type_name in log else 'rows'}:{'|'.join(names)}")
    return zlib.crc32("\n".join(lines).encode())


class _FactWriter:
    """Inserts the facts of appended events and retires those corrections supersede.

    Events of a type counted from the log (``store.log``) get no fact row, and what they
    add to the rollups is added up once, by :meth:`finish`: in Python for a few of them,
    by one ``GROUP BY`` over the positions after ``after`` for a large import (and for a
    rebuild, ``after=0``). What other facts add to the rollups is added up in memory (one
    entry per indicator, unit, dimensions and month or year: bounded by the tree, not by
    the import) and written by :meth:`finish` too.
    """

    def __init__(self, store: Store, conn: Connection, after: int) -> None:
        self.store = store
        self.conn = conn
        self.after = after
        # the log-counted events appended here, while few; None: the database adds them up
        self.counted: list[tuple[int, LogCount, EventData, str, dt.date]] | None = (
            [] if after > 0 else None
        )
        self.retired_here: set[int] = set()
        self.pending: list[tuple[Any, ...]] = []
        self.sqlite = conn.dialect.name == "sqlite"
        self.origin: dict[uuid.UUID, tuple[int, str, str, dt.date]] = {}
        self.deltas: dict[tuple[str, str, str, str, dt.date], list[int]] = {}
        self._months: dict[dt.date, tuple[dt.date, ...]] = {}
        # this chunk's log-counted events (their rows may not be inserted yet)
        self.logged: dict[int, EventData] = {}

    def add(
        self,
        type_name: str,
        data: EventData,
        unit: str,
        day: dt.date,
        position: int,
        event_id: uuid.UUID,
        *,
        from_log: bool = True,
    ) -> None:
        """Keep the facts of one event; ``from_log=False`` writes fact rows even for a
        type counted from the log (a row stored at an older schema version)."""
        self.origin[event_id] = (position, type_name, unit, day)
        log = self.store.log.get(type_name) if from_log else None
        if log is not None:
            self.logged[position] = data
            if self.counted is not None:
                self.counted.append((position, log, data, unit, day))
                if len(self.counted) > _COUNT_IN_SQL:
                    self.counted = None
            return
        if isinstance(data, EventRetracted | EventCorrected):
            target = self.origin.get(data.event_id) or _event_origin(self.conn, data.event_id)
            if target is None:
                return
            src_pos, src_type, src_unit, src_day = target
            self.flush()
            self._retire_logged(src_pos, src_type, src_unit, src_day, position)
            t = schema.facts
            retired = self.conn.execute(
                select(t.c.indicator, t.c.unit, t.c.dims, t.c.day, t.c.value).where(
                    t.c.source_position == src_pos, t.c.until_position.is_(None)
                )
            ).all()
            for r in retired:
                self._roll(r.indicator, r.unit, r.dims, r.day, int(r.value), -1)
            self.conn.execute(
                t.update()
                .where(t.c.source_position == src_pos, t.c.until_position.is_(None))
                .values(until_position=position)
            )
            if isinstance(data, EventCorrected):
                event_type = self.store.types.get(src_type)
                corrected = structure_data(event_type, data.data)[0] if event_type else None
                if corrected is not None:
                    self._queue(
                        make_facts(
                            self.store.extractors,
                            src_type,
                            corrected,
                            src_unit,
                            src_day,
                            position,
                            src_pos,
                        )
                    )
            return
        self._queue(
            make_facts(self.store.extractors, type_name, data, unit, day, position, position)
        )

    def _queue(self, facts: Iterable[Fact], until: int | None = None) -> None:
        sqlite = self.sqlite
        for f in facts:
            day: Any = f.day
            start: Any = f.window_start
            if sqlite:
                day = day.isoformat()
                start = None if start is None else start.isoformat()
            self.pending.append(
                (
                    f.position,
                    f.source_position,
                    until,
                    f.indicator,
                    f.unit,
                    day,
                    start,
                    f.dims,
                    f.subject,
                    f.value,
                )
            )
            if until is None:  # a retired fact is in no rollup
                self._roll(f.indicator, f.unit, f.dims, f.day, f.value)
        if len(self.pending) >= 5000:
            self.flush()

    def _retire_logged(
        self, src_pos: int, src_type: str, unit: str, day: dt.date, position: int
    ) -> None:
        """Retire the facts of a log-counted event: they become fact rows that stop
        counting at ``position``, and the log stops being read for ``src_pos``."""
        log = self.store.log.get(src_type)
        if log is None:
            return
        data = self.logged.get(src_pos)
        if data is None:
            e, r = schema.events.c, schema.retired.c
            row = self.conn.execute(
                select(schema.events).where(
                    e.position == src_pos,
                    e.schema_version == log.schema_version,
                    ~sa.exists().where(r.position == src_pos),
                )
            ).first()
            if row is None:  # retired already, or stored at an older version: fact rows
                return
            data = self.store._decode(row).data
        else:
            del self.logged[src_pos]
        retired = make_facts(self.store.extractors, src_type, data, unit, day, src_pos, src_pos)
        self._queue(retired, until=position)
        self.flush()
        self.conn.execute(schema.retired.insert().values(position=src_pos, until_position=position))
        if src_pos <= self.after:  # in the rollups already; one of this batch is not added
            for f in retired:
                self._roll(f.indicator, f.unit, f.dims, f.day, f.value, -1)
        else:
            self.retired_here.add(src_pos)

    def _roll(
        self, indicator: str, unit: str, dims: str, day: dt.date, value: int, sign: int = 1
    ) -> None:
        """Add one fact (``sign=-1``: take a retired one away) to its year, quarter, month
        and cut-off month."""
        starts = self._months.get(day)
        if starts is None:
            starts = self._months[day] = rollup_starts(day)
        add_rollup(self.deltas, indicator, unit, dims, starts, sign * value, sign)

    def flush(self) -> None:
        """Insert the fact rows queued so far."""
        if self.pending:
            _bulk_insert(self.conn, "dv_facts", _FACT_COLUMNS, self.pending)
            self.pending = []

    def finish(self) -> None:
        """Insert what is queued and add it all to the rollups."""
        self.flush()
        if self.counted is None:
            for log in self.store.log.values():  # one type at a time: less held at once
                add_log_rollups(self.conn, log, self.after)
        else:
            for position, log, data, unit, day in self.counted:
                if position not in self.retired_here:
                    self._roll(log.rule.indicator, unit, log.rule.dims_text_of(data), day, SCALE)
            self.counted = []
        apply_rollups(self.conn, self.deltas)
        self.deltas = {}
