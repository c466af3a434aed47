"""``dvcore --actor UNIT import``: an actor records only inside its own subtree.

Through the command line, on every backend: a batch with one event outside the actor's
subtree is refused whole (exit 2, the unit and row named, nothing written), and the actor
is kept on every event of a batch that is accepted. Authentication is the host's: dvcore
takes the actor it is given and enforces what that actor may record (docs/reliability.md).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from dvcore import open_store
from dvcore.cli import main


def _unit(code: str, parent: str | None, kind: str) -> dict[str, Any]:
    return {
        "type": "UnitRegistered",
        "occurred_on": "2020-01-01",
        "unit": parent or code,
        "data": {"code": code, "name": f"Đơn vị {code}", "kind": kind, "parent": parent},
    }


def _dialogue(unit: str, n: int, day: str = "2023-03-30") -> dict[str, Any]:
    return {
        "type": "DialogueHeld",
        "occurred_on": day,
        "unit": unit,
        "data": {"host": "chairman", "participants": n},
        "source_ref": f"dl:{unit}:{n}",
    }


def _jsonl(path: Path, events: Sequence[dict[str, Any]]) -> Path:
    path.write_text(
        "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in events), encoding="utf-8"
    )
    return path


def _run(store_url: str, *args: str, actor: str | None = None) -> Result:
    head = ["--store", store_url] + (["--actor", actor] if actor else [])
    return CliRunner().invoke(main, [*head, *args], catch_exceptions=False)


@pytest.fixture
def tree(store_url: str) -> str:
    """HP (city) > HB, NQ (districts) > HB1, NQ1 (wards), recorded by HP."""
    with open_store(store_url) as store:
        store.append(
            [
                _unit("HP", None, "city"),
                _unit("HB", "HP", "district"),
                _unit("NQ", "HP", "district"),
                _unit("HB1", "HB", "ward"),
                _unit("NQ1", "NQ", "ward"),
            ],
            actor="HP",
        )
    return store_url


def _state(store_url: str) -> tuple[int, str, bool]:
    with open_store(store_url, create=False) as store:
        report = store.verify()
        return store.head(), report.head_hash, report.ok


def test_a_batch_inside_the_subtree_is_recorded_with_its_actor(tree: str, tmp_path: Path) -> None:
    events = [_dialogue("HB", 1), _dialogue("HB1", 2), _dialogue("HB1", 3)]
    path = _jsonl(tmp_path / "hb.jsonl", events)
    result = _run(tree, "import", str(path), actor="HB")
    assert result.exit_code == 0, result.output
    assert "appended 3 events" in result.output
    with open_store(tree, create=False) as store:
        recorded = list(store.read(after=5))
        assert [(e.unit, e.actor) for e in recorded] == [("HB", "HB"), ("HB1", "HB"), ("HB1", "HB")]
        assert [e.actor for e in store.read(upto=5)] == ["HP"] * 5
        assert store.verify().ok


def test_one_event_outside_the_subtree_refuses_the_whole_file(tree: str, tmp_path: Path) -> None:
    before = _state(tree)
    events = [_dialogue("HB", 1), _dialogue("HB1", 2), _dialogue("NQ1", 3), _dialogue("HB", 4)]
    path = _jsonl(tmp_path / "mixed.jsonl", events)
    result = _run(tree, "import", str(path), actor="HB")
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "nothing was written" in result.output
    [line] = [ln for ln in result.output.splitlines() if "NQ1" in ln]
    assert "mixed.jsonl, row 3, field 'unit'" in line
    assert "actor 'HB' may not record for unit 'NQ1'" in line
    assert _state(tree) == before


def test_every_file_of_an_import_is_refused_with_the_one_outside(tree: str, tmp_path: Path) -> None:
    before = _state(tree)
    good = _jsonl(tmp_path / "good.jsonl", [_dialogue("HB", n) for n in range(50)])
    bad = _jsonl(tmp_path / "bad.jsonl", [_dialogue("HB1", 1), _dialogue("HP", 2)])
    result = _run(tree, "import", str(good), str(bad), actor="HB")
    assert result.exit_code == 2
    assert "bad.jsonl, row 2, field 'unit'" in result.output
    assert "'HP'" in result.output
    assert _state(tree) == before


def test_a_csv_row_outside_the_subtree_is_named(tree: str, tmp_path: Path) -> None:
    before = _state(tree)
    path = tmp_path / "DialogueHeld.csv"
    path.write_text(
        "occurred_on,unit,host,participants\n30/3/2023,HB1,chairman,40\n31/3/2023,NQ,chairman,25\n",
        encoding="utf-8",
    )
    result = _run(tree, "import", str(path), actor="HB")
    assert result.exit_code == 2
    assert "DialogueHeld.csv, row 3, field 'unit'" in result.output
    assert "'NQ'" in result.output
    assert _state(tree) == before


def test_a_unit_registered_under_another_subtree_is_refused(tree: str, tmp_path: Path) -> None:
    before = _state(tree)
    path = _jsonl(
        tmp_path / "units.jsonl", [_unit("HB2", "HB", "ward"), _unit("NQ2", "NQ", "ward")]
    )
    result = _run(tree, "import", str(path), actor="HB")
    assert result.exit_code == 2
    assert "row 2, field 'data.parent'" in result.output
    assert _state(tree) == before
    path = _jsonl(tmp_path / "mine.jsonl", [_unit("HB2", "HB", "ward"), _dialogue("HB2", 1)])
    assert _run(tree, "import", str(path), actor="HB").exit_code == 0
    with open_store(tree, create=False) as store:
        assert [e.actor for e in store.read(after=before[0])] == ["HB", "HB"]


def test_an_unregistered_actor_records_nothing(tree: str, tmp_path: Path) -> None:
    before = _state(tree)
    path = _jsonl(tmp_path / "x.jsonl", [_dialogue("HB", 1)])
    result = _run(tree, "import", str(path), actor="XX")
    assert result.exit_code == 2
    assert "actor 'XX' is not a registered unit" in result.output
    assert _state(tree) == before


def test_without_an_actor_nothing_is_scoped_and_no_actor_is_kept(tree: str, tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "all.jsonl", [_dialogue("HB1", 1), _dialogue("NQ1", 2)])
    result = _run(tree, "import", str(path))
    assert result.exit_code == 0, result.output
    with open_store(tree, create=False) as store:
        assert [e.actor for e in store.read(after=5)] == [None, None]


def test_the_scope_is_taken_as_of_each_event_date(tree: str, tmp_path: Path) -> None:
    # NQ1 moves under HB on 1/1/2024: HB may record for it from then on, not before.
    move = _jsonl(
        tmp_path / "move.jsonl",
        [
            {
                "type": "UnitChanged",
                "occurred_on": "2024-01-01",
                "unit": "HP",
                "data": {"code": "NQ1", "parent": "HB"},
            }
        ],
    )
    assert _run(tree, "import", str(move), actor="HP").exit_code == 0
    after = _jsonl(tmp_path / "after.jsonl", [_dialogue("NQ1", 1, "2024-02-01")])
    assert _run(tree, "import", str(after), actor="HB").exit_code == 0
    before = _state(tree)
    early = _jsonl(tmp_path / "early.jsonl", [_dialogue("NQ1", 2, "2023-12-31")])
    result = _run(tree, "import", str(early), actor="HB")
    assert result.exit_code == 2
    assert "outside HB's subtree on 2023-12-31" in result.output
    assert _state(tree) == before
