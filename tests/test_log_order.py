"""The log is in the order of its instants, and its indexes are what the schema says.

``as_known_at`` is answered by a binary search over positions (no index on
``recorded_at``): it relies on no event being recorded before the one ahead of it, which
appends keep and ``verify`` checks. A large import on SQLite builds the log's (type,
occurred_on, unit) index once at its end instead of row by row; it must leave the same
schema, the same figures, and, when it fails, the store as it was.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from hypothesis import given, settings
from hypothesis import strategies as st

import dvcore
from dvcore.errors import ValidationError
from dvcore.store import schema, sql, writer
from dvcore.store.chain import _row_hash
from dvcore.store.migrate import VERSION_TABLE, current_revision, upgrade
from dvcore.testing import Clock
from forgery import dialogue_events

START = dt.datetime(2023, 9, 20, 3, 0, tzinfo=dt.UTC)


def _rows(events: list[dict[str, Any]]) -> Iterator[tuple[str, int, dict[str, Any]]]:
    for row, event in enumerate(events, start=2):
        yield "dialogues.jsonl", row, event


def _indexes(store: Any) -> list[tuple[str, tuple[str, ...]]]:
    inspector = sa.inspect(store.engine)
    return sorted(
        (i["name"], tuple(str(c) for c in i["column_names"]))
        for table in ("dv_events", "dv_facts")
        for i in inspector.get_indexes(table)
    )


# --- as_known_at from the positions --------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(
    steps=st.lists(
        st.tuples(st.integers(-90, 90), st.integers(1, 3)),  # minutes the clock moves, events
        min_size=1,
        max_size=8,
    ),
    probes=st.lists(st.integers(-200, 800), max_size=6),  # minutes after the start
)
def test_position_at_is_the_last_position_recorded_by_then(
    steps: list[tuple[int, int]], probes: list[int]
) -> None:
    """Whatever the clock does, ``position_at(t)`` is the last position whose recorded
    instant is at or before ``t``: what an index on ``recorded_at`` would answer."""
    clock = Clock(START)

    def advance(minutes: int) -> None:
        clock.now += dt.timedelta(minutes=minutes)

    with (
        tempfile.TemporaryDirectory() as tmp,
        dvcore.open_store(f"sqlite:///{tmp}/s.db", clock=clock) as store,
    ):
        store.append(dialogue_events(0, 0))
        done = 0
        for minutes, n in steps:
            advance(minutes)
            store.append(dialogue_events(1 + done, n))
            done += n
        recorded = [(r.position, r.recorded_at) for r in store.read()]
        assert [at for _p, at in recorded] == sorted(at for _p, at in recorded)
        instants = [at for _p, at in recorded]
        instants += [at - dt.timedelta(microseconds=1) for at in instants]
        instants += [START + dt.timedelta(minutes=m) for m in probes]
        for when in instants:
            expected = max((p for p, at in recorded if at <= when), default=0)
            assert store.position_at(when) == expected, when


def test_as_known_at_an_instant_sees_what_was_recorded_by_then(store: Any, clock: Any) -> None:
    """The figures as known at an instant between two appends are the first append's."""
    store.append(dialogue_events(0, 3))
    between = clock.advance(hours=1)
    clock.advance(hours=1)
    store.append(dialogue_events(3, 4))
    before = store.snapshot("HP", "2023-Q1", as_known_at=between)
    now = store.snapshot("HP", "2023-Q1")
    assert before.value("dialogue.count") == 3
    assert now.value("dialogue.count") == 7
    assert store.position_at(between) == 4
    assert store.position_at(START - dt.timedelta(days=1)) == 0


def test_verify_names_an_event_recorded_before_the_one_ahead_of_it(store: Any) -> None:
    """A forger who moves an event's instant back and rewrites the chain after it is
    caught: ``as_known_at`` relies on the order, so ``verify`` checks it."""
    store.append(dialogue_events(0, 5))
    events = schema.events
    with store.engine.begin() as conn:
        rows = conn.execute(sa.select(events).order_by(events.c.position)).all()
        prev = "0" * 64
        for row in rows:
            mapping = dict(row._mapping)
            if row.position == 4:
                mapping["recorded_at"] = row.recorded_at - dt.timedelta(days=1)
            new_hash = _row_hash(prev, mapping)
            if row.position >= 4:
                conn.execute(
                    events.update()
                    .where(events.c.position == row.position)
                    .values(recorded_at=mapping["recorded_at"], hash=new_hash)
                )
            prev = new_hash
    report = store.verify()
    assert not report.ok
    assert report.first_bad == 4
    assert "out of order" in (report.reason or "")


# --- the schema ------------------------------------------------------------------------------


