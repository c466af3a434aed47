"""Signed checkpoints: an HMAC over the chain head, so a rewritten chain is detected too.

The hash chain alone detects an edited row, but not someone who rewrites every row after
it (and recomputes every hash), nor the log's tail being cut off. With a key in
``DVCORE_CHECKPOINT_KEY`` each append signs the new head — HMAC-SHA-256 over
``"<position>:<hash>"`` — into ``dv_checkpoints``. Without the key nobody can make a
checkpoint match a rewritten chain; ``verify`` checks every checkpoint against the chain it
recomputes, and a checkpoint beyond the log's end shows that events were removed.

The key belongs to the host's secret store, not to the database; its ``key_id`` (the first
16 hex digits of its SHA-256) tells which key signed a checkpoint after a rotation.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os

import attrs
from sqlalchemy import Connection, select

from dvcore.store import schema

__all__ = ["CheckpointKey", "checkpoint_key", "load_checkpoints", "write_checkpoint"]

ENV = "DVCORE_CHECKPOINT_KEY"


@attrs.frozen(repr=False)
class CheckpointKey:
    """A checkpoint signing key (its ``repr`` never shows the secret)."""

    secret: bytes

    @property
    def key_id(self) -> str:
        """The first 16 hex digits of the key's SHA-256: which key signed a checkpoint."""
        return hashlib.sha256(self.secret).hexdigest()[:16]

    def sign(self, position: int, chain_hash: str) -> str:
        """HMAC-SHA-256 of ``"<position>:<hash>"``."""
        message = f"{position}:{chain_hash}".encode("ascii")
        return hmac.new(self.secret, message, hashlib.sha256).hexdigest()

    def check(self, position: int, chain_hash: str, mac: str) -> bool:
        """Whether ``mac`` signs this head with this key (constant-time comparison)."""
        return hmac.compare_digest(self.sign(position, chain_hash), mac)

    def __repr__(self) -> str:
        return f"CheckpointKey(key_id={self.key_id!r})"


def checkpoint_key(value: str | bytes | None = None) -> CheckpointKey | None:
    """The key given, or from ``$DVCORE_CHECKPOINT_KEY``; ``None`` when there is none."""
    if value is None:
        value = os.environ.get(ENV) or None
    if value is None:
        return None
    secret = value.encode("utf-8") if isinstance(value, str) else value
    if len(secret) < 16:
        raise ValueError(f"a checkpoint key needs at least 16 bytes ({ENV})")
    return CheckpointKey(secret)


def write_checkpoint(
    conn: Connection, key: CheckpointKey, position: int, chain_hash: str, recorded_at: dt.datetime
) -> None:
    """Sign the head ``(position, hash)`` into ``dv_checkpoints`` (once per position)."""
    t = schema.checkpoints
    exists = conn.execute(select(t.c.position).where(t.c.position == position)).first()
    if exists is None:
        conn.execute(
            t.insert().values(
                position=position,
                hash=chain_hash,
                key_id=key.key_id,
                mac=key.sign(position, chain_hash),
                recorded_at=recorded_at,
            )
        )


def load_checkpoints(conn: Connection) -> dict[int, tuple[str, str, str]]:
    """Every checkpoint: position → (hash, key_id, mac)."""
    t = schema.checkpoints
    return {
        int(r.position): (r.hash, r.key_id, r.mac)
        for r in conn.execute(select(t).order_by(t.c.position))
    }
