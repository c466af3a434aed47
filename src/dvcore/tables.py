"""Input tables: a header row and cell rows become events, the way DESIGN.md §6 says.

The CSV channel (core) and the Excel channel (the ``dvcore-xlsx`` plugin) both hand their
rows to :func:`read_table`. A table holds one event type. Its header names the columns:
``occurred_on``, ``unit``, ``source_ref`` and the fields of the type's data, by name or by
Vietnamese label (:mod:`dvcore._builtin.labels`); a window is two columns
(``window_from``, ``window_to``); an object field is one column per key
(``attributes.ntm_model``) or one JSON cell; a list is ``;``-separated; a nested structure
(the targets of a ``TargetSetAdopted``) is a JSON cell.

Cells are typed by the event class's field types: dates ISO (``2023-03-30``) or Vietnamese
(``30/3/2023``) or a spreadsheet date; numbers as numbers or Vietnamese text (``2.035`` is
2035, ``54,5`` is 54.5, ``1,234`` is ambiguous and refused); booleans ``true``/``false``,
``1``/``0``, ``có``/``không``; an empty cell is null. Every bad cell is a
:class:`~dvcore.errors.Problem` naming the file, sheet, row and column: a table is read to
its end, so an import reports every problem at once.

The module also writes tables (:func:`table_from_events`, used by tests, benchmarks and
anyone converting JSON Lines to spreadsheets) and describes the template columns
(:func:`template_columns`). It is public: input channels in other distributions (the
``dvcore-xlsx`` plugin) read their rows with it. Running an import of files as a
submission is :mod:`dvcore.importing`'s job.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import types as pytypes
import typing
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

import attrs

from dvcore._builtin.labels import (
    ENVELOPE_LABELS,
    TEMPLATE_KEYS,
    TYPE_LABELS,
    UNIT_FIELDS,
    WINDOW_LABELS,
    field_label,
    fold,
    type_label,
    value_label,
)
from dvcore.errors import InputError, Problem
from dvcore.events import EventData, Window
from dvcore.i18n import _
from dvcore.periods import parse_date
from dvcore.serialization import EventTypes

__all__ = [
    "COVER_LABELS",
    "COVER_SHEET",
    "ENVELOPE_LABELS",
    "TYPE_LABELS",
    "UNIT_FIELDS",
    "Cover",
    "Limits",
    "Row",
    "TemplateColumn",
    "catalog_order",
    "column_letter",
    "event_type_from_label",
    "event_type_from_name",
    "field_label",
    "fold",
    "parse_number",
    "read_table",
    "table_from_events",
    "template_columns",
    "type_label",
    "unit_choice",
    "unit_code",
    "value_label",
]

#: One located item a channel produces: ``(sheet or None, row, event dict or problem)``.
Row = tuple[str | None, int, dict[str, Any] | Problem]


@attrs.frozen(kw_only=True)
class Limits:
    """How much one input table may hold; past a limit the table is refused with a problem.

    The defaults are safe for a clerk's files and far above any real report: Excel's own
    limit on a cell is 32,767 characters.
    """

    max_rows: int = 1_000_000
    max_cell_chars: int = 32_767
    max_file_bytes: int = 512 * 1024 * 1024


#: The name of a workbook's cover sheet: the submitting unit and the period, not events.
COVER_SHEET = "Thông tin báo cáo"

#: The labels of the cover sheet's cells, each followed by its value in the next column.
COVER_LABELS: Mapping[str, str] = {
    "unit": "Đơn vị gửi báo cáo",
    "period": "Kỳ báo cáo",
}


@attrs.frozen(kw_only=True)
class Cover:
    """What a workbook's cover sheet declares: the unit that sends it and the period.

    ``unit`` is the unit's code (a cell ``"HP.LC — Xã Lê Chân"`` gives ``"HP.LC"``), ``None``
    when the cell is empty or missing; ``period`` the period as written (``2023-Q3``,
    ``2023-9M``, ``2023``), not checked here. ``source`` and ``sheet`` name the file and the
    cover sheet, ``unit_row`` and ``period_row`` the rows of the two cells (1-based), so a
    problem about them can say where they are.
    """

    unit: str | None
    period: str | None
    source: str
    sheet: str
    unit_row: int | None = None
    period_row: int | None = None


# "code — name", "code – name" or "code - name": the unit's code, then its name.
_UNIT_NAME = re.compile(r"\s+[\u2014\u2013-]\s+")


def unit_code(text: str) -> str:
    """The unit code of a cell that names a unit: ``"HP.LC — Xã Lê Chân"`` (em dash, en dash
    or hyphen between spaces) gives ``"HP.LC"``; a bare code is kept as it is, and so is a
    text whose part before the dash has a space in it (a code has none) or that has no
    name after it."""
    text = text.strip()
    found = _UNIT_NAME.search(text)
    if found is None or not text[found.end() :].strip():
        return text
    code = text[: found.start()]
    return code if code and not any(c.isspace() for c in code) else text


def unit_choice(code: str, name: str | None = None) -> str:
    """How a template offers a unit in its drop-down lists: ``"HP.LC — Xã Lê Chân"`` (the
    code alone when the unit has no name); :func:`unit_code` reads it back."""
    return f"{code} \u2014 {name}" if name else code


def column_letter(number: int) -> str:
    """A spreadsheet column's letters from its 1-based number: 1 is ``A``, 27 is ``AA``."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def event_type_from_label(
    title: str, types: EventTypes, *, cut: int | None = None
) -> type[EventData] | None:
    """The event type a title names: its wire name or its Vietnamese label
    (:func:`type_label`), forgiving case and tone placement; with ``cut``, a title of
    exactly ``cut`` characters also matches a longer name or label cut there (Excel cuts
    sheet names at 31)."""
    wanted = fold(title)
    if not wanted:
        return None
    for event_type in types:
        for name in (event_type.type_name, type_label(event_type)):
            if fold(name) == wanted:
                return event_type
    if cut is not None and len(title.strip()) == cut:
        for event_type in types:
            for name in (event_type.type_name, type_label(event_type)):
                if len(name) > cut and fold(name[:cut]) == wanted:
                    return event_type
    return None


