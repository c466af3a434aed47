"""Tamper evidence: ``verify`` names the first position that does not verify.

Each case edits the stored rows the way someone with write access to the database could
(raw SQL, never through dvcore), on every backend, and checks the position and the reason
``verify`` and ``dvcore verify`` give. The table of cases is in docs/reliability.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from dvcore import open_store
from dvcore.cli import main
from dvcore.serialization import canonical_json
from dvcore.store import schema
from dvcore.store.chain import _chain_hash, _row_hash
from forgery import dialogue_events
from forgery import rewrite_chain as rewrite_chain_from

KEY = "tamper-test-key-kept-outside-the-db"
EVENTS = schema.events


@pytest.fixture
def signed(store_url: str, clock: Any) -> Iterator[Any]:
    """11 events in two appends, each head signed (checkpoints at 6 and 11)."""
    store = open_store(store_url, clock=clock, signing_key=KEY)
    store.append(dialogue_events(0, 5), actor="HP")
    clock.advance(minutes=1)
    store.append(dialogue_events(5, 5), actor="HP")
    assert store.verify().ok
    yield store
    store.close()


def _set(store: Any, position: int, **values: Any) -> None:
    with store.engine.begin() as conn:
        conn.execute(EVENTS.update().where(EVENTS.c.position == position).values(**values))


def _row(store: Any, position: int) -> dict[str, Any]:
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(EVENTS).where(EVENTS.c.position == position)).one()
    return dict(row._mapping)


def edit_payload(store: Any) -> None:
    row = _row(store, 4)
    _set(store, 4, payload={**row["payload"], "participants": 999})


def edit_occurred_on(store: Any) -> None:
    import datetime as dt

    _set(store, 5, occurred_on=dt.date(2023, 6, 30))


def edit_unit(store: Any) -> None:
    _set(store, 3, unit="XX")


def edit_actor(store: Any) -> None:
    _set(store, 2, actor="NQ")


def edit_recorded_at(store: Any) -> None:
    row = _row(store, 8)
    import datetime as dt

    _set(store, 8, recorded_at=row["recorded_at"] - dt.timedelta(days=30))


def edit_hash(store: Any) -> None:
    _set(store, 9, hash="0" * 64)


def delete_row(store: Any) -> None:
    with store.engine.begin() as conn:
        conn.execute(EVENTS.delete().where(EVENTS.c.position == 7))


def swap_positions(store: Any) -> None:
    with store.engine.begin() as conn:
        for old, new in ((3, -3), (4, 3), (-3, 4)):
            conn.execute(EVENTS.update().where(EVENTS.c.position == old).values(position=new))


def edit_and_rehash_one(store: Any) -> None:
    """Edit a payload and recompute that row's hash: the next row's chain breaks."""
    row = _row(store, 4)
    prev = _row(store, 3)["hash"]
    row["payload"] = {**row["payload"], "participants": 999}
    _set(store, 4, payload=row["payload"], hash=_row_hash(prev, row))


def rewrite_chain(store: Any) -> None:
    """Edit a payload and recompute every hash after it (a forger without the key)."""
    rewrite_chain_from(store, 3)


def rewrite_chain_and_checkpoints(store: Any) -> None:
    """The forger rewrites the chain and the checkpoints' hashes, guessing a MAC."""
    rewrite_chain(store)
    with store.engine.begin() as conn:
        for row in conn.execute(sa.select(EVENTS.c.position, EVENTS.c.hash)).all():
            conn.execute(
                schema.checkpoints.update()
                .where(schema.checkpoints.c.position == row.position)
                .values(hash=row.hash, mac=hashlib.sha256(row.hash.encode()).hexdigest())
            )


def cut_tail(store: Any) -> None:
    with store.engine.begin() as conn:
        conn.execute(EVENTS.delete().where(EVENTS.c.position > 8))


def cut_last_append(store: Any) -> None:
    with store.engine.begin() as conn:
        conn.execute(EVENTS.delete().where(EVENTS.c.position > 6))


#: (tampering, first bad position, words of the reason)
CASES: list[tuple[Callable[[Any], None], int, str]] = [
    (edit_payload, 4, "edited after it was recorded"),
    (edit_occurred_on, 5, "edited after it was recorded"),
    (edit_unit, 3, "edited after it was recorded"),
    (edit_actor, 2, "edited after it was recorded"),
    (edit_recorded_at, 8, "edited after it was recorded"),
    (edit_hash, 9, "edited after it was recorded"),
    (delete_row, 7, "position 7 is missing"),
    (swap_positions, 3, "edited after it was recorded"),
    (edit_and_rehash_one, 5, "edited after it was recorded"),
    (rewrite_chain, 6, "differs from its signed checkpoint: the log was rewritten"),
    (rewrite_chain_and_checkpoints, 6, "checkpoints were forged"),
    (cut_tail, 9, "events were removed"),
    (cut_last_append, 7, "events were removed"),
]


@pytest.mark.parametrize(
    ("tamper", "position", "reason"), CASES, ids=[c[0].__name__ for c in CASES]
)
def test_verify_names_the_first_bad_position(
    signed: Any,
    store_url: str,
    tamper: Callable[[Any], None],
    position: int,
    reason: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tamper(signed)
    report = signed.verify()
    assert not report.ok
    assert report.first_bad == position
    assert reason in (report.reason or "")
    monkeypatch.setenv("DVCORE_CHECKPOINT_KEY", KEY)
    result = CliRunner().invoke(main, ["--store", store_url, "verify"], catch_exceptions=False)
    assert result.exit_code == 1
    assert f"verification failed at position {position}:" in result.output
    assert "Traceback" not in result.output


def test_an_untouched_log_verifies_with_its_checkpoints(
    signed: Any, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DVCORE_CHECKPOINT_KEY", KEY)
    result = CliRunner().invoke(main, ["--store", store_url, "verify"], catch_exceptions=False)
    assert result.exit_code == 0
    assert "ok: 11 events verify" in result.output
    assert "signed checkpoints: 2 verified" in result.output


@given(
    envelope=st.tuples(
        st.integers(min_value=1, max_value=2**62),
        st.uuids().map(str),
        st.text(),
        st.integers(min_value=1, max_value=2**31),
        st.none() | st.text(),
        st.text(),
        st.integers(min_value=1, max_value=9),
        st.dates().map(dt.date.isoformat),
        st.text(),
        st.text(),
        st.none() | st.text(),
    ),
    payload=st.dictionaries(st.text(), st.none() | st.text() | st.integers()),
)
def test_the_chain_hash_is_sha256_of_the_canonical_json(
    envelope: tuple[Any, ...], payload: dict[str, Any]
) -> None:
    """The append path joins the envelope itself (no json.dumps per event): it must hash
    exactly the canonical JSON of ``[*envelope, payload]``, as documented, or stores
    written before would stop verifying."""
    payload_text = canonical_json(payload)
    text = "0" * 64 + canonical_json([*envelope, payload])
    assert _chain_hash("0" * 64, envelope, payload_text) == (
        hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    )
