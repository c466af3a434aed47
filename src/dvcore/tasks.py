"""The tasks of a conclusion: who owns them, when they fall due, and when they are overdue.

A :class:`~dvcore.events.TaskAssigned` names its owners as unit codes (``HP.MTTQ``) or
bodies of units (``HP.TN:people_committee``): :func:`parse_owner` splits them. A task is
due once (``due``: overdue the day after it while not done) or by a recurring rule
(``recurrence``):

==============  ===========================================================================
``monthly:N``   before the Nth of each month: due days the Nth of every month
``quarterly``   by the end of each quarter: due days 1 January, 1 April, 1 July, 1 October
``yearly``      by the end of each year: due days 1 January
==============  ===========================================================================

A rule's due day is the first day a report is late: the task's due days are the rule's
days after the day it was assigned. A recurring task is overdue on a day when the latest
of its due days on or before that day has no report since the due day before it (or
since it was assigned, for its first); a ``done`` report ends it. The same rules count
``task.open`` and ``task.overdue`` and word the follow-up report.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

import attrs

from dvcore.events import TaskAssigned

__all__ = [
    "Owner",
    "TaskLike",
    "due_days",
    "is_overdue",
    "latest_due",
    "next_due",
    "owner_units",
    "parse_owner",
]


@attrs.frozen
class Owner:
    """One owner of a task: a unit, and the body of it that owns the task (or ``None``:
    the unit itself)."""

    unit: str
    body: str | None = None


def parse_owner(text: str) -> Owner:
    """``"HP.TN:people_committee"`` → ``Owner("HP.TN", "people_committee")``; ``"HP.MTTQ"``
    → ``Owner("HP.MTTQ")`` (the event validated the text)."""
    unit, colon, body = text.rpartition(":")
    return Owner(unit, body) if colon else Owner(text)


def owner_units(data: TaskAssigned) -> list[str]:
    """The codes of the units owning a task, in its owners' order, each once."""
    return list(dict.fromkeys(parse_owner(o).unit for o in data.owners))


class TaskLike(Protocol):
    """What the rules read of a task: :class:`dvcore.store.projections.TaskRecord`."""

    @property
    def assigned_on(self) -> dt.date: ...
    @property
    def data(self) -> TaskAssigned: ...
    @property
    def reports(self) -> tuple[tuple[dt.date, int, str], ...]: ...
    def status_on(self, day: dt.date) -> str: ...


def _months(rule: str) -> tuple[tuple[int, ...], int]:
    if rule == "quarterly":
        return (1, 4, 7, 10), 1
    if rule == "yearly":
        return (1,), 1
    return tuple(range(1, 13)), int(rule.partition(":")[2])


def due_days(rule: str, after: dt.date, until: dt.date) -> list[dt.date]:
    """The due days of ``rule`` strictly after ``after`` and on or before ``until``."""
    months, day_of_month = _months(rule)
    out = []
    for year in range(after.year, until.year + 1):
        for month in months:
            day = dt.date(year, month, day_of_month)
            if after < day <= until:
                out.append(day)
    return out


def next_due(rule: str, after: dt.date) -> dt.date:
    """The first due day of ``rule`` strictly after ``after``."""
    return due_days(rule, after, dt.date(after.year + 1, 12, 31))[0]


def latest_due(task: Any, day: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """A recurring task's latest due day on or before ``day``, and the one before it
    (``None`` where there is none)."""
    rule = task.data.recurrence
    if rule is None or task.assigned_on >= day:
        return None, None
    days = due_days(rule, task.assigned_on, day)
    if not days:
        return None, None
    return days[-1], (days[-2] if len(days) > 1 else None)


def is_overdue(task: Any, day: dt.date) -> bool:
    """Whether the task (a :class:`TaskLike`) is overdue on ``day``: assigned, not done,
    and past its one-off due date, or its latest due day unanswered (module docs)."""
    if task.assigned_on > day or task.status_on(day) == "done":
        return False
    data = task.data
    if data.recurrence is None:
        return data.due is not None and data.due < day
    latest, previous = latest_due(task, day)
    if latest is None:
        return False
    return not any(
        on <= day and (previous is None or on > previous) for on, _pos, _status in task.reports
    )
