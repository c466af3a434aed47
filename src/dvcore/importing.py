"""Importing files as submissions: what ``dvcore import`` does, for any Python caller.

A **submission** is what one unit sends for one period: its files, and the *forms* they
carry (the event types of their sheets or tables, a form with a header and no rows saying
"none of this type"). It is declared by ``unit`` and ``period`` (``dvcore import --unit
--period``) or by the workbook's cover sheet, "Thông tin báo cáo"; flags win over the
cover only when they agree with it.

**Row identity.** Every row gets a key. The clerk's own ``source_ref`` belongs to the
submitting unit (the declared unit, else the row's unit), so two communes' "1, 2, 3"
never collide: ``UNIT/ref``. A row without one gets ``=Type:digest:n``, where the digest
covers the row's type, unit, date and data *as parsed* (dates, numbers, booleans) and
``n`` counts identical rows. A file re-saved,
re-zipped, re-encoded or with its rows in another order therefore yields the same keys,
and appends nothing; so do the rows of a quarter repeated in the 9-month file.

**Re-sending replaces.** When the store already holds a version of the submission (same
unit, same period), the import records, in one transaction, exactly the difference for
the forms the new files carry: rows gone are retracted (``EventRetracted``), rows whose
key stays but whose content changed are corrected (``EventCorrected``; a change of date
or unit retracts and adds), new rows are appended, identical rows are left alone. Every
version is a ``SubmissionReceived`` event with the keys of its rows, so a snapshot "as
known at" an instant before the re-send still gives the earlier figures.

A key the store holds with other content, outside a re-send of the submission whose
version holds it, is refused with a problem naming the key, the stored event and the row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import sqlalchemy as sa
from sqlalchemy import select

from dvcore.errors import InputError, Problem, ValidationError
from dvcore.events import (
    EstablishmentRegistered,
    EventCorrected,
    EventData,
    EventRetracted,
    SubmissionReceived,
    SubmissionReviewed,
    UnitRegistered,
)
from dvcore.i18n import _
from dvcore.indicators import WindowDisagreement
from dvcore.periods import Period
from dvcore.serialization import (
    EventTypes,
    canonical_json,
    event_from_dict,
    payload_json,
    upcast,
)
from dvcore.store import schema
from dvcore.store.submissions import submission_infos
from dvcore.tables import Cover, Row, catalog_order
from dvcore.units import ESTABLISHMENT_EVENT_TYPES, UNIT_EVENT_TYPES, UnitTree

if TYPE_CHECKING:
    from dvcore.store.sql import AppendResult, Store

__all__ = [
    "ImportResult",
    "SubmissionDiff",
    "derived_key",
    "import_files",
    "rows_of",
    "store_unit_codes",
    "window_disagreements",
    "write_template",
]

#: Event types recorded by dvcore itself, never read from a clerk's table.
SYSTEM_TYPES = frozenset({SubmissionReceived.type_name, SubmissionReviewed.type_name})
#: Rows of these types may be dated outside the submission's period (a unit or an
#: establishment registered years before, an indicator declared once).
_UNDATED_TYPES = frozenset(UNIT_EVENT_TYPES | ESTABLISHMENT_EVENT_TYPES | {"IndicatorDefined"})
_GENERATION = re.compile(r"~(\d+)$")


# --- results ---------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class SubmissionDiff:
    """What a submission's version changes against the one before it (or, for a first
    version, against the store): counts of rows, and the keys behind them."""

    unit: str
    period: str
    version: int
    previous: int | None
    forms: tuple[str, ...]
    added: tuple[str, ...] = ()
    corrected: tuple[str, ...] = ()
    retracted: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    #: rows already stored by another submission or import, with the same content
    stored: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        """Whether the version changes anything (else nothing is recorded)."""
        return bool(self.added or self.corrected or self.retracted)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready counts."""
        return {
            "unit": self.unit,
            "period": self.period,
            "version": self.version,
            "previous": self.previous,
            "forms": list(self.forms),
            "added": len(self.added),
            "corrected": len(self.corrected),
            "retracted": len(self.retracted),
            "unchanged": len(self.unchanged) + len(self.stored),
        }


