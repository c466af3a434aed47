"""The shapes plugins give dvcore: input channels and exporters, as typed protocols.

``dvcore_register_input_channels`` and ``dvcore_register_exporters`` return objects of
these shapes; nothing needs to subclass them (they are :class:`typing.Protocol`\\ s,
checked structurally). Every channel is an :class:`InputChannel`; one that reads tables
(the CSV and Excel channels) is also a :class:`TableChannel`, and tells the import which
forms a file carries and, for a workbook, what its cover sheet declares. Every exporter
is an :class:`Exporter`.

Both are exported from :mod:`dvcore` itself (``dvcore.InputChannel``,
``dvcore.Exporter``). Their data members are read-only properties in the protocols, so a
frozen ``attrs`` class (``name: str = "csv"``) satisfies them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from dvcore.errors import Problem
    from dvcore.events import EventData
    from dvcore.serialization import EventTypes
    from dvcore.tables import Cover

__all__ = ["CoverChannel", "Exporter", "InputChannel", "SheetChannel", "TableChannel"]


@runtime_checkable
class InputChannel(Protocol):
    """What every input channel has: a ``name`` (``dvcore import --channel``), the file
    ``suffixes`` it reads, and :meth:`read`.

    Optional methods the import looks for (with ``getattr``): ``read_sheets`` (see
    :class:`SheetChannel`), ``type_of(path, types)`` (the event type a one-type file
    holds, to order files), ``configured(event_type=…)`` (``--type``),
    ``template(path, types, units)`` (``dvcore template``), ``form``/``cover`` (see
    :class:`TableChannel`), and ``for_submission(unit=…, period=…)``: the channel to read
    with once the import knows the submitting unit and the period (``None`` each when the
    files are no submission), for files whose rows take them from it (a unit's narrative,
    :class:`dvcore.narrative.NarrativeChannel`).
    """

    @property
    def name(self) -> str:
        """The channel's name, unique among installed channels (``csv``, ``xlsx``)."""
        ...

    @property
    def suffixes(self) -> tuple[str, ...]:
        """The file suffixes it reads, lower case with the dot (``(".csv", ".tsv")``)."""
        ...

    def read(
        self, path: Path, types: EventTypes | None = None
    ) -> Iterator[tuple[int, dict[str, Any] | Problem]]:
        """Yield ``(row, event dict or problem)`` for every row of the file, to its end.

        An event dict has the JSON Lines shape (``type``, ``occurred_on``, ``unit``,
        ``data``, and ``source_ref`` only when the row gives one: the import derives the
        key of a row without one from the row's meaning).
        """
        ...


@runtime_checkable
class SheetChannel(InputChannel, Protocol):
    """A channel whose files hold several sheets (a workbook): rows carry their sheet."""

    def read_sheets(
        self, path: Path, types: EventTypes | None = None
    ) -> Iterator[tuple[str | None, int, dict[str, Any] | Problem]]:
        """Yield ``(sheet, row, event dict or problem)`` for every row of every event sheet."""
        ...


@runtime_checkable
class TableChannel(InputChannel, Protocol):
    """A channel that reads tables (CSV files, workbooks): it says which forms a file
    carries, so a re-sent submission can tell "no rows of this type any more" (a table with
    its header and no rows) from "this type was not sent" (no such table).

    ``cover`` is optional even here: a channel whose files have no cover sheet (CSV) may
    leave it out, and the import then takes the unit and the period from the command line.
    """

    def form(self, path: Path, types: EventTypes | None = None) -> list[str]:
        """The event type names the file holds as tables, each once, in the order read:
        every table whose header names a known type's columns counts, even with no rows.
        A file without a header (an empty CSV) gives ``[]``."""
        ...

    def template(
        self,
        path: Path,
        types: Sequence[type[EventData]],
        units: Sequence[str | tuple[str, str]] = (),
    ) -> list[Path]:
        """Write blank tables for ``types`` at ``path``; ``units`` are the store's unit
        codes, or ``(code, name)`` pairs, for drop-down lists. Returns the files written."""
        ...


@runtime_checkable
class CoverChannel(TableChannel, Protocol):
    """A table channel whose files declare their unit and period (a workbook's cover)."""

    def cover(self, path: Path) -> Cover | None:
        """What the file's cover sheet declares, or ``None`` when it has none."""
        ...


@runtime_checkable
class Exporter(Protocol):
    """What every exporter has: a ``name`` (``dvcore export --format``), the ``suffix`` of
    the files it writes, and :meth:`export`.

    An exporter computes nothing: every figure and every word comes from the report
    context (:func:`dvcore.reports.build_context`, described key by key in
    :class:`dvcore.reports.ReportContext`). The built-in ``json`` and ``markdown``
    exporters, and ``docx``, ``xlsx`` and ``html`` from plugins, have this shape.
    """

    @property
    def name(self) -> str:
        """The exporter's name, unique among installed exporters (``markdown``, ``docx``)."""
        ...

    @property
    def suffix(self) -> str:
        """The suffix of the files it writes, with the dot (``.md``)."""
        ...

    def export(self, context: Mapping[str, Any], path: Path) -> Path:
        """Render the report ``context`` into the file at ``path``; return the path written.

        The same context gives the same bytes, and the store is not touched.
        """
        ...
