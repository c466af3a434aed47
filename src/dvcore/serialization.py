"""The one ``cattrs`` converter for every event type, the JSON Lines shape, and upcasters.

Structuring is strict: a count must be a JSON integer (``"5"``, ``5.0`` and ``true`` are
refused), a text must be a JSON string, a boolean ``true``/``false``, unknown fields are
refused. Errors come back as :class:`dvcore.errors.Problem` values that name the field.

Upcasters turn a payload stored at an older schema version into the current one. They are
named ``upcast_v<N>_v<N+1>`` and registered per event type with :func:`register_upcaster`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import types
import typing
import uuid
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs
import cattrs
from cattrs.errors import ClassValidationError, ForbiddenExtraKeysError
from cattrs.gen import make_dict_unstructure_fn, override

from dvcore.errors import FieldError, Problem
from dvcore.events import (
    CORE_EVENT_TYPES,
    DialogueHeld,
    Event,
    EventData,
    RecordedEvent,
    UnknownEventData,
    Window,
    _checked,
)
from dvcore.i18n import _

__all__ = [
    "EventTypes",
    "UnknownEventTypeWarning",
    "canonical_json",
    "converter",
    "event_from_dict",
    "event_to_dict",
    "payload_json",
    "recorded_to_dict",
    "register_upcaster",
    "structure_data",
    "unknown_event_data",
    "unstructure_data",
    "upcast",
    "upcast_v1_v2",
]

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]


class _Refused(ValueError):
    """A value of the wrong JSON type: raised by the strict hooks below."""


def _structure_int(value: object, _t: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Refused(_("expected a whole number, got {value}", value=repr(value)))
    return value


def _text_problem(value: str) -> str | None:
    """Why a text cannot be stored on every backend (a NUL, a lone surrogate), or ``None``."""
    if "\x00" in value:
        return _("a text must not hold a NUL character")
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return _("a text must be valid Unicode (it holds a lone surrogate)")
    return None


def _structure_str(value: object, _t: object) -> str:
    if not isinstance(value, str):
        raise _Refused(_("expected a text, got {value}", value=repr(value)))
    bad = _text_problem(value)
    if bad is not None:
        raise _Refused(bad)
    return value


def _structure_bool(value: object, _t: object) -> bool:
    if not isinstance(value, bool):
        raise _Refused(_("expected true or false, got {value}", value=repr(value)))
    return value


def _structure_date(value: object, _t: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise _Refused(_("expected a date YYYY-MM-DD, got {value}", value=repr(value)))
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise _Refused(_("'{value}' is not a date (YYYY-MM-DD)", value=value)) from None


def _structure_decimal(value: object, _t: object) -> Decimal:
    if isinstance(value, bool):
        raise _Refused(_("expected a number, got {value}", value=repr(value)))
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, str):
        try:
            return Decimal(value.strip())
        except InvalidOperation:
            raise _Refused(_("'{value}' is not a number", value=value)) from None
    raise _Refused(_("expected a number, got {value}", value=repr(value)))


def _unstructure_decimal(value: Decimal) -> int | str:
    if value == value.to_integral_value():
        return int(value)
    return str(value.normalize())


def _structure_uuid(value: object, _t: object) -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    if not isinstance(value, str):
        raise _Refused(_("expected an event id, got {value}", value=repr(value)))
    try:
        return uuid.UUID(value)
    except ValueError:
        raise _Refused(_("'{value}' is not an event id", value=value)) from None


def _structure_window(value: object, _t: object) -> Window:
    if isinstance(value, Window):
        return value
    if isinstance(value, Mapping):
        value = [value.get("from"), value.get("to")]
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise _Refused(_("expected a window [from, to] of two dates"))
    return Window(start=_structure_date(value[0], None), end=_structure_date(value[1], None))


def _is_mapping(t: Any) -> bool:
    origin: object = typing.get_origin(t)
    return origin is Mapping


def _is_scalar_mapping(t: Any) -> bool:
    # Mapping[str, AttributeValue] and Mapping[str, Any]: structured by one plain hook.
    if not _is_mapping(t):
        return False
    key, val = typing.get_args(t)
    return key is str and (val is Any or typing.get_origin(val) in (typing.Union, types.UnionType))


def _structure_scalar_mapping(value: object, _t: object) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise _Refused(_("expected an object, got {value}", value=repr(value)))
    out: dict[str, Any] = {}
    for key, item in value.items():
        if not isinstance(key, str):
            raise _Refused(_("keys must be texts, got {key}", key=repr(key)))
        if item is not None and not isinstance(item, str | int | bool):
            raise _Refused(_("'{key}' must be a text, a whole number, true/false or null", key=key))
        bad = _text_problem(key) or (_text_problem(item) if isinstance(item, str) else None)
        if bad is not None:
            raise _Refused(bad)
        out[key] = item
    return out


def _structure_any_mapping(value: object, _t: object) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise _Refused(_("expected an object, got {value}", value=repr(value)))
    return dict(value)


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True)
    conv.register_structure_hook(int, _structure_int)
    conv.register_structure_hook(str, _structure_str)
    conv.register_structure_hook(bool, _structure_bool)
    conv.register_structure_hook(dt.date, _structure_date)
    conv.register_unstructure_hook(dt.date, lambda d: d.isoformat())
    conv.register_structure_hook(Decimal, _structure_decimal)
    conv.register_unstructure_hook(Decimal, _unstructure_decimal)
    conv.register_structure_hook(uuid.UUID, _structure_uuid)
    conv.register_unstructure_hook(uuid.UUID, str)
    conv.register_structure_hook(Window, _structure_window)
    conv.register_unstructure_hook(Window, lambda w: [w.start.isoformat(), w.end.isoformat()])
    conv.register_structure_hook_func(
        lambda t: _is_scalar_mapping(t) and typing.get_args(t)[1] is not Any,
        _structure_scalar_mapping,
    )
    conv.register_structure_hook_func(
        lambda t: _is_mapping(t) and typing.get_args(t) == (str, Any),
        _structure_any_mapping,
    )
    conv.register_unstructure_hook_func(_is_mapping, lambda m: dict(m))
    conv.register_unstructure_hook_factory(lambda t: bool(_omitted(t)), _omitting(conv))
    return conv


def _omitting(conv: cattrs.Converter) -> Callable[[Any], Any]:
    """The unstructure hook factory of classes with fields :func:`_omitted`."""

    def factory(cls: Any) -> Any:
        # the overrides go in as keyword arguments named after the fields
        overrides: dict[str, Any] = {n: override(omit_if_default=True) for n in _omitted(cls)}
        return make_dict_unstructure_fn(cls, conv, **overrides)

    return factory


def _omitted(cls: Any) -> frozenset[str]:
    """The fields of an event data class left out of its payload while they hold their
    default (``metadata={"omit_if_default": True}``): fields added to a type after events
    of it were stored, so a payload written before them keeps its canonical text (its
    content key: the same row sent again is still the same event)."""
    if not (isinstance(cls, type) and attrs.has(cls)):
        return frozenset()
    return frozenset(a.name for a in attrs.fields(cls) if a.metadata.get("omit_if_default"))


#: The converter every event type is (un)structured with.
converter: cattrs.Converter = _make_converter()


# --- upcasting ---------------------------------------------------------------------------

_UPCASTERS: dict[tuple[str, int], Upcaster] = {}


def register_upcaster(type_name: str, from_version: int, upcaster: Upcaster) -> None:
    """Register the function that turns ``type_name`` payloads of ``from_version`` into the next."""
    key = (type_name, from_version)
    if key in _UPCASTERS and _UPCASTERS[key] is not upcaster:
        raise ValueError(f"an upcaster for {type_name} v{from_version} is registered already")
    _UPCASTERS[key] = upcaster


_CHAIR_TO_HOST = {
    "bi_thu": "party_secretary",
    "chu_tich": "chairman",
    "thuong_truc": "standing_committee",
}


def upcast_v1_v2(payload: dict[str, Any]) -> dict[str, Any]:
    """``DialogueHeld`` v1 → v2: the Vietnamese slug ``chair`` becomes ``host``.

    Version 1 wrote ``{"chair": "bi_thu"}``; version 2 writes ``{"host": "party_secretary"}``.
    A slug outside the known three becomes ``other``.
    """
    out = dict(payload)
    chair = out.pop("chair", None)
    if "host" not in out:
        out["host"] = _CHAIR_TO_HOST.get(str(chair), "other")
    return out


register_upcaster(DialogueHeld.type_name, 1, upcast_v1_v2)


def upcast(type_name: str, version: int, payload: dict[str, Any], target: int) -> dict[str, Any]:
    """Bring ``payload`` from schema ``version`` up to ``target`` through the upcaster chain."""
    while version < target:
        step = _UPCASTERS.get((type_name, version))
        if step is None:
            raise ValueError(f"no upcaster from {type_name} v{version} to v{version + 1}")
        payload = step(payload)
        version += 1
    return payload


# --- the catalogue -----------------------------------------------------------------------


@attrs.define
class EventTypes:
    """The event types a store knows by wire name: the core catalogue plus plugins' types."""

    by_name: dict[str, type[EventData]] = attrs.field(factory=dict)

    @classmethod
    def core(cls) -> EventTypes:
        """The core catalogue alone."""
        types_ = cls()
        for t in CORE_EVENT_TYPES:
            types_.add(t)
        return types_

    def add(self, event_type: type[EventData]) -> None:
        """Add one type; a second type with the same wire name is an error."""
        name = event_type.type_name
        if name in self.by_name and self.by_name[name] is not event_type:
            raise ValueError(f"two event types are named '{name}'")
        if attrs.has(event_type):
            _checked(event_type)  # a plugin's type built without slots: name its bad fields
        self.by_name[name] = event_type

    def get(self, name: str) -> type[EventData] | None:
        """The class of a wire name, or ``None``."""
        return self.by_name.get(name)

    def __iter__(self) -> Iterator[type[EventData]]:
        return iter(self.by_name.values())

    def __contains__(self, name: object) -> bool:
        return name in self.by_name


