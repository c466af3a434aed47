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

import pluggy

#: Marks a plugin's hook implementations (``@dvcore.hookimpl``).
hookimpl = pluggy.HookimplMarker("dvcore")

from dvcore import errors, events  # noqa: E402  (hookimpl first: plugins import it)
from dvcore.errors import (  # noqa: E402
    ConcurrencyError,
    DvcoreError,
    FieldError,
    InputError,
    StoreError,
    ValidationError,
)
from dvcore.events import Event  # noqa: E402
from dvcore.indicators import Snapshot  # noqa: E402
from dvcore.periods import Period, parse_period  # noqa: E402
from dvcore.protocols import Exporter, InputChannel  # noqa: E402
from dvcore.store import AppendResult, Store, Subscription, open_store  # noqa: E402
from dvcore.targets import TargetResult  # noqa: E402

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