class _Bad(Exception):
    """A cell that cannot be read as its column's type; the message says why."""


# --- numbers, dates, booleans -----------------------------------------------------------

_DIGITS = re.compile(r"[0-9]+")
_VN_GROUPED = re.compile(r"[1-9][0-9]{0,2}(?:\.[0-9]{3})+")
_EN_GROUPED = re.compile(r"[1-9][0-9]{0,2}(?:,[0-9]{3})+")
_SPACES = str.maketrans("", "", " \u00a0\u202f\u2009")


def parse_number(text: str) -> Decimal:
    """Read a number written the Vietnamese way (or plainly): ``2.035``, ``1.234.567,5``,
    ``54,5``, ``54.5``, ``-3``.

    A dot followed by exactly three digits groups thousands (``2.035`` is 2035); a comma
    is the decimal mark. ``1,234`` could be either and raises :class:`ValueError`, as does
    ``1,234,567`` (English grouping) and anything that is not a number.
    """
    s = text.translate(_SPACES)
    sign = ""
    if s[:1] in ("-", "+"):
        sign, s = ("-" if s[0] == "-" else ""), s[1:]
    if not s:
        raise ValueError(_("'{text}' is not a number", text=text))
    if _DIGITS.fullmatch(s):
        return Decimal(sign + s)
    dots, commas = s.count("."), s.count(",")
    whole, fraction = s, ""
    if dots and commas:
        if s.rfind(",") > s.rfind(".") and commas == 1:  # 1.234.567,5
            whole, fraction = s.split(",")
            if not _VN_GROUPED.fullmatch(whole):
                raise ValueError(
                    _("'{text}' is not a number: group thousands as 1.234.567,5", text=text)
                )
            whole = whole.replace(".", "")
        else:
            raise ValueError(
                _(
                    "'{text}' is written the English way: write it as Vietnamese does "
                    "(1.234.567,5: a dot between thousands, a comma before decimals)",
                    text=text,
                )
            )
    elif commas:
        if commas > 1:
            raise ValueError(
                _(
                    "'{text}' is ambiguous: group thousands with dots (1.234.567), "
                    "and write decimals after a comma (54,5)",
                    text=text,
                )
            )
        whole, fraction = s.split(",")
        if len(fraction) == 3 and 1 <= len(whole) <= 3 and whole[0] != "0":
            raise ValueError(
                _(
                    "'{text}' is ambiguous: write {grouped} for {number} or {decimal} with "
                    "fewer decimals",
                    text=text,
                    grouped=f"{whole}.{fraction}",
                    number=int(whole + fraction),
                    decimal=f"{whole},{fraction.rstrip('0') or '0'}",
                )
            )
    elif dots:
        if _VN_GROUPED.fullmatch(s):  # 2.035, 1.234.567
            whole = s.replace(".", "")
        elif dots == 1:  # 54.5: the only way to read it
            whole, fraction = s.split(".")
        else:
            raise ValueError(_("'{text}' is not a number", text=text))
    if not _DIGITS.fullmatch(whole) or (fraction and not _DIGITS.fullmatch(fraction)):
        raise ValueError(_("'{text}' is not a number", text=text))
    try:
        return Decimal(f"{sign}{whole}.{fraction}" if fraction else sign + whole)
    except InvalidOperation:  # pragma: no cover - the patterns above admit only digits
        raise ValueError(_("'{text}' is not a number", text=text)) from None


def _number_text(value: Any) -> Decimal:
    try:
        return parse_number(value)
    except ValueError as exc:
        raise _Bad(str(exc)) from None


