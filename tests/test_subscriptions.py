"""Subscriptions, listeners and plugin objects given to ``open_store`` (every backend).

Every wait is bounded: a subscription's ``timeout``, a thread's ``join``, a process's
``communicate``.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Sequence
from typing import Any

import attrs
import pytest
import sqlalchemy as sa

import dvcore
from dvcore.errors import InputError
from dvcore.events import EventData, RecordedEvent
from test_streams import dialogue, unit


def _collect(sub: Any, count: int, timeout: float = 0.3) -> list[RecordedEvent]:
    out = []
    for event in sub.events(timeout=timeout):
        out.append(event)
        if len(out) == count:
            break
    return out


def test_a_subscription_catches_up_then_stops_after_the_timeout(store: Any) -> None:
    store.append([unit("HP"), dialogue("HP", 1), dialogue("HP", 2)])
    with store.subscribe("dashboard") as sub:
        started = time.monotonic()
        seen = list(sub.events(timeout=0.2))
        assert time.monotonic() - started < 5
    assert [e.position for e in seen] == [1, 2, 3]
    assert all(isinstance(e, RecordedEvent) for e in seen)


def test_ack_is_kept_and_a_restarted_consumer_continues_after_it(
    store_url: str, clock: Any
) -> None:
    with dvcore.open_store(store_url, clock=clock) as store:
        store.append([unit("HP"), dialogue("HP", 1), dialogue("HP", 2)])
        sub = store.subscribe("dashboard")
        assert sub.position == 0
        first = _collect(sub, 2)
        assert [e.position for e in first] == [1, 2]
        sub.ack(first[-1].position)
        assert sub.position == 2
        sub.close()
    # a new process (here: a new Store object) opens the same consumer
    with dvcore.open_store(store_url, clock=clock, create=False) as again:
        again.append([dialogue("HP", 3)])
        with again.subscribe("dashboard") as sub:
            assert [e.position for e in sub.events(timeout=0.2)] == [3, 4]
            sub.ack(4)
        with again.subscribe("dashboard") as sub:
            assert list(sub.events(timeout=0.1)) == []
        # another name has a place of its own
        with again.subscribe("audit") as other:
            assert len(list(other.events(timeout=0.1))) == 4


def test_one_subscription_does_not_yield_an_event_twice(store: Any) -> None:
    store.append([unit("HP"), dialogue("HP", 1)])
    with store.subscribe("s") as sub:
        assert len(list(sub.events(timeout=0.1))) == 2
        store.append([dialogue("HP", 2)])
        assert [e.position for e in sub.events(timeout=0.1)] == [3]


def test_types_filter(store: Any) -> None:
    store.append([unit("HP"), dialogue("HP", 1), unit("LC"), dialogue("LC", 2)])
    with store.subscribe("dialogues", types=["DialogueHeld"]) as sub:
        seen = list(sub.events(timeout=0.2))
        assert [(e.type, e.position) for e in seen] == [("DialogueHeld", 2), ("DialogueHeld", 4)]
        sub.ack(seen[-1].position)


def test_bad_arguments_are_refused(store: Any) -> None:
    store.append([unit("HP")])
    with pytest.raises(InputError):
        store.subscribe("")
    with store.subscribe("s") as sub:
        for bad in (-1, 2, True):
            with pytest.raises(InputError):
                sub.ack(bad)
        with pytest.raises(InputError):
            list(sub.events(timeout=-1))


def test_the_consumer_table_comes_with_the_migrations(store: Any) -> None:
    from dvcore.store.migrate import current_revision

    assert sa.inspect(store.engine).has_table("dv_consumers")
    assert current_revision(store.engine) == "dv0007"


_APPENDER = textwrap.dedent(
    """
    import sys, time, dvcore
    url, worker, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with dvcore.open_store(url, create=False) as store:
        for i in range(count):
            store.append([{"type": "DialogueHeld", "occurred_on": "2023-05-01",
                           "unit": "HP", "data": {"host": "chairman", "participants": i},
                           "source_ref": f"w{worker}:{i}"}])
            if i % 20 == 0:
                time.sleep(0.01)
    """
)


@pytest.mark.parametrize("writers", [1, 2])
def test_a_consumer_sees_every_event_another_process_appends_once_in_order(
    store_url: str, writers: int
) -> None:
    total = 200
    with dvcore.open_store(store_url) as store:
        store.append([unit("HP")])
        seen: list[int] = []
        errors: list[BaseException] = []
        waiting = threading.Event()

        def consume() -> None:
            try:
                with store.subscribe("tail") as sub:
                    events = sub.events(timeout=20)
                    first = next(events)  # the unit: the consumer is listening now
                    seen.append(first.position)
                    waiting.set()
                    for event in events:
                        seen.append(event.position)
                        if len(seen) == total + 1:
                            break
            except BaseException as exc:  # reported by the main thread
                errors.append(exc)
                waiting.set()

        consumer = threading.Thread(target=consume)
        consumer.start()
        assert waiting.wait(timeout=30)
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", _APPENDER, store_url, str(w), str(total // writers)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for w in range(writers)
        ]
        for proc in procs:
            _out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
        consumer.join(timeout=60)
        assert not consumer.is_alive()
        assert not errors, errors
        assert seen == list(range(1, total + 2))
        assert store.head() == total + 1


# --- open_store: listeners and plugin objects ---------------------------------------------------


def test_listeners_are_called_after_each_append(store_url: str) -> None:
    calls: list[list[int]] = []

    def listener(events: Sequence[RecordedEvent]) -> None:
        calls.append([e.position for e in events])

    with dvcore.open_store(store_url, listeners=[listener]) as store:
        store.append([unit("HP"), dialogue("HP", 1)])
        store.append([dialogue("HP", 1)], dry_run=True)
        store.append([unit("HP")])  # stored already: nothing recorded, no call
        store.append([dialogue("HP", 2)])
    assert calls == [[1, 2], [3]]


@attrs.frozen(kw_only=True)
class BellRung(EventData):
    """A test event type a plugin object provides."""

    type_name = "BellRung"
    schema_version = 1
    times: int


class BellPlugin:
    """A plugin object: an event type and an appended-events hook, no distribution."""

    def __init__(self) -> None:
        self.appended: list[str] = []

    @dvcore.hookimpl
    def dvcore_register_event_types(self) -> list[type[EventData]]:
        return [BellRung]

    @dvcore.hookimpl
    def dvcore_events_appended(self, events: Sequence[RecordedEvent]) -> None:
        self.appended.extend(e.type for e in events)


def test_plugin_objects_are_registered_without_a_distribution(store_url: str) -> None:
    plugin = BellPlugin()
    with dvcore.open_store(store_url, plugins=[plugin]) as store:
        store.append(
            [
                unit("HP"),
                {
                    "type": "BellRung",
                    "occurred_on": "2023-05-01",
                    "unit": "HP",
                    "data": {"times": 3},
                },
            ]
        )
        (bell,) = store.read(types=["BellRung"])
        assert isinstance(bell.data, BellRung)
    assert plugin.appended == ["UnitRegistered", "BellRung"]


def test_plugins_true_and_false_still_work(store_url: str) -> None:
    with dvcore.open_store(store_url, plugins=False) as store:
        store.append([unit("HP")])
    with dvcore.open_store(store_url, plugins=True, create=False) as store:
        assert store.head() == 1


def test_the_docs_example_runs() -> None:
    from pathlib import Path

    example = Path(__file__).parent.parent / "docs" / "examples" / "streams_and_subscriptions.py"
    done = subprocess.run(
        [sys.executable, str(example)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["2 DialogueHeld 40", "3 DialogueHeld 25"]