@attrs.frozen(kw_only=True)
class ImportResult:
    """What an import did: the store's :class:`~dvcore.store.AppendResult`, the rows read,
    and the submission's difference when the files were declared one."""

    append: AppendResult
    rows: int
    submission: SubmissionDiff | None = None
    #: where reports over windows of the submitting unit now disagree for the period (a
    #: 9-month figure that is not the sum of its quarters …): what stood, what was dropped
    disagreements: tuple[WindowDisagreement, ...] = ()
    #: keys of the rows the import found stored already (with the same content): they
    #: are not handed to the store again
    stored: tuple[str, ...] = ()

    @property
    def appended(self) -> int:
        """Events appended (rows, corrections, retractions and the version itself)."""
        return self.append.appended

    @property
    def duplicates(self) -> tuple[tuple[str, int], ...]:
        """Rows whose key the store held already, with the original's position."""
        return self.append.duplicates

    @property
    def positions(self) -> tuple[int, ...]:
        """The position of every event sent to the store."""
        return self.append.positions

    @property
    def head(self) -> int:
        """The log's head after the import."""
        return self.append.head

    @property
    def dry_run(self) -> bool:
        """Whether nothing was written."""
        return self.append.dry_run

    @property
    def recorded_at(self) -> dt.datetime | None:
        """When the store recorded the import's events (``None``: nothing appended)."""
        return self.append.recorded_at


# --- reading -----------------------------------------------------------------------------------


def rows_of(channel: Any, path: Path, types: EventTypes) -> Iterator[Row]:
    """Every ``(sheet, row, item)`` a channel reads from a file: ``read_sheets`` when the
    channel reads workbooks, else ``read`` with no sheet."""
    read_sheets = getattr(channel, "read_sheets", None)
    if read_sheets is not None:
        yield from read_sheets(path, types)
        return
    for row, item in channel.read(path, types):
        yield None, row, item


def _channel_for(path: Path, name: str | None, channels: Mapping[str, Any]) -> Any:
    if name is not None:
        if name not in channels:
            raise InputError(
                _(
                    "unknown channel '{name}'; installed: {installed}",
                    name=name,
                    installed=", ".join(sorted(channels)),
                )
            )
        return channels[name]
    suffix = path.suffix.lower()
    for channel in channels.values():
        if suffix in channel.suffixes:
            return channel
    raise InputError(
        _(
            "{path}: no channel reads '{suffix}' files; installed: {installed} "
            "(choose one with --channel)",
            path=str(path),
            suffix=suffix,
            installed=", ".join(sorted(channels)),
        )
    )


@attrs.define
class _Item:
    """One row read from a file, on its way to the store."""

    source: str
    sheet: str | None
    row: int
    item: dict[str, Any]
    type: str
    unit: str
    day: str
    data: Any  # the data as the store writes it (JSON)
    text: str = ""  # the same, as the store's canonical text
    base: str = ""  # its key (a row sent again after a retraction: its next generation)


@attrs.define
class _File:
    path: Path
    channel: Any
    forms: list[str]
    cover: Cover | None
    items: list[_Item]
    rows: int


def _content(item: _Item) -> tuple[Any, ...]:
    return (item.type, item.unit, item.day, item.data)


def derived_key(type_name: str, unit: str, day: str, data: Any, n: int) -> str:
    """The key of a row without ``source_ref``: its meaning, not its file's bytes.

    ``data`` is the row's data as the store writes it (parsed values); ``n`` counts the
    identical rows before it in the same import. The row's unit is part of its meaning,
    so two units' rows never share a key; the same fact sent twice (by a commune and in
    its district's file) is one fact.
    """
    digest = hashlib.sha256(
        canonical_json([type_name, unit, day, data]).encode("utf-8")
    ).hexdigest()[:32]
    return f"={type_name}:{digest}:{n}"


def _cover(channel: Any, path: Path) -> Cover | None:
    cover_of = getattr(channel, "cover", None)
    return cover_of(path) if cover_of is not None else None


