"""Actors and scopes: an actor records only for units in its own subtree, as of each date."""

from __future__ import annotations

from typing import Any

import pytest

from dvcore.errors import ValidationError


def _dialogue(unit: str, day: str = "2023-03-30") -> dict[str, Any]:
    return {"type": "DialogueHeld", "occurred_on": day, "unit": unit, "data": {"host": "chairman"}}


def _unit(code: str, parent: str | None, kind: str, day: str = "2020-01-01") -> dict[str, Any]:
    return {
        "type": "UnitRegistered",
        "occurred_on": day,
        "unit": parent or code,
        "data": {"code": code, "name": code, "kind": kind, "parent": parent},
    }


@pytest.fixture
def tree(store: Any) -> Any:
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
    return store


def test_an_actor_records_for_its_own_subtree(tree: Any) -> None:
    result = tree.append([_dialogue("HB"), _dialogue("HB1")], actor="HB")
    assert result.appended == 2
    assert {e.actor for e in tree.read(after=5)} == {"HB"}


def test_one_event_outside_the_scope_refuses_the_whole_batch(tree: Any) -> None:
    head = tree.head()
    with pytest.raises(ValidationError) as info:
        tree.append([_dialogue("HB1"), _dialogue("NQ1")], actor="HB")
    [problem] = info.value.problems
    assert problem.row == 2
    assert problem.field == "unit"
    assert "NQ1" in problem.message
    assert "HB" in problem.message
    assert tree.head() == head


def test_the_scope_is_taken_as_of_each_event_date(tree: Any) -> None:
    tree.append(
        [
            {
                "type": "UnitChanged",
                "occurred_on": "2024-01-01",
                "unit": "HP",
                "data": {"code": "NQ1", "parent": "HB"},
            }
        ],
        actor="HP",
    )
    assert tree.append([_dialogue("NQ1", "2024-02-01")], actor="HB").appended == 1
    with pytest.raises(ValidationError):
        tree.append([_dialogue("NQ1", "2023-12-31")], actor="HB")


def test_a_unit_cannot_be_moved_out_of_reach(tree: Any) -> None:
    with pytest.raises(ValidationError) as info:
        tree.append(
            [
                {
                    "type": "UnitChanged",
                    "occurred_on": "2024-01-01",
                    "unit": "HB",
                    "data": {"code": "HB1", "parent": "NQ"},
                }
            ],
            actor="HB",
        )
    assert info.value.problems[0].field == "data.parent"


def test_an_unknown_actor_records_nothing(tree: Any) -> None:
    with pytest.raises(ValidationError, match="not a registered unit"):
        tree.append([_dialogue("HB1")], actor="XX")


def test_no_actor_means_no_scope(tree: Any) -> None:
    assert tree.append([_dialogue("NQ1"), _dialogue("HB1")]).appended == 2
