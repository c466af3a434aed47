"""dvcore.testing: ids that never repeat across draws, a store per example, the contracts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dvcore.testing import Clock, temporary_store
from dvcore.testing import strategies as dvst
from dvcore.testing.contracts import InputChannelContract


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_separate_batches_never_share_an_event_id(data: st.DataObject) -> None:
    tree = data.draw(dvst.unit_trees())
    first = data.draw(dvst.core_events(tree, min_size=1))
    second = data.draw(dvst.core_events(tree, min_size=1))
    ids = [e["id"] for e in (*first, *second)]
    assert len(ids) == len(set(ids))


@settings(max_examples=40, deadline=None)
@given(
    a=st.lists(dvst.event_envelopes, min_size=1, max_size=3),
    b=st.lists(dvst.event_envelopes, min_size=1, max_size=3),
)
def test_separate_envelope_lists_never_share_an_event_id(a: list[Any], b: list[Any]) -> None:
    ids = [e.id for e in (*a, *b)]
    assert len(ids) == len(set(ids))


def test_event_ids_repeat_nothing_even_from_equal_draws() -> None:
    # The simplest example Hypothesis tries draws the same (all-zero) UUID twice.
    @settings(max_examples=5, database=None)
    @given(ids=st.tuples(dvst.event_ids(), dvst.event_ids(), dvst.event_ids()))
    def check(ids: tuple[Any, ...]) -> None:
        assert len(set(ids)) == 3

    check()


@settings(max_examples=10, deadline=None)
@given(data=st.data())
def test_temporary_store_is_fresh_in_every_example(data: st.DataObject) -> None:
    tree = data.draw(dvst.unit_trees())
    with temporary_store() as store:
        assert store.head() == 0
        result = store.append(list(tree.events))
        assert result.appended == len(tree.events)


def test_temporary_store_records_at_its_clock() -> None:
    clock = Clock(dt.datetime(2024, 1, 2, 3, 4, tzinfo=dt.UTC))
    with temporary_store(clock=clock) as store:
        event = {
            "type": "UnitRegistered",
            "occurred_on": "2020-01-01",
            "unit": "HP",
            "data": {"code": "HP", "name": "Hải Phòng", "kind": "city"},
        }
        assert store.append([event]).recorded_at == clock.now
    with pytest.raises(ValueError, match="timezone-aware"):
        Clock(dt.datetime(2024, 1, 2))


class _Stop(Exception):
    pass


class _Probe(InputChannelContract):
    """Records whether the directory it is handed exists, then stops the case."""

    seen: list[bool]

    def write_events(self, directory: Path, events: Sequence[Mapping[str, Any]]) -> list[Path]:
        self.seen.append(directory.is_dir())
        raise _Stop


@pytest.mark.parametrize(
    "case", ["test_import_gives_the_figures_of_json_lines", "test_every_problem_at_once"]
)
def test_the_channel_contract_creates_the_folders_it_writes_into(case: str, tmp_path: Path) -> None:
    probe = _Probe()
    probe.seen = []
    with pytest.raises(_Stop):
        getattr(probe, case)(None, tmp_path)
    assert probe.seen == [True]