_LITERAL = re.compile(r"^(.*) not in literal typing\.Literal\[(.*)\]$", re.DOTALL)


def _messages(exc: BaseException, path: str) -> Iterator[tuple[str, str]]:
    """Walk a cattrs error tree and yield ``(dotted path, message)`` pairs."""
    if isinstance(exc, ForbiddenExtraKeysError):
        for key in sorted(exc.extra_fields):
            yield (f"{path}.{key}" if path else key), _("unknown field")
        return
    if isinstance(exc, cattrs.BaseValidationError):
        for sub in exc.exceptions:
            notes = getattr(sub, "__notes__", [])
            sub_path = path
            for note in notes:
                name = getattr(note, "name", None)
                index = getattr(note, "index", None)
                if name is not None:
                    sub_path = f"{path}.{name}" if path else str(name)
                elif index is not None:
                    sub_path = f"{path}[{index}]"
            yield from _messages(sub, sub_path)
        return
    if isinstance(exc, KeyError):
        yield path, _("is required")
        return
    # an object's constructor refused a field: its reason names the field as before
    message = exc.reason if isinstance(exc, FieldError) else str(exc)
    literal = _LITERAL.match(message)
    if literal:
        choices = ", ".join(re.findall(r"'([^']*)'", literal.group(2)))
        message = _("'{value}' is not one of: {choices}", value=literal.group(1), choices=choices)
        yield path, message
        return
    if isinstance(exc, TypeError) and "required" in message and "argument" in message:
        missing = message.rsplit(":", 1)[-1].replace("'", "").replace(" and ", ",").strip()
        for name in (n.strip() for n in missing.split(",")):
            if name:
                yield (f"{path}.{name}" if path else name), _("is required")
        return
    if message.startswith("'") and "' " in message:
        name = message[1 : message.index("' ")]
        if name.isidentifier():
            yield (f"{path}.{name}" if path else name), message
            return
    yield path, message or type(exc).__name__


