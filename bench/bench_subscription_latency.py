"""Commit → wake-up latency of a waiting subscription, on PostgreSQL (LISTEN/NOTIFY).

A consumer in this process waits on ``store.subscribe(…).events()``; an appender in a
second process appends N single events (default 100) with a short pause between. For each
event the consumer notes the instant it was handed the event, and compares it with two
instants on the same machine clock:

- ``recorded_at``: taken when the append began, before its insert and commit, so
  ``wake − recorded_at`` is an upper bound (it includes the append's own work);
- the instant ``append`` returned in the appender, just after the commit, so
  ``wake − returned`` is a lower bound (it may even be negative by a hair).

The commit → wake-up latency lies between the two. A fresh schema is made and dropped.

    DVCORE_PG_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \\
        python bench/bench_subscription_latency.py [--events 100] [--pause 0.02]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid

os.environ.setdefault("DVCORE_DISABLE_PLUGIN_AUTOLOAD", "1")

import sqlalchemy as sa

import dvcore

UNIT = {
    "type": "UnitRegistered",
    "occurred_on": "2020-01-01",
    "unit": "HP",
    "data": {"code": "HP", "name": "Thành phố Hải Phòng", "kind": "city"},
}


def append(url: str, count: int, pause: float) -> None:
    """The appender: one event an append; prints ``position returned_epoch`` a line."""
    with dvcore.open_store(url, create=False) as store:
        for i in range(count):
            result = store.append(
                [
                    {
                        "type": "DialogueHeld",
                        "occurred_on": "2023-05-01",
                        "unit": "HP",
                        "data": {"host": "chairman", "participants": i + 1},
                    }
                ]
            )
            returned = time.time()
            print(result.positions[0], returned, flush=True)
            time.sleep(pause)


def _ms(values: list[float]) -> str:
    values = sorted(v * 1000 for v in values)
    return (
        f"median {statistics.median(values):.2f} ms, p90 {values[int(len(values) * 0.9)]:.2f} ms, "
        f"worst {values[-1]:.2f} ms, best {values[0]:.2f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("DVCORE_PG_URL"))
    parser.add_argument("--events", type=int, default=100)
    parser.add_argument("--pause", type=float, default=0.02, help="seconds between appends")
    parser.add_argument("--append", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.url or not args.url.startswith("postgresql"):
        sys.exit("give a PostgreSQL URL: --url or DVCORE_PG_URL")
    if args.append:
        append(args.url, args.events, args.pause)
        return

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(args.url)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in args.url else "?"
    url = f"{args.url}{sep}options=-csearch_path%3D{schema}"
    try:
        with dvcore.open_store(url) as store:
            store.append([UNIT])
            woke: dict[int, float] = {}
            recorded: dict[int, float] = {}
            ready = threading.Event()

            def consume() -> None:
                with store.subscribe("bench") as sub:
                    events = sub.events(timeout=10)
                    next(events)  # the unit: listening from here on
                    ready.set()
                    for event in events:
                        woke[event.position] = time.time()
                        recorded[event.position] = event.recorded_at.timestamp()
                        if len(woke) == args.events:
                            return

            consumer = threading.Thread(target=consume, daemon=True)
            consumer.start()
            if not ready.wait(timeout=30):
                sys.exit("the consumer did not start")
            proc = subprocess.run(
                [
                    *(sys.executable, __file__, "--append", "--url", url),
                    *("--events", str(args.events), "--pause", str(args.pause)),
                ],
                capture_output=True,
                text=True,
                timeout=300,
                check=True,
            )
            consumer.join(timeout=30)
            returned = {
                int(p): float(t)
                for p, t in (line.split() for line in proc.stdout.split("\n") if line)
            }
        missing = sorted(set(returned) - set(woke))
        if missing:
            sys.exit(f"the consumer missed positions {missing[:10]}")
        upper = [woke[p] - recorded[p] for p in returned]
        lower = [woke[p] - returned[p] for p in returned]
        print(
            json.dumps(
                {"events": len(returned), "pause_s": args.pause, "backend": "postgresql"},
                ensure_ascii=False,
            )
        )
        print(f"wake − recorded_at (upper bound): {_ms(upper)}")
        print(f"wake − append returned (lower bound): {_ms(lower)}")
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        admin.dispose()


if __name__ == "__main__":
    main()
