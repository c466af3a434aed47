"""SQLite's busy state: waited out while the wait is short, a clear message past it, and
8 processes that retry a busy store losing nothing and recording nothing twice.

``tests/test_store_concurrency.py`` already runs 8 writer processes with a tailing reader
on every backend (SQLite and PostgreSQL), four ``dvcore import`` processes at once, and
races on one key and one stream version. This module adds the busy path, which only SQLite
has (PostgreSQL writers queue on an advisory lock without a timeout):

- the busy handler retries: an append that meets another writer's lock waits for it;
- past the busy timeout (``open_store(busy_timeout=…)``, ``$DVCORE_BUSY_TIMEOUT`` on the
  command line) the user gets "the store is busy", exit 1, no traceback, nothing written;
- 8 processes with a 10 ms busy timeout, retrying each refused append as it was: every
  event is stored once, and a tailing reader sees positions strictly increasing, no gaps.
"""

from __future__ import annotations

import multiprocessing
import queue
import sqlite3
import threading
import time
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

import dvcore
from dvcore.cli import main
from dvcore.errors import StoreBusyError

WRITERS = 8
BATCHES = 25
PER_BATCH = 40


def _unit(code: str, kind: str, parent: str | None) -> dict[str, Any]:
    return {
        "type": "UnitRegistered",
        "occurred_on": "2020-01-01",
        "unit": code,
        "data": {"code": code, "name": f"Đơn vị {code}", "kind": kind, "parent": parent},
    }


def _dialogue(unit: str, ref: str) -> dict[str, Any]:
    return {
        "type": "DialogueHeld",
        "occurred_on": "2023-04-01",
        "unit": unit,
        "data": {"host": "chairman"},
        "source_ref": ref,
    }


@pytest.fixture
def sqlite_store(store_url_factory: Any) -> tuple[str, Path]:
    """A SQLite store with units B and B.0…B.7: its URL and its file."""
    url = store_url_factory("sqlite")
    with dvcore.open_store(url) as store:
        store.append(
            [_unit("B", "city", None), *(_unit(f"B.{i}", "district", "B") for i in range(WRITERS))]
        )
    return url, Path(url.removeprefix("sqlite:///"))


class _Lock:
    """Another writer holding the SQLite write lock (BEGIN IMMEDIATE) until released."""

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.conn.execute("BEGIN IMMEDIATE")

    def release(self) -> None:
        self.conn.execute("ROLLBACK")
        self.conn.close()


def test_an_append_waits_out_a_short_lock(sqlite_store: tuple[str, Path]) -> None:
    url, path = sqlite_store
    store = dvcore.open_store(url, create=False, busy_timeout=30)
    asked = threading.Event()

    @sa.event.listens_for(store.engine, "before_cursor_execute")
    def _begin(_c: Any, _cur: Any, statement: str, *_args: Any) -> None:
        if statement == "BEGIN IMMEDIATE":
            asked.set()

    lock = _Lock(path)

    def release_once_asked() -> None:
        asked.wait(timeout=60)
        time.sleep(0.2)  # the append is now in SQLite's busy handler
        lock.release()

    releaser = threading.Thread(target=release_once_asked)
    releaser.start()
    try:
        result = store.append([_dialogue("B.0", "waited")])
    finally:
        releaser.join(timeout=60)
    assert asked.is_set()
    assert result.appended == 1
    assert store.verify().ok
    store.close()


def test_past_the_timeout_an_append_is_refused_as_busy(sqlite_store: tuple[str, Path]) -> None:
    url, path = sqlite_store
    store = dvcore.open_store(url, create=False, busy_timeout=0.2)
    head = store.head()
    lock = _Lock(path)
    try:
        with pytest.raises(StoreBusyError, match="the store is busy") as info:
            store.append([_dialogue("B.0", "busy")])
    finally:
        lock.release()
    assert "database is locked" in str(info.value.__cause__)  # kept for the host's logs
    assert store.head() == head
    assert store.append([_dialogue("B.0", "busy")]).appended == 1  # free again: it goes in
    store.close()


