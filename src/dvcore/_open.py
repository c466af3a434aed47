"""Opening a store with plugins: the app layer's :func:`open_store`, exported as
:func:`dvcore.open_store`, loads event types, indicators and listeners through the plugin
manager and hands them to the store, which knows nothing of plugins."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from dvcore.events import RecordedEvent
from dvcore.indicators import Indicator
from dvcore.periods import Cutoff
from dvcore.registry import get_plugin_manager, plugin_event_types, plugin_indicators
from dvcore.serialization import EventTypes
from dvcore.store import sql
from dvcore.store.sql import Clock, Store

__all__ = ["open_store"]


def open_store(
    url: str | None = None,
    *,
    clock: Clock | None = None,
    cutoff: Cutoff = "calendar",
    create: bool = True,
    busy_timeout: float = 30.0,
    plugins: bool | Iterable[object] = True,
    event_types: EventTypes | None = None,
    indicators: Iterable[Indicator] | None = None,
    signing_key: str | bytes | None = None,
    listeners: Iterable[Callable[[Sequence[RecordedEvent]], None]] = (),
) -> Store:
    """Open (and by default create or upgrade) the store at ``url``, with its plugins.

    ``url`` is ``sqlite:///FILE`` (the default: ``$DVCORE_STORE`` or ``dvcore.db``) or
    ``postgresql+psycopg://…``. The schema is managed by alembic (branch ``dvcore``).
    ``clock`` returns the timezone-aware instant events are recorded at (tests and demos
    set it; a store never takes ``recorded_at`` from the caller). ``plugins`` loads event
    types and indicators through the plugin manager: ``True`` the installed plugins,
    ``False`` none, or a list of plugin objects (modules or instances with
    ``@dvcore.hookimpl`` functions) registered besides the installed ones, with no
    distribution to install. ``listeners`` are called in this process after each append
    commits, with the events it recorded. ``signing_key`` (default
    ``$DVCORE_CHECKPOINT_KEY``) signs a checkpoint of the chain head on every append.

    :func:`dvcore.store.open_store` opens a store without plugins, knowing only the
    event types and indicators it is given.
    """
    types = event_types
    extra: list[Indicator] = list(indicators or [])
    listening: list[Callable[[Sequence[RecordedEvent]], None]] = []
    extra_plugins = None if isinstance(plugins, bool) else list(plugins)
    if (plugins is True and event_types is None) or extra_plugins is not None:
        pm = get_plugin_manager(plugins=extra_plugins or ())
        if event_types is None:
            types = plugin_event_types(pm)
        if indicators is None:
            extra = plugin_indicators(pm)

        def notify(recorded: Sequence[RecordedEvent]) -> None:
            pm.hook.dvcore_events_appended(events=list(recorded))

        # Only keep every appended event in memory when some plugin wants to be told.
        if pm.hook.dvcore_events_appended.get_hookimpls():
            listening.append(notify)
    listening.extend(listeners)
    return sql.open_store(
        url,
        clock=clock,
        cutoff=cutoff,
        create=create,
        busy_timeout=busy_timeout,
        event_types=types,
        indicators=extra,
        signing_key=signing_key,
        listeners=listening,
    )