def _to_int(value: Any) -> int:
    kind = type(value)
    if kind is int:
        return int(value)
    if kind is float:
        if value.is_integer():
            return int(value)
        raise _Bad(_("{value} is not a whole number", value=value))
    if kind is str:
        number = _number_text(value)
        if number != number.to_integral_value():
            raise _Bad(_("'{value}' is not a whole number", value=value))
        return int(number)
    raise _Bad(_("{value} is not a number", value=_show(value)))


def _json_decimal(number: Decimal) -> int | str:
    # The JSON Lines shape of a Decimal field: an int when whole, else its text.
    if number == number.to_integral_value():
        return int(number)
    return str(number.normalize())


def _to_decimal(value: Any) -> int | str:
    kind = type(value)
    if kind is int:
        return int(value)
    if kind is float:
        if value != value or value in (float("inf"), float("-inf")):
            raise _Bad(_("{value} is not a number", value=value))
        return _json_decimal(Decimal(repr(value)))
    if kind is str:
        return _json_decimal(_number_text(value))
    raise _Bad(_("{value} is not a number", value=_show(value)))


_TRUE = frozenset({"true", "1", "có", "co", "x", "yes"})
_FALSE = frozenset({"false", "0", "không", "khong", "no"})


def _to_bool(value: Any) -> bool:
    kind = type(value)
    if kind is bool:
        return bool(value)
    if kind in (int, float) and value in (0, 1):
        return bool(value)
    if kind is str:
        low = value.lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
        folded = fold(value)
        if folded in _TRUE_FOLDED:
            return True
        if folded in _FALSE_FOLDED:
            return False
    raise _Bad(
        _(
            "{value} is not a yes/no value: write true/false, 1/0 or có/không",
            value=_show(value),
        )
    )


_TRUE_FOLDED = frozenset(fold(t) for t in _TRUE)
_FALSE_FOLDED = frozenset(fold(f) for f in _FALSE)


def _to_date(value: Any) -> str:
    kind = type(value)
    if kind is dt.date:
        return str(value.isoformat())
    if kind is dt.datetime:
        return str(value.date().isoformat())
    if kind is str:
        return _date_text(value).isoformat()
    if kind in (int, float):
        raise _Bad(
            _(
                "{value} is a number, not a date: format the cell as a date or write 30/3/2023",
                value=_show(value),
            )
        )
    raise _Bad(_("{value} is not a date", value=_show(value)))


def _date_text(text: str) -> dt.date:
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        try:
            return dt.date(int(text[:4]), int(text[5:7]), int(text[8:]))
        except ValueError:
            pass
    parts = text.split("/")
    if len(parts) == 3 and all(p.isdigit() and p.isascii() for p in parts) and len(parts[2]) == 4:
        try:
            return dt.date(int(parts[2]), int(parts[1]), int(parts[0]))
        except ValueError:
            pass
    if len(text) > 10 and text[10] in " T" and text[11:].replace(":", "").strip("0") == "":
        text = text[:10]  # "2023-03-30 00:00:00", as some tools write dates
    try:
        return parse_date(text)
    except InputError as exc:
        raise _Bad(exc.message) from None


def _to_text(value: Any) -> str:
    kind = type(value)
    if kind is str:
        return str(value)
    if kind is float and value.is_integer():
        return str(int(value))  # a code typed as a number: 134, not 134.0
    if kind is bool:
        return "true" if value else "false"
    if kind is dt.date:
        return str(value.isoformat())
    return str(value)


def _to_unit(value: Any) -> str:
    # A cell naming a unit: its code, or "code — name" as the template's drop-down offers.
    text = _to_text(value)
    return unit_code(text) if " " in text else text


def _to_scalar(value: Any) -> str | int | bool:
    # An attribute value: text, a whole number, or yes/no.
    kind = type(value)
    if kind is bool or kind is int:
        return typing.cast("int | bool", value)
    if kind is float:
        if value.is_integer():
            return int(value)
        raise _Bad(_("{value}: an attribute is a text, a whole number or yes/no", value=value))
    if kind is str:
        low = fold(value)
        if low in ("true", fold("có")):
            return True
        if low in ("false", fold("không")):
            return False
        if _DIGITS.fullmatch(value.lstrip("-")) and value.lstrip("-"):
            return int(value)
        return str(value)
    return _to_text(value)


def _to_json(value: Any) -> Any:
    if type(value) is not str:
        raise _Bad(_("{value} is not JSON", value=_show(value)))
    try:
        return json.loads(value)
    except json.JSONDecodeError as exc:
        raise _Bad(
            _("not valid JSON ({error} at character {at})", error=exc.msg, at=exc.pos + 1)
        ) from None
    except RecursionError:
        raise _Bad(_("the JSON is nested too deeply")) from None


def _show(value: Any) -> str:
    return f"'{value}'" if isinstance(value, str) else repr(value)


