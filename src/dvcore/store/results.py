"""The values the store's operations return: what an append did, what verify found,
and the events behind a figure."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs

from dvcore.events import (
    RecordedEvent,
)
from dvcore.indicators import (
    WindowDisagreement,
    _number,
)
from dvcore.periods import Period


@attrs.frozen(kw_only=True)
class AppendResult:
    """What an append did: the position of every input event (the original's for a
    duplicate), how many were appended, and which were already stored."""

    positions: tuple[int, ...]
    appended: int
    duplicates: tuple[tuple[str, int], ...]  # (source_ref or id, original position)
    recorded_at: dt.datetime | None
    head: int
    dry_run: bool = False


@attrs.frozen(kw_only=True)
class VerifyReport:
    """The result of checking the hash chain: ``ok``, or the first bad position and why."""

    ok: bool
    checked: int
    head_hash: str
    first_bad: int | None = None
    reason: str | None = None
    #: signed checkpoints whose signature was checked with the key at hand
    checkpoints_verified: int = 0
    #: checkpoints that could not be checked (no key, or signed by another key)
    checkpoints_unchecked: int = 0


@attrs.frozen(kw_only=True)
class Explanation:
    """The events behind one figure: every event it counts, and no other; and where
    reports over windows disagree, what stood and what was dropped."""

    unit: str
    period: Period
    indicator: str
    value: Any
    #: one event per fact the figure counts: its current event (its last correction,
    #: else the event that recorded it)
    events: tuple[RecordedEvent, ...]
    disagreements: tuple[WindowDisagreement, ...] = ()
    #: for each of :attr:`events`, the events behind the fact: the original, then its
    #: corrections in order (the last is the fact's current event)
    chains: tuple[tuple[RecordedEvent, ...], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``dvcore explain --format json``: one entry per fact, its
        current event, with ``chain`` the ids of the events behind it."""
        chains = (
            self.chains if len(self.chains) == len(self.events) else [(e,) for e in self.events]
        )
        return {
            "unit": self.unit,
            "period": self.period.to_dict(),
            "indicator": self.indicator,
            "value": _number(self.value),
            "events": [
                {
                    "id": str(chain[-1].id),
                    "type": chain[-1].type,
                    "unit": chain[-1].unit,
                    "occurred_on": chain[-1].occurred_on.isoformat(),
                    "recorded_at": chain[-1].recorded_at.isoformat(),
                    "source_ref": chain[-1].source_ref,
                    "chain": [
                        {"id": str(e.id), "type": e.type, "recorded_at": e.recorded_at.isoformat()}
                        for e in chain
                    ],
                }
                for chain in chains
            ],
            "disagreements": [d.to_dict() for d in self.disagreements],
        }
