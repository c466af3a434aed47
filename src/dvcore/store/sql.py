"""The event store's log API: the :class:`Store` class on SQLAlchemy Core, SQLite (a file,
the default) or PostgreSQL, and the plain :func:`open_store`.

Batch validation lives in :mod:`dvcore.store.batch`, the facts appends write in
:mod:`dvcore.store.writer`, the hash chain in :mod:`dvcore.store.chain` and what differs
between the backends in :mod:`dvcore.store.dialect`.

Writers are serialised: an append takes the store's writer lock for its whole transaction
(``BEGIN IMMEDIATE`` on SQLite, a transaction-scoped advisory lock on PostgreSQL), reads
the head of the log, and numbers its events from there. Positions are therefore assigned
in commit order: when a reader sees position *n*, every position below *n* has committed,
so a reader tailing by position never skips an event (the sequence-gap problem of
sequence-numbered logs does not arise). The same lock makes the hash chain possible —
each row's hash covers the previous row's — and gives every event of one append one
``recorded_at``, never earlier than the head's, so "as known at an instant" is always a
prefix of the log. See ``docs/architecture.md``.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from dvcore.errors import (
    DvcoreError,
    InputError,
    Problem,
    StoreError,
    ValidationError,
    VerificationError,
)
from dvcore.events import (
    Event,
    EventCorrected,
    EventData,
    EventRetracted,
    RecordedEvent,
)
from dvcore.i18n import _
from dvcore.indicators import (
    CORE_EXTRACTORS,
    CORE_INDICATORS,
    Extractor,
    Fact,
    Indicator,
    Snapshot,
    WindowDisagreement,
    compute_snapshot,
    counted_facts,
    first_facts,
    indicator_from_definition,
    latest_stocks,
    tasks_at,
)
from dvcore.periods import Cutoff, Period, parse_period
from dvcore.serialization import (
    EventTypes,
    structure_data,
    unknown_event_data,
    upcast,
)
from dvcore.store import schema
from dvcore.store.accepted import accepted_events
from dvcore.store.batch import _Batch
from dvcore.store.chain import GENESIS, _head, _row_hash
from dvcore.store.checkpoints import ENV as CHECKPOINT_ENV
from dvcore.store.checkpoints import (
    CheckpointKey,
    checkpoint_key,
    load_checkpoints,
    write_checkpoint,
)
from dvcore.store.dialect import _PG_LOCK_KEY, _busy_or_store_error, create_engine
from dvcore.store.migrate import upgrade
from dvcore.store.projections import (
    STATE_EVENT_TYPES,
    FactSource,
    LogCount,
    MemoryFacts,
    SqlFacts,
    StoreState,
    log_counts,
    replay,
)
from dvcore.store.results import AppendResult, Explanation, VerifyReport
from dvcore.store.submissions import SubmissionInfo, record_submissions, tap_sources
from dvcore.store.subscriptions import NOTIFY_CHANNEL, Subscription
from dvcore.store.writer import (
    PROJECTION_VERSION,
    _DeferredIndex,
    _FactWriter,
    _rules_fingerprint,
    _set_projection,
)
from dvcore.units import TreeMode

__all__ = [
    "AppendResult",
    "Explanation",
    "Store",
    "VerifyReport",
    "default_url",
    "open_store",
]

_CHUNK = 2000

Clock = Callable[[], dt.datetime]
Progress = Callable[[int, int | None], None]


def default_url() -> str:
    """``$DVCORE_STORE``, or a SQLite file ``dvcore.db`` in the working directory."""
    return os.environ.get("DVCORE_STORE") or "sqlite:///dvcore.db"


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Collect the young generation less often while an import runs.

    An import allocates millions of short-lived objects (parsed lines, events, rows) and
    keeps few of them past their chunk; with the default threshold the collector ran
    thousands of times and took about a seventh of a large import. Restored at the end.
    """
    threshold = gc.get_threshold()
    gc.set_threshold(max(threshold[0], 50_000), *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)


