"""The hooks dvcore offers plugins. Declarations only: the built-ins implement them too.

Every hook starts with ``dvcore_``. ``dvcore_register_<plural>`` hooks return lists (two
plugins registering one name is an error that names both); ``dvcore_events_appended`` is
a notification. Hooks only ever gain parameters.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    import click

    from dvcore.events import EventData, RecordedEvent
    from dvcore.indicators import Indicator
    from dvcore.protocols import Exporter, InputChannel

__all__ = ["hookimpl", "hookspec"]

hookspec = pluggy.HookspecMarker("dvcore")
#: Marks a plugin's hook implementations (``@dvcore.hookimpl``).
hookimpl = pluggy.HookimplMarker("dvcore")


@hookspec
def dvcore_register_event_types() -> list[type[EventData]]:
    """Add event types: ``attrs`` frozen subclasses of :class:`dvcore.events.EventData`.

    Each type names its wire name (``type_name``) and ``schema_version`` as class
    variables. A wire name already taken by another plugin is refused, naming both.

    :returns: the event data classes this plugin provides.

    .. versionadded:: 0.1
    """


@hookspec
def dvcore_register_indicators() -> list[Indicator]:
    """Add indicators: :class:`dvcore.indicators.Indicator` values.

    An indicator fed by events names, in ``extractors``, a function per event type that
    turns an event's data into :class:`dvcore.indicators.Contribution` values.

    :returns: the indicators this plugin provides.

    .. versionadded:: 0.1
    """


@hookspec
def dvcore_register_input_channels() -> list[InputChannel]:
    """Add input channels: :class:`dvcore.InputChannel` objects, with ``name``,
    ``suffixes`` and ``read(path, types)``.

    ``read`` yields ``(row, item)`` pairs (an event dict in the JSON Lines shape, or a
    :class:`dvcore.errors.Problem`) so an import can report every bad row at once.

    :returns: the channels this plugin provides.

    .. versionadded:: 0.1
    """


@hookspec
def dvcore_register_exporters() -> list[Exporter]:
    """Add exporters: :class:`dvcore.Exporter` objects, with ``name``, ``suffix`` and
    ``export(context, path)``; the context is :func:`dvcore.reports.build_context`'s.

    :returns: the exporters this plugin provides.

    .. versionadded:: 0.1
    """


@hookspec
def dvcore_register_commands() -> list[click.Command]:
    """Add commands to the ``dvcore`` command line (click commands or groups).

    :returns: the commands this plugin provides.

    .. versionadded:: 0.1
    """


@hookspec
def dvcore_events_appended(events: Sequence[RecordedEvent]) -> None:
    """Be told, after the transaction committed, which events an append recorded.

    Called once per append with every event it recorded (duplicates are not repeated).
    An exception here does not undo the append: it has committed.

    :param events: the recorded events, in position order.

    .. versionadded:: 0.1
    """