def _enum(choices: Sequence[str], labels: Mapping[str, str]) -> Callable[[Any], str]:
    allowed = frozenset(choices)
    by_fold: dict[str, str] = {}
    for choice in choices:
        by_fold[fold(choice)] = choice
        by_fold.setdefault(fold(labels.get(choice) or value_label(choice)), choice)
    shown = ", ".join(f"{c} ({labels.get(c) or value_label(c)})" for c in choices)

    def convert(value: Any) -> str:
        if type(value) is str:
            if value in allowed:
                return str(value)
            found = by_fold.get(fold(value))
            if found is not None:
                return found
        raise _Bad(_("{value} is not one of: {choices}", value=_show(value), choices=shown))

    return convert


def _list_of(item: Callable[[Any], Any]) -> Callable[[Any], list[Any]]:
    def convert(value: Any) -> list[Any]:
        if type(value) is str:
            return [item(part.strip()) for part in value.split(";") if part.strip()]
        return [item(value)]

    return convert


# --- the columns of an event type -------------------------------------------------------

_ENV, _DATA, _WIN_FROM, _WIN_TO, _KEY, _TYPE, _OBJ = range(7)


@attrs.frozen(kw_only=True)
class _Target:
    """Where a column's cells go: the envelope, a data field, a window end, an object key."""

    slot: int
    key: str
    sub: str = ""
    convert: Callable[[Any], Any]
    required: bool = False
    name: str = ""  # the canonical header (``window_from``, ``attributes.ntm_model``)


@attrs.frozen(kw_only=True)
class _Field:
    name: str
    label: str
    kind: str  # text int decimal bool date enum window object list json scalar
    convert: Callable[[Any], Any]
    required: bool
    choices: tuple[str, ...] = ()
    choice_labels: tuple[str, ...] = ()
    item_kind: str = ""
    empty_default: bool = False  # the field defaults to an empty object


@attrs.frozen(kw_only=True)
class _Schema:
    event_type: type[EventData]
    fields: tuple[_Field, ...]
    exact: Mapping[str, _Target]  # fold(header) → target
    objects: Mapping[str, _Field]  # fold(prefix) → object field, for dotted headers
    required: tuple[_Target, ...]


_SIMPLE: dict[Any, tuple[str, Callable[[Any], Any]]] = {
    int: ("int", _to_int),
    Decimal: ("decimal", _to_decimal),
    bool: ("bool", _to_bool),
    str: ("text", _to_text),
    dt.date: ("date", _to_date),
    uuid.UUID: ("text", _to_text),
}


def _classify(tp: Any, labels: Mapping[str, str]) -> tuple[str, Callable[[Any], Any], Any]:
    """``(kind, converter, extra)`` of a field type: extra is the choices or item kind."""
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, pytypes.UnionType):
        rest = [a for a in args if a is not type(None)]
        if len(rest) == 1:
            return _classify(rest[0], labels)
        if all(a in (str, int, bool) for a in rest):
            return "scalar", _to_scalar, None
        return "json", _to_json, None
    if tp is Window:
        return "window", _to_date, None
    if origin is Literal:
        choices = tuple(str(a) for a in args)
        return "enum", _enum(choices, labels), choices
    if tp in _SIMPLE:
        kind, convert = _SIMPLE[tp]
        return kind, convert, None
    if origin in (Mapping, dict, typing.Mapping):
        value_type = args[1] if len(args) == 2 else Any
        if value_type is Any:  # anything goes: written as JSON, keys read as scalars
            return "object", _to_scalar, "any"
        value_kind, value_convert, _ = _classify(value_type, labels)
        if value_kind in ("json", "window", "object", "list"):
            value_kind, value_convert = "scalar", _to_scalar
        return "object", value_convert, value_kind
    if origin in (tuple, list, Sequence, typing.Sequence) and args:
        item_kind, item_convert, _ = _classify(args[0], labels)
        if item_kind in ("json", "window", "object", "list"):
            return "json", _to_json, None
        return "list", _list_of(item_convert), item_kind
    if tp is Any:
        return "scalar", _to_scalar, None
    return "json", _to_json, None


_SCHEMAS: dict[type[EventData], _Schema] = {}


def _schema(event_type: type[EventData]) -> _Schema:
    found = _SCHEMAS.get(event_type)
    if found is None:
        found = _SCHEMAS[event_type] = _build_schema(event_type)
    return found