def _read_file(
    path: Path, channel: Any, cover: Cover | None, types: EventTypes, problems: list[Problem]
) -> _File:
    source = str(path)
    items: list[_Item] = []
    rows = 0
    seen_types: list[str] = []
    for sheet, row, item in rows_of(channel, path, types):
        if isinstance(item, Problem):
            problems.append(item)
            continue
        rows += 1
        event, errors = event_from_dict(item, types, source=source, row=row)
        if event is None:
            problems.extend(attrs.evolve(p, sheet=sheet) for p in errors)
            continue
        type_name = event.data.type_name
        if type_name in SYSTEM_TYPES:
            problems.append(
                Problem(
                    source=source,
                    sheet=sheet,
                    row=row,
                    field="type",
                    message=_("{type} is recorded by dvcore itself, not imported", type=type_name),
                )
            )
            continue
        if type_name not in seen_types:
            seen_types.append(type_name)
        items.append(
            _Item(
                source=source,
                sheet=sheet,
                row=row,
                item=dict(item),
                type=type_name,
                unit=event.unit,
                day=event.occurred_on.isoformat(),
                data=json.loads(text := payload_json(event.data)),
                text=text,
            )
        )
    form = getattr(channel, "form", None)
    forms = list(form(path, types)) if form is not None else seen_types
    for type_name in seen_types:
        if type_name not in forms:
            forms.append(type_name)
    return _File(path=path, channel=channel, forms=forms, cover=cover, items=items, rows=rows)


# --- the submission --------------------------------------------------------------------------


def _declared(
    covers: Sequence[tuple[Path, Cover | None]], unit: str | None, period: str | None
) -> tuple[str | None, str | None]:
    """The unit and period: the flags, else the cover sheets (or a narrative's front
    matter); a conflict is an error."""
    for path, cover in covers:
        if cover is None:
            continue
        for flag, value, what in ((unit, cover.unit, "unit"), (period, cover.period, "period")):
            if flag is not None and value is not None and flag != value:
                whose = _("the unit") if what == "unit" else _("the period")
                raise InputError(
                    _(
                        "{file}, sheet {sheet}: the cover declares {what} '{value}' but the "
                        "command says '{flag}'",
                        file=str(path),
                        sheet=cover.sheet,
                        what=whose,
                        value=value,
                        flag=flag,
                    )
                    if cover.sheet
                    else _(
                        "{file}: the front matter declares {what} '{value}' but the command "
                        "says '{flag}'",
                        file=str(path),
                        what=whose,
                        value=value,
                        flag=flag,
                    )
                )
        unit = unit or cover.unit
        period = period or cover.period
    return unit, period


@attrs.define
class _Stored:
    """A key's event in the store: where it is and what it says now."""

    key: str
    generation: int
    position: int
    event_id: uuid.UUID
    type: str
    unit: str
    day: str
    #: the stored payload: its text (SQLite keeps the canonical text) or its JSON value
    raw: Any
    schema_version: int
    types: EventTypes
    #: the current data when a correction replaced it; retracted: the event is dead
    corrected: Any = None
    retracted: bool = False

    @property
    def alive(self) -> bool:
        return not self.retracted

    @property
    def original(self) -> Any:
        raw = self.raw
        data = json.loads(raw) if isinstance(raw, str) else dict(raw)
        event_type = self.types.get(self.type)
        if event_type is not None and self.schema_version < event_type.schema_version:
            data = upcast(self.type, self.schema_version, data, event_type.schema_version)
        return data

    def same_original(self, item: _Item) -> bool:
        """Whether the row says what the event first recorded."""
        if (self.type, self.unit, self.day) != (item.type, item.unit, item.day):
            return False
        event_type = self.types.get(self.type)
        current = event_type is None or self.schema_version == event_type.schema_version
        if isinstance(self.raw, str) and current and self.raw == item.text:
            return True  # the canonical texts match: no need to decode
        return bool(self.original == item.data)

    def same_now(self, item: _Item) -> bool:
        """Whether the event, as it stands now, says what the row says."""
        if self.retracted:
            return False
        if self.corrected is None:
            return self.same_original(item)
        return (self.type, self.unit, self.day, self.corrected) == _content(item)

    def next_key(self, base: str) -> str:
        return _generation_key(base, self.generation + 1)


