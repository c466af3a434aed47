"""The store's command line: init, import, snapshot, verify, plugins (DESIGN.md §6).

Through the real command line: click's runner in-process, and a subprocess where what the
user sees matters (no traceback). Every test runs on each backend of the ``store_url``
fixture.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

import dvcore
from dvcore._builtin import demo
from dvcore.cli import main
from dvcore.store import schema
from dvcore.testing.store_contract import unit_events

DEMO_EVENTS = len(demo.hai_phong_events())


def dvcore_command() -> list[str]:
    """The installed ``dvcore`` script next to this Python, or ``python -m dvcore.cli``."""
    script = Path(sys.executable).with_name("dvcore")
    return [str(script)] if script.exists() else [sys.executable, "-m", "dvcore.cli"]


def run(url: str, *args: str | Path) -> Result:
    """``dvcore --store URL ARGS…`` in-process."""
    return CliRunner().invoke(main, ["--store", url, *map(str, args)], catch_exceptions=True)


def head(url: str) -> int:
    with dvcore.open_store(url, create=False) as store:
        return store.head()


def write_jsonl(path: Path, events: list[Any]) -> Path:
    with open(path, "w", encoding="utf-8") as fh:
        for event in events:
            fh.write(json.dumps(event, ensure_ascii=False) + "\n")
    return path


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Hai Phong demo data set as a JSON Lines file."""
    from dvcore._builtin.demo import hai_phong_events

    return write_jsonl(tmp_path_factory.mktemp("demo") / "hai-phong-2023.jsonl", hai_phong_events())


@pytest.fixture(scope="module")
def bad_file(demo_file: Path) -> Path:
    """The demo file with a bad date on line 31 and an unknown unit on line 40."""
    lines = demo_file.read_text(encoding="utf-8").splitlines()
    row = json.loads(lines[30])
    row["occurred_on"] = "2023-02-30"
    lines[30] = json.dumps(row, ensure_ascii=False)
    row = json.loads(lines[39])
    row["unit"] = "HP.NOWHERE"
    lines[39] = json.dumps(row, ensure_ascii=False)
    path = demo_file.with_name("hai-phong-2023-bad.jsonl")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def cli_store(store_url: str) -> str:
    """A fresh store made with ``dvcore init``."""
    result = run(store_url, "init")
    assert result.exit_code == 0, result.output
    return store_url


def snapshot_json(url: str, unit: str = "HP", period: str = "2023-9M") -> dict[str, Any]:
    result = run(url, "snapshot", "--unit", unit, "--period", period, "--format", "json")
    assert result.exit_code == 0, result.output
    out: dict[str, Any] = json.loads(result.stdout)
    return out


def assert_clean_failure(result: Result, code: int = 2) -> None:
    """Exit ``code`` with a message, never an unexpected exception."""
    assert result.exit_code == code, result.output
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert result.stderr.startswith("Error: ")


# --- init and import ----------------------------------------------------------------------


def test_init(store_url: str) -> None:
    first = run(store_url, "init")
    assert first.exit_code == 0, first.output
    assert "(0 events)" in first.stdout
    again = run(store_url, "init")  # idempotent
    assert again.exit_code == 0
    assert head(store_url) == 0


def test_import_and_snapshot_give_the_golden_counts(cli_store: str, demo_file: Path) -> None:
    result = run(cli_store, "import", demo_file)
    assert result.exit_code == 0, result.output
    assert f"appended {DEMO_EVENTS} events, 0 already stored" in result.stdout
    snap = snapshot_json(cli_store)
    assert snap["unit"] == "HP"
    assert snap["period"] == {"spec": "2023-9M", "start": "2023-01-01", "end": "2023-09-30"}
    assert snap["as_known_at"] is None
    dialogues = snap["indicators"]["dialogue.count"]
    assert dialogues["value"] == 470
    assert dialogues["by"]["level"] == {"city": 6, "district": 112, "commune": 352}
    models = snap["indicators"]["model.registered"]
    assert models["value"] == 2035
    assert models["by"]["field"]["ntm_model"] == 367
    assert models["by"]["field"]["urban"] == 296
    assert sum(models["by"]["field"].values()) == 2035

    # a second import appends nothing and changes no figure
    again = run(cli_store, "import", demo_file)
    assert again.exit_code == 0, again.output
    assert f"appended 0 events, {DEMO_EVENTS} already stored" in again.stdout
    assert head(cli_store) == DEMO_EVENTS
    assert snapshot_json(cli_store) == snap
    verified = run(cli_store, "verify")
    assert verified.exit_code == 0
    assert f"ok: {DEMO_EVENTS} events verify" in verified.stdout