def _build_schema(event_type: type[EventData]) -> _Schema:
    hints = typing.get_type_hints(event_type)
    fields: list[_Field] = []
    unit_fields = UNIT_FIELDS.get(event_type.type_name, frozenset())
    for attribute in attrs.fields(typing.cast(Any, event_type)):
        labels = attribute.metadata.get("value_labels") or {}
        kind, convert, extra = _classify(hints.get(attribute.name, Any), labels)
        if attribute.name in unit_fields and kind in ("text", "list"):
            convert = _to_unit if kind == "text" else _list_of(_to_unit)
        fields.append(
            _Field(
                name=attribute.name,
                label=field_label(event_type, attribute.name),
                kind=kind,
                convert=convert,
                required=attribute.default is attrs.NOTHING,
                choices=extra if kind == "enum" else (),
                choice_labels=tuple(labels.get(c) or value_label(c) for c in extra)
                if kind == "enum"
                else (),
                item_kind=extra if kind in ("list", "object") else "",
                empty_default=isinstance(attribute.default, attrs.Factory)  # type: ignore[arg-type]
                and attribute.default.factory is dict,
            )
        )
    exact: dict[str, _Target] = {}
    objects: dict[str, _Field] = {}

    def add(header: str, target: _Target, *, weak: bool = False) -> None:
        key = fold(header)
        if key in exact:
            if not weak and exact[key] is not target:
                exact[key] = target
            return
        exact[key] = target

    envelope = {
        "occurred_on": _Target(slot=_ENV, key="occurred_on", convert=_to_date, required=True),
        "unit": _Target(slot=_ENV, key="unit", convert=_to_unit, required=True),
        "source_ref": _Target(slot=_ENV, key="source_ref", convert=_to_text),
    }
    for name, target in envelope.items():
        add(name, attrs.evolve(target, name=name))
    type_check = _Target(slot=_TYPE, key="type", convert=_to_text, name="type")
    add("type", type_check)
    add("Loại sự kiện", type_check)
    required: list[_Target] = [exact["occurred_on"], exact["unit"]]
    for field in fields:
        if field.kind == "window":
            ends = []
            for end, slot in (("from", _WIN_FROM), ("to", _WIN_TO)):
                name = f"{field.name}_{end}"
                target = _Target(
                    slot=slot, key=field.name, convert=_to_date, required=field.required, name=name
                )
                ends.append(target)
                add(name, target)
                add(f"data.{name}", target)
                if field.name == "window":
                    add(WINDOW_LABELS[f"window_{end}"], target, weak=True)
                add(
                    f"{field.label} ({'từ ngày' if end == 'from' else 'đến ngày'})",
                    target,
                    weak=True,
                )
            if field.required:
                required.extend(ends)
            continue
        convert = _to_json if field.kind == "object" else field.convert
        slot = _OBJ if field.kind == "object" else _DATA
        target = _Target(
            slot=slot, key=field.name, convert=convert, required=field.required, name=field.name
        )
        if field.name not in envelope and field.name != "type":
            add(field.name, target)
        add(f"data.{field.name}", target)
        add(field.label, target, weak=True)
        if field.kind == "object":
            for prefix in (field.name, f"data.{field.name}", field.label):
                objects.setdefault(fold(prefix), field)
        if field.required and field.kind != "object":
            required.append(target)
    for name, label in ENVELOPE_LABELS.items():
        add(label, envelope[name] if name not in exact else exact[name], weak=True)
    return _Schema(
        event_type=event_type,
        fields=tuple(fields),
        exact=exact,
        objects=objects,
        required=tuple(required),
    )


def _resolve_header(schema: _Schema, header: str) -> _Target | None:
    target = schema.exact.get(fold(header))
    if target is not None:
        return target
    prefix, dot, key = header.rpartition(".")
    while dot:
        field = schema.objects.get(fold(prefix))
        if field is not None and key.strip():
            sub = header[len(prefix) + 1 :].strip()
            return _Target(
                slot=_KEY,
                key=field.name,
                sub=sub,
                convert=field.convert,
                name=f"{field.name}.{sub}",
            )
        prefix, dot, key = prefix.rpartition(".")
    return None


# --- reading a table ----------------------------------------------------------------------


def _clean(value: Any) -> Any:
    """A cell as the converters want it: text stripped and NFC, ``None`` when empty."""
    if type(value) is str:
        value = value.strip()
        if not value:
            return None
        if not value.isascii():
            value = unicodedata.normalize("NFC", value)
        return value
    if value is None or value == "":
        return None
    return value


