"""The event store on SQLAlchemy Core: SQLite (a file, the default) and PostgreSQL.

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
import hashlib
import json
import os
import uuid
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import attrs
import sqlalchemy as sa
from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from dvcore.errors import (
    ConcurrencyError,
    DvcoreError,
    InputError,
    Problem,
    StoreBusyError,
    StoreError,
    UnknownUnitError,
    ValidationError,
    VerificationError,
)
from dvcore.events import (
    EstablishmentChanged,
    EstablishmentRegistered,
    Event,
    EventCorrected,
    EventData,
    EventRetracted,
    FigureReported,
    IndicatorDefined,
    LandCertificateIssued,
    LandDossierFiled,
    LandDossierSubmitted,
    LandUseRightRecognized,
    RecordedEvent,
    TargetSetAdopted,
    TaskAssigned,
    TaskReported,
    UnitChanged,
    UnitClosed,
    UnitRegistered,
    UnitsMerged,
)
from dvcore.i18n import _
from dvcore.indicators import (
    CORE_EXTRACTORS,
    CORE_INDICATORS,
    SCALE,
    CountEach,
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
    make_facts,
    tasks_at,
)
from dvcore.periods import Cutoff, Period, parse_period
from dvcore.serialization import (
    EventTypes,
    canonical_json,
    event_from_dict,
    event_to_dict,
    payload_json,
    structure_data,
    unknown_event_data,
    upcast,
)
from dvcore.store import schema
from dvcore.store.accepted import accepted_events
from dvcore.store.checkpoints import ENV as CHECKPOINT_ENV
from dvcore.store.checkpoints import (
    CheckpointKey,
    checkpoint_key,
    load_checkpoints,
    write_checkpoint,
)
from dvcore.store.copy import copy_rows
from dvcore.store.projections import (
    STATE_EVENT_TYPES,
    STRUCTURAL_TYPES,
    FactSource,
    LogCount,
    MemoryFacts,
    SqlFacts,
    StoreState,
    add_log_rollups,
    add_rollup,
    apply_rollups,
    log_counts,
    replay,
)
from dvcore.store.submissions import SubmissionInfo, record_submissions, tap_sources
from dvcore.store.subscriptions import NOTIFY_CHANNEL, Subscription
from dvcore.units import TreeMode

__all__ = [
    "AppendResult",
    "Explanation",
    "Store",
    "VerifyReport",
    "default_url",
    "open_store",
]

GENESIS = "0" * 64
#: Bumped whenever the rules that derive facts change: the projection is then rebuilt.
PROJECTION_VERSION = 3
_CHUNK = 2000
#: Past this many log-counted events in one append, their rollups are added up by one
#: GROUP BY in the database instead of one by one (tests set it to 0 to take that path).
_COUNT_IN_SQL = 5000
_PG_LOCK_KEY = 0x6476636F7265  # "dvcore"

Clock = Callable[[], dt.datetime]
Progress = Callable[[int, int | None], None]


def default_url() -> str:
    """``$DVCORE_STORE``, or a SQLite file ``dvcore.db`` in the working directory."""
    return os.environ.get("DVCORE_STORE") or "sqlite:///dvcore.db"


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@attrs.frozen(kw_only=True)
class AppendResult:
    """What an append did: the position of every input event (the original's for a
    duplicate), how many were appended, and which were already stored."""

    positions: tuple[int, ...]
    appended: int
    duplicates: tuple[tuple[str, int], ...]  # (source_ref or id, original position)
    recorded_at: dt.datetime | None
    head: int
    dry_run: bool = False


@attrs.frozen(kw_only=True)
class VerifyReport:
    """The result of checking the hash chain: ``ok``, or the first bad position and why."""

    ok: bool
    checked: int
    head_hash: str
    first_bad: int | None = None
    reason: str | None = None
    #: signed checkpoints whose signature was checked with the key at hand
    checkpoints_verified: int = 0
    #: checkpoints that could not be checked (no key, or signed by another key)
    checkpoints_unchecked: int = 0


@attrs.frozen(kw_only=True)
class Explanation:
    """The events behind one figure: every event it counts, and no other; and where
    reports over windows disagree, what stood and what was dropped."""

    unit: str
    period: Period
    indicator: str
    value: Any
    #: one event per fact the figure counts: its current event (its last correction,
    #: else the event that recorded it)
    events: tuple[RecordedEvent, ...]
    disagreements: tuple[WindowDisagreement, ...] = ()
    #: for each of :attr:`events`, the events behind the fact: the original, then its
    #: corrections in order (the last is the fact's current event)
    chains: tuple[tuple[RecordedEvent, ...], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``dvcore explain --format json``: one entry per fact, its
        current event, with ``chain`` the ids of the events behind it."""
        from dvcore.indicators import _number

        chains = (
            self.chains if len(self.chains) == len(self.events) else [(e,) for e in self.events]
        )
        return {
            "unit": self.unit,
            "period": self.period.to_dict(),
            "indicator": self.indicator,
            "value": _number(self.value),
            "events": [
                {
                    "id": str(chain[-1].id),
                    "type": chain[-1].type,
                    "unit": chain[-1].unit,
                    "occurred_on": chain[-1].occurred_on.isoformat(),
                    "recorded_at": chain[-1].recorded_at.isoformat(),
                    "source_ref": chain[-1].source_ref,
                    "chain": [
                        {"id": str(e.id), "type": e.type, "recorded_at": e.recorded_at.isoformat()}
                        for e in chain
                    ],
                }
                for chain in chains
            ],
            "disagreements": [d.to_dict() for d in self.disagreements],
        }