def test_the_command_line_says_the_store_is_busy(
    sqlite_store: tuple[str, Path], tmp_path: Path
) -> None:
    url, path = sqlite_store
    source = tmp_path / "one.jsonl"
    source.write_text(
        '{"type": "DialogueHeld", "occurred_on": "2023-04-01", "unit": "B.1", '
        '"data": {"host": "chairman"}}\n',
        encoding="utf-8",
    )
    lock = _Lock(path)
    try:
        result = CliRunner().invoke(
            main,
            ["--store", url, "import", str(source)],
            catch_exceptions=False,
            env={"DVCORE_BUSY_TIMEOUT": "0.2"},
        )
    finally:
        lock.release()
    assert result.exit_code == 1
    assert result.output == (
        "Error: the store is busy: another writer held it past the busy timeout; try again\n"
    )
    with dvcore.open_store(url, create=False) as store:
        assert store.head() == 1 + WRITERS


def test_a_bad_busy_timeout_is_bad_input(sqlite_store: tuple[str, Path]) -> None:
    url, _path = sqlite_store
    result = CliRunner().invoke(
        main, ["--store", url, "init"], catch_exceptions=False, env={"DVCORE_BUSY_TIMEOUT": "soon"}
    )
    assert result.exit_code == 2
    assert "DVCORE_BUSY_TIMEOUT must be a number of seconds" in result.output


# --- 8 processes against a 10 ms busy timeout ------------------------------------------------


def _retrying_writer(url: str, index: int, barrier: Any, results: Any) -> None:
    """BATCHES appends of PER_BATCH events; a busy refusal is retried with the same batch."""
    try:
        store = dvcore.open_store(url, create=False, busy_timeout=0.01)
        unit = f"B.{index}"
        busy = appended = 0
        barrier.wait(timeout=120)
        for b in range(BATCHES):
            batch = [_dialogue(unit, f"w{index}:{b}:{n}") for n in range(PER_BATCH)]
            while True:
                try:
                    result = store.append(batch, actor=unit)
                    break
                except StoreBusyError:
                    busy += 1
                    time.sleep(0.001)
            appended += result.appended
        store.close()
        results.put(("ok", index, (appended, busy)))
    except BaseException:
        results.put(("error", index, traceback.format_exc()))


@pytest.mark.slow
def test_eight_processes_retrying_a_busy_store_lose_nothing(sqlite_store: tuple[str, Path]) -> None:
    url, _path = sqlite_store
    store = dvcore.open_store(url, create=False)
    start = store.head()
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(WRITERS)
    results = ctx.Queue()
    procs = [
        ctx.Process(target=_retrying_writer, args=(url, i, barrier, results), daemon=True)
        for i in range(WRITERS)
    ]
    seen: list[tuple[int, str]] = []
    gaps: list[tuple[int, int]] = []
    reports: dict[int, tuple[str, Any]] = {}
    last = start
    try:
        for proc in procs:
            proc.start()
        while len(reports) < WRITERS:
            for recorded in store.read(after=last):
                if recorded.position != last + 1:
                    gaps.append((last + 1, recorded.position))
                last = recorded.position
                seen.append((recorded.position, recorded.source_ref or ""))
            try:
                status, index, payload = results.get(timeout=0.005)
                reports[index] = (status, payload)
            except queue.Empty:
                if not any(p.is_alive() for p in procs) and results.empty():
                    break
        seen.extend((r.position, r.source_ref or "") for r in store.read(after=last))
    finally:
        for proc in procs:
            proc.join(timeout=60)
            if proc.is_alive():
                proc.kill()
    errors = {i: p for i, (s, p) in reports.items() if s != "ok"}
    assert errors == {}
    assert len(reports) == WRITERS
    total = WRITERS * BATCHES * PER_BATCH
    assert gaps == []
    assert [p for p, _r in seen] == list(range(start + 1, start + total + 1))
    refs = Counter(r for _p, r in seen)
    assert [r for r, n in refs.items() if n > 1] == []
    assert set(refs) == {
        f"w{i}:{b}:{n}" for i in range(WRITERS) for b in range(BATCHES) for n in range(PER_BATCH)
    }
    assert sum(appended for _s, (appended, _busy) in reports.values()) == total
    busy = sum(b for _s, (_a, b) in reports.values())
    assert busy > 0, "no writer ever met a busy store: the retry path was not exercised"
    assert store.verify().ok
    assert store.snapshot("B", "2023").value("dialogue.count") == total
    store.close()
    print(f"\n{WRITERS} processes, {total} events, {busy} busy refusals retried")
