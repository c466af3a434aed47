"""The plugin manager factory: built-ins and installed plugins, registered through one path.

There is no module-global manager: :func:`get_plugin_manager` builds a fresh one, so tests
and host applications can hold managers with different plugins side by side.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

import pluggy

from dvcore import hookspecs
from dvcore.errors import PluginError
from dvcore.events import EventData
from dvcore.indicators import Indicator
from dvcore.protocols import Exporter, InputChannel
from dvcore.serialization import EventTypes

__all__ = [
    "ENTRY_POINT_GROUP",
    "get_plugin_manager",
    "plugin_commands",
    "plugin_event_types",
    "plugin_exporters",
    "plugin_indicators",
    "plugin_input_channels",
    "provided_by",
]

ENTRY_POINT_GROUP = "dvcore"


def get_plugin_manager(
    *, autoload: bool | None = None, plugins: Iterable[object] = ()
) -> pluggy.PluginManager:
    """A plugin manager with dvcore's hooks, its built-ins, and the installed plugins.

    ``autoload`` loads the ``dvcore`` entry points (default: yes, unless
    ``DVCORE_DISABLE_PLUGIN_AUTOLOAD=1``); ``plugins`` are registered as well (tests).
    """
    from dvcore import _builtin

    pm = pluggy.PluginManager("dvcore")
    pm.add_hookspecs(hookspecs)
    pm.register(_builtin, name="dvcore")
    if autoload is None:
        autoload = os.environ.get("DVCORE_DISABLE_PLUGIN_AUTOLOAD", "") not in ("1", "true")
    if autoload:
        pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    for plugin in plugins:
        pm.register(plugin)
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:  # a misspelled hook: loud, but no traceback
        raise PluginError(str(exc), plugin=pm.get_name(exc.plugin)) from exc
    return pm


def provided_by(pm: pluggy.PluginManager, hook_name: str) -> list[tuple[str, Any]]:
    """Every item a ``dvcore_register_*`` hook returns, with the plugin that gave it."""
    hook = getattr(pm.hook, hook_name)
    out: list[tuple[str, Any]] = []
    for impl in reversed(hook.get_hookimpls()):
        items = impl.function()
        name = _plugin_name(pm, impl.plugin)
        out.extend((name, item) for item in items or [])
    return out


def _plugin_name(pm: pluggy.PluginManager, plugin: object) -> str:
    name = pm.get_name(plugin) or repr(plugin)
    for dist_plugin, dist in pm.list_plugin_distinfo():
        if dist_plugin is plugin:
            return f"{dist.project_name} {dist.version}"
    return name


def _unique(items: list[tuple[str, Any]], key: str, what: str) -> list[Any]:
    seen: dict[str, str] = {}
    out = []
    for plugin, item in items:
        name = getattr(item, key)
        if name in seen:
            raise PluginError(
                f"two plugins register the {what} '{name}': {seen[name]} and {plugin}",
                name=name,
                plugins=(seen[name], plugin),
            )
        seen[name] = plugin
        out.append(item)
    return out


def plugin_event_types(pm: pluggy.PluginManager) -> EventTypes:
    """Every event type: the core catalogue (from the built-in plugin) and plugins'."""
    items = provided_by(pm, "dvcore_register_event_types")
    types = EventTypes()
    for event_type in _unique(items, "type_name", "event type"):
        if not (isinstance(event_type, type) and issubclass(event_type, EventData)):
            raise PluginError(f"{event_type!r} is not an EventData subclass")
        types.add(event_type)
    return types


def plugin_indicators(pm: pluggy.PluginManager) -> list[Indicator]:
    """The indicators plugins add (the core's own are not returned)."""
    items = [(p, i) for p, i in provided_by(pm, "dvcore_register_indicators")]
    return [i for i in _unique(items, "code", "indicator") if i.source != "dvcore"]


def plugin_input_channels(pm: pluggy.PluginManager) -> dict[str, InputChannel]:
    """Input channels by name."""
    items = provided_by(pm, "dvcore_register_input_channels")
    return {c.name: c for c in _unique(items, "name", "input channel")}


def plugin_exporters(pm: pluggy.PluginManager) -> dict[str, Exporter]:
    """Exporters by name."""
    items = provided_by(pm, "dvcore_register_exporters")
    return {e.name: e for e in _unique(items, "name", "exporter")}


def plugin_commands(pm: pluggy.PluginManager) -> list[Any]:
    """Commands plugins add to the command line."""
    items = provided_by(pm, "dvcore_register_commands")
    return _unique(items, "name", "command")