def _generation_key(base: str, generation: int) -> str:
    """The stored key of a row's ``generation``: a row retracted and sent again later
    counts again under ``key~~2``, ``key~~3`` …"""
    return base if generation == 1 else f"{base}~~{generation}"


def _lookup(store: Store, bases: Sequence[str]) -> dict[str, _Stored]:
    """The current generation of each base key in the store, with its current content."""
    found: dict[str, _Stored] = {}
    types = store.types
    e = schema.events.c
    pending = list(dict.fromkeys(bases))
    generation = 1
    with store._read() as conn:
        while pending:
            names = {_generation_key(b, generation): b for b in pending}
            keys = list(names)
            hits: dict[str, _Stored] = {}
            for i in range(0, len(keys), 900):
                # SQLite: the payload as stored text, compared without decoding it
                payload = (
                    sa.type_coerce(e.payload, sa.Text)
                    if conn.dialect.name == "sqlite"
                    else e.payload
                )
                stmt = select(
                    e.source_ref,
                    e.position,
                    e.event_id,
                    e.type,
                    e.unit,
                    e.occurred_on,
                    e.schema_version,
                    payload,
                ).where(e.source_ref.in_(keys[i : i + 900]))
                for ref, pos, event_id, type_name, unit, day, version, raw in conn.execute(stmt):
                    hits[names[ref]] = _Stored(
                        key=ref,
                        generation=generation,
                        position=int(pos),
                        event_id=uuid.UUID(str(event_id)),
                        type=type_name,
                        unit=unit,
                        day=day.isoformat() if isinstance(day, dt.date) else str(day)[:10],
                        raw=raw,
                        schema_version=int(version),
                        types=types,
                    )
            _apply_overrides(store, conn, hits)
            found.update(hits)
            pending = [b for b, s in hits.items() if not s.alive]
            generation += 1
    return found


def _apply_overrides(store: Store, conn: Any, found: Mapping[str, _Stored]) -> None:
    """Fold the corrections and retractions of the found events into their content."""
    by_id = {s.event_id: s for s in found.values()}
    named = store.corrections_of({i: s.unit for i, s in by_id.items()}, conn=conn)
    for event_id, evs in named.items():
        target = by_id[event_id]
        for ev in evs:
            data = ev.data
            if isinstance(data, EventRetracted):
                target.retracted = True
            elif isinstance(data, EventCorrected):
                corrected = dict(data.data)
                event, _errors = event_from_dict(
                    {
                        "type": target.type,
                        "unit": target.unit,
                        "occurred_on": target.day,
                        "data": corrected,
                    },
                    store.types,
                )
                target.corrected = (
                    json.loads(payload_json(event.data)) if event is not None else corrected
                )


def _registered_already(tree: UnitTree, item: _Item) -> str | None:
    """For a registration row whose unit or establishment the store holds: ``""`` when the
    row says what was registered (already stored), else the event to record instead."""
    if item.type == UnitRegistered.type_name:
        code = item.data.get("code")
        if code not in tree:
            return None
        day = dt.date.fromisoformat(item.day)
        if tree.registered_on(code) != day:
            return "UnitChanged"
        state = tree.state(code, day)
        same = (
            state.name == item.data.get("name")
            and state.kind == item.data.get("kind")
            and state.parent == item.data.get("parent")
            and dict(state.attributes) == dict(item.data.get("attributes") or {})
        )
        return "" if same else "UnitChanged"
    if item.type == EstablishmentRegistered.type_name:
        ident = item.data.get("id")
        if not tree.has_establishment(ident):
            return None
        found = tree.establishment(ident, dt.date.fromisoformat(item.day))
        same = (
            found.name == item.data.get("name")
            and found.religion == item.data.get("religion")
            and found.uses_land == bool(item.data.get("uses_land"))
            and found.unit == item.unit
        )
        return "" if same else "EstablishmentChanged"
    return None


def _problem(item: _Item, field: str | None, message: str) -> Problem:
    return Problem(
        source=item.source,
        sheet=item.sheet,
        row=item.row,
        field=field,
        message=message,
        event_type=item.type,
    )


# --- the import --------------------------------------------------------------------------------