# --- the fast path for flat types ----------------------------------------------------------
#
# Most events are flat: texts, whole numbers, booleans, dates and choices of texts, each
# maybe null. For those, a checker built once per type accepts exactly what the strict
# converter accepts *when the payload is valid* and builds the same object; anything it is
# unsure of (a wrong type, a missing field, a validator's refusal) goes to the converter,
# which names the problem. ``payload_json`` writes such an object's canonical JSON
# directly. tests/test_serialization.py holds both to the converter.

_Check = Callable[[Any], Any]  # the structured value, or _NO
_NO: Any = object()


def _check_text(value: Any) -> Any:
    if value.__class__ is str and (
        ("\x00" not in value and value.isascii()) or _text_problem(value) is None
    ):
        return value
    return _NO


def _check_int(value: Any) -> Any:
    return value if value.__class__ is int else _NO


def _check_bool(value: Any) -> Any:
    return value if value.__class__ is bool else _NO


def _check_date(value: Any) -> Any:
    if value.__class__ is str:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return _NO
    return _NO


def _field_check(t: Any) -> _Check | None:
    """The checker of one field type, or ``None`` when the type is not flat."""
    args = typing.get_args(t)
    if typing.get_origin(t) in (typing.Union, types.UnionType) and type(None) in args:
        rest = [a for a in args if a is not type(None)]
        inner = _field_check(rest[0]) if len(rest) == 1 else None
        if inner is None:
            return None
        return lambda v: None if v is None else inner(v)
    if typing.get_origin(t) is typing.Literal and all(type(a) is str for a in args):
        choices = frozenset(args)
        return lambda v: v if v.__class__ is str and v in choices else _NO
    return {str: _check_text, int: _check_int, bool: _check_bool, dt.date: _check_date}.get(t)