def test_snapshot_table(cli_store: str, demo_file: Path) -> None:
    assert run(cli_store, "import", demo_file).exit_code == 0
    result = run(cli_store, "snapshot", "--unit", "HP", "--period", "2023-9M")
    assert result.exit_code == 0, result.output
    assert "dialogue.count" in result.stdout
    assert "2.035" in result.stdout  # Vietnamese thousands


def test_a_bad_line_refuses_the_whole_file(cli_store: str, bad_file: Path) -> None:
    """Exit 2, the file, line and field of both bad lines, no traceback, nothing written."""
    env = {**os.environ, "DVCORE_STORE": cli_store}
    proc = subprocess.run(
        [*dvcore_command(), "import", str(bad_file)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    lines = proc.stderr.splitlines()
    date_line = next(line for line in lines if "row 31" in line)
    assert str(bad_file) in date_line
    assert "'occurred_on'" in date_line
    assert "2023-02-30" in date_line
    unit_line = next(line for line in lines if "row 40" in line)
    assert str(bad_file) in unit_line
    assert "'unit'" in unit_line
    assert "HP.NOWHERE" in unit_line
    assert "nothing was written" in proc.stderr
    assert head(cli_store) == 0


def test_a_bad_file_writes_nothing_into_a_full_store(
    cli_store: str, demo_file: Path, bad_file: Path, tmp_path: Path
) -> None:
    """Nothing of the refused files is written, even the good one imported with it."""
    assert run(cli_store, "import", demo_file).exit_code == 0
    before = snapshot_json(cli_store)
    extra = write_jsonl(
        tmp_path / "extra.jsonl",
        [
            {
                "type": "DialogueHeld",
                "occurred_on": "2023-05-05",
                "unit": "HP",
                "data": {"host": "chairman"},
            },
        ],
    )
    result = run(cli_store, "import", extra, bad_file)
    assert_clean_failure(result)
    assert head(cli_store) == DEMO_EVENTS
    assert snapshot_json(cli_store) == before


def test_dry_run_writes_nothing(cli_store: str, demo_file: Path, bad_file: Path) -> None:
    result = run(cli_store, "import", "--dry-run", demo_file)
    assert result.exit_code == 0, result.output
    assert f"would append {DEMO_EVENTS} events" in result.stdout
    assert head(cli_store) == 0
    assert_clean_failure(run(cli_store, "import", "--dry-run", bad_file))
    assert head(cli_store) == 0
    assert run(cli_store, "import", demo_file).exit_code == 0
    assert head(cli_store) == DEMO_EVENTS


def test_actor_is_recorded(cli_store: str, tmp_path: Path) -> None:
    from dvcore.serialization import event_to_dict

    units = write_jsonl(tmp_path / "units.jsonl", [event_to_dict(e) for e in unit_events()])
    assert run(cli_store, "import", units).exit_code == 0
    facts = write_jsonl(
        tmp_path / "facts.jsonl",
        [
            {
                "type": "DialogueHeld",
                "occurred_on": "2023-05-05",
                "unit": "HP.D1.C1",
                "data": {"host": "chairman"},
            },
        ],
    )
    result = CliRunner().invoke(
        main, ["--store", cli_store, "--actor", "HP.D1", "import", str(facts)]
    )
    assert result.exit_code == 0, result.output
    with dvcore.open_store(cli_store, create=False) as store:
        assert [r.actor for r in store.read()] == [None] * len(unit_events()) + ["HP.D1"]


def test_rows_without_a_key_are_keyed_by_file_and_line(cli_store: str, tmp_path: Path) -> None:
    """Re-importing a file whose lines carry no source_ref still appends nothing."""
    from dvcore.serialization import event_to_dict

    events = [
        {k: v for k, v in event_to_dict(e).items() if k not in ("source_ref", "id")}
        for e in unit_events()
    ]
    path = write_jsonl(tmp_path / "keyless.jsonl", events)
    assert run(cli_store, "import", path).exit_code == 0
    again = run(cli_store, "import", path)
    assert again.exit_code == 0
    assert "appended 0 events" in again.stdout
    assert head(cli_store) == len(events)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.jsonl", None, "no such file"),
        ("events.xyz", "{}\n", "no channel"),
        ("broken.jsonl", '{"type": "DialogueHeld",\n', "row 1"),
        ("list.jsonl", "[1, 2]\n", "row 1"),
    ],
)
def test_unreadable_input(
    cli_store: str, tmp_path: Path, name: str, content: str | None, message: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_text(content, encoding="utf-8")
    result = run(cli_store, "import", path)
    assert_clean_failure(result)
    assert message in result.stderr


# --- snapshot errors ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--unit", "HP.NOWHERE", "--period", "2023-9M"], "HP.NOWHERE"),
        (["--unit", "HP", "--period", "2023-Q5"], "2023-Q5"),
        (["--unit", "HP", "--period", "2023-13"], "2023-13"),
        (["--unit", "HP", "--period", "2023-9M", "--as-known-at", "yesterday"], "yesterday"),
    ],
)
def test_snapshot_bad_input(cli_store: str, tmp_path: Path, args: list[str], message: str) -> None:
    assert (
        run(cli_store, "import", write_jsonl(tmp_path / "u.jsonl", [_unit_dict()])).exit_code == 0
    )
    result = run(cli_store, "snapshot", *args, "--format", "json")
    assert_clean_failure(result)
    assert message in result.stderr
    assert result.stdout == ""


