"""What differs between SQLite and PostgreSQL: engines, connection setup, bulk inserts
and how a backend's failure becomes a dvcore error."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import OperationalError

from dvcore.errors import (
    InputError,
    StoreBusyError,
    StoreError,
)
from dvcore.serialization import canonical_json
from dvcore.store.copy import copy_rows

_PG_LOCK_KEY = 0x6476636F7265  # "dvcore"


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


def _busy_or_store_error(exc: OperationalError) -> StoreError:
    text = str(exc.orig)
    if "locked" in text or "busy" in text or "lock timeout" in text:
        return StoreBusyError(
            "the store is busy: another writer held it past the busy timeout; try again"
        )
    return StoreError(f"the store failed: {text}")


def create_engine(url: str, busy_timeout: float) -> Engine:
    """An engine for ``url``, a SQLite or PostgreSQL store, set up for dvcore's writer lock.

    ``postgresql://`` and ``postgres://`` mean psycopg 3; SQLite connections wait up to
    ``busy_timeout`` seconds for another writer.
    """
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
    return engine
