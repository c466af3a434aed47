"""The hash chain: each row's hash covers the previous row's, from :data:`GENESIS`."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, select

from dvcore.serialization import (
    canonical_json,
)
from dvcore.store import schema

GENESIS = "0" * 64


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


def _head(conn: Connection) -> tuple[int, str, dt.datetime | None]:
    row = conn.execute(
        select(schema.events.c.position, schema.events.c.hash, schema.events.c.recorded_at)
        .order_by(schema.events.c.position.desc())
        .limit(1)
    ).first()
    if row is None:
        return 0, GENESIS, None
    return int(row.position), row.hash, row.recorded_at