def read_table(
    rows: Iterable[Sequence[Any]],
    event_type: type[EventData],
    *,
    source: str,
    sheet: str | None = None,
    ref_prefix: str | None = None,
    first_row: int = 1,
    first_column: int = 1,
    limits: Limits | None = None,
) -> Iterator[tuple[int, dict[str, Any] | Problem]]:
    """Turn a table's rows into ``(row number, event dict or problem)`` pairs.

    ``rows`` starts with the header (blank rows before it are skipped); ``first_row`` is the
    spreadsheet number of the first of them, ``first_column`` the number of their first
    column (1 is ``A``: problems name a column without a header by its letter). Rows
    without any value are skipped. A cell of a column that holds a unit's code (the
    envelope's ``unit``, :data:`UNIT_FIELDS`) may read ``"HP.LC — Xã Lê Chân"``, as the
    template's drop-down offers it: the code is kept.

    A row without ``source_ref`` gets none, unless ``ref_prefix`` is given (then
    ``f"{ref_prefix}:{row}"``): the import derives a key from the row's meaning, never
    from the file's bytes or the row's place.
    """
    limits = limits or Limits()
    schema = _schema(event_type)
    type_name = event_type.type_name
    max_chars = limits.max_cell_chars

    def problem(row: int | None, column: str | None, message: str) -> Problem:
        return Problem(source=source, sheet=sheet, row=row, field=column, message=message)

    iterator = iter(rows)
    number = first_row - 1
    header: list[Any] = []
    for cells in iterator:
        number += 1
        if any(_clean(c) is not None for c in cells):
            header = list(cells)
            break
    if not header:
        return
    header_row = number
    columns: list[tuple[int, _Target, str]] = []
    unlabeled: list[int] = []
    seen: dict[tuple[int, str, str], str] = {}
    header_bad = False
    for index, raw in enumerate(header):
        text = _clean(raw)
        if text is None:
            unlabeled.append(index)
            continue
        text = _to_text(text)
        target = _resolve_header(schema, text)
        if target is None:
            known = ", ".join(_known_headers(schema))
            yield (
                header_row,
                problem(
                    header_row,
                    text,
                    _(
                        "unknown column for {type}; the columns are: {known}",
                        type=type_name,
                        known=known,
                    ),
                ),
            )
            header_bad = True
            continue
        canonical = (target.slot, target.key, target.sub)
        if canonical in seen:
            yield (
                header_row,
                problem(
                    header_row, text, _("the column '{other}' says the same", other=seen[canonical])
                ),
            )
            header_bad = True
            continue
        seen[canonical] = text
        columns.append((index, target, text))
    present = {id(t) for _i, t, _h in columns}
    missing = [t for t in schema.required if id(t) not in present]
    if missing:
        names = ", ".join(f"{t.name} ({_label_of(schema, t)})" for t in missing)
        yield (
            header_row,
            problem(header_row, None, _("required columns are missing: {names}", names=names)),
        )
        return

    def stray_column(cells: Sequence[Any]) -> tuple[str, str]:
        # The first column that holds a value under no header, by its letter; the header
        # to its left is named too (a header cell merged across two columns looks so).
        index = next(
            i
            for i in range(len(cells))
            if (i >= header_width or i in unlabeled_set) and _clean(cells[i]) is not None
        )
        letter = column_letter(first_column + index)
        left = next(
            (
                _to_text(_clean(header[j]))
                for j in range(min(index, header_width) - 1, -1, -1)
                if _clean(header[j]) is not None
            ),
            None,
        )
        if left is None:
            return letter, _(
                "column {letter} holds a value but has no header in row {row}",
                letter=letter,
                row=header_row,
            )
        return letter, _(
            "column {letter} holds a value but has no header in row {row} (the nearest "
            "header to its left is '{left}': if that header cell is merged across columns, "
            "unmerge it and give each column its own header)",
            letter=letter,
            row=header_row,
            left=left,
        )

    unlabeled_set = frozenset(unlabeled)
    # The loop below runs once per cell of a 100,000-row workbook: names are bound
    # locally and the common cases come first (bench/bench_xlsx_import.py keeps it honest).
    count = 0
    header_width = len(header)
    width = max((i for i, _t, _h in columns), default=-1) + 1
    plan = [(i, t.slot, t.key, t.sub, t.convert, t.required, h) for i, t, h in columns]
    data_slot, env_slot = _DATA, _ENV
    from_slot, to_slot = _WIN_FROM, _WIN_TO
    bad, nfc, cell_problem = _Bad, unicodedata.normalize, _cell_problem
    for cells in iterator:
        number += 1
        n = len(cells)
        if n < width:
            cells = [*cells, *([None] * (width - n))]
        env: dict[str, Any] = {"type": type_name}
        data: dict[str, Any] = {}
        errors: list[tuple[str, str]] | None = None
        filled = 0
        for index, slot, key, sub, convert, required, text in plan:
            value = cells[index]
            if type(value) is str:
                if len(value) > max_chars:
                    errors = errors or []
                    errors.append((text, _("the cell holds more than {n} characters", n=max_chars)))
                    filled += 1
                    continue
                value = value.strip()
                if not value:
                    if required:
                        errors = errors or []
                        errors.append((text, ""))
                    continue
                if not value.isascii():
                    value = nfc("NFC", value)
            elif value is None:
                if required:
                    errors = errors or []
                    errors.append((text, ""))
                continue
            filled += 1
            try:
                converted = convert(value)
            except bad as exc:
                errors = errors or []
                errors.append((text, str(exc)))
                continue
            if slot == data_slot:
                data[key] = converted
            elif slot == env_slot:
                env[key] = converted
            elif slot == from_slot:
                data.setdefault(key, [None, None])[0] = converted
            elif slot == to_slot:
                data.setdefault(key, [None, None])[1] = converted
            else:
                message = cell_problem(slot, key, sub, converted, data, type_name)
                if message:
                    errors = errors or []
                    errors.append((text, message))
        stray = (
            bool(unlabeled)
            and any(_clean(cells[i]) is not None for i in unlabeled if i < len(cells))
        ) or (n > header_width and any(_clean(c) is not None for c in cells[header_width:]))
        if not filled:
            if stray:
                yield number, problem(number, *stray_column(cells))
            continue
        count += 1
        if count > limits.max_rows:
            yield (
                number,
                problem(
                    number,
                    None,
                    _("the table has more than {n} rows: split it", n=limits.max_rows),
                ),
            )
            return
        if stray:
            errors = errors or []
            errors.append(stray_column(cells))
        if errors:
            for column, message in errors:
                yield (
                    number,
                    problem(number, column or None, message or _("is empty: a value is required")),
                )
            continue
        if header_bad:
            continue
        if ref_prefix is not None and "source_ref" not in env:
            env["source_ref"] = f"{ref_prefix}:{number}"
        env["data"] = data
        yield number, env


