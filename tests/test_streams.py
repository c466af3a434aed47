"""Streams: a stream's version, reading one stream, idempotent retries, positions as
``as_known_at`` (on every backend of the ``store`` fixture)."""

from __future__ import annotations

from typing import Any

import pytest

from dvcore.errors import ConcurrencyError, InputError


def unit(code: str, parent: str | None = None, kind: str = "city") -> dict[str, Any]:
    """A UnitRegistered event in the JSON Lines shape."""
    return {
        "type": "UnitRegistered",
        "occurred_on": "2020-01-01",
        "unit": code,
        "data": {"code": code, "name": f"Đơn vị {code}", "kind": kind, "parent": parent},
        "source_ref": f"unit:{code}",
    }


def dialogue(code: str, n: int, ref: str | None = None, **extra: Any) -> dict[str, Any]:
    """A DialogueHeld event of ``code`` with ``n`` participants."""
    event: dict[str, Any] = {
        "type": "DialogueHeld",
        "occurred_on": "2023-05-01",
        "unit": code,
        "data": {"host": "chairman", "participants": n},
        **extra,
    }
    if ref is not None:
        event["source_ref"] = ref
    return event


def test_a_new_stream_is_at_version_0(store: Any) -> None:
    assert store.stream_version("LC.01") == 0


def test_a_stream_version_counts_its_events(store: Any) -> None:
    store.append([unit("HP"), unit("LC", kind="province")])
    assert store.stream_version("HP") == 1
    store.append([dialogue("HP", 10), dialogue("LC", 5), dialogue("HP", 12)])
    assert store.stream_version("HP") == 3
    assert store.stream_version("LC") == 2
    # an event may name a stream of its own instead of its unit's
    store.append([dialogue("HP", 3, stream="HP/dialogues")])
    assert store.stream_version("HP/dialogues") == 1
    assert store.stream_version("HP") == 3


def test_read_one_stream(store: Any) -> None:
    store.append([unit("HP"), unit("LC", kind="province")])
    store.append([dialogue("HP", 10), dialogue("LC", 5), dialogue("HP", 12)])
    hp = list(store.read(stream="HP"))
    assert [(e.stream, e.version) for e in hp] == [("HP", 1), ("HP", 2), ("HP", 3)]
    assert [e.position for e in hp] == [1, 3, 5]
    # after is a log position, for a stream too
    assert [e.version for e in store.read(after=3, stream="HP")] == [3]
    assert [e.position for e in store.read(stream="LC", types=["DialogueHeld"])] == [4]
    assert list(store.read(stream="nowhere")) == []


def test_read_keeps_its_positional_after(store: Any) -> None:
    store.append([unit("HP"), dialogue("HP", 1)])
    assert [e.position for e in store.read(1)] == [2]


def test_expected_version_passes_and_conflicts(store: Any) -> None:
    store.append([unit("HP")])
    version = store.stream_version("HP")
    store.append([dialogue("HP", 10, "d1")], expected_version=version)
    with pytest.raises(ConcurrencyError) as info:
        store.append([dialogue("HP", 11, "d2")], expected_version=version)
    assert (info.value.stream, info.value.expected, info.value.actual) == ("HP", 1, 2)
    assert store.stream_version("HP") == 2


def test_a_retried_append_succeeds_and_appends_nothing(store: Any) -> None:
    store.append([unit("HP")])
    batch = [dialogue("HP", 10, "d1"), dialogue("HP", 11, "d2")]
    first = store.append(batch, expected_version=1)
    assert first.appended == 2
    # the answer was lost; the client sends the same append again, same expected version
    retry = store.append(batch, expected_version=1)
    assert retry.appended == 0
    assert retry.positions == first.positions
    assert store.append(batch, expected_version={"HP": 1}).appended == 0
    assert store.head() == 3


def test_a_retry_by_event_id_succeeds(store: Any) -> None:
    store.append([unit("HP")])
    event = dialogue("HP", 10, id="6f1c1d1e-0000-4000-8000-000000000001")
    assert store.append([event], expected_version=1).appended == 1
    assert store.append([event], expected_version=1).appended == 0


def test_a_retry_with_a_new_event_is_a_real_conflict(store: Any) -> None:
    store.append([unit("HP")])
    store.append([dialogue("HP", 10, "d1")], expected_version=1)
    with pytest.raises(ConcurrencyError):
        store.append([dialogue("HP", 10, "d1"), dialogue("HP", 2, "d3")], expected_version=1)
    assert store.head() == 2


def test_a_key_stored_with_other_content_is_not_a_retry(store: Any) -> None:
    from dvcore.errors import ValidationError

    store.append([unit("HP")])
    store.append([dialogue("HP", 10, "d1")], expected_version=1)
    with pytest.raises((ConcurrencyError, ValidationError)):
        store.append([dialogue("HP", 99, "d1")], expected_version=1)
    assert store.head() == 2


def test_snapshot_as_known_at_a_position(store: Any, clock: Any) -> None:
    store.append([unit("HP")])
    store.append([dialogue("HP", 10)])
    clock.advance(days=1)
    store.append([dialogue("HP", 20), dialogue("HP", 30)])
    count = "dialogue.count"
    assert store.snapshot("HP", "2023", as_known_at=2).value(count) == 1
    assert store.snapshot("HP", "2023", as_known_at=3).value(count) == 2
    assert store.snapshot("HP", "2023", as_known_at=4).value(count) == 3
    # the snapshot says when the store learned what it counts
    (second,) = store.read(1, upto=2)
    assert store.snapshot("HP", "2023", as_known_at=2).as_known_at == second.recorded_at
    assert len(store.explain("HP", "2023", count, as_known_at=3).events) == 2
    assert isinstance(store.targets("HP", "2023-12-31", as_known_at=3), list)


@pytest.mark.parametrize("bad", [-1, 99, True])
def test_a_position_not_in_the_log_is_refused(store: Any, bad: Any) -> None:
    store.append([unit("HP")])
    with pytest.raises(InputError):
        store.snapshot("HP", "2023", as_known_at=bad)