def _chain_hash(prev: str, envelope: Sequence[Any], payload_text: str) -> str:
    """SHA-256 of the previous hash and ``[*envelope, payload]`` as canonical JSON.

    ``envelope`` is position, event id, stream, version, source ref, type, schema version,
    occurred_on (ISO), unit, recorded_at (ISO, UTC, microseconds) and actor; the payload
    comes as its canonical text, so an append serialises it once.
    """
    head = ",".join(
        "null" if v is None else _encode_text(v) if v.__class__ is str else int.__repr__(v)
        for v in envelope
    )
    return hashlib.sha256(f"{prev}[{head},{payload_text}]".encode()).hexdigest()


# What canonical_json writes for a text (json.dumps with ensure_ascii=False): the envelope
# holds only texts, whole numbers and nulls, so it is joined here without json.dumps.
_encode_text: Callable[[str], str] = json.encoder.encode_basestring


def _row_hash(prev: str, row: Mapping[str, Any]) -> str:
    """The chain hash of a stored row (what :meth:`Store.verify` recomputes)."""
    return _chain_hash(
        prev,
        [
            row["position"],
            row["event_id"],
            row["stream"],
            row["version"],
            row["source_ref"],
            row["type"],
            row["schema_version"],
            row["occurred_on"].isoformat(),
            row["unit"],
            row["recorded_at"].astimezone(dt.UTC).isoformat(timespec="microseconds"),
            row["actor"],
        ],
        canonical_json(row["payload"]),
    )


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


_EVENT_COLUMNS = (
    "position",
    "event_id",
    "stream",
    "version",
    "source_ref",
    "type",
    "schema_version",
    "occurred_on",
    "unit",
    "recorded_at",
    "actor",
    "payload",
    "hash",
)
_FACT_COLUMNS = (
    "position",
    "source_position",
    "until_position",
    "indicator",
    "unit",
    "day",
    "window_start",
    "dims",
    "subject",
    "value",
)


def _insert_sql(dialect: str, table: str, columns: Sequence[str]) -> str:
    if dialect == "postgresql":
        marks = ", ".join("%s::jsonb" if c == "payload" else "%s" for c in columns)
    else:
        marks = ", ".join("?" for _ in columns)
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"


