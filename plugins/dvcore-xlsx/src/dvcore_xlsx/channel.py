"""The ``xlsx`` input channel: a workbook holds one sheet per event type.

A sheet is named after its event type (``DialogueHeld``; Excel cuts sheet names at 31
characters, and a cut name is recognised). Sheets are read in the order of the event
catalogue, so units are registered before the events that name them whatever the order of
the tabs. Hidden sheets and sheets whose name starts with ``_`` (notes, the template's
lists) are not read; any other sheet that holds values and names no event type is a
problem — a misspelt sheet is never skipped in silence.

python-calamine reads the cells (xlsx, xlsm, xlsb, xls, ods); the rows are turned into
events by :func:`dvcore.tables.read_table`, like the CSV channel's.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs
import python_calamine

from dvcore.errors import Problem
from dvcore.events import EventData
from dvcore.serialization import EventTypes
from dvcore.tables import Limits, catalog_order, read_table
from dvcore_xlsx._bounds import workbook_problem

__all__ = ["XlsxChannel", "sheet_type"]

#: Excel's limit on the length of a sheet's name.
SHEET_NAME_MAX = 31


def sheet_type(name: str, types: EventTypes) -> type[EventData] | None:
    """The event type a sheet's name says (exact, any case, or cut at 31 characters)."""
    found = types.get(name)
    if found is not None:
        return found
    low = name.strip().lower()
    for type_name, event_type in types.by_name.items():
        full = type_name.lower()
        if low == full or (len(low) == SHEET_NAME_MAX and full[:SHEET_NAME_MAX] == low):
            return event_type
    return None


@attrs.frozen
class XlsxChannel:
    """Reads Excel (and OpenDocument) workbooks, one sheet per event type.

    ``max_unpacked_bytes`` and ``max_cells`` bound what a workbook may unpack to and the
    cells its sheets may span, checked before the workbook is read (a zip bomb, or one
    stray cell in XFD1048576, is refused with a problem); ``limits`` bound each sheet.
    """

    name: str = "xlsx"
    suffixes: tuple[str, ...] = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")
    limits: Limits = attrs.field(factory=Limits)
    max_unpacked_bytes: int = 512 * 1024 * 1024
    max_cells: int = 10_000_000

    def read(
        self, path: Path, types: EventTypes | None = None
    ) -> Iterator[tuple[int, dict[str, Any] | Problem]]:
        """Yield ``(row, event dict or problem)`` for every row of every event sheet.

        Problems name their sheet; :meth:`read_sheets` gives the sheet of every row.
        """
        for _sheet, row, item in self.read_sheets(path, types):
            yield row, item

    def read_sheets(
        self, path: Path, types: EventTypes | None = None
    ) -> Iterator[tuple[str | None, int, dict[str, Any] | Problem]]:
        """Yield ``(sheet, row, event dict or problem)`` for every row of every event sheet.

        Row numbers are the sheet's own (the header is usually row 1). A row without
        ``source_ref`` gets ``file:<first 20 hex of the file's SHA-256>:<sheet>:<row>``.
        """
        source = str(path)
        types = types if types is not None else EventTypes.core()

        def problem(message: str, sheet: str | None = None) -> Problem:
            return Problem(source=source, sheet=sheet, row=None, field=None, message=message)

        size = path.stat().st_size
        if size > self.limits.max_file_bytes:
            yield (
                None,
                0,
                problem(f"the file is larger than {self.limits.max_file_bytes} bytes: split it"),
            )
            return
        too_big = workbook_problem(path, self.max_unpacked_bytes, self.max_cells)
        if too_big is not None:
            yield None, 0, problem(too_big)
            return
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:20]
        try:
            book = python_calamine.CalamineWorkbook.from_path(source)
        except Exception as exc:
            yield None, 0, problem(f"not a workbook python-calamine can read: {exc}")
            return
        try:
            order = catalog_order(types)
            chosen: list[tuple[int, str, type[EventData]]] = []
            for meta in book.sheets_metadata:
                name = meta.name
                if name.startswith("_") or meta.visible != python_calamine.SheetVisibleEnum.Visible:
                    continue
                if meta.typ != python_calamine.SheetTypeEnum.WorkSheet:
                    continue
                event_type = sheet_type(name, types)
                if event_type is None:
                    if _has_values(book.get_sheet_by_name(name)):
                        known = ", ".join(sorted(types.by_name))
                        yield (
                            name,
                            0,
                            problem(
                                f"the sheet '{name}' names no event type (known: {known}); "
                                "start its name with '_' to keep it out of the import",
                                sheet=name,
                            ),
                        )
                    continue
                chosen.append((order.get(event_type.type_name, len(order)), name, event_type))
            chosen.sort(key=lambda c: c[0])
            for _rank, name, event_type in chosen:
                try:
                    sheet = book.get_sheet_by_name(name)
                    rows = sheet.iter_rows()
                except Exception as exc:
                    yield name, 0, problem(f"the sheet cannot be read: {exc}", sheet=name)
                    continue
                for row, item in read_table(
                    rows,
                    event_type,
                    source=source,
                    sheet=name,
                    ref_prefix=f"file:{digest}:{name}",
                    limits=self.limits,
                ):
                    yield name, row, item
        finally:
            book.close()

    def template(
        self, path: Path, types: Sequence[type[EventData]], unit_codes: Sequence[str] = ()
    ) -> list[Path]:
        """Write one blank workbook (``path``, or ``path/dvcore-mau-nhap-lieu.xlsx`` when
        ``path`` is a directory): one sheet per type, Vietnamese headers, drop-down lists
        for enumerated fields and for ``unit_codes``."""
        from dvcore_xlsx.template import write_workbook

        if path.is_dir() or path.suffix.lower() != ".xlsx":
            path.mkdir(parents=True, exist_ok=True)
            path = path / "dvcore-mau-nhap-lieu.xlsx"
        return [write_workbook(path, types, unit_codes)]


def _has_values(sheet: Any) -> bool:
    return any(any(cell not in ("", None) for cell in row) for row in sheet.iter_rows())