def import_files(
    store: Store,
    paths: Sequence[Path],
    channels: Mapping[str, Any] | None = None,
    *,
    channel_name: str | None = None,
    event_type: str | None = None,
    actor: str | None = None,
    unit: str | None = None,
    period: str | None = None,
    dry_run: bool = False,
    progress: Callable[[int, int | None], None] | None = None,
    total: int | None = None,
) -> ImportResult:
    """Import files through their channels in one transaction: all of it, or nothing.

    With a submitting unit (``unit``, the cover sheet, or else ``actor``) and a period
    (``period`` or the cover sheet), the files are that unit's submission for the period:
    a re-send replaces the earlier version by recording the difference (see the module's
    text). Rows are checked against the unit tree all the files build, whatever their
    order. Every problem of every file comes at once in one
    :class:`~dvcore.errors.ValidationError` (file, sheet, row, column, message), and
    nothing is written then. ``channels`` defaults to the installed input channels;
    ``event_type`` is handed to channels that take one (``--type``); ``progress(done,
    total)`` counts rows.
    """
    if channels is None:
        from dvcore.registry import get_plugin_manager, plugin_input_channels

        channels = plugin_input_channels(get_plugin_manager())
    types = store.types
    chosen: list[tuple[Path, Any]] = []
    for path in paths:
        channel = _channel_for(path, channel_name, channels)
        configure = getattr(channel, "configured", None)
        if event_type is not None and configure is not None:
            channel = configure(event_type=event_type)
        chosen.append((path, channel))
    if event_type is not None and not any(hasattr(c, "configured") for _p, c in chosen):
        raise InputError(
            _("--type is for CSV files; none of the files is read by a channel that takes it")
        )
    problems: list[Problem] = []
    covers = [_cover(channel, path) for path, channel in chosen]
    paths = [path for path, _channel in chosen]
    unit, period = _declared(list(zip(paths, covers, strict=True)), unit, period)
    submitter = unit or actor
    per: Period | None = store.period(period) if period is not None else None
    declared = submitter is not None and per is not None
    # a channel whose rows need the submission (a narrative: a unit's text for a period)
    chosen = [
        (path, c.for_submission(unit=submitter if declared else None, period=per))
        if hasattr(c, "for_submission")
        else (path, c)
        for path, c in chosen
    ]
    files = [
        _read_file(path, channel, cover, types, problems)
        for (path, channel), cover in zip(chosen, covers, strict=True)
    ]
    for f in files:
        if not f.items and not f.rows and not (declared and f.forms):
            problems.append(
                Problem(
                    source=str(f.path),
                    row=None,
                    field=None,
                    message=_(
                        "the file holds no rows: an empty file says something only as part "
                        "of a submission (--unit and --period, or the cover sheet), where a "
                        "table with its header and no rows means 'none of this type'"
                    )
                    if not f.forms
                    else _(
                        "the file holds no rows: outside a submission (--unit and --period, "
                        "or the cover sheet) an empty table says nothing"
                    ),
                )
            )
    # One order for all the files: units before the events that name them.
    order = catalog_order(types)
    items = sorted((i for f in files for i in f.items), key=lambda i: order.get(i.type, len(order)))
    # Keys: the clerk's, or the row's meaning; each in its submitting unit's name.
    seen: Counter[tuple[str, str, str, str]] = Counter()
    for item in items:
        # A clerk's code belongs to the submitting unit (--unit, the cover, or --actor
        # when it declares a submission with --period), else to the row's unit.
        owner = (submitter if declared else unit) or item.unit
        ref = item.item.get("source_ref")
        if ref not in (None, ""):
            item.base = f"{owner}/{ref}"
            if len(item.base) > 500:
                problems.append(_problem(item, "source_ref", _("the key is too long")))
        else:
            meaning = (item.type, item.unit, item.day, item.text)  # the text is canonical
            n = seen[meaning]
            seen[meaning] += 1
            item.base = derived_key(item.type, item.unit, item.day, item.data, n)
        if declared and per is not None and item.type not in _UNDATED_TYPES:
            day = dt.date.fromisoformat(item.day)
            if not per.start <= day <= per.end:
                problems.append(
                    _problem(
                        item,
                        "occurred_on",
                        _(
                            "the row is dated {day}, outside the period {period} "
                            "({start}–{end}) the submission declares",
                            day=f"{day:%d/%m/%Y}",
                            period=per.spec,
                            start=f"{per.start:%d/%m/%Y}",
                            end=f"{per.end:%d/%m/%Y}",
                        ),
                    )
                )
    clerk_keys: dict[str, _Item] = {}
    for item in items:
        if item.item.get("source_ref") in (None, ""):
            continue
        twin = clerk_keys.get(item.base)
        if twin is not None and _content(twin) != _content(item):
            problems.append(
                _problem(
                    item,
                    "source_ref",
                    _(
                        "the key '{ref}' is used by another row too ({source}, row {row})",
                        ref=item.item.get("source_ref"),
                        source=twin.source,
                        row=twin.row,
                    ),
                )
            )
        clerk_keys.setdefault(item.base, item)

    state = store.state()
    previous: SubmissionReceived | None = None
    version = 1
    if declared:
        assert submitter is not None
        assert per is not None
        versions = state.submission_versions(submitter, per.spec)
        if versions:
            previous = versions[-1][1]
            version = previous.version + 1
    forms = list(dict.fromkeys(t for f in files for t in f.forms))
    prev_rows = {r.type: r.keys for r in previous.rows} if previous is not None else {}
    in_previous = {k for t in forms for k in prev_rows.get(t, ())}

    stored = _lookup(store, [i.base for i in items])
    send: list[tuple[_Item | None, dict[str, Any]]] = []
    added: list[str] = []
    corrected: list[str] = []
    retracted: list[str] = []
    unchanged: list[str] = []
    already: list[str] = []
    # rows found stored already (unchanged, already) are not shown to the store again:
    # how many of them each file holds, for its record
    unsent_from: Counter[str] = Counter()
    reason = _("re-sent: {period}, version {version}", period=period or "", version=version)
    handled: set[str] = set()
    for item in items:
        if item.base in handled:
            continue  # the same key again, with the same content (else refused above)
        handled.add(item.base)
        registered = (
            _registered_already(state.tree, item)
            if item.type in (UnitRegistered.type_name, EstablishmentRegistered.type_name)
            else None
        )
        if registered == "":
            already.append(item.base)
            unsent_from[item.source] += 1
            continue
        if registered:
            problems.append(
                _problem(
                    item,
                    "data.code" if item.type == UnitRegistered.type_name else "data.id",
                    _(
                        "'{code}' is registered already, with other details: record a "
                        "{event} row to change it",
                        code=item.data.get("code") or item.data.get("id"),
                        event=registered,
                    ),
                )
            )
            continue
        found = stored.get(item.base)
        if found is None:
            added.append(item.base)
            send.append((item, {**item.item, "source_ref": item.base}))
            continue
        if found.same_now(item):
            # stored already as it stands: the store is not shown it again (re-checking
            # 9,900 unchanged rows of a re-send cost more than the rest of it)
            (unchanged if item.base in in_previous else already).append(item.base)
            unsent_from[item.source] += 1
            continue
        if not declared and found.same_original(item):
            # the same row imported again after it was corrected or retracted: a re-import
            # appends nothing (a submission's re-send is what changes a fact)
            already.append(item.base)
            unsent_from[item.source] += 1
            continue
        if not found.alive:
            # retracted before and sent again in a submission: it counts again
            added.append(item.base)
            send.append((item, {**item.item, "source_ref": found.next_key(item.base)}))
            continue
        if item.base not in in_previous:
            problems.append(
                _problem(
                    item,
                    "source_ref",
                    _(
                        "the key '{ref}' is stored already with other content (event "
                        "{event}, {type} of {unit} on {day}): give the row another key, "
                        "or re-send the submission it belongs to",
                        ref=item.item.get("source_ref") or item.base,
                        event=str(found.event_id),
                        type=found.type,
                        unit=found.unit,
                        day=found.day,
                    ),
                )
            )
            continue
        corrected.append(item.base)
        if (found.type, found.unit, found.day) == (item.type, item.unit, item.day):
            send.append((item, _correction(found, item.data, reason)))
        else:
            # its date or unit changed: the old fact stops counting, the new one counts
            send.append((item, _retraction(found, reason)))
            send.append((item, {**item.item, "source_ref": found.next_key(item.base)}))
    if previous is not None:
        present = {i.base for i in items}
        gone = [k for k in in_previous if k not in present]
        gone_stored = _lookup(store, gone)
        for key in sorted(gone):
            found = gone_stored.get(key)
            if found is not None and found.alive and found.type not in _UNDATED_TYPES:
                retracted.append(key)
                send.append((None, _retraction(found, reason)))

    diff: SubmissionDiff | None = None
    if declared:
        assert submitter is not None
        assert per is not None
        keys_by_type: dict[str, list[str]] = {t: [] for t in forms}
        for item in items:
            keys_by_type.setdefault(item.type, []).append(item.base)
        for type_name, keys in prev_rows.items():
            keys_by_type.setdefault(type_name, list(keys))  # forms this version leaves alone
        diff = SubmissionDiff(
            unit=submitter,
            period=per.spec,
            version=version,
            previous=None if previous is None else previous.version,
            forms=tuple(forms),
            added=tuple(added),
            corrected=tuple(corrected),
            retracted=tuple(retracted),
            unchanged=tuple(unchanged),
            stored=tuple(already),
        )
        same_forms = previous is not None and {
            r.type: frozenset(r.keys) for r in previous.rows
        } == {t: frozenset(k) for t, k in keys_by_type.items()}
        # a version sent again after a return is received again, changed or not
        returned = state.submission_review(submitter, per.spec) == "returned"
        if diff.changed or not same_forms or returned:
            received = {
                "period": per.spec,
                "window": [per.start.isoformat(), per.end.isoformat()],
                "version": version,
                "files": [
                    {
                        "name": f.path.name[-200:],
                        "sha256": _sha256(f.path),
                        "channel": f.channel.name,
                    }
                    for f in files
                ],
                "rows": [
                    {"type": t, "keys": list(dict.fromkeys(k))} for t, k in keys_by_type.items()
                ],
                "added": len(added),
                "corrected": len(corrected),
                "retracted": len(retracted),
                "unchanged": len(unchanged) + len(already),
            }
            send.append(
                (
                    None,
                    {
                        "type": SubmissionReceived.type_name,
                        "unit": submitter,
                        "occurred_on": per.end.isoformat(),
                        "source_ref": f"{submitter}/submission:{per.spec}:v{version}",
                        "data": received,
                    },
                )
            )
        else:
            diff = attrs.evolve(diff, version=previous.version if previous else version)

    located: dict[tuple[str, int], tuple[str, str | None, int]] = {}
    first = "<submission>"  # the version itself and retractions belong to no file
    infos = [
        attrs.evolve(info, stored=unsent_from[info.source])
        for info in submission_infos(
            store,
            [(f.path, f.channel.name) for f in files],
            unit=submitter if unit is not None or declared else None,
            actor=actor,
            period=per,
        )
    ]

    def stream() -> Iterator[tuple[str, int, Any]]:
        for seq, (item, event) in enumerate(send, start=1):
            source = item.source if item is not None else first
            located[(source, seq)] = (
                source,
                None if item is None else item.sheet,
                0 if item is None else item.row,
            )
            yield source, seq, event

    try:
        result = store.import_rows(
            stream(),
            actor=actor,
            dry_run=dry_run,
            progress=progress,
            total=len(send) if total is None else total,
            extra_problems=problems,
            submissions=infos,
        )
    except ValidationError as exc:
        mine = {id(p) for p in problems}  # these name their sheet and row already
        fixed = []
        for p in exc.problems:
            where = None if id(p) in mine else located.get((p.source, p.row or 0))
            if where is not None and p.sheet is None:
                p = attrs.evolve(p, sheet=where[1], row=where[2] or None)
            fixed.append(p)
        fixed.sort(key=lambda p: (p.source, p.sheet or "", p.row or 0))
        raise ValidationError(fixed) from None
    if problems:  # pragma: no cover - import_rows raises on them
        raise ValidationError(problems)
    disagreements: list[WindowDisagreement] = []
    if declared and not dry_run and WINDOWED_TYPES & set(forms):
        assert submitter is not None
        assert per is not None
        disagreements = window_disagreements(store, submitter, per)
    return ImportResult(
        append=result,
        rows=sum(f.rows for f in files),
        submission=diff,
        stored=(*unchanged, *already),
        disagreements=tuple(disagreements),
    )


