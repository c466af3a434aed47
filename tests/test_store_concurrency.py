"""Many processes against one store: writers with a tailing reader, concurrent imports,
and imports killed halfway.

The store assigns positions under its writer lock (see the docstring of
``dvcore.store.sql``), so positions commit in order: a reader tailing by position never
skips an event that commits later with a smaller position. The first test proves it with
8 writer processes and a reader polling the whole time, on every backend.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import queue
import random
import subprocess
import sys
import time
import traceback
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

import dvcore
from probes import sqlite_write_locked

WRITERS = 8
PER_WRITER = 1000
BATCH = 50
ROOT = "W"


def dvcore_command() -> list[str]:
    """The installed ``dvcore`` script next to this Python, or ``python -m dvcore.cli``."""
    script = Path(sys.executable).with_name("dvcore")
    return [str(script)] if script.exists() else [sys.executable, "-m", "dvcore.cli"]


def _unit(code: str, kind: str, parent: str | None) -> dict[str, Any]:
    return {
        "type": "UnitRegistered",
        "occurred_on": "2020-01-01",
        "unit": code,
        "data": {
            "code": code,
            "name": f"Đơn vị {code}",
            "kind": kind,
            "parent": parent,
            "attributes": {},
        },
        "source_ref": f"unit:{code}",
    }


def _write_batches(url: str, index: int, barrier: Any, results: Any) -> None:
    """One writer process: PER_WRITER events in appends of BATCH, each its own transaction."""
    try:
        store = dvcore.open_store(url, create=False)
        unit = f"{ROOT}.{index}"
        positions: list[int] = []
        barrier.wait(timeout=120)
        for start in range(0, PER_WRITER, BATCH):
            events = [
                {
                    "type": "SocialSupervisionHeld",
                    "occurred_on": "2023-05-01",
                    "unit": unit,
                    "data": {"topic": f"giám sát {n}"},
                    "source_ref": f"w{index}:{n:04d}",
                }
                for n in range(start, start + BATCH)
            ]
            result = store.append(events, actor=unit)
            assert result.appended == BATCH, result
            positions.extend(result.positions)
        store.close()
        results.put(("ok", index, positions))
    except BaseException:
        results.put(("error", index, traceback.format_exc()))


@pytest.mark.slow
def test_writers_and_a_tailing_reader(store_url: str) -> None:
    """8 writer processes × 1,000 events while a reader tails: none missed, none twice."""
    store = dvcore.open_store(store_url)
    store.append(
        [
            _unit(ROOT, "city", None),
            *(_unit(f"{ROOT}.{i}", "district", ROOT) for i in range(WRITERS)),
        ]
    )
    start = store.head()
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(WRITERS)
    results = ctx.Queue()
    procs = [
        ctx.Process(target=_write_batches, args=(store_url, i, barrier, results), daemon=True)
        for i in range(WRITERS)
    ]
    seen: list[tuple[int, str]] = []  # (position, source_ref) in the order read
    stamps: list[Any] = []  # recorded_at in the order read
    gaps: list[tuple[int, int]] = []  # (expected, got) whenever a read skipped positions
    reports: dict[int, tuple[str, Any]] = {}
    polls_with_events = 0
    last = start
    try:
        for proc in procs:
            proc.start()

        def tail() -> int:
            nonlocal last
            got = 0
            for event in store.read(after=last):
                if event.position != last + 1:
                    gaps.append((last + 1, event.position))
                last = event.position
                seen.append((event.position, event.source_ref or ""))
                stamps.append(event.recorded_at)
                got += 1
            return got

        while len(reports) < WRITERS:
            if tail() and len(reports) < WRITERS:
                polls_with_events += 1
            try:
                while True:
                    status, index, payload = results.get_nowait()
                    reports[index] = (status, payload)
            except queue.Empty:
                pass
            if len(reports) < WRITERS and not any(p.is_alive() for p in procs):
                time.sleep(0.5)  # a last report may still be in the pipe
                while not results.empty():
                    status, index, payload = results.get()
                    reports[index] = (status, payload)
                break
            time.sleep(0.002)
        tail()
    finally:
        for proc in procs:
            proc.join(timeout=30)
            if proc.is_alive():
                proc.kill()
    errors = {i: p for i, (s, p) in reports.items() if s != "ok"}
    assert errors == {}
    assert len(reports) == WRITERS
    assert gaps == []
    positions = [p for p, _r in seen]
    assert positions == list(range(start + 1, start + WRITERS * PER_WRITER + 1))
    refs = Counter(r for _p, r in seen)
    assert len(refs) == WRITERS * PER_WRITER
    assert [r for r, n in refs.items() if n > 1] == []
    assert set(refs) == {f"w{i}:{n:04d}" for i in range(WRITERS) for n in range(PER_WRITER)}
    # each writer's own events keep its order, at the positions its appends reported
    at = {r: p for p, r in seen}
    for index, (_status, reported) in reports.items():
        mine = [f"w{index}:{n:04d}" for n in range(PER_WRITER)]
        assert [at[r] for r in mine] == reported
        assert reported == sorted(reported)
    assert stamps == sorted(stamps)  # "as known at" an instant is a prefix of the log
    # the reader really tailed a moving log, not one finished before it looked
    assert polls_with_events >= 2
    assert store.head() == start + WRITERS * PER_WRITER
    assert store.verify().ok
    snap = store.snapshot(ROOT, "2023")
    assert snap.value("supervision.count") == WRITERS * PER_WRITER
    store.close()


# --- concurrent command-line imports ----------------------------------------------------------


def _district_file(path: Path, index: int, dialogues: int, models: int) -> Path:
    district = f"C.D{index}"
    communes = [f"{district}.X{k}" for k in range(4)]
    rows: list[dict[str, Any]] = [_unit(district, "district", "C")]
    rows += [_unit(code, "commune", district) for code in communes]
    where = [district, *communes]
    for n in range(dialogues):
        rows.append(
            {
                "type": "DialogueHeld",
                "occurred_on": f"2023-{n % 12 + 1:02d}-15",
                "unit": where[n % len(where)],
                "data": {"host": "chairman", "participants": n % 90},
            }
        )
    for n in range(models):
        rows.append(
            {
                "type": "ModelRegistered",
                "occurred_on": f"2023-{n % 12 + 1:02d}-20",
                "unit": where[n % len(where)],
                "data": {
                    "model_id": f"{district}-M{n}",
                    "name": "Dân vận khéo",
                    "field": "urban" if n % 2 else "ntm_model",
                    "year": 2023,
                },
            }
        )
    with open(path, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path


def _snapshot(url: str, unit: str) -> dict[str, Any]:
    proc = subprocess.run(
        [
            *dvcore_command(),
            "--store",
            url,
            "snapshot",
            "--unit",
            unit,
            "--period",
            "2023",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    out: dict[str, Any] = json.loads(proc.stdout)
    return out


@pytest.mark.slow
def test_four_imports_at_once(store_url: str, tmp_path: Path) -> None:
    """Four ``dvcore import`` processes started at once all succeed; every event counts once."""
    root = tmp_path / "root.jsonl"
    root.write_text(json.dumps(_unit("C", "city", None)) + "\n", encoding="utf-8")
    cmd = [*dvcore_command(), "--store", store_url]
    setup = subprocess.run(
        [*cmd, "import", str(root)], capture_output=True, text=True, timeout=120, check=False
    )
    assert setup.returncode == 0, setup.stderr
    plan = {i: (300 + 10 * i, 190 - 10 * i) for i in range(1, 5)}  # dialogues, models
    files = {i: _district_file(tmp_path / f"d{i}.jsonl", i, *plan[i]) for i in plan}
    sizes = {i: 5 + sum(plan[i]) for i in plan}

    def import_all() -> dict[int, str]:
        procs = {
            i: subprocess.Popen(
                [*cmd, "import", str(f)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
            for i, f in files.items()
        }
        out = {}
        for i, proc in procs.items():
            stdout, stderr = proc.communicate(timeout=120)
            assert proc.returncode == 0, stderr
            assert "Traceback" not in stderr
            out[i] = stdout
        return out

    first = import_all()
    for i, stdout in first.items():
        assert f"appended {sizes[i]} events, 0 already stored" in stdout
    snap = _snapshot(store_url, "C")
    assert snap["indicators"]["dialogue.count"]["value"] == sum(d for d, _m in plan.values())
    assert snap["indicators"]["model.registered"]["value"] == sum(m for _d, m in plan.values())
    assert snap["indicators"]["model.registered"]["by"]["field"] == {
        "ntm_model": sum((m + 1) // 2 for _d, m in plan.values()),
        "urban": sum(m // 2 for _d, m in plan.values()),
    }
    again = import_all()  # all four at once again: nothing new
    for i, stdout in again.items():
        assert f"appended 0 events, {sizes[i]} already stored" in stdout
    with dvcore.open_store(store_url, create=False) as store:
        assert store.head() == 1 + sum(sizes.values())
        assert store.verify().ok
        for i, (dialogues, models) in plan.items():
            part = store.snapshot(f"C.D{i}", "2023")
            assert part.value("dialogue.count") == dialogues
            assert part.value("model.registered") == models


# --- a killed import ------------------------------------------------------------------------------

BIG = 50_000


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A JSON Lines file of 10 units and 50,000 dialogues under the root ``K``."""
    path = tmp_path_factory.mktemp("big") / "big.jsonl"
    with open(path, "w", encoding="utf-8") as fh:
        for d in range(10):
            fh.write(json.dumps(_unit(f"K.{d}", "district", "K")) + "\n")
        for n in range(BIG):
            fh.write(
                json.dumps(
                    {
                        "type": "DialogueHeld",
                        "occurred_on": f"2023-{n % 12 + 1:02d}-{n % 28 + 1:02d}",
                        "unit": f"K.{n % 10}",
                        "data": {"host": "chairman", "participants": n % 300},
                        "source_ref": f"big:{n}",
                    }
                )
                + "\n"
            )
    return path


