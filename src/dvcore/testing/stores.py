"""Stores for tests: a fresh SQLite store per test, or per Hypothesis example.

A pytest fixture is made once per test function, not once per example, so a property test
that needs an empty store in every example opens one inside the test with
:func:`temporary_store`::

    with temporary_store(clock=Clock(instant)) as store:
        store.append(events)

The store knows the core's event types and indicators and those of the ``plugins`` given
(modules with hook implementations), and no other installed plugin, so a test does not
depend on what else is installed.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from dvcore import Store, open_store
from dvcore.periods import Cutoff
from dvcore.registry import get_plugin_manager, plugin_event_types, plugin_indicators

__all__ = ["Clock", "temporary_store"]

_DEFAULT_NOW = dt.datetime(2023, 9, 20, 3, 0, tzinfo=dt.UTC)


class Clock:
    """A clock a test sets: the store records events at :attr:`now` (timezone-aware)."""

    def __init__(self, now: dt.datetime = _DEFAULT_NOW) -> None:
        if now.tzinfo is None:
            raise ValueError("a store's clock gives timezone-aware instants")
        #: The instant the store records at; set it to move time.
        self.now = now

    def __call__(self) -> dt.datetime:
        """The current instant."""
        return self.now


@contextmanager
def temporary_store(
    *,
    clock: Clock | None = None,
    plugins: Iterable[object] = (),
    cutoff: Cutoff = "calendar",
) -> Iterator[Store]:
    """A new, empty SQLite store in a temporary directory, closed and removed on exit.

    :param clock: when events are recorded (default: a :class:`Clock` at 20/9/2023 10:00
        in Hanoi, so results do not depend on the day the test runs).
    :param plugins: plugin modules whose event types and indicators the store knows.
    :param cutoff: the store's period cut-off (``calendar`` or ``decree09``).
    """
    pm = get_plugin_manager(autoload=False, plugins=plugins)
    with tempfile.TemporaryDirectory(prefix="dvcore-test-") as directory:
        store = open_store(
            f"sqlite:///{Path(directory) / 'store.db'}",
            clock=clock or Clock(),
            cutoff=cutoff,
            event_types=plugin_event_types(pm),
            indicators=plugin_indicators(pm),
        )
        try:
            yield store
        finally:
            store.close()