#: Event types that report an aggregate over a window.
WINDOWED_TYPES = frozenset({"CitizenReceptionReported", "LettersReported", "FigureReported"})


def window_disagreements(store: Store, unit: str, period: Period) -> list[WindowDisagreement]:
    """Where ``unit``'s reports over windows disagree for ``period`` (overlapping reports
    whose values differ: what stood and what was dropped), over every flow indicator."""
    out: list[WindowDisagreement] = []
    for code, ind in sorted(store.indicators().items()):
        if ind.kind != "fact" or ind.time != "sum":
            continue
        found = store.explain(unit, period, code, tree="as-of")
        out.extend(d for d in found.disagreements if d.unit == unit)
    return out


def _next_generation(key: str) -> str:
    found = _GENERATION.search(key)
    if found is None:
        return f"{key}~2"
    return f"{key[: found.start()]}~{int(found.group(1)) + 1}"


def _correction(found: _Stored, data: Any, reason: str) -> dict[str, Any]:
    return {
        "type": EventCorrected.type_name,
        "unit": found.unit,
        "occurred_on": found.day,
        "data": {"event_id": str(found.event_id), "data": data, "reason": reason},
    }


def _retraction(found: _Stored, reason: str) -> dict[str, Any]:
    return {
        "type": EventRetracted.type_name,
        "unit": found.unit,
        "occurred_on": found.day,
        "data": {"event_id": str(found.event_id), "reason": reason},
    }


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- templates --------------------------------------------------------------------------------


