"""Counting only accepted submissions: which events ``--accepted-only`` leaves out.

DHIS2 calls it "hide unapproved data". The rule, as known at one position of the log:

* an event counts when its key (``source_ref``) belongs to no submission — no version
  of any submission holds it;
* or when at least one submission whose *latest* version's rows hold its key is
  accepted (its latest review is an acceptance, and no version came after it). A row
  retracted and sent again lives on under ``key~~2``, ``key~~3`` …: every generation
  belongs where its base key does;
* events whose keys belong only to submissions that are received (not yet reviewed, or
  sent again after a review) or returned do not count;
* a correction or retraction follows the event it names: a correction of an accepted
  row counts, one of an unaccepted row does not;
* structural events always count: units, establishments, indicator definitions,
  targets, tasks, and the submissions and reviews themselves.

:func:`unaccepted_positions` picks the events out; the store answers from a full replay
of the log without them (:func:`dvcore.store.projections.replay`), so an accepted-only
figure is by construction what the figures would be had the other rows never been sent.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from dvcore.events import (
    EventCorrected,
    EventRetracted,
    IndicatorDefined,
    SubmissionReceived,
    SubmissionReviewed,
    TargetSetAdopted,
    TaskAssigned,
    TaskReported,
)
from dvcore.store.projections import StoreState
from dvcore.units import ESTABLISHMENT_EVENT_TYPES, UNIT_EVENT_TYPES

__all__ = ["ALWAYS_COUNTED", "accepted_events", "base_key", "unaccepted_positions"]

#: Event types that count whatever the review of the submission that carried them.
ALWAYS_COUNTED = frozenset(
    UNIT_EVENT_TYPES
    | ESTABLISHMENT_EVENT_TYPES
    | {
        IndicatorDefined.type_name,
        TargetSetAdopted.type_name,
        TaskAssigned.type_name,
        TaskReported.type_name,
        SubmissionReceived.type_name,
        SubmissionReviewed.type_name,
    }
)

# The suffix dvcore.importing gives a row's later generations (its ``_generation_key``).
_GENERATION = re.compile(r"~~\d+\Z")


def base_key(source_ref: str) -> str:
    """The base key of a stored key: ``key~~3`` → ``key`` (a first generation is its own)."""
    return _GENERATION.sub("", source_ref)


def _submission_keys(events: Sequence[Any]) -> tuple[set[str], set[str]]:
    """The keys any version of any submission holds, and those of the latest version of
    every accepted submission."""
    state = StoreState()
    for ev in events:
        if isinstance(ev.data, SubmissionReceived | SubmissionReviewed):
            state.apply_recorded(ev)
    held: set[str] = set()
    accepted: set[str] = set()
    for unit, spec in state.submissions:
        versions = state.submission_versions(unit, spec)
        for _pos, version in versions:
            held.update(k for rows in version.rows for k in rows.keys)
        if versions and state.submission_review(unit, spec) == "accepted":
            accepted.update(k for rows in versions[-1][1].rows for k in rows.keys)
    return held, accepted


def unaccepted_positions(events: Iterable[Any]) -> set[int]:
    """The positions of the events an accepted-only figure leaves out (see the module).

    ``events`` are recorded events in position order (``position``, ``id``, ``type``,
    ``unit``, ``occurred_on``, ``source_ref``, ``data``): the log as known at the
    instant asked about, submissions and reviews included.
    """
    log = list(events)
    held, accepted = _submission_keys(log)
    out: set[int] = set()
    positions: dict[uuid.UUID, int] = {}
    for ev in log:
        positions[ev.id] = ev.position
        if isinstance(ev.data, EventRetracted | EventCorrected):
            if positions.get(ev.data.event_id) in out:
                out.add(ev.position)
            continue
        if ev.type in ALWAYS_COUNTED or not ev.source_ref:
            continue
        key = ev.source_ref if ev.source_ref in held else base_key(ev.source_ref)
        if key in held and key not in accepted:
            out.add(ev.position)
    return out


def accepted_events(events: Iterable[Any]) -> list[Any]:
    """``events`` without those an accepted-only figure leaves out, in the same order."""
    log = list(events)
    left_out = unaccepted_positions(log)
    return [ev for ev in log if ev.position not in left_out]