def _cell_problem(
    slot: int, key: str, sub: str, value: Any, data: dict[str, Any], type_name: str
) -> str:
    """Store an object's key, a whole JSON object, or check the type column; "" when fine."""
    if slot == _KEY:
        obj = data.setdefault(key, {})
        if not isinstance(obj, dict):
            return _("the object is given whole in another column")
        obj[sub] = value
        return ""
    if slot == _OBJ:
        if not isinstance(value, dict):
            return _("expected a JSON object")
        previous = data.get(key)
        data[key] = {**value, **previous} if isinstance(previous, dict) else value
        return ""
    if value != type_name:
        return _("this table holds {type} events, not '{value}'", type=type_name, value=value)
    return ""


def _label_of(schema: _Schema, target: _Target) -> str:
    if target.slot == _ENV:
        return ENVELOPE_LABELS[target.key]
    for field in schema.fields:
        if field.name == target.key:
            if target.slot in (_WIN_FROM, _WIN_TO) and field.name == "window":
                return WINDOW_LABELS["window_from" if target.slot == _WIN_FROM else "window_to"]
            return field.label
    return target.key


def _known_headers(schema: _Schema) -> list[str]:
    return [c.header for c in _columns(schema.event_type, keys={})]


# --- writing tables and templates ---------------------------------------------------------


@attrs.frozen(kw_only=True)
class TemplateColumn:
    """One column of an input table, as a template or a converted table writes it.

    ``name`` is the canonical header (``occurred_on``, ``window_from``,
    ``attributes.ntm_model``), ``label`` the Vietnamese one; ``kind`` says how cells are read
    (text, int, decimal, bool, date, enum, list, json, scalar); ``choices`` are an enum's
    values; ``unit`` marks a column that holds the code of an existing unit.
    """

    name: str
    label: str
    kind: str
    required: bool
    choices: tuple[str, ...] = ()
    choice_labels: tuple[str, ...] = ()
    unit: bool = False
    field: str = ""
    part: str = ""  # "from" / "to" of a window, the key of an object column
    empty_default: bool = False  # an object field whose default is {} (else null)

    @property
    def header(self) -> str:
        """The canonical header (for messages that list the columns)."""
        return self.name


def _columns(
    event_type: type[EventData], keys: Mapping[str, Sequence[str]]
) -> list[TemplateColumn]:
    schema = _schema(event_type)
    unit_fields = UNIT_FIELDS.get(event_type.type_name, frozenset())
    out = [
        TemplateColumn(
            name="occurred_on", label=ENVELOPE_LABELS["occurred_on"], kind="date", required=True
        ),
        TemplateColumn(
            name="unit", label=ENVELOPE_LABELS["unit"], kind="text", required=True, unit=True
        ),
        TemplateColumn(
            name="source_ref", label=ENVELOPE_LABELS["source_ref"], kind="text", required=False
        ),
    ]
    for field in schema.fields:
        if field.kind == "window":
            for end in ("from", "to"):
                label = (
                    WINDOW_LABELS[f"window_{end}"]
                    if field.name == "window"
                    else f"{field.label} ({'từ ngày' if end == 'from' else 'đến ngày'})"
                )
                out.append(
                    TemplateColumn(
                        name=f"{field.name}_{end}",
                        label=label,
                        kind="date",
                        required=field.required,
                        field=field.name,
                        part=end,
                    )
                )
            continue
        if field.kind == "object":
            field_keys = keys.get(field.name)
            if field_keys is None:
                field_keys = TEMPLATE_KEYS.get((event_type.type_name, field.name), ())
            for key in field_keys:
                out.append(
                    TemplateColumn(
                        name=f"{field.name}.{key}",
                        label=f"{field.label}.{key}",
                        kind=field.item_kind or "scalar",
                        required=False,
                        field=field.name,
                        part=key,
                    )
                )
            if not field_keys:
                out.append(
                    TemplateColumn(
                        name=field.name,
                        label=field.label,
                        kind="json",
                        required=False,
                        field=field.name,
                        empty_default=field.empty_default,
                    )
                )
            continue
        name = (
            f"data.{field.name}"
            if field.name in ("occurred_on", "unit", "source_ref", "type")
            else field.name
        )
        out.append(
            TemplateColumn(
                name=name,
                label=field.label,
                kind=field.kind,
                required=field.required,
                choices=field.choices,
                choice_labels=field.choice_labels,
                unit=field.name in unit_fields,
                field=field.name,
            )
        )
    return out


