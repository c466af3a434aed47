"""The tables: SQLAlchemy Core, not ORM — an append-only log has nothing to track.

``dv_events`` is the log. Its rows are inserted once and never updated or deleted: the
position is the global order (assigned under the writer lock, so it has no gaps and commits
in order), ``(stream, version)`` is unique (optimistic concurrency), ``event_id`` and
``source_ref`` (the idempotency key) are unique, and ``hash`` chains every row to the one
before it.

``dv_facts``, ``dv_rollups``, ``dv_retired`` and ``dv_projection`` are the projection:
caches derived from the log that :meth:`dvcore.store.Store.rebuild_projections` can drop
and rebuild at any time.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Date,
    DateTime,
    Dialect,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator

__all__ = [
    "UTCDateTime",
    "checkpoints",
    "consumers",
    "events",
    "facts",
    "metadata",
    "projection_state",
    "retired",
    "rollups",
    "submissions",
]

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# SQLite's INTEGER PRIMARY KEY is the rowid; BigInteger there would not be.
_BigId = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware UTC instant on every backend (SQLite stores naive text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, dt.datetime) or value.tzinfo is None:
            raise ValueError("recorded_at must be a timezone-aware datetime")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


events = Table(
    "dv_events",
    metadata,
    Column("position", _BigId, primary_key=True, autoincrement=False),
    Column("event_id", String(36), nullable=False),
    Column("stream", String(200), nullable=False),
    Column("version", Integer, nullable=False),
    Column("source_ref", String(512), nullable=True),
    Column("type", String(100), nullable=False),
    Column("schema_version", Integer, nullable=False),
    Column("occurred_on", Date, nullable=False),
    Column("unit", String(64), nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    Column("actor", String(64), nullable=True),
    Column("payload", JSON().with_variant(JSONB(), "postgresql"), nullable=False),
    Column("hash", String(64), nullable=False),
    UniqueConstraint("event_id"),
    UniqueConstraint("source_ref"),
    UniqueConstraint("stream", "version"),
    # facts read from the log (CountEach indicators): by type, date range and unit
    Index(None, "type", "occurred_on", "unit"),
    # no index on recorded_at: positions follow it (Store.position_at searches them)
)

facts = Table(
    "dv_facts",
    metadata,
    Column("id", _BigId, primary_key=True, autoincrement=True),
    # the event whose recording made this fact count (the original, or its correction)
    Column("position", BigInteger, nullable=False),
    # the original event the fact is about: what explain and corrections point at
    Column("source_position", BigInteger, nullable=False),
    Column("until_position", BigInteger, nullable=True),
    Column("indicator", String(100), nullable=False),
    Column("unit", String(64), nullable=False),
    Column("day", Date, nullable=False),
    Column("window_start", Date, nullable=True),
    Column("dims", String(400), nullable=False, default=""),
    Column("subject", String(200), nullable=True),
    Column("value", BigInteger, nullable=False),  # micro-units: value × 10⁶, exact and summable
    Index(None, "indicator", "unit", "day"),
    Index(None, "source_position"),
)

#: Events whose facts are read from the log (``CountEach``) but were retracted or corrected:
#: their retired facts are rows of ``dv_facts`` now (with ``until_position``), so reading
#: from the log skips these positions. Part of the projection.
retired = Table(
    "dv_retired",
    metadata,
    Column("position", _BigId, primary_key=True, autoincrement=False),
    Column("until_position", BigInteger, nullable=False),
)

projection_state = Table(
    "dv_projection",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("version", Integer, nullable=False),
)

#: One row per file an import recorded (``dvcore import``): who sent which figures when.
#: Written in the import's transaction, never updated; not part of the hash chain.
submissions = Table(
    "dv_submissions",
    metadata,
    Column("id", _BigId, primary_key=True, autoincrement=True),
    Column("unit", String(64), nullable=True),
    Column("period", String(64), nullable=True),
    Column("period_start", Date, nullable=True),
    Column("period_end", Date, nullable=True),
    Column("channel", String(100), nullable=False),
    Column("file_name", String(500), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("actor", String(64), nullable=True),
    Column("received_at", UTCDateTime, nullable=False),
    Column("rows", Integer, nullable=False),
    Column("appended", Integer, nullable=False),
    Column("duplicates", Integer, nullable=False),
    Column("first_position", BigInteger, nullable=True),
    Column("last_position", BigInteger, nullable=True),
    Index(None, "unit", "period_end"),
)

#: Signed checkpoints: an HMAC over the chain head, keyed from the environment
#: (``DVCORE_CHECKPOINT_KEY``), so rewriting the whole chain is detected too.
checkpoints = Table(
    "dv_checkpoints",
    metadata,
    Column("position", _BigId, primary_key=True, autoincrement=False),
    Column("hash", String(64), nullable=False),
    Column("key_id", String(16), nullable=False),
    Column("mac", String(64), nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
)

#: Rollups: the facts alive now, summed per indicator, unit and dimensions over each month
#: (grain ``M``), each cut-off month (grain ``C``: the 15th to the 14th of the month after,
#: Decree 09's months), each quarter (grain ``Q``) and each year (grain ``Y``). A
#: projection like ``dv_facts``: kept in the append's transaction, rebuilt with it. Flow
#: figures over long periods add a few rollup rows instead of every fact.
rollups = Table(
    "dv_rollups",
    metadata,
    Column("indicator", String(100), nullable=False),
    Column("unit", String(64), nullable=False),
    Column("dims", String(400), nullable=False),
    Column("grain", String(1), nullable=False),
    Column("start", Date, nullable=False),
    Column("value", BigInteger, nullable=False),
    Column("facts", BigInteger, nullable=False),  # how many alive facts: 0 is no row
    # indicator, grain and start first: a snapshot asks for a few months or years of
    # every unit in a subtree
    PrimaryKeyConstraint("indicator", "grain", "start", "unit", "dims"),
)

#: Named consumers of the log (:meth:`dvcore.store.Store.subscribe`): the last position each
#: acknowledged, so a restarted consumer continues after it. Not part of the hash chain.
consumers = Table(
    "dv_consumers",
    metadata,
    Column("name", String(200), primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)
