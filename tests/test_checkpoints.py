"""Signed checkpoints: rewriting the whole chain, forging checkpoints, cutting the tail."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
import sqlalchemy as sa

from dvcore import open_store
from dvcore.store import schema
from dvcore.store.checkpoints import checkpoint_key
from forgery import dialogue_events, rewrite_chain

KEY = "a-secret-the-database-never-sees"


@pytest.fixture
def signed(store_url: str, clock: Any) -> Any:
    store = open_store(store_url, clock=clock, signing_key=KEY)
    store.append(dialogue_events(0, 5))
    clock.advance(minutes=1)
    store.append(dialogue_events(5, 5))
    yield store
    store.close()


def test_every_append_signs_its_head(signed: Any) -> None:
    report = signed.verify()
    assert report.ok
    assert report.checkpoints_verified == 2
    with signed.engine.connect() as conn:
        positions = conn.execute(sa.select(schema.checkpoints.c.position)).scalars().all()
    assert sorted(positions) == [6, 11]


def test_a_rewritten_chain_is_caught_by_the_checkpoint(signed: Any) -> None:
    rewrite_chain(signed, 3)
    report = signed.verify()
    assert not report.ok
    assert report.first_bad == 6
    assert "rewritten" in (report.reason or "")


def test_forged_checkpoints_fail_their_signature(signed: Any) -> None:
    rewrite_chain(signed, 3)
    with signed.engine.begin() as conn:  # the forger updates the checkpoints too, keyless
        for row in conn.execute(sa.select(schema.events)).all():
            conn.execute(
                schema.checkpoints.update()
                .where(schema.checkpoints.c.position == row.position)
                .values(hash=row.hash, mac=hashlib.sha256(row.hash.encode()).hexdigest())
            )
    report = signed.verify()
    assert not report.ok
    assert "forged" in (report.reason or "")


def test_a_cut_tail_is_caught(signed: Any) -> None:
    with signed.engine.begin() as conn:
        conn.execute(schema.events.delete().where(schema.events.c.position > 8))
    report = signed.verify()
    assert not report.ok
    assert "removed" in (report.reason or "")


def test_without_the_key_checkpoints_are_counted_unchecked(signed: Any, store_url: str) -> None:
    keyless = open_store(store_url, signing_key=None)
    try:
        report = keyless.verify()
        assert report.ok
        assert report.checkpoints_unchecked == 2
        assert report.checkpoints_verified == 0
    finally:
        keyless.close()


def test_a_short_key_is_refused() -> None:
    with pytest.raises(ValueError, match="16 bytes"):
        checkpoint_key("short")


def test_the_key_never_shows_in_its_repr() -> None:
    key = checkpoint_key(KEY)
    assert key is not None
    assert KEY not in repr(key)
    assert key.key_id in repr(key)
    assert len(key.key_id) == 16