def _bulk_insert(
    conn: Connection, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Insert many rows through the driver: the append path's hot loop skips SQLAlchemy's
    per-row bind processing, so the values must already be what the backend stores
    (on SQLite, dates and instants as the text SQLAlchemy's types write). On PostgreSQL
    the rows go through ``COPY`` (:func:`dvcore.store.copy.copy_rows`)."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        copy_rows(conn, table, columns, rows)
    else:
        conn.exec_driver_sql(_insert_sql(conn.dialect.name, table, columns), list(rows))


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


def _configure_sqlite(engine: Engine, busy_timeout: float) -> None:
    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's begin event emit BEGIN itself (pysqlite's own is deferred).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.execute("PRAGMA cache_size = -131072")
        cur.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        if conn.get_execution_options().get("dv_write"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


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
            chunk: list[tuple[str, int, Event | Mapping[str, Any]]] = []
            done = 0
            for item in rows:
                chunk.append(item)
                done += 1
                if len(chunk) >= _CHUNK:
                    batch.add(chunk, stop_rows=bool(extra_problems))
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
            value = conn.execute(
                select(func.max(schema.events.c.position)).where(
                    schema.events.c.recorded_at <= when
                )
            ).scalar()
        return int(value or 0)

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
        known = int(
            conn.execute(
                select(func.max(schema.events.c.position)).where(
                    schema.events.c.recorded_at <= when
                )
            ).scalar()
            or 0
        )
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

    def _chains(
        self, conn: Connection, currents: Mapping[int, int]
    ) -> list[tuple[RecordedEvent, ...]]:
        """For each original position → current position, the events from the original
        to the current one: the corrections naming the original, up to the current."""
        originals = {e.position: e for e in self._events_at(conn, currents)}
        corrected = {src: cur for src, cur in currents.items() if cur != src}
        steps: dict[uuid.UUID, list[RecordedEvent]] = {}
        if corrected:
            wanted = {originals[src].id: cur for src, cur in corrected.items() if src in originals}
            units = sorted({originals[src].unit for src in corrected if src in originals})
            e = schema.events.c
            stmt = (
                select(schema.events)
                .where(
                    e.type == EventCorrected.type_name,
                    e.unit.in_(units),
                    e.position <= max(corrected.values()),
                )
                .order_by(e.position)
            )
            for row in conn.execute(stmt):
                ev = self._decode(row)
                data = ev.data
                if (
                    isinstance(data, EventCorrected)
                    and data.event_id in wanted
                    and ev.position <= wanted[data.event_id]
                ):
                    steps.setdefault(data.event_id, []).append(ev)
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
        missing one (a gap), a chain rewritten from some row on (a signed checkpoint no
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
                    prev = row.hash
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


def _head(conn: Connection) -> tuple[int, str, dt.datetime | None]:
    row = conn.execute(
        select(schema.events.c.position, schema.events.c.hash, schema.events.c.recorded_at)
        .order_by(schema.events.c.position.desc())
        .limit(1)
    ).first()
    if row is None:
        return 0, GENESIS, None
    return int(row.position), row.hash, row.recorded_at


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


def _busy_or_store_error(exc: OperationalError) -> StoreError:
    text = str(exc.orig)
    if "locked" in text or "busy" in text or "lock timeout" in text:
        return StoreBusyError(
            "the store is busy: another writer held it past the busy timeout; try again"
        )
    return StoreError(f"the store failed: {text}")


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
        self._months: dict[dt.date, dt.date] = {}
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
        """Add one fact (``sign=-1``: take a retired one away) to its month and year."""
        month = self._months.get(day)
        if month is None:
            month = self._months[day] = day.replace(day=1)
        add_rollup(self.deltas, indicator, unit, dims, month, sign * value, sign)

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


def _content(event: Event) -> tuple[Any, ...]:
    """What a key must always name: the event's type, unit, day and data (as JSON)."""
    return (
        event.data.type_name,
        event.unit,
        event.occurred_on.isoformat(),
        json.loads(payload_json(event.data)),
    )


class _Batch:
    """One append in progress: validation against the state, numbering, hashing, rows."""

    def __init__(
        self, store: Store, conn: Connection, state: StoreState, *, actor: str | None
    ) -> None:
        self.store = store
        self.conn = conn
        self.state = state
        self.actor = actor
        self.source = "<batch>"
        self.row = 0
        self.problems: list[Problem] = []
        self.problems_elsewhere = False
        self.positions: list[int] = []
        self.duplicates: list[tuple[str, int]] = []
        self.recorded: list[RecordedEvent] = []
        head, self.prev_hash, last_at = _head(conn)
        self.next_position = head + 1
        self.head = head
        now = store.clock()
        if now.tzinfo is None:
            raise StoreError("the store's clock must return timezone-aware datetimes")
        now = now.astimezone(dt.UTC)
        self.recorded_at = max(now, last_at) if last_at is not None else now
        self.recorded_at_iso = self.recorded_at.isoformat(timespec="microseconds")
        self.recorded_at_sqlite = self.recorded_at.strftime("%Y-%m-%d %H:%M:%S.%f")
        self.sqlite = conn.dialect.name == "sqlite"
        self.appended = 0
        self.versions: dict[str, int] = {}
        #: key → (position, content, where it stands) of the keys this chunk appends
        self.seen_refs: dict[str, tuple[int, tuple[Any, ...], str]] = {}
        self.seen_ids: dict[uuid.UUID, tuple[int, str, str, dt.date]] = {}
        self.touched: dict[str, int] = {}  # stream → version before this batch
        self.facts = _FactWriter(store, conn, after=head)
        # an append keeps the projection up to date only if it was (same rules, no gap)
        self.projection_current = store._projection_current(conn, head)

    # --- per chunk ------------------------------------------------------------------------

    def add(
        self, chunk: Sequence[tuple[str, int, Event | Mapping[str, Any]]], stop_rows: bool = False
    ) -> None:
        parsed, given_ids = self._parse(chunk)
        if not (self.problems or self.problems_elsewhere):
            # Earlier chunks are inserted: this transaction's own queries see them, so the
            # in-batch maps only need this chunk (a million-event import stays small).
            self.seen_refs.clear()
            self.seen_ids.clear()
            self.facts.origin.clear()
            self.facts.logged.clear()
        if stop_rows:  # a channel already failed a row: validate on, insert no more
            self.problems_elsewhere = True
        refs = [e.source_ref for _s, _r, e in parsed if e.source_ref is not None]
        stored_refs = self._stored_refs(refs)
        stored_ids = self._stored("event_id", given_ids)
        streams = {e.stream_name for _s, _r, e in parsed} - set(self.versions)
        self._load_versions(streams)
        rows: list[tuple[Any, ...]] = []
        for source, row, event in parsed:
            self.source = source
            self.row = row
            ref = event.source_ref
            if ref is not None and (ref in stored_refs or ref in self.seen_refs):
                # A key names one fact: the same key with other content is a mistake
                # (two clerks' codes, an edited row sent as new), never "already stored".
                original, content, where = stored_refs.get(ref) or self.seen_refs[ref]
                if content != _content(event):
                    self._problem(
                        row,
                        "source_ref",
                        f"the key '{ref}' is stored already with other content "
                        f"({where}): give the row another key, or re-send the "
                        "submission it belongs to",
                    )
                    continue
                self.positions.append(original)
                self.duplicates.append((ref, original))
                continue
            if str(event.id) in stored_ids:
                original = stored_ids[str(event.id)]
                self.positions.append(original)
                self.duplicates.append((str(event.id), original))
                continue
            if event.id in self.seen_ids:
                self._problem(row, "id", f"event id {event.id} appears twice in the batch")
                continue
            problems = self._validate(row, event)
            if problems:
                self.problems.extend(problems)
                continue
            if self.problems or self.problems_elsewhere:
                # Keep validating (every problem at once) but stop building rows.
                self._apply(event, self.next_position)
                self.next_position += 1
                continue
            rows.append(self._row(event))
        if rows:
            _bulk_insert(self.conn, "dv_events", _EVENT_COLUMNS, rows)
        self.facts.flush()

    def _parse(
        self, chunk: Sequence[tuple[str, int, Event | Mapping[str, Any]]]
    ) -> tuple[list[tuple[str, int, Event]], list[str]]:
        """The chunk's events, checked against the catalogue (no database needed), and the
        ids the input chose (an id the store makes needs no lookup)."""
        parsed: list[tuple[str, int, Event]] = []
        given_ids: list[str] = []
        for source, row, item in chunk:
            if isinstance(item, Event):
                # Checked in its wire shape like a dict: what the converter refuses on read
                # (a NUL, a type no plugin provides) must never be stored.
                item = event_to_dict(item)
            event, problems = event_from_dict(item, self.store.types, source=source, row=row)
            if event is None:
                self.problems.extend(problems)
            else:
                parsed.append((source, row, event))
                if item.get("id") is not None:
                    given_ids.append(str(event.id))
        return parsed, given_ids

    def _stored_refs(self, refs: Sequence[str]) -> dict[str, tuple[int, tuple[Any, ...], str]]:
        """The stored events of these keys: position, content (type, unit, day, payload as
        the current schema writes it) and a description naming the event."""
        found: dict[str, tuple[int, tuple[Any, ...], str]] = {}
        if not refs:
            return found
        cols = "source_ref, position, event_id, type, unit, occurred_on, schema_version, payload"
        queries: list[tuple[str, Any]]
        if self.sqlite:
            parts = [refs[i : i + 900] for i in range(0, len(refs), 900)]
            queries = [
                (f"SELECT {cols} FROM dv_events WHERE source_ref IN ({', '.join('?' * len(p))})", p)
                for p in parts
            ]
        else:
            queries = [(f"SELECT {cols} FROM dv_events WHERE source_ref = ANY(%s)", (list(refs),))]
        for sql, params in queries:
            for (
                ref,
                pos,
                event_id,
                type_name,
                unit,
                day,
                version,
                payload,
            ) in self.conn.exec_driver_sql(sql, tuple(params)):
                data = json.loads(payload) if isinstance(payload, str) else dict(payload)
                event_type = self.store.types.get(type_name)
                if event_type is not None and version < event_type.schema_version:
                    data = upcast(type_name, version, data, event_type.schema_version)
                day_iso = day if isinstance(day, str) else day.isoformat()
                found[ref] = (
                    int(pos),
                    (type_name, unit, day_iso[:10], data),
                    f"event {event_id}, {type_name} of {unit} on {day_iso[:10]}",
                )
        return found

    def _stored(self, column: str, values: Sequence[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        if values and not self.sqlite:
            # One array parameter: PostgreSQL plans it once, not 900 placeholders a query.
            for value, pos in self.conn.exec_driver_sql(
                f"SELECT {column}, position FROM dv_events WHERE {column} = ANY(%s)",
                (list(values),),
            ):
                found[value] = int(pos)
            return found
        for i in range(0, len(values), 900):  # SQLite allows 999 parameters a statement
            part = tuple(values[i : i + 900])
            marks = ", ".join("?" * len(part))
            for value, pos in self.conn.exec_driver_sql(
                f"SELECT {column}, position FROM dv_events WHERE {column} IN ({marks})", part
            ):
                found[value] = int(pos)
        return found

    def _load_versions(self, streams: Iterable[str]) -> None:
        names = sorted(streams)
        for name in names:
            self.versions[name] = 0
        for i in range(0, len(names), 900):
            part = names[i : i + 900]
            stmt = (
                select(schema.events.c.stream, func.max(schema.events.c.version))
                .where(schema.events.c.stream.in_(part))
                .group_by(schema.events.c.stream)
            )
            for stream, version in self.conn.execute(stmt):
                self.versions[stream] = int(version)

    def _row(self, event: Event) -> tuple[Any, ...]:
        """The event's row (in ``_EVENT_COLUMNS`` order, as the backend stores it)."""
        position = self.next_position
        self.next_position += 1
        data = event.data
        type_name = data.type_name
        stream = event.stream or event.unit
        versions = self.versions
        self.touched.setdefault(stream, versions[stream])
        version = versions[stream] = versions[stream] + 1
        payload_text = payload_json(data)
        schema_version = data.schema_version
        event_id = str(event.id)
        source_ref = event.source_ref
        occurred_iso = event.occurred_on.isoformat()
        digest = _chain_hash(
            self.prev_hash,
            (
                position,
                event_id,
                stream,
                version,
                source_ref,
                type_name,
                schema_version,
                occurred_iso,
                event.unit,
                self.recorded_at_iso,
                self.actor,
            ),
            payload_text,
        )
        self.prev_hash = digest
        self.positions.append(position)
        if source_ref is not None:
            self.seen_refs[source_ref] = (
                position,
                (type_name, event.unit, occurred_iso, json.loads(payload_text)),
                f"row {self.row} of {self.source}",
            )
        self._apply(event, position)
        self.facts.add(type_name, data, event.unit, event.occurred_on, position, event.id)
        if self.store._listeners:
            self.recorded.append(
                RecordedEvent(
                    position=position,
                    id=event.id,
                    stream=stream,
                    version=version,
                    type=type_name,
                    schema_version=schema_version,
                    occurred_on=event.occurred_on,
                    unit=event.unit,
                    recorded_at=self.recorded_at,
                    actor=self.actor,
                    source_ref=source_ref,
                    data=data,
                    hash=digest,
                )
            )
        self.appended += 1
        if self.sqlite:
            occurred: Any = occurred_iso
            recorded: Any = self.recorded_at_sqlite
        else:
            occurred, recorded = event.occurred_on, self.recorded_at
        return (
            position,
            event_id,
            stream,
            version,
            source_ref,
            type_name,
            schema_version,
            occurred,
            event.unit,
            recorded,
            self.actor,
            payload_text,
            digest,
        )

    def _apply(self, event: Event, position: int) -> None:
        self.seen_ids[event.id] = (position, event.type, event.unit, event.occurred_on)
        if event.type in STATE_EVENT_TYPES:
            self.state.apply(
                position=position,
                event_id=event.id,
                type_name=event.type,
                unit=event.unit,
                occurred_on=event.occurred_on,
                data=event.data,
            )

    def _problem(self, row: int, field: str | None, message: str) -> None:
        self.problems.append(Problem(source=self.source, row=row, field=field, message=message))

    # --- validation that needs the store ----------------------------------------------

    def _validate(self, row: int, event: Event) -> list[Problem]:
        out: list[Problem] = []

        def problem(field: str | None, message: str) -> None:
            out.append(
                Problem(
                    source=self.source,
                    row=row,
                    field=field,
                    message=message,
                    event_type=event.type,
                )
            )

        tree = self.state.tree
        data = event.data
        day = event.occurred_on
        if self.actor is not None:
            self._check_scope(problem, event)
        if isinstance(data, UnitRegistered):
            if data.code in tree:
                problem("data.code", _("unit '{code}' is registered already", code=data.code))
            if data.parent is not None:
                self._unit_on(problem, "data.parent", data.parent, day)
            if event.unit != data.code:
                self._unit_on(problem, "unit", event.unit, day)
            return out
        self._unit_on(problem, "unit", event.unit, day)
        if event.type in self.store.log:  # a counted event needs only its unit (most are)
            return out
        if isinstance(data, UnitChanged):
            if (
                self._unit_on(problem, "data.code", data.code, day)
                and data.parent is not None
                and self._unit_on(problem, "data.parent", data.parent, day)
                and (data.parent == data.code or data.code in tree.ancestors(data.parent, day))
            ):
                problem(
                    "data.parent",
                    _(
                        "'{parent}' is inside '{code}': a unit cannot move under itself",
                        parent=data.parent,
                        code=data.code,
                    ),
                )
        elif isinstance(data, UnitsMerged):
            for i, code in enumerate(data.sources):
                if self._unit_on(problem, f"data.sources[{i}]", code, day):
                    self._no_facts_from(problem, f"data.sources[{i}]", code, day)
            self._unit_on(problem, "data.into", data.into, day)
        elif isinstance(data, UnitClosed):
            if self._unit_on(problem, "data.code", data.code, day):
                self._no_facts_from(problem, "data.code", data.code, day)
        elif isinstance(data, EstablishmentRegistered):
            if tree.has_establishment(data.id):
                problem("data.id", _("establishment '{id}' is registered already", id=data.id))
        elif isinstance(data, EstablishmentChanged):
            if not tree.has_establishment(data.id):
                problem("data.id", _("unknown establishment '{id}'", id=data.id))
            if data.unit is not None:
                self._unit_on(problem, "data.unit", data.unit, day)
        elif isinstance(
            data,
            LandDossierFiled
            | LandDossierSubmitted
            | LandUseRightRecognized
            | LandCertificateIssued,
        ):
            if not tree.has_establishment(data.establishment_id):
                problem(
                    "data.establishment_id",
                    _("unknown establishment '{id}'", id=data.establishment_id),
                )
        elif isinstance(data, IndicatorDefined):
            previous = self.state.defined.get(data.code)
            if data.code in self.store._indicators:
                problem("data.code", _("'{code}' is a built-in indicator", code=data.code))
            elif previous is not None and previous.aggregation != data.aggregation:
                problem(
                    "data.aggregation",
                    _(
                        "'{code}' was defined with aggregation '{aggregation}'",
                        code=data.code,
                        aggregation=previous.aggregation,
                    ),
                )
        elif isinstance(data, FigureReported):
            if data.indicator not in self.state.defined:
                problem(
                    "data.indicator",
                    _(
                        "indicator '{indicator}' is not defined: record an IndicatorDefined first",
                        indicator=data.indicator,
                    ),
                )
        elif isinstance(data, TaskAssigned):
            self._unit_on(problem, "data.owner", data.owner, day)
            if self.state.has_task(data.task_id):
                problem("data.task_id", _("task '{task}' is assigned already", task=data.task_id))
        elif isinstance(data, TaskReported):
            if not self.state.has_task(data.task_id):
                problem("data.task_id", _("unknown task '{task}'", task=data.task_id))
        elif isinstance(data, TargetSetAdopted):
            known = self.store.indicators(self.state)
            for i, target in enumerate(data.targets):
                if target.indicator not in known:
                    problem(
                        f"data.targets[{i}].indicator",
                        _("unknown indicator '{indicator}'", indicator=target.indicator),
                    )
                try:
                    parse_period(target.period, self.store.cutoff)
                except InputError as exc:
                    problem(f"data.targets[{i}].period", str(exc))
        elif isinstance(data, EventRetracted | EventCorrected):
            self._validate_correction(problem, event, data)
        return out

    def _check_scope(self, problem: Callable[[str | None, str], None], event: Event) -> None:
        """An actor records only for units in its own subtree, as of each event's date.

        The actor's own registration (the first event of a new store) is the one event
        recorded for a unit that does not exist yet.
        """
        actor = self.actor
        assert actor is not None
        tree = self.state.tree
        data = event.data
        day = event.occurred_on
        if isinstance(data, UnitRegistered) and data.code == actor and actor not in tree:
            return
        if actor not in tree:
            problem(None, _("actor '{actor}' is not a registered unit", actor=actor))
            return
        named: list[tuple[str, str]] = [("unit", event.unit)]
        if isinstance(data, UnitRegistered):
            named = [("data.parent", data.parent)] if data.parent else [("data.code", data.code)]
        elif isinstance(data, UnitChanged):
            named += [("data.code", data.code)]
            if data.parent is not None:
                named.append(("data.parent", data.parent))
        elif isinstance(data, UnitsMerged):
            named += [(f"data.sources[{i}]", c) for i, c in enumerate(data.sources)]
            named.append(("data.into", data.into))
        elif isinstance(data, UnitClosed):
            named.append(("data.code", data.code))
        elif isinstance(data, TaskAssigned):
            named.append(("data.owner", data.owner))
        for field, code in named:
            if code not in tree or not tree.exists(code, day):
                continue  # an unknown unit is reported by the unit checks
            if code != actor and actor not in tree.ancestors(code, day):
                problem(
                    field,
                    _(
                        "actor '{actor}' may not record for unit '{code}': it is outside "
                        "{actor}'s subtree on {day}",
                        actor=actor,
                        code=code,
                        day=day.isoformat(),
                    ),
                )
                return

    def _unit_on(
        self, problem: Callable[[str | None, str], None], field: str, code: str, day: dt.date
    ) -> bool:
        try:
            self.state.tree.check_exists(code, day)
        except UnknownUnitError as exc:
            problem(field, str(exc))
            return False
        return True

    def _no_facts_from(
        self, problem: Callable[[str | None, str], None], field: str, code: str, day: dt.date
    ) -> None:
        # A unit ends once: a second merge or closure would rewrite where its history went.
        ended = self.state.tree.ended_on(code)
        if ended is not None:
            successor = self.state.tree.successor(code)
            problem(
                field,
                _(
                    "unit '{code}' was already merged into '{successor}' on {day}",
                    code=code,
                    successor=successor,
                    day=ended.isoformat(),
                )
                if successor
                else _(
                    "unit '{code}' was already closed on {day}", code=code, day=ended.isoformat()
                ),
            )
            return
        # A unit cannot end before facts it already carries: the as-of tree would drop them.
        self.facts.flush()
        t = schema.facts.c
        row = self.conn.execute(
            select(t.day, t.indicator)
            .where(t.unit == code, t.day >= day, t.until_position.is_(None))
            .order_by(t.day)
            .limit(1)
        ).first()
        found = (row.day, row.indicator) if row is not None else None
        # log-counted events: this chunk's are not inserted yet (they are in seen_ids)
        for _id, (pos, type_name, unit, on) in self.seen_ids.items():
            counted = self.store.log.get(type_name)
            if (
                counted is not None
                and unit == code
                and on >= day
                and pos in self.facts.logged
                and (found is None or on < found[0])
            ):
                found = (on, counted.rule.indicator)
        e = schema.events.c
        for log in self.store.log.values():
            first = self.conn.execute(
                select(func.min(e.occurred_on)).where(
                    *log.where(), e.unit == code, e.occurred_on >= day
                )
            ).scalar()
            if first is not None and (found is None or first < found[0]):
                found = (first, log.rule.indicator)
        if found is not None:
            problem(
                field,
                _(
                    "unit '{code}' has a fact dated {fact_day} ({indicator}), on or after "
                    "{day}: retract it or date the change later",
                    code=code,
                    fact_day=found[0].isoformat(),
                    indicator=found[1],
                    day=day.isoformat(),
                ),
            )

    def _validate_correction(
        self,
        problem: Callable[[str | None, str], None],
        event: Event,
        data: EventRetracted | EventCorrected,
    ) -> None:
        target = self.seen_ids.get(data.event_id) or _event_origin(self.conn, data.event_id)
        if target is None:
            problem("data.event_id", _("no event {id} in the store", id=data.event_id))
            return
        _pos, type_name, unit, _day = target
        if type_name in (EventRetracted.type_name, EventCorrected.type_name):
            problem("data.event_id", _("name the original event, not a correction of it"))
        elif type_name in STRUCTURAL_TYPES:
            problem(
                "data.event_id",
                _(
                    "a {type} cannot be retracted or corrected: record a UnitChanged, "
                    "UnitClosed or EstablishmentChanged instead",
                    type=type_name,
                ),
            )
        elif unit != event.unit:
            problem(
                "unit",
                _("the correction must be recorded for the event's unit '{unit}'", unit=unit),
            )
        elif isinstance(data, EventCorrected):
            event_type = self.store.types.get(type_name)
            if event_type is not None:
                _data, errors = structure_data(event_type, data.data, path="data.data")
                for path, message in errors:
                    problem(path, message)

    # --- the end ----------------------------------------------------------------------------

    def check_expected(self, expected: int | Mapping[str, int] | None) -> None:
        if expected is None:
            return
        if self.positions and len(self.duplicates) == len(self.positions) and not self.problems:
            # Every event is stored already as given: a retry of an append that committed
            # (its answer was lost). It succeeds and appends nothing, whatever the version.
            return
        if isinstance(expected, int):
            streams = set(self.touched) or set(self.versions)
            if len(streams) != 1:
                raise InputError(
                    _(
                        "expected_version as one number needs a batch of one stream; "
                        "pass a mapping stream → version"
                    )
                )
            expected = {next(iter(streams)): expected}
        for stream, version in expected.items():
            if stream not in self.versions:
                self._load_versions([stream])
            actual = self.touched.get(stream, self.versions[stream])
            if actual != version:
                raise ConcurrencyError(stream, version, actual)

    def finish(self) -> None:
        self.facts.finish()
        if self.appended and self.projection_current:
            # A projection that was stale before stays stale: the next read rebuilds it.
            _set_projection(self.conn, self.next_position - 1, self.store.rules)

    def result(self, dry_run: bool) -> AppendResult:
        appended = self.appended
        return AppendResult(
            positions=tuple(self.positions),
            appended=appended,
            duplicates=tuple(self.duplicates),
            recorded_at=self.recorded_at if appended else None,
            head=self.head if dry_run else self.next_position - 1,
            dry_run=dry_run,
        )


# --- opening ----------------------------------------------------------------------------------


def open_store(
    url: str | None = None,
    *,
    clock: Clock | None = None,
    cutoff: Cutoff = "calendar",
    create: bool = True,
    busy_timeout: float = 30.0,
    plugins: bool | Iterable[object] = True,
    event_types: EventTypes | None = None,
    indicators: Iterable[Indicator] | None = None,
    signing_key: str | bytes | None = None,
    listeners: Iterable[Callable[[Sequence[RecordedEvent]], None]] = (),
) -> Store:
    """Open (and by default create or upgrade) the store at ``url``.

    ``url`` is ``sqlite:///FILE`` (the default: ``$DVCORE_STORE`` or ``dvcore.db``) or
    ``postgresql+psycopg://…``. The schema is managed by alembic (branch ``dvcore``).
    ``clock`` returns the timezone-aware instant events are recorded at (tests and demos
    set it; a store never takes ``recorded_at`` from the caller). ``plugins`` loads event
    types and indicators through the plugin manager: ``True`` the installed plugins,
    ``False`` none, or a list of plugin objects (modules or instances with
    ``@dvcore.hookimpl`` functions) registered besides the installed ones, with no
    distribution to install. ``listeners`` are called in this process after each append
    commits, with the events it recorded. ``signing_key`` (default
    ``$DVCORE_CHECKPOINT_KEY``) signs a checkpoint of the chain head on every append.
    """
    url = url or default_url()
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://") :]
    try:
        engine = sa.create_engine(url, json_serializer=canonical_json)
    except (sa.exc.ArgumentError, ImportError) as exc:
        raise InputError(f"cannot open store '{url}': {exc}", url=url) from exc
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine, busy_timeout)
    elif engine.dialect.name != "postgresql":
        raise InputError(
            f"dvcore stores live in SQLite or PostgreSQL, not {engine.dialect.name}", url=url
        )
    types = event_types
    extra: list[Indicator] = list(indicators or [])
    listening: list[Callable[[Sequence[RecordedEvent]], None]] = []
    extra_plugins = None if isinstance(plugins, bool) else list(plugins)
    if (plugins is True and event_types is None) or extra_plugins is not None:
        from dvcore.registry import get_plugin_manager, plugin_event_types, plugin_indicators

        pm = get_plugin_manager(plugins=extra_plugins or ())
        if event_types is None:
            types = plugin_event_types(pm)
        if indicators is None:
            extra = plugin_indicators(pm)

        def notify(recorded: Sequence[RecordedEvent]) -> None:
            pm.hook.dvcore_events_appended(events=list(recorded))

        # Only keep every appended event in memory when some plugin wants to be told.
        if pm.hook.dvcore_events_appended.get_hookimpls():
            listening.append(notify)
    listening.extend(listeners)
    try:
        if create:
            from dvcore.store.migrate import upgrade

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
        event_types=types,
        indicators=extra,
        listeners=listening,
        signing_key=key,
        busy_timeout=busy_timeout,
    )
