"""Batch validation: one append in progress, checked against the state, numbered,
hashed and turned into rows."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, func, select

from dvcore.errors import (
    ConcurrencyError,
    InputError,
    Problem,
    StoreError,
    UnknownUnitError,
)
from dvcore.events import (
    EstablishmentChanged,
    EstablishmentRegistered,
    Event,
    EventCorrected,
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
from dvcore.periods import parse_period
from dvcore.serialization import (
    event_from_dict,
    event_to_dict,
    payload_json,
    structure_data,
    upcast,
)
from dvcore.store import schema
from dvcore.store.chain import _chain_hash, _head
from dvcore.store.dialect import _EVENT_COLUMNS, _bulk_insert
from dvcore.store.projections import (
    STATE_EVENT_TYPES,
    STRUCTURAL_TYPES,
    StoreState,
)
from dvcore.store.results import AppendResult
from dvcore.store.writer import _event_origin, _FactWriter, _set_projection
from dvcore.tasks import parse_owner

if TYPE_CHECKING:
    from dvcore.store.sql import Store


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
        #: key → (position, (type, unit, day, payload as its JSON text), where it stands) of
        #: the keys this chunk appends: the payload is decoded only if the key comes again
        self.seen_refs: dict[str, tuple[int, tuple[str, str, str, str], str]] = {}
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
                stored = stored_refs.get(ref)
                if stored is not None:
                    original, content, where = stored
                else:  # a key this chunk appended: its payload is kept as the text written
                    original, (type_name, unit, day, text), where = self.seen_refs[ref]
                    content = (type_name, unit, day, json.loads(text))
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
            if stored_ids and str(event.id) in stored_ids:  # ids the input gave, stored
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
                (type_name, event.unit, occurred_iso, payload_text),
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
            for field, code in _task_owners(data):
                self._unit_on(problem, field, code, day)
            if self.state.has_task(data.task_id, data.conclusion):
                problem("data.task_id", _("task '{task}' is assigned already", task=data.task_id))
        elif isinstance(data, TaskReported):
            if not self.state.has_task(data.task_id, data.conclusion):
                problem("data.task_id", _("unknown task '{task}'", task=data.task_id))
            elif self.state.find_task(data.task_id, data.conclusion) < 0:
                problem(
                    "data.conclusion",
                    _(
                        "task '{task}' is assigned in more than one conclusion: name its "
                        "conclusion",
                        task=data.task_id,
                    ),
                )
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
            named += _task_owners(data)
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


def _task_owners(data: TaskAssigned) -> list[tuple[str, str]]:
    """The field and unit code of each owner of a task (``HP.TN:people_committee`` is of
    ``HP.TN``)."""
    out = [("data.owner", parse_owner(data.owner).unit)]
    out += [(f"data.co_owners[{i}]", parse_owner(o).unit) for i, o in enumerate(data.co_owners)]
    return out