def _dump_value(value: Any) -> str:
    if value is None:
        return "null"
    if value.__class__ is str:
        return _encode_text(value)
    if value.__class__ is bool:
        return "true" if value else "false"
    if value.__class__ is int:
        return int.__repr__(value)
    return _encode_text(value.isoformat())  # a date


_encode_text: Callable[[str], str] = json.encoder.encode_basestring


@attrs.frozen
class _Flat:
    cls: type[EventData]
    fields: tuple[tuple[str, _Check, bool], ...]  # name, check, required
    names: frozenset[str]
    # (name, JSON key text) in sorted order, for the canonical text
    keys: tuple[tuple[str, str], ...]
    # fields left out while ``None`` (their default): see _omitted
    omit: frozenset[str] = frozenset()

    def structure(self, payload: Mapping[str, Any]) -> EventData | None:
        if not self.names.issuperset(payload):
            return None
        kwargs: dict[str, Any] = {}
        for name, check, required in self.fields:
            if name in payload:
                value = check(payload[name])
                if value is _NO:
                    return None
                kwargs[name] = value
            elif required:
                return None
        try:
            return self.cls(**kwargs)
        except (ValueError, TypeError):
            return None

    def dump(self, data: EventData) -> str:
        if self.omit:
            values = ((key, getattr(data, name), name) for name, key in self.keys)
            return (
                "{"
                + ",".join(
                    f"{key}:{_dump_value(v)}"
                    for key, v, name in values
                    if v is not None or name not in self.omit
                )
                + "}"
            )
        return (
            "{"
            + ",".join(f"{key}:{_dump_value(getattr(data, name))}" for name, key in self.keys)
            + "}"
        )


_FLAT: dict[type[EventData], _Flat | None] = {}


def _flat(event_type: type[EventData]) -> _Flat | None:
    try:
        return _FLAT[event_type]
    except KeyError:
        pass
    flat: _Flat | None = None
    try:
        hints = typing.get_type_hints(event_type)
        fields = []
        for a in attrs.fields(event_type):  # type: ignore[arg-type]
            check = _field_check(hints[a.name])
            if check is None or a.alias != a.name:
                raise LookupError(a.name)
            fields.append((a.name, check, a.default is attrs.NOTHING))
        flat = _Flat(
            cls=event_type,
            fields=tuple(fields),
            names=frozenset(n for n, _c, _r in fields),
            keys=tuple((n, json.dumps(n)) for n in sorted(n for n, _c, _r in fields)),
            omit=_omitted(event_type),
        )
    except (LookupError, TypeError, NameError):
        flat = None
    _FLAT[event_type] = flat
    return flat