def store_unit_codes(store_url: str | None, today: dt.date | None = None) -> list[tuple[str, str]]:
    """The ``(code, name)`` of the units that exist today in the store at ``store_url``
    (none when there is no store: a template can be written before ``dvcore init``)."""
    from dvcore._open import open_store
    from dvcore.store.sql import default_url

    url = store_url or default_url()
    sqlite_file = url[len("sqlite:///") :] if url.startswith("sqlite:///") else None
    if sqlite_file not in (None, ":memory:") and not Path(str(sqlite_file)).is_file():
        return []  # opening would create an empty file: there is no store yet
    try:
        store = open_store(url, create=False)
    except InputError:
        return []
    try:
        tree = store.state().tree
        day = today or dt.date.today()
        return sorted(
            (code, tree.state(code, day).name) for code in tree.codes() if tree.exists(code, day)
        )
    finally:
        store.close()


def write_template(
    store_url: str | None,
    channel_name: str,
    path: Path,
    type_names: Sequence[str] = (),
) -> list[Path]:
    """Write blank input tables for ``channel_name`` at ``path``; returns the files written.

    ``type_names`` chooses the event types (default: every type a clerk fills in that the
    installed plugins know); the store's units feed the workbook's drop-down lists when a
    store exists.
    """
    from dvcore.registry import get_plugin_manager, plugin_event_types, plugin_input_channels

    pm = get_plugin_manager()
    channels = plugin_input_channels(pm)
    channel = channels.get(channel_name)
    if channel is None:
        raise InputError(
            _(
                "unknown channel '{name}'; installed: {installed}",
                name=channel_name,
                installed=", ".join(sorted(channels)),
            )
        )
    if not hasattr(channel, "template"):
        raise InputError(_("the {name} channel writes no templates", name=channel_name))
    types = plugin_event_types(pm)
    chosen: list[type[EventData]] = []
    for name in type_names:
        found = types.get(name)
        if found is None or name in SYSTEM_TYPES:
            raise InputError(
                _(
                    "unknown event type '{name}'; known: {known}",
                    name=name,
                    known=", ".join(sorted(set(types.by_name) - SYSTEM_TYPES)),
                )
            )
        chosen.append(found)
    if not chosen:
        order = catalog_order(types)
        chosen = sorted(
            (t for t in types if t.type_name not in SYSTEM_TYPES),
            key=lambda t: order[t.type_name],
        )
    written: list[Path] = channel.template(path, chosen, store_unit_codes(store_url))
    return written