def _wait_until_writing(
    proc: subprocess.Popen[bytes], backend: str, url: str, tag: str, wal: Path
) -> None:
    """Until the import's write transaction is open (it holds the writer lock)."""
    deadline = time.monotonic() + 60
    if backend == "sqlite":
        # The page cache keeps an import's rows in memory until it spills or commits, so
        # the WAL's size says nothing; the writer lock does: while the import's transaction
        # is open, nobody else can begin one.
        path = url.removeprefix("sqlite:///")
        while not sqlite_write_locked(path):
            assert proc.poll() is None, "the import ended before it wrote"
            assert time.monotonic() < deadline, "the import never started writing"
            time.sleep(0.01)
        return
    engine = sa.create_engine(url)
    try:
        while True:
            with engine.connect() as conn:
                writing = conn.execute(
                    sa.text(
                        "SELECT count(*) FROM pg_stat_activity "
                        "WHERE application_name = :tag AND backend_xid IS NOT NULL"
                    ),
                    {"tag": tag},
                ).scalar()
            if writing:
                return
            assert proc.poll() is None, "the import ended before it wrote"
            assert time.monotonic() < deadline, "the import never started writing"
            time.sleep(0.01)
    finally:
        engine.dispose()


@pytest.mark.slow
def test_a_killed_import_leaves_the_store_as_it_was(
    store_url: str, backend: str, big_file: Path
) -> None:
    """SIGKILL an import mid-write a few times: the store is untouched each time, it
    verifies, and importing again succeeds."""
    with dvcore.open_store(store_url) as store:
        store.append(
            [
                _unit("K", "city", None),
                *(
                    {
                        "type": "DialogueHeld",
                        "occurred_on": "2023-01-05",
                        "unit": "K",
                        "data": {"host": "party_secretary"},
                        "source_ref": f"before:{n}",
                    }
                    for n in range(200)
                ),
            ]
        )
        before = store.verify()
    assert before.ok
    tag = f"dvkill_{uuid.uuid4().hex[:10]}"
    url = store_url + (f"&application_name={tag}" if backend == "postgresql" else "")
    wal = Path(store_url.removeprefix("sqlite:///") + "-wal")
    rng = random.Random(20230920)
    for _attempt in range(3):
        proc = subprocess.Popen(
            [*dvcore_command(), "--store", url, "import", str(big_file)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_until_writing(proc, backend, store_url, tag, wal)
            time.sleep(rng.uniform(0.0, 0.8))
            assert proc.poll() is None, "the import finished before it was killed"
        finally:
            proc.kill()
            proc.wait(timeout=30)
        assert proc.returncode == -9 if os.name == "posix" else proc.returncode != 0
        with dvcore.open_store(store_url, create=False) as store:
            head = store.head()
            # None of the file, or (killed between its commit and its exit) all of it.
            assert head in (before.checked, before.checked + BIG + 10)
            after = store.verify()
            assert after.ok
            committed = head != before.checked
            if not committed:
                assert after.head_hash == before.head_hash
                assert store.snapshot("K", "2023").value("dialogue.count") == 200
        if committed:
            break
    result = subprocess.run(
        [*dvcore_command(), "--store", store_url, "import", str(big_file)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    appended = 0 if committed else BIG + 10
    assert f"appended {appended} events, {BIG + 10 - appended} already stored" in result.stdout
    with dvcore.open_store(store_url, create=False) as store:
        assert store.head() == before.checked + BIG + 10
        assert store.verify().ok
        assert store.snapshot("K", "2023").value("dialogue.count") == BIG + 200


# --- races on one key and one stream version ---------------------------------------------------


@pytest.mark.slow
def test_the_same_file_imported_twice_at_once(store_url: str, tmp_path: Path) -> None:
    """Two imports of one file race: one appends it, the other finds it stored."""
    root = tmp_path / "root.jsonl"
    root.write_text(json.dumps(_unit("C", "city", None)) + "\n", encoding="utf-8")
    cmd = [*dvcore_command(), "--store", store_url]
    setup = subprocess.run(
        [*cmd, "import", str(root)], capture_output=True, text=True, timeout=120, check=False
    )
    assert setup.returncode == 0, setup.stderr
    path = _district_file(tmp_path / "d1.jsonl", 1, 400, 100)
    procs = [
        subprocess.Popen(
            [*cmd, "import", str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outputs = []
    for proc in procs:
        stdout, stderr = proc.communicate(timeout=120)
        assert proc.returncode == 0, stderr
        outputs.append(stdout)
    summaries = sorted(o.split(",")[0] for o in outputs)
    assert summaries == ["appended 0 events", "appended 505 events"]
    with dvcore.open_store(store_url, create=False) as store:
        assert store.head() == 1 + 505
        assert store.snapshot("C", "2023").value("dialogue.count") == 400


def test_expected_version_race(store_url: str) -> None:
    """Eight appends race with one expected version: exactly one wins, the rest conflict."""
    import threading

    from dvcore.errors import ConcurrencyError

    with dvcore.open_store(store_url) as setup:
        setup.append([_unit("R", "city", None)])
    racers = 8
    barrier = threading.Barrier(racers)
    outcomes: list[str] = []
    lock = threading.Lock()

    def race(n: int) -> None:
        with dvcore.open_store(store_url, create=False) as store:
            event = {
                "type": "DialogueHeld",
                "occurred_on": "2023-05-01",
                "unit": "R",
                "data": {"host": "chairman", "participants": n},
            }
            barrier.wait(timeout=60)
            try:
                store.append([event], expected_version=1)
                outcome = "ok"
            except ConcurrencyError:
                outcome = "conflict"
            except Exception as exc:  # anything else is a failure of the store
                outcome = f"{type(exc).__name__}: {exc}"
            with lock:
                outcomes.append(outcome)

    threads = [threading.Thread(target=race, args=(n,)) for n in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(outcomes) == ["conflict"] * (racers - 1) + ["ok"]
    with dvcore.open_store(store_url, create=False) as store:
        assert store.head() == 2
        assert [r.version for r in store.read() if r.stream == "R"] == [1, 2]