def payload_json(data: EventData) -> str:
    """The canonical JSON text of an event's data (what the store keeps and hashes)."""
    flat = _flat(type(data))
    if flat is not None:
        return flat.dump(data)
    return canonical_json(unstructure_data(data))


def structure_data(
    event_type: type[EventData], payload: object, path: str = "data"
) -> tuple[EventData | None, list[tuple[str, str]]]:
    """Structure ``payload`` as ``event_type``; returns ``(data, [])`` or ``(None, errors)``."""
    if not isinstance(payload, Mapping):
        return None, [(path, _("must be an object"))]
    flat = _flat(event_type)
    if flat is not None:
        data = flat.structure(payload)
        if data is not None:
            return data, []
    try:
        return converter.structure(dict(payload), event_type), []
    except (ClassValidationError, ForbiddenExtraKeysError) as exc:
        return None, list(_messages(exc, path))
    except (ValueError, TypeError, KeyError) as exc:
        return None, list(_messages(exc, path))


class UnknownEventTypeWarning(UserWarning):
    """A stored event's type is provided by no installed plugin: it reads back raw."""


def unknown_event_data(
    type_name: str, schema_version: int, payload: Mapping[str, Any], warned: set[str]
) -> UnknownEventData:
    """The data of a stored event whose type no installed plugin provides: its raw payload.

    Warns (:class:`UnknownEventTypeWarning`) naming the type the first time a type is
    met, ``warned`` keeping the names warned about already (one set per store).
    """
    if type_name not in warned:
        warned.add(type_name)
        warnings.warn(
            _(
                "the store holds events of type '{type}', which no installed plugin provides: "
                "they read back as raw data and no indicator counts them",
                type=type_name,
            ),
            UnknownEventTypeWarning,
            stacklevel=3,
        )
    return UnknownEventData(type_name=type_name, payload=payload, schema_version=schema_version)


def unstructure_data(data: EventData) -> dict[str, Any]:
    """The JSON-ready payload of an event's data."""
    if isinstance(data, UnknownEventData):
        return dict(data.payload)
    out: dict[str, Any] = converter.unstructure(data)
    return out


_ENVELOPE_KEYS = frozenset({"type", "occurred_on", "unit", "data", "source_ref", "id", "stream"})


def _fast_event(raw: dict[str, Any], types_: EventTypes) -> Event | None:
    """The event of a plain, valid line of a flat type, or ``None`` for the full path.

    Accepts only what :func:`event_from_dict`'s full path accepts, and builds the same
    event (the full path then names the problems of anything refused here).
    """
    if not _ENVELOPE_KEYS.issuperset(raw) or raw.get("id") is not None:
        return None
    type_name = raw.get("type")
    event_type = types_.by_name.get(type_name) if type_name.__class__ is str else None
    flat = _flat(event_type) if event_type is not None else None
    payload = raw.get("data", {})
    if flat is None or payload.__class__ is not dict:
        return None
    data = flat.structure(payload)
    on = raw.get("occurred_on")
    unit = raw.get("unit")
    if data is None or on.__class__ is not str or unit.__class__ is not str or not unit.strip():
        return None
    texts = [unit]
    for key in ("source_ref", "stream"):
        value = raw.get(key)
        if value is not None:
            if value.__class__ is not str or not value:
                return None
            texts.append(value)
    if any(_check_text(t) is _NO for t in texts):
        return None
    try:
        return Event(
            data=data,
            occurred_on=dt.date.fromisoformat(on),
            unit=unit,
            source_ref=raw.get("source_ref"),
            stream=raw.get("stream"),
        )
    except (ValueError, TypeError):
        return None


