"""The event store: the append-only log, its schema and migrations, and the projections."""

from __future__ import annotations

from dvcore.store.sql import (
    AppendResult,
    Explanation,
    Store,
    VerifyReport,
    default_url,
    open_store,
)
from dvcore.store.subscriptions import Subscription

__all__ = [
    "AppendResult",
    "Explanation",
    "Store",
    "Subscription",
    "VerifyReport",
    "default_url",
    "open_store",
]
