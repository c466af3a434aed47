"""Units over time, through the store: the tree as of a date, moves, merges, closures.

Each test records a small tree and a few facts, then asks the store for snapshots on the
tree as it was (``tree="as-of"``) and on the tree as it is now (``tree="current"``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from dvcore._builtin import demo
from dvcore.errors import UnknownUnitError, ValidationError

Event = dict[str, Any]


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def unit(
    code: str, kind: str, parent: str | None, day: str = "2020-01-01", **attributes: Any
) -> Event:
    return {
        "type": "UnitRegistered",
        "occurred_on": day,
        "unit": parent or code,
        "data": {
            "code": code,
            "name": f"Đơn vị {code}",
            "kind": kind,
            "parent": parent,
            "attributes": attributes,
        },
    }


def dialogue(code: str, day: str, host: str = "chairman") -> Event:
    return {"type": "DialogueHeld", "occurred_on": day, "unit": code, "data": {"host": host}}


def dialogues(store: Any, code: str, period: str, tree: str = "as-of") -> Any:
    return store.snapshot(code, period, tree=tree).value("dialogue.count")


# A city with two districts; district A has two communes, district B one ward.
TREE = [
    unit("C", "city", None),
    unit("C.A", "district", "C"),
    unit("C.B", "district", "C"),
    unit("C.A.1", "commune", "C.A", ntm_model=True),
    unit("C.A.2", "commune", "C.A"),
    unit("C.B.1", "ward", "C.B"),
]


# --- the tree as of a date ----------------------------------------------------------------


def test_tree_as_of_any_date(store: Any) -> None:
    store.append(
        [
            *TREE,
            unit("C.B.2", "ward", "C.B", day="2023-04-01"),
            {
                "type": "UnitChanged",
                "occurred_on": "2023-07-01",
                "unit": "C.A",
                "data": {"code": "C.A.2", "parent": "C.B", "name": "Xã Mới"},
            },
            {
                "type": "UnitClosed",
                "occurred_on": "2023-10-01",
                "unit": "C.B",
                "data": {"code": "C.B.1"},
            },
        ]
    )
    tree = store.state().tree
    assert tree.subtree("C.A", d("2023-06-30")) == ["C.A", "C.A.1", "C.A.2"]
    assert tree.subtree("C.A", d("2023-07-01")) == ["C.A", "C.A.1"]
    assert sorted(tree.subtree("C.B", d("2023-03-31"))) == ["C.B", "C.B.1"]
    assert sorted(tree.subtree("C.B", d("2023-07-01"))) == ["C.A.2", "C.B", "C.B.1", "C.B.2"]
    assert sorted(tree.subtree("C.B", d("2023-10-01"))) == ["C.A.2", "C.B", "C.B.2"]
    assert tree.state("C.A.2", d("2023-06-30")).parent == "C.A"
    assert tree.state("C.A.2", d("2023-06-30")).name == "Đơn vị C.A.2"
    assert tree.state("C.A.2", d("2023-07-01")).parent == "C.B"
    assert tree.state("C.A.2", d("2023-07-01")).name == "Xã Mới"
    assert tree.state("C.A.2").parent == "C.B"
    assert tree.ancestors("C.A.2", d("2023-01-01")) == ["C.A", "C"]
    assert tree.ancestors("C.A.2", d("2024-01-01")) == ["C.B", "C"]
    assert not tree.exists("C.B.2", d("2023-03-31"))
    assert tree.exists("C.B.2", d("2023-04-01"))
    assert tree.exists("C.B.1", d("2023-09-30"))
    assert not tree.exists("C.B.1", d("2023-10-01"))
    assert tree.state("C.A.1").attributes == {"ntm_model": True}
    assert tree.level("C") == "city"
    assert tree.level("C.A") == "district"
    assert tree.level("C.B.1") == "commune"


def test_a_unit_change_recorded_late_lands_on_its_day(store: Any) -> None:
    store.append([*TREE, dialogue("C.A.2", "2023-03-10"), dialogue("C.A.2", "2023-09-10")])
    before = store.snapshot("C.A", "2023").to_dict()
    store.append(
        [
            {
                "type": "UnitChanged",
                "occurred_on": "2023-07-01",
                "unit": "C.A",
                "data": {"code": "C.A.2", "parent": "C.B"},
            }
        ]
    )
    assert before["indicators"]["dialogue.count"]["value"] == 2
    assert dialogues(store, "C.A", "2023") == 1
    assert dialogues(store, "C.B", "2023") == 1


def test_unit_changed_moves_a_commune_mid_year(store: Any) -> None:
    store.append(
        [
            *TREE,
            dialogue("C.A.2", "2023-03-10"),
            dialogue("C.A.2", "2023-06-30"),
            dialogue("C.A.2", "2023-07-01"),
            dialogue("C.A.2", "2023-09-10"),
            dialogue("C.A.2", "2023-11-20"),
            dialogue("C.A.1", "2023-05-05"),
            dialogue("C.B.1", "2023-08-08"),
            {
                "type": "UnitChanged",
                "occurred_on": "2023-07-01",
                "unit": "C.A",
                "data": {"code": "C.A.2", "parent": "C.B"},
            },
        ]
    )
    # as-of: the facts before the move count for the old district, after it for the new
    assert dialogues(store, "C.A", "2023") == 2 + 1
    assert dialogues(store, "C.B", "2023") == 3 + 1
    assert dialogues(store, "C.A", "2023-H1") == 3
    assert dialogues(store, "C.B", "2023-H1") == 0
    assert dialogues(store, "C.A", "2023-H2") == 0
    assert dialogues(store, "C.B", "2023-H2") == 4
    assert dialogues(store, "C.A.2", "2023") == 5  # the commune's own total does not move
    # the city's total is unchanged, on both trees
    assert dialogues(store, "C", "2023") == 7
    assert dialogues(store, "C", "2023", tree="current") == 7
    # current: the whole history of the commune counts for its district of today
    assert dialogues(store, "C.A", "2023", tree="current") == 1
    assert dialogues(store, "C.B", "2023", tree="current") == 6
    # the breakdown by level follows the units' kinds, not their place
    assert store.snapshot("C.B", "2023").by("dialogue.count", "level") == {"commune": 4}
    # units_with counts the commune once in each district it held a dialogue in
    assert store.snapshot("C.A", "2023").value("dialogue.units_with") == 2
    assert store.snapshot("C.B", "2023").value("dialogue.units_with") == 2
    assert store.snapshot("C", "2023").value("dialogue.units_with") == 3


# --- merges ---------------------------------------------------------------------------------


MERGE_TREE = [
    unit("C", "city", None),
    unit("C.D", "district", "C"),
    unit("C.D.W1", "ward", "C.D"),
    unit("C.D.W2", "ward", "C.D"),
    unit("C.D.W3", "ward", "C.D"),
    unit("C.D.W4", "ward", "C.D"),
]
MERGE = [
    unit("C.N", "ward", "C", day="2025-07-01"),
    {
        "type": "UnitsMerged",
        "occurred_on": "2025-07-01",
        "unit": "C",
        "data": {"sources": ["C.D.W1", "C.D.W2", "C.D.W3"], "into": "C.N"},
    },
]


@pytest.fixture
def merged(store: Any) -> Any:
    store.append(
        [
            *MERGE_TREE,
            dialogue("C.D.W1", "2024-11-11"),
            dialogue("C.D.W1", "2025-02-01"),
            dialogue("C.D.W1", "2025-06-30"),
            dialogue("C.D.W2", "2025-03-03"),
            dialogue("C.D.W3", "2025-04-04"),
            dialogue("C.D.W3", "2025-05-05"),
            dialogue("C.D.W3", "2025-06-06"),
            dialogue("C.D.W4", "2025-03-15"),
            dialogue("C.D.W4", "2025-09-15"),
            *MERGE,
            dialogue("C.N", "2025-07-01"),
            dialogue("C.N", "2025-12-31"),
        ]
    )
    return store


def test_merge_keeps_the_parents_total_on_both_trees(merged: Any) -> None:
    for period in ("2025", "2025-H1", "2025-H2", "2025-Q3", "2024-2025"):
        as_of = merged.snapshot("C", period, tree="as-of")
        current = merged.snapshot("C", period, tree="current")
        assert as_of.to_dict()["indicators"] == current.to_dict()["indicators"]
    assert dialogues(merged, "C", "2025") == 10
    assert dialogues(merged, "C", "2024-2025") == 11


def test_merged_away_wards_report_their_first_half_on_their_own(merged: Any) -> None:
    assert dialogues(merged, "C.D.W1", "2025-H1") == 2
    assert dialogues(merged, "C.D.W1", "2025") == 2  # its year ends with it
    assert dialogues(merged, "C.D.W2", "2025") == 1
    assert dialogues(merged, "C.D.W3", "2025") == 3
    # the district keeps their first half; the new ward stands directly under the city
    assert dialogues(merged, "C.D", "2025-H1") == 7
    assert dialogues(merged, "C.D", "2025") == 8
    assert dialogues(merged, "C.N", "2025") == 2  # its own, from 1 July
    with pytest.raises(UnknownUnitError, match="did not exist"):
        merged.snapshot("C.D.W1", "2025-H2")
    with pytest.raises(UnknownUnitError, match="did not exist"):
        merged.snapshot("C.N", "2025-H1")


def test_the_current_tree_rolls_merged_history_into_the_successor(merged: Any) -> None:
    assert dialogues(merged, "C.N", "2025", tree="current") == 6 + 2
    assert dialogues(merged, "C.N", "2025-H1", tree="current") == 6
    assert dialogues(merged, "C.N", "2024", tree="current") == 1
    assert dialogues(merged, "C.D", "2025", tree="current") == 2  # only W4 is left
    assert merged.snapshot("C.N", "2025", tree="current").value("dialogue.units_with") == 4
    assert merged.snapshot("C.N", "2025").value("dialogue.units_with") == 1


@pytest.mark.parametrize("code", ["C.D.W1", "C.D.W2", "C.D.W3"])
def test_a_merged_away_unit_on_the_current_tree_names_its_successor(merged: Any, code: str) -> None:
    with pytest.raises(UnknownUnitError, match=r"C\.N") as info:
        merged.snapshot(code, "2025-H1", tree="current")
    assert info.value.code == code
    assert "current tree" in str(info.value)


def test_unknown_units(merged: Any) -> None:
    with pytest.raises(UnknownUnitError, match=r"unknown unit 'C\.X'"):
        merged.snapshot("C.X", "2025")
    with pytest.raises(UnknownUnitError):
        merged.snapshot("C.X", "2025", tree="current")
    with pytest.raises(UnknownUnitError, match="did not exist"):
        merged.snapshot("C.N", "2019")


def test_merge_chains_follow_to_the_last_successor(merged: Any) -> None:
    merged.append(
        [
            unit("C.M", "ward", "C", day="2026-01-01"),
            {
                "type": "UnitsMerged",
                "occurred_on": "2026-01-01",
                "unit": "C",
                "data": {"sources": ["C.N", "C.D.W4"], "into": "C.M"},
            },
        ]
    )
    assert dialogues(merged, "C.M", "2025", tree="current") == 10
    with pytest.raises(UnknownUnitError, match=r"C\.M"):
        merged.snapshot("C.D.W1", "2025", tree="current")
    assert dialogues(merged, "C.N", "2025") == 2
    assert dialogues(merged, "C", "2025", tree="current") == 10


# --- events after a unit ended are refused -----------------------------------------------


@pytest.mark.parametrize("day", ["2025-07-01", "2025-12-31"])
def test_an_event_after_a_merge_is_refused(merged: Any, day: str) -> None:
    head = merged.head()
    with pytest.raises(ValidationError) as info:
        merged.append([dialogue("C.D.W2", day)])
    (problem,) = info.value.problems
    assert problem.field == "unit"
    assert "merged into 'C.N' on 2025-07-01" in problem.message
    assert merged.head() == head
    # the day before the merge is fine: a late entry of the old ward's history
    merged.append([dialogue("C.D.W2", "2025-06-30")])
    assert dialogues(merged, "C.D.W2", "2025") == 2


def test_a_merge_dated_before_facts_it_would_orphan_is_refused(store: Any) -> None:
    """A merge never loses a count: ending a unit before facts it carries is refused."""
    late = {**dialogue("C.D.W1", "2025-09-01"), "id": "0b3a3c52-8f0e-4c55-9d39-2f1b6f1e0a01"}
    store.append([*MERGE_TREE, late, dialogue("C.D.W2", "2025-06-30")])
    head = store.head()
    with pytest.raises(ValidationError) as info:
        store.append(MERGE)
    (problem,) = info.value.problems
    assert problem.field == "data.sources[0]"
    assert "fact dated 2025-09-01" in problem.message
    assert store.head() == head
    with pytest.raises(ValidationError, match="fact dated 2025-09-01"):
        store.append(
            [
                {
                    "type": "UnitClosed",
                    "occurred_on": "2025-09-01",
                    "unit": "C.D",
                    "data": {"code": "C.D.W1"},
                }
            ]
        )
    # once the misdated fact is retracted, the merge goes through and nothing is lost
    store.append(
        [
            {
                "type": "EventRetracted",
                "occurred_on": "2025-09-01",
                "unit": "C.D.W1",
                "data": {"event_id": late["id"], "reason": "nhầm đơn vị"},
            },
            *MERGE,
        ]
    )
    assert dialogues(store, "C", "2025") == 1
    assert dialogues(store, "C", "2025", tree="current") == 1


def test_a_unit_ends_only_once(merged: Any) -> None:
    with pytest.raises(ValidationError, match=r"already merged into 'C\.N' on 2025-07-01"):
        merged.append(
            [
                {
                    "type": "UnitsMerged",
                    "occurred_on": "2025-05-01",
                    "unit": "C",
                    "data": {"sources": ["C.D.W1"], "into": "C.D.W4"},
                }
            ]
        )
    with pytest.raises(ValidationError, match=r"already merged into 'C\.N' on 2025-07-01"):
        merged.append(
            [
                {
                    "type": "UnitClosed",
                    "occurred_on": "2025-04-01",
                    "unit": "C",
                    "data": {"code": "C.D.W2"},
                }
            ]
        )
    assert merged.state().tree.successor("C.D.W1") == "C.N"
    assert dialogues(merged, "C.N", "2025", tree="current") == 8


def test_an_event_after_a_closure_is_refused(store: Any) -> None:
    store.append(
        [
            *TREE,
            dialogue("C.B.1", "2023-02-02"),
            {
                "type": "UnitClosed",
                "occurred_on": "2023-06-01",
                "unit": "C.B",
                "data": {"code": "C.B.1"},
            },
        ]
    )
    with pytest.raises(ValidationError, match="closed on 2023-06-01"):
        store.append([dialogue("C.B.1", "2023-06-01")])
    with pytest.raises(ValidationError, match="closed on 2023-06-01"):
        store.append(
            [
                {
                    "type": "TaskAssigned",
                    "occurred_on": "2023-07-01",
                    "unit": "C",
                    "data": {"task_id": "t1", "conclusion": "KL", "owner": "C.B.1", "text": "Việc"},
                }
            ]
        )
    store.append([dialogue("C.B.1", "2023-05-31")])
    # history stays with the closed unit as of then, and rolls into its parent now
    assert dialogues(store, "C.B.1", "2023") == 2
    assert dialogues(store, "C.B", "2023") == 2
    assert dialogues(store, "C.B", "2023", tree="current") == 2
    with pytest.raises(UnknownUnitError):
        store.snapshot("C.B.1", "2023", tree="current")


def test_an_event_before_registration_is_refused(store: Any) -> None:
    store.append(TREE)
    store.append([unit("C.B.2", "ward", "C.B", day="2023-04-01")])
    with pytest.raises(ValidationError, match="registered on 2023-04-01"):
        store.append([dialogue("C.B.2", "2023-03-31")])


def test_a_merge_into_an_unregistered_unit_is_refused(store: Any) -> None:
    store.append(MERGE_TREE)
    with pytest.raises(ValidationError) as info:
        store.append([MERGE[1]])
    assert [p.field for p in info.value.problems] == ["data.into"]


# --- the demo: three wards of Hồng Bàng merged on 1/7/2025 --------------------------------


def test_demo_merge_reports_on_both_trees(store: Any) -> None:
    store.append(demo.hai_phong_events())
    store.append(demo.merge_2025_events())
    sources = demo.MERGED_WARD_SOURCES
    new = demo.MERGED_WARD
    # the parent's total: the same on both trees
    for period in ("2025", "2025-H1", "2025-H2", "2023-9M"):
        assert (
            store.snapshot("HP", period).to_dict()["indicators"]
            == store.snapshot("HP", period, tree="current").to_dict()["indicators"]
        )
    assert dialogues(store, "HP", "2025") == 9
    assert dialogues(store, "HP", "2023-9M", tree="current") == 470
    # as-of: the old wards keep their first half, the district keeps it too
    for code in sources:
        assert dialogues(store, code, "2025-H1") == 2
        assert dialogues(store, code, "2025") == 2
    assert dialogues(store, "HP.HB", "2025") == 6
    assert dialogues(store, new, "2025") == 3
    # current: the new ward carries the old wards' history, 2023 included
    assert dialogues(store, new, "2025", tree="current") == 9
    assert dialogues(store, "HP.HB", "2025", tree="current") == 0
    in_2023 = sum(dialogues(store, code, "2023-9M") for code in sources)
    assert dialogues(store, new, "2023-9M", tree="current") == in_2023
    assert (
        dialogues(store, "HP.HB", "2023-9M", tree="current")
        == dialogues(store, "HP.HB", "2023-9M") - in_2023
    )
    for code in sources:
        with pytest.raises(UnknownUnitError, match=new.replace(".", r"\.")):
            store.snapshot(code, "2025", tree="current")
    with pytest.raises(ValidationError, match="merged into"):
        store.append([dialogue(sources[0], "2025-08-01")])
