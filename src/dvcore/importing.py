"""Importing files as submissions: what ``dvcore import`` does, for any Python caller.

Placeholder while the submission import is rebuilt.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from dvcore.errors import InputError, Problem, ValidationError
from dvcore.tables import Row, catalog_order

if TYPE_CHECKING:
    from dvcore.serialization import EventTypes
    from dvcore.store.sql import AppendResult, Store
    from dvcore.store.submissions import SubmissionInfo


# --- running an import --------------------------------------------------------------------


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
            raise InputError(f"unknown channel '{name}'; installed: {', '.join(sorted(channels))}")
        return channels[name]
    suffix = path.suffix.lower()
    for channel in channels.values():
        if suffix in channel.suffixes:
            return channel
    raise InputError(
        f"{path}: no channel reads '{suffix}' files; installed: "
        f"{', '.join(sorted(channels))} (choose one with --channel)"
    )


def import_files(
    store: Store,
    paths: Sequence[Path],
    channels: Mapping[str, Any],
    *,
    channel_name: str | None = None,
    event_type: str | None = None,
    actor: str | None = None,
    unit: str | None = None,
    period: str | None = None,
    dry_run: bool = False,
    progress: Callable[[int, int | None], None] | None = None,
    total: int | None = None,
) -> AppendResult:
    """Import files through their channels in one transaction: all of them, or nothing.

    Files are read in the order of the event catalogue, by the type a channel says a file
    holds (units before the events that name them), the others first in the order given.
    Every problem of every file is reported at once in one
    :class:`~dvcore.errors.ValidationError` (file, sheet, row, column, message), and
    nothing is written. ``event_type`` is handed to channels that take one (``--type``).
    Unless ``dry_run``, each file is recorded as a submission (unit ``unit`` or else
    ``actor``, ``period``) in the same transaction as its events.
    """
    from dvcore.store.submissions import submission_infos

    chosen: list[tuple[Path, Any]] = []
    for path in paths:
        channel = _channel_for(path, channel_name, channels)
        configure = getattr(channel, "configured", None)
        if event_type is not None and configure is not None:
            channel = configure(event_type=event_type)
        chosen.append((path, channel))
    if event_type is not None and not any(hasattr(c, "configured") for _p, c in chosen):
        raise InputError(
            "--type is for CSV files; none of the files is read by a channel that takes it"
        )
    order = catalog_order(store.types)

    def rank(item: tuple[Path, Any]) -> int:
        type_of = getattr(item[1], "type_of", None)
        found = type_of(item[0], store.types) if type_of is not None else None
        return -1 if found is None else order.get(found.type_name, len(order))

    chosen.sort(key=rank)
    infos: Sequence[SubmissionInfo] = submission_infos(
        store, [(p, c.name) for p, c in chosen], unit=unit, actor=actor, period=period
    )
    problems: list[Problem] = []
    located: dict[tuple[str, int], tuple[str, int]] = {}

    def items() -> Iterator[tuple[str, int, Any]]:
        for path, channel in chosen:
            source = str(path)
            digest = hashlib.sha256(path.read_bytes()).hexdigest()[:20]
            seq = 0
            for sheet, row, item in rows_of(channel, path, store.types):
                if isinstance(item, Problem):
                    problems.append(item)
                    continue
                if sheet is not None:
                    seq += 1
                    located[(source, seq)] = (sheet, row)
                if item.get("source_ref") in (None, ""):
                    # Same file, same row: same key — re-importing a file appends nothing.
                    where = row if sheet is None else f"{sheet}:{row}"
                    item = {**item, "source_ref": f"file:{digest}:{where}"}
                yield source, (row if sheet is None else seq), item

    try:
        return store.import_rows(
            items(),
            actor=actor,
            dry_run=dry_run,
            progress=progress,
            total=total,
            extra_problems=problems,
            submissions=infos,
        )
    except ValidationError as exc:
        if not located and not any(p.sheet for p in exc.problems):
            raise
        fixed = []
        for p in exc.problems:
            where = located.get((p.source, p.row or 0)) if p.sheet is None else None
            if where is not None:
                p = attrs.evolve(p, sheet=where[0], row=where[1])
            fixed.append(p)
        fixed.sort(key=lambda p: (p.source, p.sheet or "", p.row or 0))
        raise ValidationError(fixed) from None


# --- templates --------------------------------------------------------------------------------


def store_unit_codes(store_url: str | None, today: dt.date | None = None) -> list[str]:
    """The codes of the units that exist today in the store at ``store_url`` (none when
    there is no store: a template can be written before ``dvcore init``)."""
    from dvcore.store.sql import default_url, open_store

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
        return sorted(code for code in tree.codes() if tree.exists(code, day))
    finally:
        store.close()


def write_template(
    store_url: str | None,
    channel_name: str,
    path: Path,
    type_names: Sequence[str] = (),
) -> list[Path]:
    """Write blank input tables for ``channel_name`` at ``path``; returns the files written.

    ``type_names`` chooses the event types (default: every type the installed plugins
    know); the store's unit codes feed the workbook's drop-down lists when a store exists.
    """
    from dvcore.registry import get_plugin_manager, plugin_event_types, plugin_input_channels

    pm = get_plugin_manager()
    channels = plugin_input_channels(pm)
    channel = channels.get(channel_name)
    if channel is None:
        raise InputError(
            f"unknown channel '{channel_name}'; installed: {', '.join(sorted(channels))}"
        )
    if not hasattr(channel, "template"):
        raise InputError(f"the {channel_name} channel writes no templates")
    types = plugin_event_types(pm)
    chosen: list[type[EventData]] = []
    for name in type_names:
        found = types.get(name)
        if found is None:
            raise InputError(
                f"unknown event type '{name}'; known: {', '.join(sorted(types.by_name))}"
            )
        chosen.append(found)
    if not chosen:
        order = catalog_order(types)
        chosen = sorted(types, key=lambda t: order[t.type_name])
    written: list[Path] = channel.template(path, chosen, store_unit_codes(store_url))
    return written
