"""How fast can any pure-Python import be that does what dvcore's import must? One run.

Issue 6 asks for an import within 2× of the floor (plain ``sqlite3``: ``json.loads`` and
an ``executemany`` of five columns into a table with one unique index). This script
measures, on the same file and in the same run, two imports that do *less* than
dvcore's, to show how much of that budget the contract itself takes:

``schema``
    the floor's loop, but the rows go into dvcore's own ``dv_events`` table (a fresh
    store's schema, made by its migrations): thirteen columns, unique indexes on the
    event id, the ``source_ref`` and (stream, version), and the index on (type,
    occurred_on, unit) the reads need (grown row by row: the deferred build of a large
    import is dvcore's, not this bound's). No Python work beyond
    the floor's but building the longer row.
``bound``
    ``schema`` plus the least per-event Python work the contract requires: check each
    field of the data against its type, write the canonical JSON the hash covers, make
    a fresh event id, and chain the hash (dvcore's own formula). It skips everything
    else dvcore does: idempotency lookups, unit checks against the tree, per-stream
    versions from the database, projections, error reporting.

Neither is a usable import; ``bound`` is a lower bound on one. If it is past 2× the
floor, the goal is out of reach for an import written in Python on this schema.

    python bench/bench_bound.py [N]       # N events (default 200,000)
"""

from __future__ import annotations

import collections.abc
import datetime as dt
import json
import os
import sqlite3
import sys
import tempfile
import time
import types
import typing
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
os.environ.setdefault("DVCORE_DISABLE_PLUGIN_AUTOLOAD", "1")

import attrs
import bench_import
from workload import write_workload

import dvcore
from dvcore.events import new_event_id
from dvcore.serialization import EventTypes
from dvcore.store.chain import _chain_hash  # the chain's formula, as appends compute it

#: dv_events' columns, in the order the rows above are made
COLUMNS = (
    "position, event_id, stream, version, source_ref, type, schema_version, occurred_on,"
    " unit, recorded_at, actor, payload, hash"
)


def _fresh_schema(db: Path) -> sqlite3.Connection:
    """A connection to an empty dvcore store (its migrations made the schema), set up as
    dvcore sets up its SQLite connections."""
    dvcore.open_store(f"sqlite:///{db}").close()
    conn = sqlite3.connect(db, isolation_level=None)
    for pragma in ("journal_mode = WAL", "synchronous = NORMAL", "cache_size = -131072"):
        conn.execute(f"PRAGMA {pragma}")
    return conn


def _timed_insert(db: Path, rows: Callable[[], Iterator[tuple[Any, ...]]]) -> float:
    """Seconds to make ``rows()`` and insert them into a fresh store's ``dv_events``, in
    one transaction (the schema is made before the clock starts)."""
    conn = _fresh_schema(db)
    start = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany(f"INSERT INTO dv_events ({COLUMNS}) VALUES ({', '.join('?' * 13)})", rows())
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def schema_rows(path: Path, recorded: str) -> Iterator[tuple[Any, ...]]:
    """The floor's loop, making dvcore's rows: no checks, no canonical JSON, no chain."""
    with open(path, encoding="utf-8") as fh:
        for position, line in enumerate(fh, start=1):
            ev = json.loads(line)
            unit = ev["unit"]
            yield (
                position,
                str(new_event_id()),
                unit,
                position,
                ev.get("source_ref"),
                ev["type"],
                1,
                ev["occurred_on"],
                unit,
                recorded,
                None,
                json.dumps(ev["data"]),
                "0" * 64,
            )


def schema_import(path: Path, db: Path) -> float:
    """:func:`schema_rows` into a fresh store's ``dv_events`` on SQLite; the seconds."""
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return _timed_insert(db, lambda: schema_rows(path, now))


def _json_types(hint: Any) -> tuple[type, ...]:
    """The JSON value classes a field of this annotation takes."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return tuple(t for arg in typing.get_args(hint) for t in _json_types(arg))
    if origin is typing.Literal or hint is dt.date:
        return (str,)
    if origin in (dict, collections.abc.Mapping):
        return (dict,)
    if origin in (list, tuple, collections.abc.Sequence):
        return (list,)
    return (hint,)


def _field_types() -> dict[str, tuple[int, dict[str, tuple[type, ...]]]]:
    """Per event type: its schema version and, per field, the JSON types it takes."""
    out: dict[str, tuple[int, dict[str, tuple[type, ...]]]] = {}
    for event_type in EventTypes.core():
        hints = typing.get_type_hints(event_type)
        fields = {a.name: _json_types(hints[a.name]) for a in attrs.fields(event_type)}  # type: ignore[arg-type]
        out[event_type.type_name] = (event_type.schema_version, fields)
    return out


def bound_rows(path: Path, recorded: dt.datetime) -> Iterator[tuple[Any, ...]]:
    """:func:`schema_rows` plus the least Python work the contract asks of every event:
    each data field checked against its type, the date read, the canonical JSON, a fresh
    id, the stream's next version, the hash chain (dvcore's formula)."""
    types = _field_types()
    recorded_iso = recorded.isoformat(timespec="microseconds")
    recorded_sql = recorded.strftime("%Y-%m-%d %H:%M:%S.%f")
    versions: dict[str, int] = {}
    encode = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode
    prev = "0" * 64
    with open(path, encoding="utf-8") as fh:
        for position, line in enumerate(fh, start=1):
            ev = json.loads(line)
            type_name, unit, on = ev["type"], ev["unit"], ev["occurred_on"]
            schema_version, fields = types[type_name]
            data = ev["data"]
            for name, value in data.items():
                if value.__class__ not in fields[name]:
                    raise ValueError(f"line {position}: {name}")
            dt.date.fromisoformat(on)
            payload = encode(data)
            event_id = str(new_event_id())
            version = versions[unit] = versions.get(unit, 0) + 1
            ref = ev.get("source_ref")
            envelope = (
                position,
                event_id,
                unit,
                version,
                ref,
                type_name,
                schema_version,
                on,
                unit,
                recorded_iso,
                None,
            )
            prev = _chain_hash(prev, envelope, payload)
            yield (*envelope[:9], recorded_sql, None, payload, prev)


def bound_import(path: Path, db: Path) -> float:
    """:func:`bound_rows` into a fresh store's ``dv_events`` on SQLite; the seconds."""
    return _timed_insert(db, lambda: bound_rows(path, dt.datetime.now(dt.UTC)))


def main(n: int) -> None:
    """Measure the floor, ``schema``, ``bound`` and dvcore on one file; print the ratios."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events.jsonl"
        lines = write_workload(path, n)
        dbs = [Path(tmp) / f"{name}.db" for name in ("floor", "schema", "bound", "dvcore")]
        t_floor = bench_import.floor_import(path, dbs[0])
        t_schema = schema_import(path, dbs[1])
        t_bound = bound_import(path, dbs[2])
        t_dv, appended, _peak = bench_import._in_child("import", str(path), str(dbs[3]))
        assert appended == lines
    print(f"events: {lines:,}")
    print(f"{'measure':<44}{'seconds':>9}{'µs/event':>10}{'× floor':>9}")
    for name, t in (
        ("floor (5 columns, 1 unique index)", t_floor),
        ("schema (floor's loop into dv_events)", t_schema),
        ("bound (schema + checks, JSON, id, chain)", t_bound),
        ("dvcore import", t_dv),
    ):
        print(f"{name:<44}{t:>9.2f}{t / lines * 1e6:>10.1f}{t / t_floor:>9.2f}")
    print(f"dvcore / bound: {t_dv / t_bound:.2f}×")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200_000)
