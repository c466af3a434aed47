"""Crash safety: ``dvcore import`` killed with SIGKILL at random moments, 20 times a backend.

Each run imports a file of 10,000 events (about 1.5 s of work) and is killed at a
random moment between 0.05 and 2 s after it starts its work — while it reads and
validates, while it inserts rows (on SQLite, before, while or after the log's type index
is away: see DRIVER), or while it commits. Afterwards the store holds either none of the
file or all of it (head before, or head + 10,000), its hash chain and signed checkpoints
verify, its indexes are all there, and no lock is left behind: the next import runs, and
a final clean import succeeds.

The import runs in a process of its own, started ahead and waiting on its standard input,
so the random moment is measured from the start of the work, not from Python's start-up.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import IO

import pytest
import sqlalchemy as sa

import dvcore
from probes import sqlite_write_locked

pytestmark = [pytest.mark.slow, pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")]

KILLS = 20
# 10,000 events import in about 1.5 s here; the window spans that and more, as it spanned
# 20,000 events' import before (half the CPU: the suite runs in a 15-minute CI)
EVENTS = 10_000
# The import reads and keys every row before it takes the writer lock: kills spread
# over the whole of it land in both stages.
WINDOW = (0.05, 2.0)
KEY = "crash-safety-test-key-outside-db"

# The ``dvcore`` command's own entry point, started ahead: it imports, says so, and waits.
# On SQLite the import drops the log's type index from its 1,000th event and builds it
# again at its end, whatever the store holds (a large import does so from 50,000 events
# and more than the store held): kills land before, while and after it is away.
DRIVER = """
import sys
from dvcore.cli import main
if {sqlite}:
    from dvcore.store import writer
    _init = writer._DeferredIndex.__init__
    def _from_1000(self, conn, head):
        _init(self, conn, head)
        self.at = 1000
    writer._DeferredIndex.__init__ = _from_1000
sys.stdout.write("ready\\n")
sys.stdout.flush()
sys.stdin.readline()
main(sys.argv[1:], prog_name="dvcore")
"""


def _write_file(path: Path, prefix: str) -> Path:
    with open(path, "w", encoding="utf-8") as fh:
        for n in range(EVENTS):
            fh.write(
                json.dumps(
                    {
                        "type": "DialogueHeld",
                        "occurred_on": f"2023-{n % 12 + 1:02d}-{n % 28 + 1:02d}",
                        "unit": f"K.{n % 4}",
                        "source_ref": f"{prefix}:{n}",
                        "data": {
                            "host": "chairman",
                            "participants": n % 300,
                            "title": f"Đối thoại {n}",
                        },
                    },
                    ensure_ascii=False,
                )
                + "\n"
            )
    return path


class _Import:
    """One ``dvcore import`` process, started and waiting for the word to go."""

    def __init__(self, url: str, path: Path) -> None:
        env = {**os.environ, "DVCORE_CHECKPOINT_KEY": KEY}
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-c",
                DRIVER.format(sqlite=url.startswith("sqlite")),
                "--store",
                url,
                "import",
                str(path),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        self.path = path

    def wait_ready(self) -> None:
        stdout: IO[bytes] | None = self.proc.stdout
        assert stdout is not None
        line = stdout.readline()
        assert line == b"ready\n", (line, self.proc.stderr.read() if self.proc.stderr else b"")

    def go(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"go\n")
        self.proc.stdin.flush()

    def kill(self) -> int:
        """SIGKILL it (unless it already ended); its exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=60)
        _out, err = self.proc.communicate(timeout=60)
        if self.proc.returncode != -signal.SIGKILL:
            assert self.proc.returncode == 0, err.decode()
            assert b"Traceback" not in err
        return self.proc.returncode


def _writing_pg(url: str, tag: str) -> bool:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return bool(
                conn.execute(
                    sa.text(
                        "SELECT count(*) FROM pg_stat_activity "
                        "WHERE application_name = :tag AND backend_xid IS NOT NULL"
                    ),
                    {"tag": tag},
                ).scalar()
            )
    finally:
        engine.dispose()