def template_columns(event_type: type[EventData]) -> list[TemplateColumn]:
    """The columns a blank input table of ``event_type`` has, in order."""
    return _columns(event_type, keys={})


DateStyle = Literal["iso", "vietnamese", "native"]


def _cell_out(value: Any, kind: str, dates: DateStyle) -> Any:
    if value is None:
        return None
    if kind == "date":
        try:
            day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        except ValueError:
            return str(value)  # not a date: written as it is, for the reader to refuse
        if dates == "native":
            return day
        return day.isoformat() if dates == "iso" else f"{day.day}/{day.month}/{day.year}"
    if kind == "bool":
        return value if dates == "native" else ("true" if value else "false")
    if kind == "list":
        return ";".join(str(v) for v in value)
    if kind == "json":
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if kind == "scalar" and isinstance(value, bool) and dates != "native":
        return "true" if value else "false"
    if kind == "decimal":
        return _decimal_out(value, native=dates == "native")
    return value


def _decimal_out(value: Any, *, native: bool) -> Any:
    """A Decimal field's cell: a whole number as a number, a fraction as Vietnamese text
    that reads back exactly (``54,5``; ``1,2340`` rather than the ambiguous ``1,234``)."""
    if isinstance(value, bool):
        return value
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value))
    except InvalidOperation:
        return str(value)  # not a number: written as it is, for the reader to refuse
    if not number.is_finite():
        return str(value)
    if number == number.to_integral_value():
        return int(number) if native else str(int(number))
    sign = "-" if number < 0 else ""
    whole, _, fraction = f"{abs(number).normalize():f}".partition(".")
    if len(fraction) == 3 and len(whole) <= 3 and whole != "0":
        fraction += "0"
    return f"{sign}{whole},{fraction}"


def table_from_events(
    event_type: type[EventData],
    events: Iterable[Mapping[str, Any]],
    *,
    labels: bool = False,
    dates: DateStyle = "iso",
) -> tuple[list[str], list[list[Any]]]:
    """The header and rows of an input table holding ``events`` (JSON Lines dicts).

    ``labels`` writes the Vietnamese headers; ``dates`` writes dates ISO, Vietnamese
    (``30/3/2023``) or as ``datetime.date`` objects for a spreadsheet (``native`` also
    keeps booleans and numbers native). Reading the table back gives the same events.
    """
    chosen = [e for e in events if e.get("type") == event_type.type_name]
    schema = _schema(event_type)
    keys: dict[str, list[str]] = {}
    for field in schema.fields:
        if field.kind == "object":
            # One column per key when every value is a scalar (a missing key and a null
            # read back alike, so a null forces JSON), else the object whole as JSON.
            seen: dict[str, None] = {}
            simple = field.item_kind != "any"
            for event in chosen:
                value = event.get("data", {}).get(field.name)
                if isinstance(value, Mapping):
                    if not value and not field.empty_default:
                        simple = False  # {} must not read back as the default, null
                    for key, item in value.items():
                        seen.setdefault(str(key), None)
                        simple = (
                            simple and item is not None and not isinstance(item, Mapping | list)
                        )
                elif value is None and not field.empty_default:
                    simple = False
            keys[field.name] = list(seen) if simple else []
    columns = _columns(event_type, keys)
    header = [c.label if labels else c.name for c in columns]
    rows: list[list[Any]] = []
    for event in chosen:
        data = event.get("data", {})
        row: list[Any] = []
        for column in columns:
            if column.field == "":
                value = event.get(column.name)
            elif column.part in ("from", "to") and column.kind == "date":
                window = data.get(column.field)
                value = None if window is None else window[0 if column.part == "from" else 1]
            elif column.part:
                obj = data.get(column.field) or {}
                value = obj.get(column.part)
            else:
                value = data.get(column.field)
                if column.kind == "json" and value == {} and column.empty_default:
                    value = None
            row.append(_cell_out(value, column.kind, dates))
        rows.append(row)
    return header, rows


# --- which type a file holds ----------------------------------------------------------------


def catalog_order(types: EventTypes) -> dict[str, int]:
    """The rank of each type when files or sheets are read: the core catalogue's order
    (units first, corrections last), then plugins' types in the order they came."""
    from dvcore.events import CORE_EVENT_TYPES

    order = {t.type_name: i for i, t in enumerate(CORE_EVENT_TYPES)}
    for event_type in types:
        order.setdefault(event_type.type_name, len(order))
    return order


def event_type_from_name(stem: str, types: EventTypes) -> type[EventData] | None:
    """The event type a file's name says: ``DialogueHeld``, ``DialogueHeld-2023-q3``,
    ``dialogueheld_hp`` (the longest type name that starts the name and ends at a
    non-letter), or ``None``."""
    low = stem.lower()
    for name in sorted(types.by_name, key=len, reverse=True):
        if low.startswith(name.lower()) and (len(low) == len(name) or not low[len(name)].isalnum()):
            return types.get(name)
    return None