def test_snapshot_without_a_store(tmp_path: Path) -> None:
    result = run(
        f"sqlite:///{tmp_path / 'none.db'}", "snapshot", "--unit", "HP", "--period", "2023"
    )
    assert_clean_failure(result)
    assert "dvcore init" in result.stderr


# --- verify and plugins -----------------------------------------------------------------------


def test_verify_names_the_first_bad_position(cli_store: str, demo_file: Path) -> None:
    assert run(cli_store, "import", demo_file).exit_code == 0
    store = dvcore.open_store(cli_store, create=False)
    t = schema.events
    with store.engine.begin() as conn:  # the tamper: an edited payload
        conn.execute(t.update().where(t.c.position == 1234).values(payload={"host": "other"}))
    store.close()
    result = run(cli_store, "verify")
    assert_clean_failure(result, 1)
    assert "position 1234" in result.stderr


def test_plugins_lists_the_channel_and_event_types() -> None:
    result = CliRunner().invoke(main, ["plugins"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    rows = [line for line in result.stdout.splitlines() if "│" in line]
    cells = [[c.strip() for c in line.strip("│ ").split("│")] for line in rows]
    assert ["channel", "jsonl", "dvcore"] in cells
    types = {name for kind, name, _by in cells if kind == "event type"}
    assert types == {t.type_name for t in dvcore.events.CORE_EVENT_TYPES}


# --- helpers for parametrized tests --------------------------------------------------------------


def _unit_dict() -> dict[str, Any]:
    return {
        "type": "UnitRegistered",
        "occurred_on": "2020-01-01",
        "unit": "HP",
        "data": {
            "code": "HP",
            "name": "Thành phố Hải Phòng",
            "kind": "city",
            "parent": None,
            "attributes": {},
        },
        "source_ref": "unit:HP",
    }