def test_the_migrations_make_the_schema_the_code_declares(store: Any) -> None:
    """No table, column or index of ``schema.py`` is missing from (or extra to) what the
    migrations made: a dropped index needs its migration."""
    with store.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"version_table": VERSION_TABLE, "compare_type": True}
        )
        assert compare_metadata(context, schema.metadata) == []


def test_a_store_of_the_last_revision_loses_its_recorded_at_index_and_keeps_its_answers(
    store_url: str, clock: Any
) -> None:
    """A store made at dv0006 (with the index) is upgraded on opening; what it knew at
    each instant is the same after."""
    engine = sa.create_engine(store_url)
    upgrade(engine, "dv0006")
    names = {i["name"] for i in sa.inspect(engine).get_indexes("dv_events")}
    assert "ix_dv_events_recorded_at" in names
    engine.dispose()
    with dvcore.open_store(store_url, clock=clock) as store:
        assert current_revision(store.engine) == "dv0007"
        names = {i["name"] for i in sa.inspect(store.engine).get_indexes("dv_events")}
        assert "ix_dv_events_recorded_at" not in names
        store.append(dialogue_events(0, 2))
        first = clock.now
        clock.advance(minutes=5)
        store.append(dialogue_events(2, 2))
        assert store.position_at(first) == 3
        assert store.verify().ok


# --- a large import builds the type index at its end (SQLite) --------------------------------


@pytest.fixture
def small_defer(monkeypatch: pytest.MonkeyPatch) -> int:
    """Defer the index from 100 appended events (50,000 outside the tests), checked after
    each chunk of 50 rows (2,000)."""
    monkeypatch.setattr(writer, "_DEFER_INDEX_AT", 100)
    monkeypatch.setattr(sql, "_CHUNK", 50)
    return 100


def _figures(store: Any, period: str) -> dict[str, Any]:
    return {code: f.value for code, f in store.snapshot("HP", period).figures.items()}


def _ddl(store: Any) -> list[str]:
    seen: list[str] = []

    def listen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "INDEX" in statement.upper():
            seen.append(" ".join(statement.split()[:2]).upper())

    sa.event.listen(store.engine, "before_cursor_execute", listen)
    return seen


def test_a_large_import_builds_the_index_once_at_its_end(tmp_path: Path, small_defer: int) -> None:
    events = dialogue_events(0, 400)
    with dvcore.open_store(f"sqlite:///{tmp_path / 'big.db'}") as big:
        fresh = _indexes(big)
        ddl = _ddl(big)
        big.import_rows(_rows(events))
        assert ddl == ["DROP INDEX", "CREATE INDEX"]
        assert _indexes(big) == fresh
        assert big.verify().ok
        with dvcore.open_store(f"sqlite:///{tmp_path / 'small.db'}") as small:
            for start in range(0, len(events), 50):  # fifty at a time: the index grows
                small.append(events[start : start + 50])
            for period in ("2023-03", "2023-Q1", "2023"):
                assert _figures(big, period) == _figures(small, period)
        plan = " ".join(
            str(row[-1])
            for row in big.engine.connect().exec_driver_sql(
                "EXPLAIN QUERY PLAN SELECT count(*) FROM dv_events "
                "WHERE type = 'DialogueHeld' AND occurred_on >= '2023-03-01'"
            )
        )
        assert "ix_dv_events_type_occurred_on_unit" in plan


def test_a_small_import_into_a_larger_store_keeps_the_index(
    tmp_path: Path, small_defer: int
) -> None:
    with dvcore.open_store(f"sqlite:///{tmp_path / 's.db'}") as store:
        store.append(dialogue_events(0, 300))
        ddl = _ddl(store)
        store.import_rows(_rows(dialogue_events(300, 200)))  # more than 100, fewer than 301
        assert ddl == []
        assert store.head() == 501


def test_a_large_import_that_fails_leaves_the_store_and_its_index_as_they_were(
    tmp_path: Path, small_defer: int
) -> None:
    with dvcore.open_store(f"sqlite:///{tmp_path / 's.db'}") as store:
        store.append(dialogue_events(0, 10))
        before = _indexes(store)
        events = dialogue_events(10, 400)
        events[-1]["unit"] = "NOWHERE"
        ddl = _ddl(store)
        with pytest.raises(ValidationError) as info:
            store.import_rows(_rows(events))
        assert ddl == ["DROP INDEX"]  # dropped inside the transaction, rolled back
        assert [p.row for p in info.value.problems] == [len(events) + 1]
        assert store.head() == 11
        assert _indexes(store) == before
        assert store.verify().ok


def test_a_dry_run_of_a_large_import_leaves_the_index(tmp_path: Path, small_defer: int) -> None:
    with dvcore.open_store(f"sqlite:///{tmp_path / 's.db'}") as store:
        before = _indexes(store)
        result = store.import_rows(_rows(dialogue_events(0, 300)), dry_run=True)
        assert result.appended == 301
        assert store.head() == 0
        assert _indexes(store) == before
