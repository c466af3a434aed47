"""The one error tree of dvcore: every error is a :class:`DvcoreError` and carries its context.

Errors a user causes (a bad row, an unknown unit, a bad period) are :class:`InputError`
subclasses: the command line turns them into exit code 2 and a message, never a traceback.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import attrs

from dvcore.i18n import _, _n

__all__ = [
    "ConcurrencyError",
    "DvcoreError",
    "FieldError",
    "InputError",
    "PeriodError",
    "PluginError",
    "Problem",
    "StoreBusyError",
    "StoreError",
    "UnknownUnitError",
    "ValidationError",
    "VerificationError",
]


#: How much of a message a problem keeps: hostile input must not flood the terminal.
MESSAGE_LIMIT = 1000


def _short(message: str) -> str:
    message = str(message)
    if len(message) <= MESSAGE_LIMIT:
        return message
    return message[: MESSAGE_LIMIT - 1] + f"… ({len(message):,} characters)"


@attrs.frozen(kw_only=True)
class Problem:
    """One thing wrong with one piece of input: where it is and what is wrong with it.

    ``source`` names the file (or ``"<batch>"`` for events handed to the API), ``row`` the
    line or row (1-based, ``None`` when the problem is not about one row), ``field`` the
    field or column (a dotted path such as ``data.participants``), ``sheet`` the sheet of
    a workbook (``None`` for other inputs), ``event_type`` the wire name of the event type
    the row is (when known: the command line names a field by its label in that type's
    template). A message longer than :data:`MESSAGE_LIMIT` characters is cut, saying how
    long it was.
    """

    source: str
    row: int | None
    field: str | None
    message: str = attrs.field(converter=_short)
    sheet: str | None = None
    event_type: str | None = None

    def __str__(self) -> str:
        return self.render()

    def render(self, field: str | None = None) -> str:
        """The problem as one line in the current language; ``field`` names the field
        instead of :attr:`field` (a column's label, say)."""
        where = self.source
        if self.sheet is not None:
            where += _(", sheet {sheet}", sheet=self.sheet)
        if self.row is not None:
            where += _(", row {row}", row=self.row)
        field = field or self.field
        if field:
            where += _(", field '{field}'", field=field)
        return f"{where}: {self.message}"


class DvcoreError(Exception):
    """Base class of every error dvcore raises on purpose.

    ``context`` holds the values the error is about (unit codes, positions, file names)
    so a host application can act on them without parsing the message.
    """

    def __init__(self, message: str, **context: Any) -> None:
        super().__init__(message)
        self.message = message
        self.context: dict[str, Any] = context

    def __str__(self) -> str:
        return self.message


class InputError(DvcoreError, ValueError):
    """Input that cannot be accepted: the user's mistake, reported without a traceback."""


class ValidationError(InputError):
    """One or more events or rows are invalid; ``problems`` lists every one of them.

    Nothing was written when this is raised: an append or an import is all or nothing.
    """

    def __init__(self, problems: Iterable[Problem], message: str | None = None) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        if message is None:
            message = problems_message(self.problems)
        super().__init__(message, problems=self.problems)


class FieldError(ValidationError):
    """One field of an object being built is refused: a bad value where an event, its data
    or one of their parts is constructed (``DialogueHeld(host="mayor")``).

    ``field`` is the field's name on the class that refused it, ``reason`` why; the one
    :class:`Problem` names it as the JSON Lines shape does (``data.host`` for an event's
    data, ``occurred_on`` for the envelope). It is a :class:`ValidationError`, so a
    ``ValueError`` too.
    """

    def __init__(
        self,
        owner: str,
        field: str | None,
        reason: str,
        *,
        path: str | None = None,
        event_type: str | None = None,
    ) -> None:
        self.owner = owner
        self.field = field
        self.reason = reason
        problem = Problem(
            source=owner,
            row=None,
            field=path if path is not None else field,
            message=reason,
            event_type=event_type,
        )
        super().__init__([problem], message=problem.render())


class PeriodError(InputError):
    """A period specification that dvcore cannot read; the message lists the valid forms."""


class UnknownUnitError(InputError):
    """A unit code that is not registered (or not in existence at the date asked about)."""

    def __init__(self, code: str, message: str | None = None, **context: Any) -> None:
        self.code = code
        super().__init__(message or _("unknown unit '{code}'", code=code), code=code, **context)


class ConcurrencyError(DvcoreError):
    """An append's expected stream version did not match: another writer got there first."""

    def __init__(self, stream: str, expected: int, actual: int) -> None:
        self.stream = stream
        self.expected = expected
        self.actual = actual
        super().__init__(
            _(
                "stream '{stream}' is at version {actual}, not the expected {expected}",
                stream=stream,
                actual=actual,
                expected=expected,
            ),
            stream=stream,
            expected=expected,
            actual=actual,
        )


class StoreError(DvcoreError):
    """The storage backend failed; the original exception is the ``__cause__``."""


class StoreBusyError(StoreError):
    """The store stayed locked by another writer past the busy timeout."""


class VerificationError(DvcoreError):
    """The stored log does not verify: a row was edited, removed or reordered."""

    def __init__(self, message: str, position: int | None, **context: Any) -> None:
        self.position = position
        super().__init__(message, position=position, **context)


class PluginError(DvcoreError):
    """A plugin is misbehaving: two plugins register one name, or a hook is misspelled."""


def problems_text(problems: Sequence[Problem]) -> str:
    """Render problems one per line, for messages and logs."""
    return "\n".join(str(p) for p in problems)


#: How many problems a message lists; the rest are counted.
SHOWN_PROBLEMS = 50


def problems_message(problems: Sequence[Problem], render: Callable[[Problem], str] = str) -> str:
    """The message of a :class:`ValidationError`: how many problems, then (at most
    :data:`SHOWN_PROBLEMS` of) them one a line, each drawn by ``render``."""
    shown = "\n".join(f"  {render(p)}" for p in problems[:SHOWN_PROBLEMS])
    more = len(problems) - SHOWN_PROBLEMS
    if more > 0:
        shown += "\n  " + _("… and {more} more", more=more)
    head = _n(
        "{count} problem; nothing was written:",
        "{count} problems; nothing was written:",
        len(problems),
    )
    return f"{head}\n{shown}"