class Store:
    """An append-only event store and the reporting engine over it.

    Open one with :func:`open_store`. Appends are all or nothing; reads rebuild figures
    from the events (through the projection, which always equals a full replay).
    """

    def __init__(
        self,
        engine: Engine,
        *,
        clock: Clock | None = None,
        cutoff: Cutoff = "calendar",
        event_types: EventTypes | None = None,
        indicators: Iterable[Indicator] = (),
        listeners: Iterable[Callable[[Sequence[RecordedEvent]], None]] = (),
        signing_key: CheckpointKey | None = None,
        busy_timeout: float = 30.0,
    ) -> None:
        self.engine = engine
        #: seconds a writer waits for another before the store reports itself busy
        self.busy_timeout = busy_timeout
        #: the key appends sign the head with (``$DVCORE_CHECKPOINT_KEY``), or ``None``
        self.checkpoint_key = signing_key
        self.clock: Clock = clock or _utc_now
        self.cutoff: Cutoff = cutoff
        self.types = event_types or EventTypes.core()
        self._indicators: dict[str, Indicator] = {i.code: i for i in CORE_INDICATORS}
        extractors: dict[str, list[Extractor]] = {k: [v] for k, v in CORE_EXTRACTORS.items()}
        for ind in indicators:
            if ind.code in self._indicators:
                raise DvcoreError(f"two indicators are named '{ind.code}'", code=ind.code)
            self._indicators[ind.code] = ind
            for type_name, extractor in ind.extractors.items():
                extractors.setdefault(type_name, []).append(extractor)
        self.extractors: dict[str, Extractor] = {
            name: _chain(funcs) for name, funcs in extractors.items()
        }
        #: event types whose facts are read from the log, not written as fact rows
        self.log: dict[str, LogCount] = log_counts(self.extractors, self.types)
        #: which rules derive the facts (the extractors of every type, and which types are
        #: read from the log): a projection derived by other rules is rebuilt before use
        self.rules: int = _rules_fingerprint(extractors, self.log)
        self._listeners = list(listeners)
        self._state = StoreState(self.types)
        self._state_cache: dict[int, StoreState] = {}
        self.dialect: str = engine.dialect.name

    # --- plumbing -----------------------------------------------------------------------

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        try:
            with self.engine.connect() as conn:
                if self.dialect == "postgresql":
                    # Every query of one report sees the same committed log.
                    conn = conn.execution_options(isolation_level="REPEATABLE READ")
                with conn.begin():
                    yield conn
        except DvcoreError:
            raise
        except OperationalError as exc:
            raise _busy_or_store_error(exc) from exc
        except DBAPIError as exc:
            raise StoreError(f"the store failed: {exc.orig}") from exc

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        try:
            with self.engine.connect().execution_options(dv_write=True) as conn, conn.begin():
                if self.dialect == "postgresql":
                    # Wait for another writer as long as SQLite would, then say "busy".
                    conn.exec_driver_sql(
                        f"SET LOCAL lock_timeout = '{int(self.busy_timeout * 1000)}ms'"
                    )
                    conn.execute(select(func.pg_advisory_xact_lock(_PG_LOCK_KEY)))
                yield conn
        except DvcoreError:
            raise
        except OperationalError as exc:
            raise _busy_or_store_error(exc) from exc
        except IntegrityError as exc:
            raise StoreError(f"the store refused a row: {exc.orig}") from exc
        except DBAPIError as exc:
            raise StoreError(f"the store failed: {exc.orig}") from exc

    def head(self) -> int:
        """The position of the last event in the log (0 when empty)."""
        with self._read() as conn:
            return _head(conn)[0]

    def stream_version(self, stream: str) -> int:
        """The version of ``stream``: how many events it holds (0 for a new stream).

        A stream is a unit's code, or the ``stream`` an event names; its events are
        numbered 1, 2, 3… in the order they were appended. Pass the version to
        :meth:`append` as ``expected_version``. One indexed query.
        """
        with self._read() as conn:
            value = conn.execute(
                select(func.max(schema.events.c.version)).where(schema.events.c.stream == stream)
            ).scalar()
        return int(value or 0)

    # --- state ----------------------------------------------------------------------------

    def _catch_up(self, conn: Connection, state: StoreState, upto: int | None = None) -> None:
        stmt = (
            select(schema.events)
            .where(
                schema.events.c.position > state.position,
                schema.events.c.type.in_(sorted(STATE_EVENT_TYPES)),
            )
            .order_by(schema.events.c.position)
        )
        if upto is not None:
            stmt = stmt.where(schema.events.c.position <= upto)
        for row in conn.execute(stmt):
            ev = self._decode(row)
            state.apply_recorded(ev)
        head = _head(conn)[0]
        state.position = head if upto is None else min(head, upto)

    def state(self, known: int | None = None, conn: Connection | None = None) -> StoreState:
        """The folded state, now or as known at position ``known``."""
        if conn is None:
            with self._read() as c:
                return self.state(known, c)
        if known is None:
            self._catch_up(conn, self._state)
            return self._state
        cached = self._state_cache.get(known)
        if cached is None:
            cached = StoreState(self.types)
            self._catch_up(conn, cached, upto=known)
            if len(self._state_cache) > 8:
                self._state_cache.clear()
            self._state_cache[known] = cached
        return cached

    def indicators(self, state: StoreState | None = None) -> dict[str, Indicator]:
        """Every indicator the store knows: core, plugins', and declared by events."""
        out = dict(self._indicators)
        for code, defined in (state or self._state).defined.items():
            out.setdefault(code, indicator_from_definition(defined))
        return out

    # --- writing --------------------------------------------------------------------------

    def append(
        self,
        events: Iterable[Event | Mapping[str, Any]],
        *,
        actor: str | None = None,
        expected_version: int | Mapping[str, int] | None = None,
        source: str | None = None,
        dry_run: bool = False,
        progress: Progress | None = None,
        total: int | None = None,
    ) -> AppendResult:
        """Append events in one transaction: all of them, or — on any problem — none.

        ``events`` are :class:`~dvcore.events.Event` objects or dicts in the JSON Lines
        shape. An event whose ``source_ref`` (or id) the store already holds appends
        nothing and reports the original position. ``expected_version`` (one int when the
        batch has one stream, or a mapping stream → version) makes the append fail with
        :class:`~dvcore.errors.ConcurrencyError` when another writer got there first.
        Every problem of the whole batch is reported at once in a
        :class:`~dvcore.errors.ValidationError`; nothing is written then. ``dry_run``
        validates everything and writes nothing.
        """
        rows = (
            ("<batch>" if source is None else source, row, item)
            for row, item in enumerate(events, start=1)
        )
        return self.import_rows(
            rows,
            actor=actor,
            expected_version=expected_version,
            dry_run=dry_run,
            progress=progress,
            total=total,
        )

    def import_rows(
        self,
        rows: Iterable[tuple[str, int, Event | Mapping[str, Any]]],
        *,
        actor: str | None = None,
        expected_version: int | Mapping[str, int] | None = None,
        dry_run: bool = False,
        progress: Progress | None = None,
        total: int | None = None,
        extra_problems: Sequence[Problem] = (),
        submissions: Sequence[SubmissionInfo] = (),
    ) -> AppendResult:
        """:meth:`append` for input channels: each item comes with its file and row.

        ``extra_problems`` is a list the caller keeps filling while ``rows`` is consumed
        (rows a channel could not read); any problem there fails the whole import too.
        ``submissions`` are recorded, with what each file's rows did, in the same
        transaction (not on a dry run): see :mod:`dvcore.store.submissions`.
        """
        sources: list[str] = []
        if submissions:
            rows = tap_sources(rows, sources)
        with self._write() as conn, _fewer_collections():
            state = self.state(conn=conn).copy()
            batch = _Batch(self, conn, state, actor=actor)
            deferred = _DeferredIndex(conn, batch.head)
            chunk: list[tuple[str, int, Event | Mapping[str, Any]]] = []
            done = 0
            for item in rows:
                chunk.append(item)
                done += 1
                if len(chunk) >= _CHUNK:
                    batch.add(chunk, stop_rows=bool(extra_problems))
                    deferred.check(batch.appended)
                    chunk = []
                    if progress is not None:
                        progress(done, total)
            if chunk:
                batch.add(chunk, stop_rows=bool(extra_problems))
            if progress is not None:
                progress(done, total)
            batch.check_expected(expected_version)
            problems = sorted(
                [*extra_problems, *batch.problems], key=lambda p: (p.source, p.row or 0)
            )
            if problems:
                conn.rollback()
                raise ValidationError(problems)
            deferred.restore()
            batch.finish()
            if not dry_run and batch.appended and self.checkpoint_key is not None:
                write_checkpoint(
                    conn,
                    self.checkpoint_key,
                    batch.next_position - 1,
                    batch.prev_hash,
                    batch.recorded_at,
                )
            if submissions:  # checked on a dry run too; written only when it commits
                record_submissions(
                    conn,
                    submissions,
                    sources,
                    batch.positions,
                    batch.head,
                    batch.recorded_at,
                    batch.state.tree,
                    write=not dry_run,
                )
            if dry_run:
                conn.rollback()
            elif batch.appended and self.dialect == "postgresql":
                # Delivered at commit, to every session LISTENing (see subscriptions.py).
                conn.execute(select(func.pg_notify(NOTIFY_CHANNEL, str(batch.next_position - 1))))
            result = batch.result(dry_run)
        if not dry_run and result.appended:
            self._state = batch.state
            for listener in self._listeners:
                listener(batch.recorded)
        return result

    # --- reading --------------------------------------------------------------------------

    def read(
        self,
        after: int = 0,
        *,
        upto: int | None = None,
        types: Iterable[str] | None = None,
        stream: str | None = None,
        batch_size: int = 5000,
    ) -> Iterator[RecordedEvent]:
        """Recorded events in position order, after position ``after`` (a tailing reader
        passes the last position it saw), up to position ``upto``; only those of the
        given ``types`` and of ``stream`` when these are given.

        ``after`` is always a log position, for a stream too (a stream's events are in
        version order as they are in position order).
        """
        last = after
        type_list = sorted(types) if types is not None else None
        while True:
            with self._read() as conn:
                stmt = (
                    select(schema.events)
                    .where(schema.events.c.position > last)
                    .order_by(schema.events.c.position)
                    .limit(batch_size)
                )
                if upto is not None:
                    stmt = stmt.where(schema.events.c.position <= upto)
                if type_list is not None:
                    stmt = stmt.where(schema.events.c.type.in_(type_list))
                if stream is not None:
                    stmt = stmt.where(schema.events.c.stream == stream)
                rows = conn.execute(stmt).all()
            for row in rows:
                yield self._decode(row)
            if len(rows) < batch_size:  # the last page
                return
            last = rows[-1].position

    def subscribe(
        self,
        name: str,
        types: Iterable[str] | None = None,
        *,
        poll_interval: float = 0.05,
    ) -> Subscription:
        """A named consumer of the log: ``for event in sub.events(timeout=5)`` yields every
        event after its acknowledged position, then new ones as any process appends them;
        ``sub.ack(position)`` keeps its place in the store. ``types`` limits it to those
        event types; ``poll_interval`` is how often SQLite is polled (PostgreSQL waits
        for a notification). See :mod:`dvcore.store.subscriptions`.
        """
        return Subscription(self, name, types=types, poll_interval=poll_interval)

    def get(self, event_id: uuid.UUID | str) -> RecordedEvent | None:
        """One recorded event by id, or ``None``."""
        with self._read() as conn:
            row = conn.execute(
                select(schema.events).where(schema.events.c.event_id == str(event_id))
            ).first()
        return None if row is None else self._decode(row)

    def _decode(self, row: Any) -> RecordedEvent:
        event_type = self.types.get(row.type)
        payload = dict(row.payload)
        data: EventData | None
        errors: list[tuple[str, str]]
        if event_type is None:
            # a plugin uninstalled: read the event raw rather than lock the store
            warned: set[str] = self.__dict__.setdefault("_unknown_types_warned", set())
            data, errors = unknown_event_data(row.type, row.schema_version, payload, warned), []
        else:
            if row.schema_version < event_type.schema_version:
                payload = upcast(row.type, row.schema_version, payload, event_type.schema_version)
            data, errors = structure_data(event_type, payload)
        if data is None:
            raise StoreError(
                f"event {row.position} does not read as {row.type}: {errors}",
                position=row.position,
            )
        return RecordedEvent(
            position=row.position,
            id=uuid.UUID(row.event_id),
            stream=row.stream,
            version=row.version,
            type=row.type,
            schema_version=row.schema_version,
            occurred_on=row.occurred_on,
            unit=row.unit,
            recorded_at=row.recorded_at,
            actor=row.actor,
            source_ref=row.source_ref,
            data=data,
            hash=row.hash,
        )

    def position_at(self, instant: dt.datetime | str) -> int:
        """The last position recorded at or before ``instant`` (what the store knew then)."""
        when = _instant(instant)
        with self._read() as conn:
            return _position_at(conn, when)

    # --- reporting ------------------------------------------------------------------------

    def period(self, spec: str | Period, cutoff: Cutoff | None = None) -> Period:
        """A period from its spec under ``cutoff`` (the store's own by default)."""
        if isinstance(spec, Period):
            return spec
        return parse_period(spec, cutoff or self.cutoff)

    def _context(
        self,
        conn: Connection,
        as_known_at: dt.datetime | str | int | None,
        accepted_only: bool = False,
    ) -> tuple[StoreState, FactSource, dt.datetime | None]:
        if accepted_only:
            state, _source, when = self._context(conn, as_known_at)
            return *self._accepted_only(conn, state.position), when
        if as_known_at is None:
            return self.state(conn=conn), SqlFacts(conn, log=self.log), None
        if isinstance(as_known_at, int):
            known, when = _known_position(conn, as_known_at)
            return self.state(known, conn), SqlFacts(conn, known, self.log), when
        when = _instant(as_known_at)
        known = _position_at(conn, when)
        return self.state(known, conn), SqlFacts(conn, known, self.log), when

    def _accepted_only(self, conn: Connection, known: int) -> tuple[StoreState, MemoryFacts]:
        """The state and facts of a full replay of the log up to ``known``, without the
        events of submissions not accepted then (:mod:`dvcore.store.accepted`).

        The slow path: it reads and folds the whole log, where the projection answers
        from its tables; it is what the figures would be had those rows never been sent.
        """
        rows = conn.execute(
            select(schema.events)
            .where(schema.events.c.position <= known)
            .order_by(schema.events.c.position)
        )
        events = accepted_events(self._decode(r) for r in rows)
        replayed = replay(events, self.extractors, self.types)
        return replayed.state, MemoryFacts(replayed.facts)

    def snapshot(
        self,
        unit: str,
        period: str | Period,
        *,
        as_known_at: dt.datetime | str | int | None = None,
        tree: TreeMode = "as-of",
        cutoff: Cutoff | None = None,
        accepted_only: bool = False,
    ) -> Snapshot:
        """Every figure of ``unit``'s subtree over ``period``, as known at an instant.

        ``as_known_at`` is an instant (what the store had recorded then) or a log
        position (the log up to and including that position); ``None`` is now.

        With ``accepted_only``, only the rows of accepted submissions count (and rows sent
        outside any submission): see :mod:`dvcore.store.accepted`. That path replays the
        whole log, and is slower.
        """
        _check_tree(tree)
        per = self.period(period, cutoff)
        with self._reporting() as conn:
            state, source, when = self._context(conn, as_known_at, accepted_only)
            return compute_snapshot(
                state, source, self.indicators(state).values(), unit, per, tree, when
            )

    def targets(
        self,
        unit: str,
        as_of: dt.date | str,
        *,
        resolution: str | None = None,
        as_known_at: dt.datetime | str | int | None = None,
        cutoff: Cutoff | None = None,
        accepted_only: bool = False,
    ) -> list[Any]:
        """Evaluate the targets ``unit`` adopted, as of a cut-off date (DESIGN.md §5);
        ``accepted_only`` as :meth:`snapshot` takes it."""
        from dvcore.periods import parse_date
        from dvcore.targets import evaluate_targets

        day = as_of if isinstance(as_of, dt.date) else parse_date(as_of)
        with self._reporting() as conn:
            state, source, _when = self._context(conn, as_known_at, accepted_only)
            return evaluate_targets(
                state,
                source,
                self.indicators(state),
                unit,
                day,
                cutoff or self.cutoff,
                resolution=resolution,
            )

    def explain(
        self,
        unit: str,
        period: str | Period,
        indicator: str,
        *,
        as_known_at: dt.datetime | str | int | None = None,
        tree: TreeMode = "as-of",
        cutoff: Cutoff | None = None,
        accepted_only: bool = False,
    ) -> Explanation:
        """The events behind one figure: every event it counts, and no other
        (``accepted_only`` as :meth:`snapshot` takes it)."""
        _check_tree(tree)
        per = self.period(period, cutoff)
        with self._reporting() as conn:
            state, source, when = self._context(conn, as_known_at, accepted_only)
            inds = self.indicators(state)
            ind = inds.get(indicator)
            if ind is None:
                raise InputError(
                    f"unknown indicator '{indicator}'; known: {', '.join(sorted(inds))}",
                    indicator=indicator,
                )
            snap = compute_snapshot(state, source, [ind], unit, per, tree, when)
            currents, disagreements = self._explain_positions(state, source, ind, unit, per, tree)
            chains = self._chains(conn, currents)
        return Explanation(
            unit=unit,
            period=per,
            indicator=indicator,
            value=snap.value(indicator),
            events=tuple(chain[-1] for chain in chains),
            disagreements=tuple(disagreements),
            chains=tuple(chains),
        )

    def corrections_of(
        self,
        events: Mapping[uuid.UUID, str],
        *,
        upto: int | None = None,
        conn: Connection | None = None,
    ) -> dict[uuid.UUID, list[RecordedEvent]]:
        """The retractions and corrections naming each of ``events`` (event id → its
        unit, where a correction is recorded), oldest first, up to position ``upto``."""
        if conn is None:
            with self._read() as c:
                return self.corrections_of(events, upto=upto, conn=c)
        out: dict[uuid.UUID, list[RecordedEvent]] = {}
        units = sorted(set(events.values()))
        e = schema.events.c
        for i in range(0, len(units), 900):  # a target's corrections share its unit's chunk
            stmt = select(schema.events).where(
                e.type.in_([EventRetracted.type_name, EventCorrected.type_name]),
                e.unit.in_(units[i : i + 900]),
            )
            if upto is not None:
                stmt = stmt.where(e.position <= upto)
            for row in conn.execute(stmt.order_by(e.position)):
                ev = self._decode(row)
                data = ev.data
                if isinstance(data, EventRetracted | EventCorrected) and data.event_id in events:
                    out.setdefault(data.event_id, []).append(ev)
        return out

    def _chains(
        self, conn: Connection, currents: Mapping[int, int]
    ) -> list[tuple[RecordedEvent, ...]]:
        """For each original position → current position, the events from the original
        to the current one: the corrections naming the original, up to the current."""
        originals = {e.position: e for e in self._events_at(conn, currents)}
        corrected = {src: cur for src, cur in currents.items() if cur != src and src in originals}
        named = self.corrections_of(
            {originals[src].id: originals[src].unit for src in corrected},
            upto=max(corrected.values(), default=0),
            conn=conn,
        )
        current_of = {originals[src].id: cur for src, cur in corrected.items()}
        steps = {
            event_id: [
                ev
                for ev in evs
                if isinstance(ev.data, EventCorrected) and ev.position <= current_of[event_id]
            ]
            for event_id, evs in named.items()
        }
        out = []
        for src in sorted(currents):
            original = originals.get(src)
            if original is None:
                continue
            chain = [original, *steps.get(original.id, [])]
            cur = currents[src]
            if cur != src and chain[-1].position != cur:
                # the current event is not a correction of it (a later event counts it)
                chain.extend(self._events_at(conn, [cur]))
            out.append(tuple(chain))
        return out

    def _explain_positions(
        self,
        state: StoreState,
        source: FactSource,
        ind: Indicator,
        unit: str,
        per: Period,
        tree_mode: TreeMode,
    ) -> tuple[dict[int, int], list[WindowDisagreement]]:
        """The facts behind a figure: original position → current position (the event
        whose recording makes the fact count now), and the windows' disagreements."""
        from dvcore.indicators import _in_members

        tree = state.tree
        members = tree.members(unit, per.start, per.end, tree_mode)
        at_end = [m for m in members if m.end == per.end and tree.exists(m.unit, per.end)]
        facts: list[Fact] = []
        disagreements: list[WindowDisagreement] = []
        units = {m.unit for m in members}
        if ind.kind == "units_with" and ind.base:
            facts = counted_facts(source.rows([ind.base], units, per.start, per.end), members)[0]
        elif ind.kind == "fact" and ind.time == "first":
            facts = first_facts(source, [ind.code], members, per)
        elif ind.kind == "fact" and ind.time == "last":
            facts = latest_stocks(tree, source, [ind.code], {m.unit for m in at_end}, per.end)
        elif ind.kind == "fact" and ind.time == "sum":
            rows = source.rows([ind.code], units, per.start, per.end)
            facts, disagreements = counted_facts(rows, members)
        elif ind.kind == "fact":
            facts = _in_members(source.rows([ind.code], units, per.start, per.end), members)
        currents: dict[int, int] = {}
        for f in facts:
            currents[f.source_position] = max(f.position, currents.get(f.source_position, 0))
        if ind.code == "establishment.using_land":
            ids = set(tree.establishments_using_land(at_end, per.end))
            for p in tree.establishment_positions(ids, per.end):
                currents.setdefault(p, p)
        elif ind.code in ("task.open", "task.overdue"):
            open_tasks, overdue = tasks_at(state, {m.unit for m in at_end}, per.end)
            for task in open_tasks if ind.code == "task.open" else overdue:
                currents.setdefault(task.position, task.position)
                for on, p, _s in task.reports:
                    if on <= per.end:
                        currents.setdefault(p, p)
        return currents, disagreements

    def _events_at(self, conn: Connection, positions: Iterable[int]) -> list[RecordedEvent]:
        out: list[RecordedEvent] = []
        ordered = sorted(positions)
        for i in range(0, len(ordered), 900):
            rows = conn.execute(
                select(schema.events)
                .where(schema.events.c.position.in_(ordered[i : i + 900]))
                .order_by(schema.events.c.position)
            )
            out.extend(self._decode(r) for r in rows)
        return out

    # --- projections ----------------------------------------------------------------------

    def _projection_current(self, conn: Connection, head: int | None = None) -> bool:
        t = schema.projection_state
        rows = {r.name: r for r in conn.execute(select(t).where(t.c.name.in_(["facts", "rules"])))}
        facts, rules = rows.get("facts"), rows.get("rules")
        if head is None:
            head = _head(conn)[0]
        if head == 0:
            return True  # no events: nothing is derived yet, by any rules
        return (
            facts is not None
            and facts.version == PROJECTION_VERSION
            and facts.position == head
            and rules is not None
            and rules.position == self.rules
        )

    @contextmanager
    def _reporting(self) -> Iterator[Connection]:
        """A read transaction over a projection that is up to date with the log.

        Every append keeps the projection current in its own transaction; one written by
        another dvcore version (other rules) or left behind is rebuilt first, in one write
        transaction, so readers never see a half-built projection.
        """
        with self._read() as conn:
            if self._projection_current(conn):
                yield conn
                return
        self.rebuild_projections()
        with self._read() as conn:
            yield conn

    def rebuild_projections(self, progress: Progress | None = None) -> int:
        """Drop the projection and derive it again from the whole log; returns the head."""
        with self._write() as conn:
            conn.execute(schema.facts.delete())
            conn.execute(schema.rollups.delete())
            conn.execute(schema.retired.delete())
            state = StoreState(self.types)
            # Events counted from the log are never read into Python (corrections of them
            # are, below, in order): the writer's finish() adds them up in the database.
            writer = _FactWriter(self, conn, after=0)
            total = _head(conn)[0]
            skip = [log.stored() for log in self.log.values()]
            done = 0
            for done, ev in enumerate(self._iter_rows(conn, skip=skip), start=1):
                state.apply_recorded(ev)
                writer.add(
                    ev.type,
                    ev.data,
                    ev.unit,
                    ev.occurred_on,
                    ev.position,
                    ev.id,
                    from_log=False,  # counted from the log: skipped above
                )
                if progress is not None and done % _CHUNK == 0:
                    progress(done, total)
            writer.finish()
            _set_projection(conn, total, self.rules)
            self._state = state
            self._state_cache.clear()
        if progress is not None:
            progress(total, total)
        return total

    def _iter_rows(
        self, conn: Connection, after: int = 0, skip: Sequence[Any] = ()
    ) -> Iterator[RecordedEvent]:
        last = after
        while True:
            rows = conn.execute(
                select(schema.events)
                .where(schema.events.c.position > last, *(sa.not_(s) for s in skip))
                .order_by(schema.events.c.position)
                .limit(5000)
            ).all()
            for row in rows:
                yield self._decode(row)
            if len(rows) < 5000:  # the last page: asking again would scan the rest again
                return
            last = rows[-1].position

    # --- integrity ------------------------------------------------------------------------

    def verify(self, progress: Progress | None = None) -> VerifyReport:
        """Recompute the hash chain and check the signed checkpoints against it.

        Reports the first position that does not verify: an edited row (its hash), a
        missing one (a gap), one recorded before the row ahead of it (what
        :meth:`position_at` relies on), a chain rewritten from some row on (a signed checkpoint no
        longer matches, or its signature fails), or a cut-off tail (a checkpoint beyond
        the last event).
        """
        prev = GENESIS
        expected = 1
        verified = unchecked = 0
        key = self.checkpoint_key

        def bad(position: int | None, reason: str) -> VerifyReport:
            return VerifyReport(
                ok=False,
                checked=expected - 1,
                head_hash=prev,
                first_bad=position,
                reason=reason,
                checkpoints_verified=verified,
                checkpoints_unchecked=unchecked,
            )

        with self._read() as conn:
            total = _head(conn)[0]
            signed = load_checkpoints(conn)
            last = 0
            last_at: dt.datetime | None = None
            while True:
                rows = conn.execute(
                    select(schema.events)
                    .where(schema.events.c.position > last)
                    .order_by(schema.events.c.position)
                    .limit(5000)
                ).all()
                if not rows:
                    break
                for row in rows:
                    if row.position != expected:
                        return bad(
                            expected, f"position {expected} is missing (next is {row.position})"
                        )
                    mapping = dict(row._mapping)
                    if _row_hash(prev, mapping) != row.hash:
                        return bad(
                            row.position,
                            f"event {row.position} ({row.event_id}) does not match "
                            "its hash: it was edited after it was recorded",
                        )
                    if last_at is not None and row.recorded_at < last_at:
                        return bad(
                            row.position,
                            f"event {row.position} is recorded before the event ahead of "
                            "it: the log is out of order",
                        )
                    prev, last_at = row.hash, row.recorded_at
                    checkpoint = signed.get(row.position)
                    if checkpoint is not None:
                        chain_hash, key_id, mac = checkpoint
                        if chain_hash != prev:
                            return bad(
                                row.position,
                                f"the chain at position {row.position} differs from "
                                "its signed checkpoint: the log was rewritten",
                            )
                        if key is not None and key_id == key.key_id:
                            if not key.check(row.position, chain_hash, mac):
                                return bad(
                                    row.position,
                                    f"the checkpoint at position {row.position} is not "
                                    "signed by the key: checkpoints were forged",
                                )
                            verified += 1
                        else:
                            unchecked += 1
                    expected += 1
                last = rows[-1].position
                if progress is not None:
                    progress(last, total)
            beyond = [p for p in signed if p >= expected]
            if beyond:
                return bad(
                    expected,
                    f"the log ends at position {expected - 1} but a "
                    f"checkpoint was signed at {min(beyond)}: events were removed",
                )
        return VerifyReport(
            ok=True,
            checked=expected - 1,
            head_hash=prev,
            checkpoints_verified=verified,
            checkpoints_unchecked=unchecked,
        )

    def checkpoint(self) -> int | None:
        """Sign the current head now (needs a key); returns its position, or ``None``."""
        if self.checkpoint_key is None:
            raise InputError(f"no checkpoint key: set {CHECKPOINT_ENV}")
        with self._write() as conn:
            position, chain_hash, recorded_at = _head(conn)
            if position == 0 or recorded_at is None:
                return None
            write_checkpoint(conn, self.checkpoint_key, position, chain_hash, recorded_at)
        return position

    def verify_or_raise(self) -> VerifyReport:
        """:meth:`verify`, raising :class:`~dvcore.errors.VerificationError` when bad."""
        report = self.verify()
        if not report.ok:
            raise VerificationError(report.reason or "the log does not verify", report.first_bad)
        return report


