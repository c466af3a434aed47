"""The CSV input channel: one event type a file, in the tables clerks fill in.

The type comes from the channel's ``event_type`` (``dvcore import --type``) or from the
file's name (``DialogueHeld.csv``, ``DialogueHeld-2023-q3.csv``). The encoding is found
the way Excel writes files: UTF-8 with or without a byte-order mark ("CSV UTF-8"),
UTF-16 with its mark and tab-separated ("Unicode text"), or else Windows-1258, the
Vietnamese code page, whose combining tone marks are composed to NFC. The separator is
whichever of comma, semicolon (Excel's under a Vietnamese locale) and tab the header row
uses. The rows themselves are read by :func:`dvcore.tables.read_table`.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs

from dvcore.errors import Problem
from dvcore.events import EventData
from dvcore.serialization import EventTypes
from dvcore.tables import (
    Limits,
    event_type_from_name,
    read_table,
    template_columns,
)

__all__ = ["CsvChannel", "decode"]

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


def decode(raw: bytes) -> tuple[str, str]:
    """The text of a CSV file and the encoding it was in (NFC, without a byte-order mark).

    Raises :class:`UnicodeDecodeError` when the bytes are neither UTF-8, UTF-16 with a
    mark, nor Windows-1258.
    """
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            text = raw[len(bom) :].decode(encoding)
            return unicodedata.normalize("NFC", text), encoding
    try:
        return unicodedata.normalize("NFC", raw.decode("utf-8")), "utf-8"
    except UnicodeDecodeError:
        # Windows-1258 writes a tone as a combining mark after its letter: compose them.
        return unicodedata.normalize("NFC", raw.decode("cp1258")), "cp1258"


def _delimiter(text: str, encoding: str) -> str:
    first = text.split("\n", 1)[0]
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    if counts[best] == 0:
        return "\t" if encoding.startswith("utf-16") else ","
    return best


@attrs.frozen
class CsvChannel:
    """Reads ``.csv`` files (and Excel's tab-separated ``.txt``/``.tsv``), one event type each.

    ``event_type`` fixes the type (else the file's name says it); ``limits`` bound what one
    file may hold.
    """

    name: str = "csv"
    suffixes: tuple[str, ...] = (".csv", ".tsv", ".txt")
    event_type: str | None = None
    limits: Limits = attrs.field(factory=Limits)

    def configured(self, *, event_type: str | None = None) -> CsvChannel:
        """This channel with the event type fixed (``dvcore import --type``)."""
        return attrs.evolve(self, event_type=event_type)

    def type_of(self, path: Path, types: EventTypes | None = None) -> type[EventData] | None:
        """The event type a file holds: the configured one, or the one its name says."""
        types = types if types is not None else EventTypes.core()
        if self.event_type is not None:
            return types.get(self.event_type)
        return event_type_from_name(path.stem, types)

    def read(
        self, path: Path, types: EventTypes | None = None
    ) -> Iterator[tuple[int, dict[str, Any] | Problem]]:
        """Yield ``(row, event dict)`` or ``(row, problem)`` for every row of the file.

        Row numbers are those a spreadsheet shows (the header is row 1). A row without
        ``source_ref`` has none: the import derives its key from the row's meaning, so the
        same rows re-saved (another encoding, separator or line ending) give the same keys.
        """
        source = str(path)
        types = types if types is not None else EventTypes.core()
        event_type = self.type_of(path, types)
        if event_type is None:
            known = ", ".join(sorted(types.by_name))
            what = (
                f"unknown event type '{self.event_type}'"
                if self.event_type is not None
                else "the file's name does not say its event type (name it DialogueHeld.csv "
                "or DialogueHeld-2023-q3.csv, or pass --type)"
            )
            yield 0, Problem(source=source, row=None, field=None, message=f"{what}; known: {known}")
            return
        size = path.stat().st_size
        if size > self.limits.max_file_bytes:
            yield (
                0,
                Problem(
                    source=source,
                    row=None,
                    field=None,
                    message=f"the file is larger than {self.limits.max_file_bytes} bytes: split it",
                ),
            )
            return
        try:
            text, encoding = decode(path.read_bytes())
        except UnicodeDecodeError as exc:
            yield (
                0,
                Problem(
                    source=source,
                    row=None,
                    field=None,
                    message=f"the file is not text in UTF-8, UTF-16 or Windows-1258 "
                    f"(byte {exc.start + 1}): save it as CSV UTF-8",
                ),
            )
            return
        rows = self._rows(text, encoding, source)
        yield from read_table(rows, event_type, source=source, limits=self.limits)
        if rows.error is not None:
            yield rows.error

    def form(self, path: Path, types: EventTypes | None = None) -> list[str]:
        """The event type the file holds as a table: ``[type name]`` when the file has a
        header row (with or without rows under it: a header alone says "none of this
        type"), ``[]`` when it has none (an empty file, or only blank lines) or when its
        type or text cannot be told (:meth:`read` reports why)."""
        types = types if types is not None else EventTypes.core()
        event_type = self.type_of(path, types)
        if event_type is None or path.stat().st_size > self.limits.max_file_bytes:
            return []
        try:
            text, encoding = decode(path.read_bytes())
        except UnicodeDecodeError:
            return []
        for cells in self._rows(text, encoding, str(path)):
            if any(cell.strip() for cell in cells):
                return [event_type.type_name]
        return []

    def _rows(self, text: str, encoding: str, source: str) -> _guarded:
        reader = csv.reader(
            io.StringIO(text, newline=""), delimiter=_delimiter(text, encoding), strict=False
        )
        csv.field_size_limit(max(csv.field_size_limit(), self.limits.max_cell_chars * 4 + 16))
        return _guarded(reader, source)

    def template(
        self,
        path: Path,
        types: Sequence[type[EventData]],
        unit_codes: Sequence[str | tuple[str, str]] = (),
    ) -> list[Path]:
        """Write blank tables: one file ``<Type>.csv`` per type into the directory ``path``,
        or the one file ``path`` when it ends in ``.csv`` and one type is asked for.

        Files are UTF-8 with a byte-order mark (so Excel opens them as Unicode), headers in
        Vietnamese. ``unit_codes`` (codes or ``(code, name)`` pairs) is unused: a CSV file
        has no drop-down lists.
        """
        del unit_codes
        if path.suffix.lower() == ".csv" and len(types) == 1:
            targets = [(path, types[0])]
        else:
            path.mkdir(parents=True, exist_ok=True)
            targets = [(path / f"{t.type_name}.csv", t) for t in types]
        written = []
        for target, event_type in targets:
            target.parent.mkdir(parents=True, exist_ok=True)
            buffer = io.StringIO(newline="")
            csv.writer(buffer).writerow([c.label for c in template_columns(event_type)])
            target.write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8"))
            written.append(target)
        return written


class _guarded:
    """Rows of a csv reader; a malformed file ends the rows with one problem."""

    def __init__(self, reader: Any, source: str) -> None:
        self.reader = reader
        self.source = source
        self.error: tuple[int, Problem] | None = None

    def __iter__(self) -> Iterator[list[str]]:
        try:
            yield from self.reader
        except csv.Error as exc:
            row = self.reader.line_num
            self.error = (
                row,
                Problem(
                    source=self.source,
                    row=row,
                    field=None,
                    message=f"the file is not valid CSV: {exc}",
                ),
            )
