"""Import speed on PostgreSQL: dvcore's JSON Lines import against a plain COPY, one run.

The floor (issue 6: "bulk import through COPY within 2× of a plain COPY of the same rows"):
parse each line with ``json.loads`` and COPY ``(type, occurred_on, unit, payload jsonb,
source_ref UNIQUE)`` into a fresh table through psycopg 3, in one transaction. dvcore runs
``Store.import_rows`` through the JSON Lines channel on a fresh, empty schema, as
``bench_import.py`` does on SQLite. Every measurement runs in a process of its own, on the
same file, in a scratch database (``dvbench_<pid>``) created for the run and dropped after.

    python bench/bench_pg_copy.py [N] [--profile] [--url URL]

N events (default 100,000). The server is ``--url``, else ``$DVCORE_PG_URL``, else
``postgresql+psycopg://postgres@127.0.0.1:5432/test`` (its database is only used to
create and drop the scratch one).

dvcore on PostgreSQL loads its event, fact and rollup rows through
:func:`dvcore.store.copy.copy_rows`. ``--profile`` runs each dvcore import under cProfile
too (a separate, slower run) and prints its 15 most expensive functions by own time.

Next to the wall time, each run reports the CPU seconds its process spent in the measured
part (the client: all of dvcore's Python) and those of the server processes it used (read
from ``/proc``: only for a server on this machine, else ``nan``).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
os.environ.setdefault("DVCORE_DISABLE_PLUGIN_AUTOLOAD", "1")

import psycopg
import sqlalchemy as sa
from workload import write_workload

import dvcore
from dvcore._builtin.jsonl import JsonLinesChannel

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
#: server processes (backend pids) the measured code connected to
_BACKENDS: list[int] = []


@sa.event.listens_for(sa.Engine, "connect")
def _note_backend(dbapi_conn: Any, _record: Any) -> None:
    _BACKENDS.append(dbapi_conn.info.backend_pid)


def _server_cpu() -> float:
    """CPU seconds the noted server processes used so far; NaN when they cannot be read
    (a server on another machine): the split between client and server is then unknown."""
    total = 0.0
    for pid in _BACKENDS:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return float("nan")
        total += (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _conninfo(url: str) -> str:
    """A SQLAlchemy URL as a libpq one (for psycopg.connect)."""
    return sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _schema_url(url: str, schema: str) -> str:
    """``url`` with ``schema`` as the search path (as tests/conftest.py does)."""
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{schema}"


def floor_import(path: Path, url: str) -> tuple[float, int, float, float]:
    """Plain COPY: json.loads each line, COPY the five columns, one transaction.

    Returns the seconds, the rows copied, and the client's and the server's CPU seconds."""
    start, cpu = time.perf_counter(), time.process_time()
    with psycopg.connect(_conninfo(url)) as conn:
        _BACKENDS.append(conn.info.backend_pid)
        conn.execute(
            "CREATE TABLE events (id bigserial PRIMARY KEY, type text, occurred_on date,"
            " unit text, payload jsonb, source_ref text UNIQUE)"
        )
        count = 0
        with (
            conn.cursor() as cur,
            cur.copy("COPY events (type, occurred_on, unit, payload, source_ref) FROM STDIN") as cp,
            open(path, encoding="utf-8") as fh,
        ):
            for line in fh:
                ev = json.loads(line)
                cp.write_row(
                    (
                        ev["type"],
                        ev["occurred_on"],
                        ev["unit"],
                        json.dumps(ev["data"]),
                        ev.get("source_ref"),
                    )
                )
                count += 1
        conn.commit()
        server = _server_cpu()
    return time.perf_counter() - start, count, time.process_time() - cpu, server


def bound_import(path: Path, url: str) -> tuple[float, int, float, float]:
    """The lower bound of ``bench_bound.py`` on PostgreSQL: its rows (the least checks,
    the canonical JSON, an id, the hash chain) through the floor's plain COPY into a
    fresh store's ``dv_events``, with its indexes. Less than an import must do.

    Returns the seconds, the rows copied, and the client's and the server's CPU seconds."""
    import datetime as dt

    from bench_bound import COLUMNS, bound_rows

    dvcore.open_store(url).close()  # the schema, made by dvcore's migrations
    _BACKENDS.clear()  # those connections are closed: count the COPY's server process only
    start, cpu = time.perf_counter(), time.process_time()
    with psycopg.connect(_conninfo(url)) as conn:
        _BACKENDS.append(conn.info.backend_pid)
        count = 0
        with (
            conn.cursor() as cur,
            cur.copy(f"COPY dv_events ({COLUMNS}) FROM STDIN") as cp,
        ):
            for row in bound_rows(path, dt.datetime.now(dt.UTC)):
                cp.write_row(row)
                count += 1
        conn.commit()
        server = _server_cpu()
    return time.perf_counter() - start, count, time.process_time() - cpu, server


def dvcore_import(path: Path, url: str) -> tuple[float, int, float, float]:
    """dvcore: the JSON Lines channel into a fresh store (as bench_import.py does).

    Returns the seconds, the events appended, and the client's and the server's CPU
    seconds."""
    start, cpu = time.perf_counter(), time.process_time()
    store = dvcore.open_store(url)
    channel = JsonLinesChannel()
    result = store.import_rows((str(path), row, item) for row, item in channel.read(path))
    elapsed, client = time.perf_counter() - start, time.process_time() - cpu
    server = _server_cpu()  # before close: the server processes end with their connections
    store.close()
    return elapsed, result.appended, client, server


def _child(what: str, path: str, url: str, profile: str | None) -> None:
    """Run one measurement in this (fresh) process; print seconds, count, client and
    server CPU seconds."""
    run = {"floor": floor_import, "bound": bound_import, "dvcore": dvcore_import}[what]
    if profile:
        profiler = cProfile.Profile()
        seconds, count, client, server = profiler.runcall(run, Path(path), url)
        stats = io.StringIO()
        pstats.Stats(profiler, stream=stats).sort_stats("tottime").print_stats(15)
        Path(profile).write_text(stats.getvalue(), encoding="utf-8")
    else:
        seconds, count, client, server = run(Path(path), url)
    print(seconds, count, client, server)


def _in_child(
    what: str, path: Path, url: str, profile: Path | None = None
) -> tuple[float, int, float, float]:
    """Run one measurement in a fresh process: seconds, count, client and server CPU."""
    args = [sys.executable, __file__, "--child", what, str(path), url]
    if profile is not None:
        args.append(str(profile))
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout.split()
    return float(out[0]), int(out[1]), float(out[2]), float(out[3])


@contextmanager
def _scratch_database(url: str) -> Iterator[str]:
    """Create ``dvbench_<pid>`` on the server of ``url``; yield its URL; drop it."""
    name = f"dvbench_{os.getpid()}"
    admin = _conninfo(str(sa.make_url(url).set(database="postgres")))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    try:
        yield str(sa.make_url(url).set(database=name).render_as_string(hide_password=False))
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def main(n: int, url: str, profile: bool) -> None:
    """Run the comparison and print a table of times and ratios."""
    runs = ["bound", "dvcore"]
    labels = {
        "floor": "plain COPY (psycopg, text)",
        "bound": "bound: least checks, COPY",
        "dvcore": "dvcore import (COPY)",
    }
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events.jsonl"
        lines = write_workload(path, n)
        results: dict[str, tuple[float, int, float, float]] = {}
        profiles: dict[str, str] = {}
        with _scratch_database(url) as db_url:
            with psycopg.connect(_conninfo(db_url), autocommit=True) as conn:
                for what in ["floor", *runs]:
                    conn.execute(f'CREATE SCHEMA "{what}"')
            for what in ["floor", *runs]:
                results[what] = _in_child(what, path, _schema_url(db_url, what))
            if profile:
                for what in runs:
                    schema = f"{what}_profile"
                    with psycopg.connect(_conninfo(db_url), autocommit=True) as conn:
                        conn.execute(f'CREATE SCHEMA "{schema}"')
                    out = Path(tmp) / f"{what}.prof.txt"
                    _in_child(what, path, _schema_url(db_url, schema), out)
                    profiles[what] = out.read_text(encoding="utf-8")
    t_floor, copied, _client, _server = results["floor"]
    print(f"events: {lines:,} lines; plain COPY {copied:,} rows", end="")
    for what in runs:
        print(f"; {labels[what]} appended {results[what][1]:,}", end="")
    print()
    print(
        f"{'measure':<36}{'seconds':>10}{'events/s':>12}{'× COPY':>9}"
        f"{'client CPU s':>14}{'server CPU s':>14}"
    )
    for what in ["floor", *runs]:
        t, _count, client, server = results[what]
        print(
            f"{labels[what]:<36}{t:>10.2f}{lines / t:>12,.0f}{t / t_floor:>9.2f}"
            f"{client:>14.2f}{server:>14.2f}"
        )
    for what, text in profiles.items():
        print(f"\n--- cProfile of {labels[what]} (top 15 by own time) ---")
        print(text.strip())


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        _child(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5] if len(sys.argv) > 5 else None)
    else:
        parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
        parser.add_argument("events", nargs="?", type=int, default=100_000)
        parser.add_argument("--url", default=os.environ.get("DVCORE_PG_URL") or DEFAULT_URL)
        parser.add_argument("--profile", action="store_true", help="cProfile the dvcore runs")
        args = parser.parse_args()
        main(args.events, args.url, args.profile)
