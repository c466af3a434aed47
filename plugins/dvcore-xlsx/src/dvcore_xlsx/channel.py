"""The ``xlsx`` input channel: a workbook holds one sheet per event type.

A sheet is named after its event type (``DialogueHeld``) or its Vietnamese label
(``Đối thoại trực tiếp với Nhân dân``), in any case and tone placement; Excel cuts sheet
names at 31 characters, and a cut name or label is recognised. Sheets are read in the
order of the event catalogue, so units are registered before the events that name them
whatever the order of the tabs.

The cover sheet, "Thông tin báo cáo", declares the submitting unit and the period
(:meth:`XlsxChannel.cover`); it holds no events and is not read as a table. Sheets whose
name starts with ``_`` (notes, the template's lists) are not read, hidden or not. Nothing
else is skipped in silence, each of these is a problem naming the file, sheet, row and
column:

- a visible sheet that holds values and names no event type (a misspelt sheet);
- a hidden sheet that holds rows of an event type (unhide it, or delete it);
- a header cell merged across columns (the columns it covers have no header of their own);
- a formula without a cached value in a data row (a workbook written by a program and
  never opened in Excel: calamine would read an empty cell).

python-calamine reads the cells (xlsx, xlsm, xlsb, xls, ods); the rows are turned into
events by :func:`dvcore.tables.read_table`, like the CSV channel's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs
import python_calamine

from dvcore.errors import Problem
from dvcore.events import EventData
from dvcore.i18n import _
from dvcore.serialization import EventTypes
from dvcore.tables import (
    COVER_LABELS,
    COVER_SHEET,
    Cover,
    Limits,
    catalog_order,
    column_letter,
    event_type_from_label,
    fold,
    read_table,
    unit_code,
)
from dvcore_xlsx._bounds import workbook_problem
from dvcore_xlsx._sheetxml import uncached_formulas

__all__ = ["SHEET_NAME_MAX", "XlsxChannel", "is_cover_sheet", "sheet_type"]

#: Excel's limit on the length of a sheet's name.
SHEET_NAME_MAX = 31


def sheet_type(name: str, types: EventTypes) -> type[EventData] | None:
    """The event type a sheet's name says: the type's name or its Vietnamese label, in
    any case and tone placement, whole or cut at 31 characters."""
    found = types.get(name)
    if found is not None:
        return found
    return event_type_from_label(name, types, cut=SHEET_NAME_MAX)


def is_cover_sheet(name: str) -> bool:
    """Whether a sheet is the cover ("Thông tin báo cáo", any case and tone placement)."""
    return fold(name) == _COVER


_COVER = fold(COVER_SHEET)
_COVER_KEYS = {
    **{fold(label): key for key, label in COVER_LABELS.items()},
    **{key: key for key in COVER_LABELS},
}


def _filled(value: Any) -> bool:
    return not (value is None or (isinstance(value, str) and not value.strip()))


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).strip()


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

    def _open(self, path: Path) -> tuple[Any, str | None]:
        """The workbook, or ``None`` and why it cannot be read."""
        if path.stat().st_size > self.limits.max_file_bytes:
            return None, _(
                "the file is larger than {limit} bytes: split it", limit=self.limits.max_file_bytes
            )
        too_big = _measured(path, self.max_unpacked_bytes, self.max_cells)
        if too_big is not None:
            return None, too_big
        try:
            return python_calamine.CalamineWorkbook.from_path(str(path)), None
        except Exception as exc:
            return None, _("not a workbook python-calamine can read: {error}", error=exc)

    def _event_sheets(
        self, book: Any, types: EventTypes
    ) -> Iterator[tuple[str, type[EventData] | None, bool]]:
        """``(name, event type or None, hidden)`` of every worksheet that may hold events:
        not the cover, not a ``_`` sheet, in the order of the event catalogue."""
        order = catalog_order(types)
        chosen: list[tuple[int, int, str, type[EventData] | None, bool]] = []
        for index, meta in enumerate(book.sheets_metadata):
            name = meta.name
            if name.startswith("_") or is_cover_sheet(name):
                continue
            if meta.typ != python_calamine.SheetTypeEnum.WorkSheet:
                continue
            hidden = meta.visible != python_calamine.SheetVisibleEnum.Visible
            event_type = sheet_type(name, types)
            rank = -1 if event_type is None else order.get(event_type.type_name, len(order))
            chosen.append((rank, index, name, event_type, hidden))
        chosen.sort(key=lambda c: (c[0], c[1]))
        for _rank, _index, name, event_type, hidden in chosen:
            yield name, event_type, hidden

    def read_sheets(
        self, path: Path, types: EventTypes | None = None
    ) -> Iterator[tuple[str | None, int, dict[str, Any] | Problem]]:
        """Yield ``(sheet, row, event dict or problem)`` for every row of every event sheet.

        Row numbers are the sheet's own (the header is usually row 1). A row without
        ``source_ref`` has none: the import derives its key from the row's meaning, never
        from the file's bytes.
        """
        source = str(path)
        types = types if types is not None else EventTypes.core()

        def problem(
            message: str,
            sheet: str | None = None,
            row: int | None = None,
            column: str | None = None,
        ) -> Problem:
            return Problem(source=source, sheet=sheet, row=row, field=column, message=message)

        book, why = self._open(path)
        if book is None:
            yield None, 0, problem(why or "")
            return
        try:
            sheets = list(self._event_sheets(book, types))
            formulas = uncached_formulas(
                path, [name for name, event_type, hidden in sheets if event_type and not hidden]
            )
            for name, event_type, hidden in sheets:
                try:
                    sheet = book.get_sheet_by_name(name)
                except Exception as exc:
                    yield name, 0, problem(_("the sheet cannot be read: {error}", error=exc), name)
                    continue
                if event_type is None:
                    if not hidden and _has_values(sheet):
                        known = ", ".join(sorted(types.by_name))
                        yield (
                            name,
                            0,
                            problem(
                                _(
                                    "the sheet '{sheet}' names no event type (known: {known}); "
                                    "start its name with '_' to keep it out of the import",
                                    sheet=name,
                                    known=known,
                                ),
                                sheet=name,
                            ),
                        )
                    continue
                start_col = (sheet.start or (0, 0))[1]
                rows = iter(sheet.iter_rows())
                header_at, header = _header(rows)
                if header is None:
                    continue
                if hidden:
                    data_row = next(
                        (
                            header_at + 1 + offset
                            for offset, cells in enumerate(rows, start=1)
                            if any(_filled(c) for c in cells)
                        ),
                        None,
                    )
                    if data_row is not None:
                        yield (
                            name,
                            data_row,
                            problem(
                                _(
                                    "the sheet '{sheet}' is hidden but holds rows of "
                                    "{type} (the first in row {row}): unhide it to import them, "
                                    "or delete the sheet",
                                    sheet=name,
                                    type=event_type.type_name,
                                    row=data_row,
                                ),
                                sheet=name,
                                row=data_row,
                            ),
                        )
                    continue
                yield from self._header_problems(sheet, name, header_at, header, start_col, problem)
                refused: set[int] = set()
                for row0, col0 in formulas.get(name, ()):
                    if row0 <= header_at:
                        continue
                    refused.add(row0)
                    letter = column_letter(col0 + 1)
                    index = col0 - start_col
                    label = (
                        _text(header[index])
                        if 0 <= index < len(header) and _filled(header[index])
                        else None
                    )
                    where = f"{letter} ('{label}')" if label else letter
                    yield (
                        name,
                        row0 + 1,
                        problem(
                            _(
                                "the cell {cell} holds a formula without a computed value "
                                "(column {column}): open the workbook in Excel and save it "
                                "again, or type the value itself",
                                cell=f"{letter}{row0 + 1}",
                                column=where,
                            ),
                            sheet=name,
                            row=row0 + 1,
                            column=label or letter,
                        ),
                    )
                body = _without(rows, header_at + 1, refused)
                for row, item in read_table(
                    _chain([[]] * header_at, [header], body),
                    event_type,
                    source=source,
                    sheet=name,
                    first_column=start_col + 1,
                    limits=self.limits,
                ):
                    yield name, row, item
        finally:
            book.close()

    @staticmethod
    def _header_problems(
        sheet: Any,
        name: str,
        header_at: int,
        header: list[Any],
        start_col: int,
        problem: Any,
    ) -> Iterator[tuple[str | None, int, Problem]]:
        """A header cell merged across columns: the columns it covers have no header."""
        for (r0, c0), (r1, c1) in sheet.merged_cell_ranges or ():
            if not (r0 <= header_at <= r1) or c1 <= c0:
                continue
            index = c0 - start_col
            text = _text(header[index]) if 0 <= index < len(header) else ""
            cells = f"{column_letter(c0 + 1)}{r0 + 1}:{column_letter(c1 + 1)}{r1 + 1}"
            others = ", ".join(column_letter(c + 1) for c in range(c0 + 1, c1 + 1))
            yield (
                name,
                header_at + 1,
                problem(
                    _(
                        "the header cells {cells} ('{header}') are merged, so column(s) {others} "
                        "have no header of their own; unmerge them and give each column its "
                        "header",
                        cells=cells,
                        header=text,
                        others=others,
                    ),
                    sheet=name,
                    row=header_at + 1,
                    column=f"{column_letter(c0 + 1)} ({text})" if text else column_letter(c0 + 1),
                ),
            )

    def form(self, path: Path, types: EventTypes | None = None) -> list[str]:
        """The event type names the workbook holds as sheets: every visible event sheet
        with a header row counts, rows or not (a sheet with its header and no rows says
        "none of this type"); in the order the sheets are read, each once. A workbook
        that cannot be read gives ``[]`` (:meth:`read_sheets` says why)."""
        types = types if types is not None else EventTypes.core()
        book, _why = self._open(path)
        if book is None:
            return []
        try:
            found: list[str] = []
            for name, event_type, hidden in self._event_sheets(book, types):
                if event_type is None or hidden or event_type.type_name in found:
                    continue
                try:
                    rows = iter(book.get_sheet_by_name(name).iter_rows())
                except Exception:
                    continue
                if _header(rows)[1] is not None:
                    found.append(event_type.type_name)
            return found
        finally:
            book.close()

    def cover(self, path: Path) -> Cover | None:
        """What the workbook's cover sheet ("Thông tin báo cáo") declares: the cell right of
        the label "Đơn vị gửi báo cáo" (or ``unit``) and of "Kỳ báo cáo" (or ``period``).

        A unit written ``"HP.LC — Xã Lê Chân"`` (em dash, en dash or hyphen between spaces,
        as the template's drop-down offers it) gives its code ``"HP.LC"``. ``None`` when the
        workbook has no cover sheet or cannot be read.
        """
        book, _why = self._open(path)
        if book is None:
            return None
        try:
            for meta in book.sheets_metadata:
                if is_cover_sheet(meta.name):
                    name = meta.name
                    break
            else:
                return None
            try:
                rows = book.get_sheet_by_name(name).iter_rows()
            except Exception:
                return None
            values: dict[str, tuple[str | None, int]] = {}
            for number, cells in enumerate(rows, start=1):
                for index, cell in enumerate(cells):
                    if not isinstance(cell, str):
                        continue
                    key = _COVER_KEYS.get(fold(cell.strip().rstrip(":")))
                    if key is None or key in values:
                        continue
                    value = next((c for c in cells[index + 1 :] if _filled(c)), None)
                    values[key] = (None if value is None else _text(value), number)
                    break
            unit, unit_row = values.get("unit", (None, None))
            period, period_row = values.get("period", (None, None))
            return Cover(
                unit=None if unit is None else unit_code(unit),
                period=period,
                source=str(path),
                sheet=name,
                unit_row=unit_row,
                period_row=period_row,
            )
        finally:
            book.close()

    def template(
        self,
        path: Path,
        types: Sequence[type[EventData]],
        unit_codes: Sequence[str | tuple[str, str]] = (),
    ) -> list[Path]:
        """Write one blank workbook (``path``, or ``path/dvcore-mau-nhap-lieu.xlsx`` when
        ``path`` is a directory): the cover sheet first, then one sheet per type,
        Vietnamese headers, drop-down lists for enumerated fields and for the units
        (``unit_codes``: codes, or ``(code, name)`` pairs offered as ``"code — name"``)."""
        from dvcore_xlsx.template import write_workbook

        if path.is_dir() or path.suffix.lower() != ".xlsx":
            path.mkdir(parents=True, exist_ok=True)
            path = path / "dvcore-mau-nhap-lieu.xlsx"
        return [write_workbook(path, types, unit_codes)]


# An import opens a workbook three times (its form, its cover, its rows): measure it once
# while the file stays the same (its size and modification time).
_MEASURED: dict[tuple[str, int, int, int, int], str | None] = {}


def _measured(path: Path, max_unpacked_bytes: int, max_cells: int) -> str | None:
    """:func:`workbook_problem`, remembered for the file as it is now."""
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns, max_unpacked_bytes, max_cells)
    if key not in _MEASURED:
        if len(_MEASURED) > 64:
            _MEASURED.clear()
        _MEASURED[key] = workbook_problem(path, max_unpacked_bytes, max_cells)
    return _MEASURED[key]


def _has_values(sheet: Any) -> bool:
    return any(any(cell not in ("", None) for cell in row) for row in sheet.iter_rows())


def _header(rows: Iterator[list[Any]]) -> tuple[int, list[Any] | None]:
    """The 0-based index of the first row with a value and that row (``None``: no header);
    the rows are consumed up to it."""
    for index, cells in enumerate(rows):
        if any(_filled(c) for c in cells):
            return index, list(cells)
    return -1, None


def _without(rows: Iterable[list[Any]], first: int, refused: set[int]) -> Iterator[list[Any]]:
    """The rows from index ``first`` on, those in ``refused`` emptied (already reported)."""
    if not refused:
        yield from rows
        return
    for index, cells in enumerate(rows, start=first):
        yield [] if index in refused else cells


def _chain(*parts: Iterable[list[Any]]) -> Iterator[list[Any]]:
    for part in parts:
        yield from part
