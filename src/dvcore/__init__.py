"""dvcore: reporting for mass-mobilization committees, rebuilt from immutable events.

Record every reported fact as an event, rebuild the figures of any period for any unit,
evaluate the targets resolutions set, and hand the result to exporters::

    import dvcore
    store = dvcore.open_store("sqlite:///dvcore.db")
    store.append(events, actor="HP")
    snap = store.snapshot(unit="HP", period="2023-9M")
    snap.value("dialogue.count")
"""

from __future__ import annotations

from dvcore import errors, events
from dvcore._open import open_store
from dvcore.errors import (
    ConcurrencyError,
    DvcoreError,
    FieldError,
    InputError,
    StoreError,
    ValidationError,
)
from dvcore.events import Event
from dvcore.hookspecs import hookimpl
from dvcore.indicators import Snapshot
from dvcore.periods import Period, parse_period
from dvcore.protocols import Exporter, InputChannel
from dvcore.store import AppendResult, Store, Subscription
from dvcore.targets import TargetResult

__version__ = "0.1.0"

__all__ = [
    "AppendResult",
    "ConcurrencyError",
    "DvcoreError",
    "Event",
    "Exporter",
    "FieldError",
    "InputChannel",
    "InputError",
    "Period",
    "Snapshot",
    "Store",
    "StoreError",
    "Subscription",
    "TargetResult",
    "ValidationError",
    "__version__",
    "errors",
    "events",
    "hookimpl",
    "open_store",
    "parse_period",
]