def _chain(funcs: Sequence[Extractor]) -> Extractor:
    if len(funcs) == 1:
        return funcs[0]

    def chained(data: EventData) -> list[Any]:
        return [c for f in funcs for c in f(data)]

    return chained


def _check_tree(tree: str) -> None:
    if tree not in ("as-of", "current"):
        raise InputError(f"unknown tree '{tree}': use as-of or current", tree=tree)


def _instant(value: dt.datetime | str) -> dt.datetime:
    # the library's one rule (a naive instant is Vietnam's time, a date the end of its day)
    from dvcore.periods import parse_instant

    return parse_instant(value)


def _position_at(conn: Connection, when: dt.datetime) -> int:
    """The last position recorded at or before ``when``: a binary search over positions.

    Positions are given in the order of ``recorded_at`` under the writer lock (an append
    never records an instant before its store's head: see ``_Batch``), and :meth:`Store.verify`
    checks that no event was recorded before the one ahead of it, so the log is sorted by
    both and no index on ``recorded_at`` is kept (it cost a tenth of a large import). About
    twenty look-ups by primary key for a million events, one when ``when`` is past the head.
    """
    e = schema.events.c

    def at(position: int) -> dt.datetime | None:
        # the first row at or after ``position``: a gap (a store that does not verify)
        # does not stop the search
        return conn.execute(
            select(e.recorded_at).where(e.position >= position).order_by(e.position).limit(1)
        ).scalar()

    head, _hash, last_at = _head(conn)
    if last_at is None:
        return 0
    if last_at <= when:
        return head
    lo, hi = 0, head  # recorded_at(lo) <= when (0: before the log), recorded_at(hi) > when
    while hi - lo > 1:
        mid = (lo + hi) // 2
        recorded = at(mid)
        if recorded is not None and recorded <= when:
            lo = mid
        else:
            hi = mid
    return lo