def event_from_dict(
    raw: object, types_: EventTypes, *, source: str = "<batch>", row: int | None = None
) -> tuple[Event | None, list[Problem]]:
    """Read one event in the JSON Lines shape; returns ``(event, [])`` or ``(None, problems)``."""
    if raw.__class__ is dict:
        fast = _fast_event(raw, types_)
        if fast is not None:
            return fast, []

    type_name = raw.get("type") if isinstance(raw, Mapping) else None
    event_type = types_.get(type_name) if isinstance(type_name, str) else None
    known_type = event_type.type_name if event_type is not None else None

    def problem(field: str | None, message: str) -> Problem:
        return Problem(source=source, row=row, field=field, message=message, event_type=known_type)

    if not isinstance(raw, Mapping):
        return None, [problem(None, _("an event must be a JSON object"))]
    problems: list[Problem] = []
    for key in sorted(set(raw) - _ENVELOPE_KEYS):
        problems.append(problem(str(key), _("unknown field")))
    if event_type is None:
        known = ", ".join(sorted(types_.by_name))
        problems.append(
            problem(
                "type",
                _("unknown event type {type}; known: {known}", type=repr(type_name), known=known),
            )
        )
    occurred_on: dt.date | None = None
    try:
        occurred_on = _structure_date(raw.get("occurred_on"), None)
    except _Refused as exc:
        problems.append(problem("occurred_on", str(exc)))
    unit = raw.get("unit")
    if not isinstance(unit, str) or not unit.strip():
        problems.append(problem("unit", _("must name a unit code")))
    source_ref = raw.get("source_ref")
    if source_ref is not None and (not isinstance(source_ref, str) or not source_ref):
        problems.append(problem("source_ref", _("must be a non-empty text or null")))
    stream = raw.get("stream")
    if stream is not None and (not isinstance(stream, str) or not stream):
        problems.append(problem("stream", _("must be a non-empty text or null")))
    for name, text in (("unit", unit), ("source_ref", source_ref), ("stream", stream)):
        bad = _text_problem(text) if isinstance(text, str) else None
        if bad is not None:
            problems.append(problem(name, bad))
    event_id: uuid.UUID | None = None
    if raw.get("id") is not None:
        try:
            event_id = _structure_uuid(raw["id"], None)
        except _Refused as exc:
            problems.append(problem("id", str(exc)))
    data: EventData | None = None
    if event_type is not None:
        data, errors = structure_data(event_type, raw.get("data", {}))
        problems.extend(problem(path, msg) for path, msg in errors)
    if problems or data is None or occurred_on is None:
        return None, problems
    kwargs: dict[str, Any] = {}
    if event_id is not None:
        kwargs["id"] = event_id
    try:
        event = Event(
            data=data,
            occurred_on=occurred_on,
            unit=str(unit),
            source_ref=source_ref,
            stream=stream,
            **kwargs,
        )
    except FieldError as exc:
        return None, [problem(exc.field, exc.reason)]
    except (ValueError, TypeError) as exc:
        return None, [problem(None, str(exc))]
    return event, []


def event_to_dict(event: Event) -> dict[str, Any]:
    """The JSON Lines shape of an event to append."""
    out: dict[str, Any] = {
        "type": event.type,
        "occurred_on": event.occurred_on.isoformat(),
        "unit": event.unit,
        "data": unstructure_data(event.data),
        "id": str(event.id),
    }
    if event.source_ref is not None:
        out["source_ref"] = event.source_ref
    if event.stream is not None:
        out["stream"] = event.stream
    return out


def recorded_to_dict(event: RecordedEvent) -> dict[str, Any]:
    """A recorded event with its whole envelope, JSON-ready."""
    return {
        "position": event.position,
        "id": str(event.id),
        "stream": event.stream,
        "version": event.version,
        "type": event.type,
        "schema_version": event.schema_version,
        "occurred_on": event.occurred_on.isoformat(),
        "unit": event.unit,
        "recorded_at": event.recorded_at.isoformat(),
        "actor": event.actor,
        "source_ref": event.source_ref,
        "data": unstructure_data(event.data),
        "hash": event.hash,
    }


def canonical_json(value: object) -> str:
    """The one text a JSON value hashes as: sorted keys, no spaces, UTF-8 kept."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def iter_problems(pairs: Iterable[tuple[str, str]], source: str, row: int | None) -> list[Problem]:
    """Turn ``(path, message)`` pairs into problems of one source row."""
    return [Problem(source=source, row=row, field=p, message=m) for p, m in pairs]