def _indexes(store: dvcore.Store) -> list[tuple[str, tuple[str, ...]]]:
    inspector = sa.inspect(store.engine)
    return sorted(
        (str(i["name"]), tuple(str(c) for c in i["column_names"]))
        for i in inspector.get_indexes("dv_events")
    )


def test_killed_imports_leave_none_or_all(backend: str, store_url: str, tmp_path: Path) -> None:
    """20 SIGKILLs at random moments: every time none of the file or all of it."""
    with dvcore.open_store(store_url, signing_key=KEY) as store:
        store.append(
            [
                {
                    "type": "UnitRegistered",
                    "occurred_on": "2020-01-01",
                    "unit": "K",
                    "data": {"code": "K", "name": "Thành phố K", "kind": "city"},
                },
                *(
                    {
                        "type": "UnitRegistered",
                        "occurred_on": "2020-01-01",
                        "unit": "K",
                        "data": {
                            "code": f"K.{d}",
                            "name": f"Quận {d}",
                            "kind": "district",
                            "parent": "K",
                        },
                    }
                    for d in range(4)
                ),
            ]
        )
        head = store.head()
        indexes = _indexes(store)
    tag = f"dvcrash_{uuid.uuid4().hex[:10]}"
    url = store_url + (f"&application_name={tag}" if backend == "postgresql" else "")
    sqlite_file = store_url.removeprefix("sqlite:///")
    rng = random.Random(int(os.environ.get("DVCORE_CRASH_SEED", "20230920")))
    prefix = "run0"
    path = _write_file(tmp_path / "big.jsonl", prefix)
    outcomes: Counter[str] = Counter()
    stages: Counter[str] = Counter()
    pending = _Import(url, path)
    for attempt in range(KILLS):
        current = pending
        current.wait_ready()
        delay = rng.uniform(*WINDOW)
        current.go()
        time.sleep(delay)
        if backend == "postgresql":
            writing = current.proc.poll() is None and _writing_pg(store_url, tag)
        else:
            writing = current.proc.poll() is None and sqlite_write_locked(sqlite_file)
        code = current.kill()
        stages[
            "ended before the kill"
            if code == 0
            else "inside its write transaction"
            if writing
            else "reading and validating"
        ] += 1
        with dvcore.open_store(store_url, create=False, signing_key=KEY) as store:
            now = store.head()
            assert now in (head, head + EVENTS), (attempt, delay, now, head)
            report = store.verify()
            assert report.ok, (attempt, delay, report.reason)
            assert _indexes(store) == indexes, (attempt, delay)
            if now == head:
                assert code == -signal.SIGKILL, "an import that ended must have written"
                outcomes["none of it"] += 1
            else:
                outcomes["all of it"] += 1
                assert store.snapshot("K", "2023").value("dialogue.count") == (
                    EVENTS * (outcomes["all of it"])
                )
                head = now
                prefix = f"run{attempt + 1}"  # the file is in: the next kill gets a new one
                path = _write_file(tmp_path / f"big-{attempt + 1}.jsonl", prefix)
        if attempt + 1 < KILLS:
            pending = _Import(url, path)  # starts up while this one's store is checked
    assert sum(outcomes.values()) == KILLS
    assert stages["inside its write transaction"] >= 1, stages  # kills did land mid-write
    # a clean import of the file last killed succeeds, and is complete
    final = _Import(url, path)
    final.wait_ready()
    final.go()
    assert final.proc.wait(timeout=600) == 0
    out, err = final.proc.communicate()
    assert f"appended {EVENTS} events, 0 already stored".encode() in out, err.decode()
    with dvcore.open_store(store_url, create=False, signing_key=KEY) as store:
        assert store.head() == head + EVENTS
        report = store.verify()
        assert report.ok
        assert report.checkpoints_verified == 2 + outcomes["all of it"]
    print(f"\n{backend}: {KILLS} kills, {dict(outcomes)}, at {dict(stages)}")