def _known_position(conn: Connection, position: int) -> tuple[int, dt.datetime | None]:
    """A log position given as ``as_known_at``, checked, and the instant it was recorded."""
    if isinstance(position, bool) or position < 0:
        raise InputError(
            _("as_known_at must be an instant or a log position, not {value}", value=position),
            value=position,
        )
    row = conn.execute(
        select(schema.events.c.recorded_at).where(schema.events.c.position == position)
    ).first()
    if position and row is None:
        head = _head(conn)[0]
        raise InputError(
            _(
                "position {position} is not in the log yet (its head is {head})",
                position=position,
                head=head,
            ),
            position=position,
            head=head,
        )
    return position, None if row is None else row.recorded_at


# --- opening ----------------------------------------------------------------------------------


def open_store(
    url: str | None = None,
    *,
    clock: Clock | None = None,
    cutoff: Cutoff = "calendar",
    create: bool = True,
    busy_timeout: float = 30.0,
    event_types: EventTypes | None = None,
    indicators: Iterable[Indicator] = (),
    signing_key: str | bytes | None = None,
    listeners: Iterable[Callable[[Sequence[RecordedEvent]], None]] = (),
) -> Store:
    """Open (and by default create or upgrade) the store at ``url``, knowing the event
    types and indicators it is given and no plugin's.

    ``url`` is ``sqlite:///FILE`` (the default: ``$DVCORE_STORE`` or ``dvcore.db``) or
    ``postgresql+psycopg://…``. The schema is managed by alembic (branch ``dvcore``).
    ``clock`` returns the timezone-aware instant events are recorded at (tests and demos
    set it; a store never takes ``recorded_at`` from the caller). ``event_types``
    (default: the core catalogue) and ``indicators`` (besides the core ones) are what the
    store knows. ``listeners`` are called in this process after each append commits, with
    the events it recorded. ``signing_key`` (default ``$DVCORE_CHECKPOINT_KEY``) signs a
    checkpoint of the chain head on every append.

    The store knows nothing of plugins: :func:`dvcore.open_store` loads them and hands
    their event types, indicators and listeners to this function.
    """
    url = url or default_url()
    engine = create_engine(url, busy_timeout)
    try:
        if create:
            upgrade(engine)
        else:
            with engine.connect() as conn:
                if not sa.inspect(conn).has_table("dv_events"):
                    raise InputError(
                        f"no dvcore store at '{url}': run 'dvcore init' first", url=url
                    )
    except OperationalError as exc:
        engine.dispose()
        raise _busy_or_store_error(exc) from exc
    except DBAPIError as exc:
        engine.dispose()
        raise StoreError(f"cannot open store '{url}': {exc.orig}") from exc
    try:
        key = checkpoint_key(signing_key)
    except ValueError as exc:
        engine.dispose()
        raise InputError(str(exc)) from exc
    return Store(
        engine,
        clock=clock,
        cutoff=cutoff,
        event_types=event_types,
        indicators=indicators,
        listeners=listeners,
        signing_key=key,
        busy_timeout=busy_timeout,
    )
